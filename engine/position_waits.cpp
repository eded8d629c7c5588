#include "engine/position_waits.hpp"

#include <algorithm>
#include <condition_variable>
#include <list>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace dialogue::engine {

struct PositionWaits::Shared {
  struct Waiter {
    uint64_t position;
    std::chrono::steady_clock::time_point deadline;
    std::function<void(uint64_t head)> done;
  };

  const EventStore& store;
  mutable std::mutex mu;
  std::condition_variable changed;  // a new waiter, or stopping
  std::list<Waiter> waiters;        // GUARDED_BY(mu)
  bool stopping = false;            // GUARDED_BY(mu)
  std::thread deadlines;

  explicit Shared(const EventStore& s) : store(s) {}

  // Takes out the waiters `satisfied` picks; the caller answers them outside the lock.
  template <class Pred>
  std::vector<Waiter> TakeLocked(Pred satisfied) {
    std::vector<Waiter> taken;
    for (auto it = waiters.begin(); it != waiters.end();) {
      if (satisfied(*it)) {
        taken.push_back(std::move(*it));
        it = waiters.erase(it);
      } else {
        ++it;
      }
    }
    return taken;
  }

  static void Answer(std::vector<Waiter>& taken, uint64_t head) {
    for (Waiter& waiter : taken) waiter.done(head);
  }

  // The commit listener: answers the waiters the new head satisfies.
  void OnCommit() {
    const uint64_t head = store.HeadPosition();
    std::vector<Waiter> taken;
    {
      std::lock_guard lock(mu);
      if (waiters.empty()) return;
      taken = TakeLocked([head](const Waiter& w) { return w.position <= head; });
    }
    Answer(taken, head);
  }

  // The deadline thread: sleeps until the earliest deadline (or a new waiter), answers the
  // waiters whose deadline passed, and at the end everyone left.
  void RunDeadlines() {
    std::unique_lock lock(mu);
    for (;;) {
      if (stopping) break;
      const auto now = std::chrono::steady_clock::now();
      std::vector<Waiter> expired =
          TakeLocked([now](const Waiter& w) { return w.deadline <= now; });
      if (!expired.empty()) {
        lock.unlock();
        Answer(expired, store.HeadPosition());
        lock.lock();
        continue;
      }
      if (waiters.empty()) {
        changed.wait(lock);
        continue;
      }
      auto earliest = waiters.front().deadline;
      for (const Waiter& w : waiters) earliest = std::min(earliest, w.deadline);
      changed.wait_until(lock, earliest);
    }
    std::vector<Waiter> left = TakeLocked([](const Waiter&) { return true; });
    lock.unlock();
    Answer(left, store.HeadPosition());
  }
};

PositionWaits::PositionWaits(EventStore& store)
    : store_(store), shared_(std::make_shared<Shared>(store)) {
  shared_->deadlines = std::thread([shared = shared_.get()] { shared->RunDeadlines(); });
  listener_ = store_.AddCommitListener([shared = shared_](uint64_t) { shared->OnCommit(); });
}

PositionWaits::~PositionWaits() {
  store_.RemoveCommitListener(listener_);
  {
    std::lock_guard lock(shared_->mu);
    shared_->stopping = true;
  }
  shared_->changed.notify_all();
  shared_->deadlines.join();
}

void PositionWaits::Wait(uint64_t position, std::chrono::steady_clock::time_point deadline,
                         std::function<void(uint64_t head)> done) {
  {
    std::lock_guard lock(shared_->mu);
    // Under the lock: a commit that lands after this read finds the waiter listed.
    const uint64_t head = store_.HeadPosition();
    if (head < position) {
      shared_->waiters.push_back({position, deadline, std::move(done)});
      shared_->changed.notify_one();
      return;
    }
  }
  done(store_.HeadPosition());
}

size_t PositionWaits::waiting() const {
  std::lock_guard lock(shared_->mu);
  return shared_->waiters.size();
}

}  // namespace dialogue::engine
