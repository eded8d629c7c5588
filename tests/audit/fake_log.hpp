// FakeLog: a log of made-up events as GET /v1/events shows them, each hash computed here by the
// test's own encoder of docs/storage.md ("Hash chain"), apart from audit/event_hash.cpp which it
// tests, and the leaf hashes of its Merkle tree.
#pragma once

#include <openssl/sha.h>

#include <cstdint>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "audit/hash.hpp"
#include "tests/audit/naive_merkle.hpp"

namespace dialogue::audit::testing {

inline std::string TestHex(const unsigned char* bytes, size_t size) {
  std::string out;
  char digits[3];
  for (size_t i = 0; i < size; ++i) {
    std::snprintf(digits, sizeof digits, "%02x", bytes[i]);
    out += digits;
  }
  return out;
}

inline std::vector<uint8_t> TestUnhex(const std::string& hex) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

// docs/storage.md: SHA-256 of lp("dialogue.event.v1") ‖ prev_hash ‖ u64 position ‖ lp(stream) ‖
// u64 version ‖ lp(type) ‖ lp(data) ‖ lp(occurred_at) ‖ lp(recorded_at) ‖ lp(actor) ‖ lp(role) ‖
// lp(on_behalf_of) ‖ lp(note) ‖ lp(correlation_id), big-endian, lp = u32 length ‖ bytes.
inline std::string TestEventHash(const nlohmann::json& event) {
  std::string bytes;
  const auto u32 = [&](uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) bytes += static_cast<char>((v >> s) & 0xff);
  };
  const auto u64 = [&](uint64_t v) {
    for (int s = 56; s >= 0; s -= 8) bytes += static_cast<char>((v >> s) & 0xff);
  };
  const auto lp = [&](const std::string& text) {
    u32(static_cast<uint32_t>(text.size()));
    bytes += text;
  };
  const auto text = [&](const char* name) {
    return event[name].is_null() ? std::string() : event[name].get<std::string>();
  };
  lp("dialogue.event.v1");
  for (uint8_t b : TestUnhex(event["prev_hash"].get<std::string>())) bytes += static_cast<char>(b);
  u64(event["position"].get<uint64_t>());
  lp(text("stream"));
  u64(event["version"].get<uint64_t>());
  lp(text("type"));
  lp(event["data"].dump());
  for (const char* name :
       {"occurred_at", "recorded_at", "actor", "role", "on_behalf_of", "note", "correlation_id"}) {
    lp(text(name));
  }
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  return TestHex(digest, sizeof digest);
}

inline const std::string kTestGenesis(64, '0');

// The event at `position`, chained to `prev_hash`; `salt` changes its data (another history).
inline nlohmann::json MakeEvent(uint64_t position, const std::string& prev_hash,
                                const std::string& salt = "") {
  nlohmann::json event = {
      {"position", position},
      {"stream", "briefing-" + std::to_string(position % 5)},
      {"version", position / 5 + 1},
      {"type", position % 2 == 0 ? "BriefingRequested" : "AttendanceConfirmed"},
      // Keys out of order and nested, a non-ASCII string, numbers: dump() sorts and keeps UTF-8.
      {"data",
       {{"title", "Briefing n\xC2\xB0" + std::to_string(position) + salt},
        {"attendees", {"sec-ana", "pres-1"}},
        {"agenda", {{"z", 1.5}, {"a", position}}}}},
      {"occurred_at", "2026-12-01T10:00:00Z"},
      {"recorded_at", "2026-12-01T10:00:0" + std::to_string(position % 10) + ".123Z"},
      {"actor", "sec-ana"},
      {"role", "secretariat"},
      {"on_behalf_of", position % 3 == 0 ? nlohmann::json("pres-1") : nlohmann::json(nullptr)},
      {"note", position % 4 == 0 ? nlohmann::json("r\xC3\xA9vision") : nlohmann::json(nullptr)},
      {"correlation_id", "corr-" + std::to_string(position)},
      {"prev_hash", prev_hash},
  };
  event["hash"] = TestEventHash(event);
  return event;
}

struct FakeLog {
  std::vector<nlohmann::json> events;  // events[i] is position i + 1

  // `size` events; from `fork_at` on (if not 0) their data differs by `salt`.
  static FakeLog Make(size_t size, size_t fork_at = 0, const std::string& salt = "fork") {
    FakeLog log;
    for (size_t p = 1; p <= size; ++p) log.Add(fork_at != 0 && p >= fork_at ? salt : "");
    return log;
  }

  void Add(const std::string& salt = "") {
    const std::string prev =
        events.empty() ? kTestGenesis : events.back()["hash"].get<std::string>();
    events.push_back(MakeEvent(events.size() + 1, prev, salt));
  }

  std::vector<Hash> LeafHashes() const {
    std::vector<Hash> leaves;
    for (const nlohmann::json& event : events) {
      leaves.push_back(NaiveLeaf(TestUnhex(event["hash"].get<std::string>())));
    }
    return leaves;
  }
};

}  // namespace dialogue::audit::testing
