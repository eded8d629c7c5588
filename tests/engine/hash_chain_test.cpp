#include "engine/hash_chain.hpp"

#include <catch2/catch.hpp>

#include "engine/codec.hpp"

namespace dialogue::engine {
namespace {

RecordedEvent Sample() {
  RecordedEvent e;
  e.position = 57;
  e.stream = "briefing-b1";
  e.version = 4;
  e.type = "AttendanceConfirmed";
  e.data = R"({"stakeholder":"ngo-1"})";
  e.metadata = {"2026-03-10T09:00:00Z",
                "2026-03-10T09:30:00.123456Z",
                "ngo-rep",
                "stakeholder",
                "",
                "Ünïcode",
                "corr-1"};
  for (int i = 0; i < 32; ++i) e.prev_hash += "ab";
  return e;
}

// The expected value was computed independently (Python's hashlib) from docs/storage.md's
// encoding; a change here is a change of the on-disk format.
TEST_CASE("The event hash follows the documented encoding", "[hash]") {
  CHECK(ComputeEventHash(Sample()) ==
        "58ba8beb0b4fdb5e403a6dc86e110993d1a295e6bd740a137fa07c51270d71cb");
}

TEST_CASE("Every hashed field changes the hash, the hash field does not", "[hash]") {
  const RecordedEvent base = Sample();
  const std::string h = ComputeEventHash(base);
  auto differs = [&](auto change) {
    RecordedEvent e = base;
    change(e);
    return ComputeEventHash(e) != h;
  };
  CHECK(differs([](RecordedEvent& e) { e.position = 58; }));
  CHECK(differs([](RecordedEvent& e) { e.stream = "briefing-b2"; }));
  CHECK(differs([](RecordedEvent& e) { e.version = 5; }));
  CHECK(differs([](RecordedEvent& e) { e.type = "InvitationDeclined"; }));
  CHECK(differs([](RecordedEvent& e) { e.data = R"({"stakeholder":"ngo-2"})"; }));
  CHECK(differs([](RecordedEvent& e) { e.metadata.occurred_at = "2026-03-10T09:00:01Z"; }));
  CHECK(differs([](RecordedEvent& e) { e.metadata.recorded_at = "2026-03-10T09:30:01Z"; }));
  CHECK(differs([](RecordedEvent& e) { e.metadata.actor = "other"; }));
  CHECK(differs([](RecordedEvent& e) { e.metadata.role = "secretariat"; }));
  CHECK(differs([](RecordedEvent& e) { e.metadata.on_behalf_of = "x"; }));
  CHECK(differs([](RecordedEvent& e) { e.metadata.note = "note"; }));
  CHECK(differs([](RecordedEvent& e) { e.metadata.correlation_id = "corr-2"; }));
  CHECK(differs([](RecordedEvent& e) { e.prev_hash = std::string(64, '0'); }));
  // Moving bytes between adjacent fields changes the hash: lengths are part of the encoding.
  CHECK(differs([](RecordedEvent& e) {
    e.metadata.actor = "ngo-repstakeholder";
    e.metadata.role = "";
  }));
  CHECK_FALSE(differs([](RecordedEvent& e) { e.hash = "anything"; }));
}

TEST_CASE("A malformed prev_hash gives no hash", "[hash]") {
  RecordedEvent e = Sample();
  e.prev_hash = "abc";
  CHECK(ComputeEventHash(e).empty());
  e.prev_hash = std::string(64, 'A');  // upper case is not the canonical form
  CHECK(ComputeEventHash(e).empty());
}

TEST_CASE("The event envelope round-trips and refuses damaged bytes", "[codec]") {
  RecordedEvent e = Sample();
  e.hash = ComputeEventHash(e);
  const std::string value = codec::EncodeEvent(e);
  auto decoded = codec::DecodeEvent(value);
  REQUIRE(decoded);
  CHECK(*decoded == e);

  auto truncated = codec::DecodeEvent(value.substr(0, value.size() - 1));
  REQUIRE_FALSE(truncated);
  CHECK(truncated.error().code == ErrorCode::kCorruption);
  CHECK_FALSE(codec::DecodeEvent(value + "x"));
  CHECK_FALSE(codec::DecodeEvent("\x02" + value.substr(1)));
  CHECK_FALSE(codec::DecodeEvent(""));
}

TEST_CASE("The idempotency record round-trips", "[codec]") {
  codec::IdempotencyRecord record{"fp", {3, 5, {{"a", 2}, {"b", 1}}, false, {}}};
  auto decoded = codec::DecodeIdempotency(codec::EncodeIdempotency(record));
  REQUIRE(decoded);
  CHECK(decoded->fingerprint == "fp");
  CHECK(decoded->result.first_position == 3);
  CHECK(decoded->result.last_position == 5);
  REQUIRE(decoded->result.versions.size() == 2);
  CHECK(decoded->result.versions[1].stream == "b");
  CHECK(decoded->result.versions[1].version == 1);
}

TEST_CASE("Position keys sort numerically", "[codec]") {
  CHECK(codec::U64Key(255) < codec::U64Key(256));
  CHECK(codec::U64Key(1) < codec::U64Key(UINT64_MAX));
  CHECK(codec::DecodeU64Key(codec::U64Key(123456789)) == std::optional<uint64_t>(123456789));
  CHECK(codec::StreamKey("od", 9) < codec::StreamPrefix("odd"));
}

}  // namespace
}  // namespace dialogue::engine
