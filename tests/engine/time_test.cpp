#include "engine/time.hpp"

#include <catch2/catch.hpp>

namespace dialogue::engine {
namespace {

using std::chrono::microseconds;

TimePoint Epoch() { return TimePoint(microseconds(0)); }

TEST_CASE("FormatRfc3339 writes whole seconds plainly and fractions as microseconds", "[time]") {
  CHECK(FormatRfc3339(Epoch()) == "1970-01-01T00:00:00Z");
  const TimePoint t = ParseRfc3339("2026-03-10T09:30:00Z").value();
  CHECK(FormatRfc3339(t) == "2026-03-10T09:30:00Z");
  CHECK(FormatRfc3339(t + microseconds(123456)) == "2026-03-10T09:30:00.123456Z");
  CHECK(FormatRfc3339(t + microseconds(5)) == "2026-03-10T09:30:00.000005Z");
  CHECK(FormatRfc3339(t - microseconds(1)) == "2026-03-10T09:29:59.999999Z");
  CHECK(FormatRfc3339(ParseRfc3339("1969-12-31T23:59:59.5Z").value()) ==
        "1969-12-31T23:59:59.500000Z");
}

TEST_CASE("ParseRfc3339 and FormatRfc3339 round-trip", "[time]") {
  for (const char* text :
       {"2026-03-10T09:30:00Z", "2026-03-10T09:30:00.123456Z", "2024-02-29T23:59:59Z",
        "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999Z", "2000-01-01T00:00:00.000001Z"}) {
    INFO(text);
    auto parsed = ParseRfc3339(text);
    REQUIRE(parsed);
    CHECK(FormatRfc3339(*parsed) == text);
  }
}

TEST_CASE("ParseRfc3339 accepts offsets, short and long fractions and lower case", "[time]") {
  auto utc = [](const char* text) { return FormatRfc3339(ParseRfc3339(text).value()); };
  CHECK(utc("2026-03-10T11:30:00+02:00") == "2026-03-10T09:30:00Z");
  CHECK(utc("2026-03-10T04:00:00-05:30") == "2026-03-10T09:30:00Z");
  CHECK(utc("2026-03-01T00:30:00+01:00") == "2026-02-28T23:30:00Z");
  CHECK(utc("2026-03-10T09:30:00+00:00") == "2026-03-10T09:30:00Z");
  CHECK(utc("2026-03-10t09:30:00z") == "2026-03-10T09:30:00Z");
  CHECK(utc("2026-03-10T09:30:00.5Z") == "2026-03-10T09:30:00.500000Z");
  CHECK(utc("2026-03-10T09:30:00.123456789Z") == "2026-03-10T09:30:00.123456Z");
  CHECK(utc("2026-03-10T09:30:00.000000Z") == "2026-03-10T09:30:00Z");
}

TEST_CASE("ParseRfc3339 rejects impossible dates and malformed text", "[time]") {
  for (const char* text : {"2026-02-30T00:00:00Z",
                           "2025-02-29T00:00:00Z",
                           "2026-04-31T00:00:00Z",
                           "2026-13-01T00:00:00Z",
                           "2026-00-10T00:00:00Z",
                           "2026-03-00T00:00:00Z",
                           "0000-01-01T00:00:00Z",  // no year 0
                           "2026-03-10T24:00:00Z",
                           "2026-03-10T23:60:00Z",
                           "2026-03-10T23:59:60Z",
                           "2026-03-10T09:30:00",
                           "2026-03-10 09:30:00Z",
                           "2026-03-10",
                           "2026-03-10T09:30Z",
                           "2026-03-10T09:30:00.Z",
                           "2026-03-10T09:30:00+2:00",
                           "2026-03-10T09:30:00+24:00",
                           "2026-03-10T09:30:00+02:60",
                           "2026-03-10T09:30:00+0200",
                           "2026-03-10T09:30:00ZZ",
                           "2026-3-10T09:30:00Z",
                           "+2026-03-10T09:30:00Z",
                           "",
                           "yesterday"}) {
    INFO(text);
    auto parsed = ParseRfc3339(text);
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().code == ErrorCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace dialogue::engine
