#include "workflows/deadline.hpp"

#include <chrono>
#include <exception>

#include <date/tz.h>

namespace dialogue::workflows {
namespace {

Verdict<const date::time_zone*> Locate(std::string_view zone) {
  try {
    return date::locate_zone(std::string(zone));
  } catch (const std::exception&) {
    return Refuse(Refusal::InvalidArgument("timezone \"" + std::string(zone) +
                                           "\" is not an IANA time zone (e.g. Europe/Vienna)"));
  }
}

}  // namespace

Check CheckTimeZone(std::string_view zone) {
  RETURN_IF_ERROR(Locate(zone));
  return {};
}

Verdict<TimePoint> StartOfLocalDay(Date day, std::string_view zone) {
  ASSIGN_OR_RETURN(const date::time_zone* tz, Locate(zone));
  const date::local_days local{day.time_since_epoch()};
  return std::chrono::time_point_cast<std::chrono::microseconds>(
      tz->to_sys(local, date::choose::earliest));
}

Verdict<TimePoint> EndOfLocalDay(Date day, std::string_view zone) {
  ASSIGN_OR_RETURN(TimePoint next, StartOfLocalDay(day + date::days{1}, zone));
  return next - std::chrono::microseconds{1};
}

Verdict<Date> LocalDate(TimePoint instant, std::string_view zone) {
  ASSIGN_OR_RETURN(const date::time_zone* tz, Locate(zone));
  const auto local = tz->to_local(instant);
  return Date{date::floor<date::days>(local).time_since_epoch()};
}

std::string FormatLocal(TimePoint instant, std::string_view zone) {
  auto tz = Locate(zone);
  if (!tz) return FormatInstant(instant);
  const auto local = date::floor<std::chrono::seconds>((*tz)->to_local(instant));
  const auto day = date::floor<date::days>(local);
  const date::hh_mm_ss<std::chrono::seconds> time{local - day};
  return date::format(time.seconds().count() == 0 ? "%F %H:%M" : "%F %H:%M:%S", local);
}

Verdict<TimePoint> ConfirmationDeadline(Date briefing_date, std::string_view zone,
                                        int days_before) {
  // RULES.md 59(e): "the last valid instant is 23:59:59 on (briefing date - 10 calendar days)".
  ASSIGN_OR_RETURN(TimePoint next,
                   StartOfLocalDay(briefing_date - date::days{days_before - 1}, zone));
  return next - std::chrono::seconds{1};
}

}  // namespace dialogue::workflows
