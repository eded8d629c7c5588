#include "engine/handoff.hpp"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace dialogue::engine {
namespace {

long Futex(std::atomic<uint32_t>* word, int op, uint32_t value) {
  return syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), op, value, nullptr, nullptr, 0);
}

}  // namespace

uint32_t Handoff::Wait() {
  for (;;) {
    const uint32_t value = word_.load(std::memory_order_acquire);
    if (value != kEmpty) return value;
    // Returns at once when the word no longer holds kEmpty; EINTR and spurious wake-ups loop.
    Futex(&word_, FUTEX_WAIT_PRIVATE, kEmpty);
  }
}

void Handoff::Post(uint32_t value) {
  word_.store(value, std::memory_order_release);
  Futex(&word_, FUTEX_WAKE_PRIVATE, 1);
}

}  // namespace dialogue::engine
