// Projector: keeps the read models at the log's head as commits happen, without a reader asking.
//
// A commit listener on the store wakes one thread, which folds whatever the log gained
// (ReadModels::CatchUp): a read replica's copies, a cluster follower's, another writer's. A
// command's own events usually reach the read models first, pushed from its completion
// (ReadModels::Apply), and the projector then finds nothing new: one atomic compare. Wake-ups
// that come while it folds are folded together.
//
// Observers are told the position reached, on the projector's thread, each time it moved since
// they were last told (whoever folded it). The timer service is one: it learns of a new
// deadline without a commit listener of its own. Observers must be quick and must not call back
// into the projector.
//
// A fold that fails (the store could not be read) is counted and tried again at the next commit
// or after `retry`. Readers still catch up themselves when they find the models behind the head
// (docs/read-models.md), so a fold the projector has not done yet is never missing from an
// answer. Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "engine/event_store.hpp"
#include "projections/read_models.hpp"

namespace dialogue::projections {

class Projector {
 public:
  using Observer = std::function<void(uint64_t position)>;

  // `store` and `models` must outlive the projector.
  Projector(engine::EventStore& store, ReadModels& models,
            std::chrono::milliseconds retry = std::chrono::milliseconds(1000));
  // Stop().
  ~Projector();
  Projector(const Projector&) = delete;
  Projector& operator=(const Projector&) = delete;

  // Listens to the store's commits and starts the thread. Idempotent.
  void Start();
  // Stops listening and joins the thread. Idempotent.
  void Stop();

  // Calls `observer` after each move of the read models' position. Any time, from any thread.
  // Returns an id for RemoveObserver.
  uint64_t AddObserver(Observer observer);
  // Once it returns, the observer is not running and will not be called again.
  void RemoveObserver(uint64_t id);

  // Catch-ups that failed since construction.
  uint64_t failures() const { return failures_.load(std::memory_order_relaxed); }

 private:
  void Loop();

  engine::EventStore& store_;
  ReadModels& models_;
  const std::chrono::milliseconds retry_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool poked_ = false;     // guarded by mu_
  bool stopping_ = false;  // guarded by mu_
  bool started_ = false;   // the caller's of Start/Stop
  uint64_t listener_id_ = 0;
  std::thread thread_;

  std::mutex observers_mu_;  // held while observers run
  std::map<uint64_t, Observer> observers_;
  uint64_t next_observer_ = 1;
  uint64_t told_ = 0;  // guarded by observers_mu_: the position observers were last told

  std::atomic<uint64_t> failures_{0};
};

}  // namespace dialogue::projections
