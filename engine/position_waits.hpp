// PositionWaits: calls back when a store's log reaches a position, or when a deadline passes
// first, without holding a thread per waiter. The store's commit listener answers the waiters a
// commit satisfies; one thread of its own answers those whose deadline passed. For requests that
// ask to be answered from a log at least as long as they saw (X-Dialogue-Position on a read
// replica), which would otherwise each park a thread in EventStore::WaitForCommit.
//
// Thread-safe. Callbacks run on the committing thread, on the deadline thread, or on the caller's
// (when the position is already held), outside every lock here; they must not block.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

#include "engine/event_store.hpp"

namespace dialogue::engine {

class PositionWaits {
 public:
  // `store` must outlive the PositionWaits.
  explicit PositionWaits(EventStore& store);
  // Answers every waiter still waiting (with the head: as if its deadline had passed).
  ~PositionWaits();
  PositionWaits(const PositionWaits&) = delete;
  PositionWaits& operator=(const PositionWaits&) = delete;

  // Calls done(head) exactly once: when the head is at least `position` (at once, on this
  // thread, when it already is), or at `deadline` with the head then (below `position`).
  void Wait(uint64_t position, std::chrono::steady_clock::time_point deadline,
            std::function<void(uint64_t head)> done);

  // Waiters not answered yet.
  size_t waiting() const;

 private:
  struct Shared;
  EventStore& store_;
  std::shared_ptr<Shared> shared_;  // also held by the commit listener, which may outlive this
  uint64_t listener_ = 0;
};

}  // namespace dialogue::engine
