// Clock: where time enters Dialogue. Production uses SystemClock; tests use ManualClock
// (tests/support/manual_clock.hpp) and never sleep to wait for time. Thread-safe.
#pragma once

#include <chrono>

namespace dialogue::engine {

using TimePoint = std::chrono::sys_time<std::chrono::microseconds>;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint Now() const override {
    return std::chrono::time_point_cast<std::chrono::microseconds>(
        std::chrono::system_clock::now());
  }
};

}  // namespace dialogue::engine
