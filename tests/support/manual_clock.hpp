// ManualClock: a clock the tests move by hand. Test-only (dialogue::testing); production never
// includes it.
#pragma once

#include <atomic>
#include <chrono>

#include "engine/clock.hpp"

namespace dialogue::engine {

// A clock that moves only when told to.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start) : now_(start.time_since_epoch().count()) {}
  TimePoint Now() const override { return TimePoint(std::chrono::microseconds(now_.load())); }
  void Set(TimePoint t) { now_.store(t.time_since_epoch().count()); }
  void Advance(std::chrono::microseconds d) { now_.fetch_add(d.count()); }

 private:
  std::atomic<std::chrono::microseconds::rep> now_;
};

}  // namespace dialogue::engine
