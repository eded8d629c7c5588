// RFC 3339 instants: the one place the engine turns a TimePoint into text and back.
// docs/storage.md ("Timestamps") defines the format. Thread-safe (pure functions).
#pragma once

#include <string>
#include <string_view>

#include "engine/clock.hpp"
#include "engine/result.hpp"

namespace dialogue::engine {

// UTC with a `Z`: "2026-03-10T09:30:00Z" for a whole second, else six fraction digits
// ("2026-03-10T09:30:00.123456Z"). REQUIRES: t lies in the years 0000-9999.
std::string FormatRfc3339(TimePoint t);

// Accepts "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+hh:mm|-hh:mm)" (`t` and `z` too); fractions beyond
// microseconds are truncated. Impossible dates or times (2026-02-30, 24:00:00, second 60) and
// anything else are kInvalidArgument.
[[nodiscard]] Result<TimePoint> ParseRfc3339(std::string_view text);

}  // namespace dialogue::engine
