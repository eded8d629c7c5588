// Private to app/: how the thread of a relay, a follower, a lease or a cluster node is told to
// stop, and sleeps between its steps until then.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace dialogue::app {

class StopSignal {
 public:
  // Sleeps until `wait` passes or Stop is called; false when stopping.
  bool Sleep(std::chrono::milliseconds wait) {
    std::unique_lock lock(mu_);
    return !cv_.wait_for(lock, wait, [this] { return stopping_; });
  }
  bool Stopping() const {
    std::lock_guard lock(mu_);
    return stopping_;
  }
  // Wakes every Sleep. True for the call that stopped it, false once it was stopped already.
  bool Stop() {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return false;
      stopping_ = true;
    }
    cv_.notify_all();
    return true;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
};

}  // namespace dialogue::app
