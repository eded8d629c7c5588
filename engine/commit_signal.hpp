// Private to the engine: the head of the log as the stores publish it, with WaitForCommit and the
// commit listeners, shared by both stores. Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>

#include "engine/event_store.hpp"

namespace dialogue::engine {

class CommitSignal {
 public:
  explicit CommitSignal(LedgerHead head) : position_(head.position), head_(std::move(head)) {}

  LedgerHead Head() const;
  // Head().position without the lock or a copy of the hash.
  uint64_t HeadPosition() const { return position_.load(std::memory_order_acquire); }
  // Publishes a new head and wakes WaitForCommit. Listeners are told separately (NotifyListeners)
  // so that a store can first release its own locks.
  void SetHead(LedgerHead head);
  uint64_t WaitForCommit(uint64_t after_position, std::chrono::milliseconds timeout) const;

  uint64_t AddListener(EventStore::CommitListener listener);
  void RemoveListener(uint64_t id);
  // Calls every listener with head_position. REQUIRES: the caller holds no store lock.
  void NotifyListeners(uint64_t head_position) const;

 private:
  mutable std::mutex head_mu_;
  mutable std::condition_variable head_cv_;
  std::atomic<uint64_t> position_;  // head_.position, stored with it
  LedgerHead head_;                 // guarded by head_mu_

  mutable std::mutex listeners_mu_;
  uint64_t next_listener_id_ = 1;  // guarded by listeners_mu_
  std::map<uint64_t, std::shared_ptr<const EventStore::CommitListener>>
      listeners_;  // guarded by listeners_mu_
};

}  // namespace dialogue::engine
