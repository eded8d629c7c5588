// audit/event_hash and audit/answers: events' hashes recomputed as docs/storage.md says (held to
// the test's own encoder, tests/audit/fake_log.hpp), and the shape checks of the server's answers.
#include <catch2/catch.hpp>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "audit/answers.hpp"
#include "audit/event_hash.hpp"
#include "tests/audit/fake_log.hpp"

namespace dialogue::audit {
namespace {

using nlohmann::json;
using testing::FakeLog;

TEST_CASE("An event's hash is recomputed from its fields, nulls as empty strings",
          "[audit][event]") {
  const FakeLog log = FakeLog::Make(12);
  for (const json& event : log.events) {
    auto read = ReadEvent(event);
    REQUIRE(read);
    CHECK(read->position == event["position"].get<uint64_t>());
    CHECK(HexOf(read->recomputed) == event["hash"].get<std::string>());
    CHECK(read->recomputed == read->hash);
    CHECK(HexOf(read->prev_hash) == event["prev_hash"].get<std::string>());
  }
  CHECK(ReadEvent(log.events[0])->prev_hash == kGenesisHash);
}

TEST_CASE("Events exported by a real server hash as they say, each linked to the one before",
          "[audit][event]") {
  // The seed corpus of the import fuzz harness: `dialogue export` output of a real store, whose
  // hashes the engine computed. The same event shape as GET /v1/events.
  size_t events = 0;
  for (const char* name : {"export-2-events.ndjson", "export-5-events.ndjson"}) {
    std::ifstream in(std::string(DIALOGUE_SOURCE_DIR) + "/tests/fuzz/import_line/" + name);
    REQUIRE(in);
    Hash prev_hash = kGenesisHash;
    for (std::string line; std::getline(in, line);) {
      if (line.empty()) continue;
      auto read = ReadEvent(json::parse(line));
      REQUIRE(read);
      INFO(name << " position " << read->position);
      CHECK(read->recomputed == read->hash);
      CHECK(read->prev_hash == prev_hash);
      prev_hash = read->hash;
      ++events;
    }
  }
  CHECK(events == 7);
}

TEST_CASE("The test's events have canonical data", "[audit][event]") {
  const json event = testing::MakeEvent(1, testing::kTestGenesis);
  CHECK(event["data"].dump() ==
        "{\"agenda\":{\"a\":1,\"z\":1.5},\"attendees\":[\"sec-ana\",\"pres-1\"],"
        "\"title\":\"Briefing n\xC2\xB0"
        "1\"}");
  auto read = ReadEvent(event);
  REQUIRE(read);
  CHECK(HexOf(read->recomputed) == event["hash"].get<std::string>());
}

TEST_CASE("Every field of an event is covered by its hash", "[audit][event]") {
  const json event = FakeLog::Make(4).events[3];
  const auto recomputed = [](const json& changed) { return ReadEvent(changed)->recomputed; };
  const Hash original = recomputed(event);
  for (const char* name : {"stream", "type", "occurred_at", "recorded_at", "actor", "role",
                           "on_behalf_of", "note", "correlation_id"}) {
    json changed = event;
    changed[name] = "x";
    INFO(name);
    CHECK(recomputed(changed) != original);
  }
  json changed = event;
  changed["version"] = 99;
  CHECK(recomputed(changed) != original);
  changed = event;
  changed["data"]["title"] = "another";
  CHECK(recomputed(changed) != original);
  changed = event;
  changed["prev_hash"] = std::string(64, 'a');
  CHECK(recomputed(changed) != original);
  changed = event;
  changed["note"] = "";  // "" and null hash alike
  json null_note = event;
  null_note["note"] = nullptr;
  CHECK(recomputed(changed) == recomputed(null_note));
}

TEST_CASE("An event with a missing field, a wrong type or bad hex is malformed", "[audit][event]") {
  const json event = FakeLog::Make(1).events[0];
  for (const char* name : {"position", "stream", "version", "type", "data", "occurred_at",
                           "recorded_at", "actor", "role", "correlation_id", "hash", "prev_hash"}) {
    json missing = event;
    missing.erase(name);
    INFO(name);
    CHECK_FALSE(ReadEvent(missing));
  }
  json changed = event;
  changed["hash"] = std::string(64, 'A');
  CHECK_FALSE(ReadEvent(changed));
  changed["hash"] = std::string(63, 'a');
  CHECK_FALSE(ReadEvent(changed));
  changed = event;
  changed["position"] = -1;
  CHECK_FALSE(ReadEvent(changed));
  changed = event;
  changed["data"] = "text";
  CHECK_FALSE(ReadEvent(changed));
  changed = event;
  changed["actor"] = nullptr;
  CHECK_FALSE(ReadEvent(changed));
  CHECK_FALSE(ReadEvent(json::array()));
}

TEST_CASE("The proof answers parse, wrong shapes are malformed", "[audit][answers]") {
  const std::string a(64, 'a');
  const std::string b(64, 'b');
  auto inclusion = ParseInclusionAnswer(R"({"position":3,"tree_size":8,"leaf_hash":")" + a +
                                        R"(","hashes":[")" + b + R"("]})");
  REQUIRE(inclusion);
  CHECK(inclusion->position == 3);
  CHECK(inclusion->tree_size == 8);
  CHECK(HexOf(inclusion->leaf_hash) == a);
  CHECK(inclusion->hashes.size() == 1);
  CHECK_FALSE(ParseInclusionAnswer(R"({"position":3,"tree_size":8,"hashes":[]})"));
  CHECK_FALSE(ParseInclusionAnswer(R"({"position":"3","tree_size":8,"leaf_hash":")" + a +
                                   R"(","hashes":[]})"));

  auto consistency = ParseConsistencyAnswer(R"({"from":1,"to":2,"hashes":[")" + a + R"("]})");
  REQUIRE(consistency);
  CHECK(consistency->from == 1);
  CHECK(consistency->to == 2);
  CHECK(ParseConsistencyAnswer(R"({"from":2,"to":2,"hashes":[]})"));
  CHECK_FALSE(ParseConsistencyAnswer(R"({"from":1,"to":2,"hashes":["ab"]})"));
  CHECK_FALSE(ParseConsistencyAnswer(R"({"from":1,"to":2,"hashes":{}})"));
  CHECK_FALSE(ParseConsistencyAnswer(R"({"from":1.5,"to":2,"hashes":[]})"));
  CHECK_FALSE(ParseConsistencyAnswer(R"([1,2])"));
  CHECK_FALSE(ParseConsistencyAnswer(R"({"from":1,"to":2,"hashes":[])"));

  json many = {{"from", 1}, {"to", 2}, {"hashes", json::array()}};
  for (size_t i = 0; i <= kMaxProofHashes; ++i) many["hashes"].push_back(a);
  CHECK_FALSE(ParseConsistencyAnswer(many.dump()));
}

TEST_CASE("An events page parses its events, deep nesting is refused before parsing",
          "[audit][answers]") {
  const FakeLog log = FakeLog::Make(3);
  json page = {{"events", log.events}, {"head", 3}};
  auto parsed = ParseEventsPage(page.dump());
  REQUIRE(parsed);
  REQUIRE(parsed->events.size() == 3);
  CHECK(parsed->events[2].position == 3);
  CHECK(ParseEventsPage(R"({"events":[],"head":0})"));
  CHECK_FALSE(ParseEventsPage(R"({"head":0})"));
  CHECK_FALSE(ParseEventsPage(R"({"events":[{"position":1}]})"));

  const std::string deep =
      R"({"events":[{"data":)" + std::string(100'000, '[') + std::string(100'000, ']') + "}]}";
  auto refused = ParseEventsPage(deep);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().find("nested too deep") != std::string::npos);
  // Brackets inside strings do not count.
  json quoted = page;
  quoted["events"][0]["data"]["title"] = std::string(10'000, '[');
  quoted["events"][0]["hash"] = testing::TestEventHash(quoted["events"][0]);
  CHECK(ParseEventsPage(quoted.dump()));
}

}  // namespace
}  // namespace dialogue::audit
