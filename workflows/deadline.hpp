// Local calendar days and deadlines in IANA time zones, through <date/tz.h> (Debian's tzdata):
// no hand-written offsets. Rule 59(e)'s confirmation deadline is computed here. Pure functions;
// thread-safe (the zone database is loaded once, on first use, by the date library).
#pragma once

#include <string>
#include <string_view>

#include "workflows/refusal.hpp"
#include "workflows/values.hpp"

namespace dialogue::workflows {

// kInvalidArgument unless `zone` names an IANA time zone ("Europe/Vienna").
[[nodiscard]] Check CheckTimeZone(std::string_view zone);

// The first instant of the local calendar day `day` in `zone` (the earliest, where midnight
// is skipped or repeated by a clock change).
[[nodiscard]] Verdict<TimePoint> StartOfLocalDay(Date day, std::string_view zone);

// The last instant of the local calendar day `day` in `zone`: the start of the next local day
// minus one microsecond (TimePoint's resolution), so 23:59:59.999999 is still the day.
[[nodiscard]] Verdict<TimePoint> EndOfLocalDay(Date day, std::string_view zone);

// The local calendar date of an instant in `zone`.
[[nodiscard]] Verdict<Date> LocalDate(TimePoint instant, std::string_view zone);

// "2026-07-06 00:30" (seconds shown when not zero; fractions never), local to `zone`.
std::string FormatLocal(TimePoint instant, std::string_view zone);

// 59(e): the last instant at which a confirmation for a briefing on `briefing_date` is in time,
// as RULES.md states it: 23:59:59 on (briefing_date - days_before) in `zone` (one second before
// the next local day begins). For 15 July and 10 days: 5 July 23:59:59 local; a confirmation at
// 23:59:59.5 is after it.
[[nodiscard]] Verdict<TimePoint> ConfirmationDeadline(Date briefing_date, std::string_view zone,
                                                      int days_before);

}  // namespace dialogue::workflows
