// Local days and the 59(e) confirmation deadline in IANA zones, across DST changes.
#include "workflows/deadline.hpp"

#include <catch2/catch.hpp>

#include "world.hpp"

namespace dialogue::workflows {
namespace {

using testing::At;

Date D(std::string_view text) { return *ParseDate("date", text); }

TimePoint Deadline(std::string_view briefing_date, std::string_view zone = "Europe/Vienna") {
  auto deadline = ConfirmationDeadline(D(briefing_date), zone, 10);
  REQUIRE(deadline);
  return *deadline;
}

TEST_CASE("A briefing on 15 July may be confirmed until the end of 5 July, Vienna summer time",
          "[deadline][59(e)]") {
  CHECK(Deadline("2026-07-15") == At("2026-07-05T21:59:59Z"));
}

TEST_CASE("The deadline is 23:59:59 as RULES.md words it, not a fraction later",
          "[deadline][59(e)]") {
  // "the last valid instant is 23:59:59 on (briefing date - 10 calendar days)".
  const TimePoint deadline = Deadline("2026-07-15");
  CHECK(FormatInstant(deadline) == "2026-07-05T21:59:59Z");
  CHECK(*StartOfLocalDay(D("2026-07-06"), "Europe/Vienna") - deadline == std::chrono::seconds{1});
}

TEST_CASE("In winter the deadline is 23:59:59 CET", "[deadline][59(e)]") {
  CHECK(Deadline("2026-01-20") == At("2026-01-10T22:59:59Z"));
}

TEST_CASE("Deadlines around the spring DST change follow the local offset of that day",
          "[deadline][59(e)][dst]") {
  // 2026-03-29 is the last Sunday of March: clocks go from 02:00 CET to 03:00 CEST.
  CHECK(Deadline("2026-04-07") == At("2026-03-28T22:59:59Z"));  // Saturday, CET
  CHECK(Deadline("2026-04-08") == At("2026-03-29T21:59:59Z"));  // the 23-hour Sunday
  CHECK(Deadline("2026-04-09") == At("2026-03-30T21:59:59Z"));  // Monday, CEST
}

TEST_CASE("Deadlines around the autumn DST change follow the local offset of that day",
          "[deadline][59(e)][dst]") {
  // 2026-10-25 is the last Sunday of October: clocks go from 03:00 CEST back to 02:00 CET.
  CHECK(Deadline("2026-11-03") == At("2026-10-24T21:59:59Z"));  // Saturday, CEST
  CHECK(Deadline("2026-11-04") == At("2026-10-25T22:59:59Z"));  // the 25-hour Sunday
  CHECK(Deadline("2026-11-05") == At("2026-10-26T22:59:59Z"));  // Monday, CET
}

TEST_CASE("Other zones use their own rules, not Vienna's", "[deadline][59(e)]") {
  CHECK(Deadline("2026-07-15", "America/New_York") == At("2026-07-06T03:59:59Z"));
  CHECK(Deadline("2026-07-15", "Asia/Kolkata") == At("2026-07-05T18:29:59Z"));
  CHECK(Deadline("2026-07-15", "UTC") == At("2026-07-05T23:59:59Z"));
}

TEST_CASE("The end of a local day is one microsecond before the next day starts", "[deadline]") {
  auto end = EndOfLocalDay(D("2026-03-29"), "Europe/Vienna");
  auto next = StartOfLocalDay(D("2026-03-30"), "Europe/Vienna");
  REQUIRE(end);
  REQUIRE(next);
  CHECK(*next - *end == std::chrono::microseconds{1});
  CHECK(*LocalDate(*end, "Europe/Vienna") == D("2026-03-29"));
  CHECK(*LocalDate(*next, "Europe/Vienna") == D("2026-03-30"));
}

TEST_CASE("A day whose midnight is skipped starts at the transition", "[deadline][dst]") {
  // America/Havana springs forward at 00:00 local (to 01:00) on 2026-03-08.
  auto start = StartOfLocalDay(D("2026-03-08"), "America/Havana");
  REQUIRE(start);
  CHECK(*start == At("2026-03-08T05:00:00Z"));
}

TEST_CASE("An unknown zone is bad input", "[deadline]") {
  auto deadline = ConfirmationDeadline(D("2026-07-15"), "Europe/Atlantis", 10);
  REQUIRE_FALSE(deadline);
  CHECK(deadline.error().code == RefusalCode::kInvalidArgument);
  CHECK_FALSE(CheckTimeZone("not a zone"));
  CHECK(CheckTimeZone("Europe/Vienna"));
}

TEST_CASE("Local times print in the zone, seconds only when not zero", "[deadline]") {
  CHECK(FormatLocal(At("2026-07-05T22:30:00Z"), "Europe/Vienna") == "2026-07-06 00:30");
  CHECK(FormatLocal(At("2026-07-05T21:59:59Z"), "Europe/Vienna") == "2026-07-05 23:59:59");
}

}  // namespace
}  // namespace dialogue::workflows
