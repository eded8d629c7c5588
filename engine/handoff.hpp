// Private to the engine: a word one thread sleeps on until another posts a value to it (a Linux
// futex). The store's writers wait on one each while a leader commits their group.
//
// Post may be the last touch of memory the waiter owns: once the store is visible the waiter may
// return and destroy the Handoff, and the wake-up after it only names the address to the kernel,
// which never reads it (a stale wake-up of a reused address is a spurious wake-up, which Wait
// tolerates).
#pragma once

#include <atomic>
#include <cstdint>

namespace dialogue::engine {

class Handoff {
 public:
  static constexpr uint32_t kEmpty = 0;

  // Blocks until a value other than kEmpty is posted, and returns it (acquire).
  uint32_t Wait();
  // REQUIRES: value != kEmpty, and nothing was posted since construction or the last Reset
  // (release).
  void Post(uint32_t value);
  // Makes the Handoff empty again, for a second Wait. Called by the waiter only, after its Wait
  // returned and before anyone may post again (the store's leader: after it was posted the lead,
  // before it queues its group for writing).
  void Reset() { word_.store(kEmpty, std::memory_order_relaxed); }

 private:
  std::atomic<uint32_t> word_{kEmpty};
  static_assert(sizeof(std::atomic<uint32_t>) == sizeof(uint32_t));
};

}  // namespace dialogue::engine
