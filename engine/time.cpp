#include "engine/time.hpp"

#include <chrono>
#include <cstdio>

namespace dialogue::engine {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::minutes;
using std::chrono::seconds;

// Reads exactly n decimal digits at text[pos...]; false if any is not a digit.
bool ReadDigits(std::string_view text, size_t pos, size_t n, int& out) {
  if (pos + n > text.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

tl::unexpected<Error> Invalid(std::string_view text, std::string_view why) {
  return Fail(Error::InvalidArgument("not an RFC 3339 instant (" + std::string(why) + "): \"" +
                                     std::string(text) + "\""));
}

}  // namespace

std::string FormatRfc3339(TimePoint t) {
  const auto day = std::chrono::floor<days>(t);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::hh_mm_ss<microseconds> hms{t - day};
  char buf[40];
  const long micros = static_cast<long>(hms.subseconds().count());
  if (micros == 0) {
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                  static_cast<int>(hms.seconds().count()));
  } else {
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%06ldZ",
                  static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()), static_cast<int>(hms.hours().count()),
                  static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()),
                  micros);
  }
  return buf;
}

Result<TimePoint> ParseRfc3339(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!ReadDigits(text, 0, 4, year) || text.size() < 19 || text[4] != '-' ||
      !ReadDigits(text, 5, 2, month) || text[7] != '-' || !ReadDigits(text, 8, 2, day) ||
      (text[10] != 'T' && text[10] != 't') || !ReadDigits(text, 11, 2, hour) || text[13] != ':' ||
      !ReadDigits(text, 14, 2, minute) || text[16] != ':' || !ReadDigits(text, 17, 2, second)) {
    return Invalid(text, "expected YYYY-MM-DDTHH:MM:SS");
  }
  const std::chrono::year_month_day ymd{std::chrono::year{year},
                                        std::chrono::month{static_cast<unsigned>(month)},
                                        std::chrono::day{static_cast<unsigned>(day)}};
  // There is no year 0 (1 BC is followed by AD 1), whatever proleptic calendars say.
  if (!ymd.ok() || year == 0) return Invalid(text, "no such date");
  if (hour > 23 || minute > 59 || second > 59) return Invalid(text, "no such time of day");

  size_t pos = 19;
  long micros = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    const size_t start = pos;
    long scale = 100000;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      micros += (text[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return Invalid(text, "empty fraction");
  }

  minutes offset{0};
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    const bool negative = text[pos] == '-';
    int off_hours = 0, off_minutes = 0;
    if (!ReadDigits(text, pos + 1, 2, off_hours) || pos + 3 >= text.size() ||
        text[pos + 3] != ':' || !ReadDigits(text, pos + 4, 2, off_minutes) || off_hours > 23 ||
        off_minutes > 59) {
      return Invalid(text, "bad offset");
    }
    offset = hours(off_hours) + minutes(off_minutes);
    if (negative) offset = -offset;
    pos += 6;
  } else {
    return Invalid(text, "missing Z or offset");
  }
  if (pos != text.size()) return Invalid(text, "trailing characters");

  const TimePoint local = std::chrono::sys_days{ymd} + hours(hour) + minutes(minute) +
                          seconds(second) + microseconds(micros);
  return local - offset;
}

}  // namespace dialogue::engine
