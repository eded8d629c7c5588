// Projector: keeps the read models at the log's head as commits happen, without a reader asking.
//
// A commit listener on the store wakes one thread, which folds whatever the log gained
// (ReadModels::CatchUp): a read replica's copies, a cluster follower's, another writer's. A
// command's own events reach the read models first, folded in its completion (ReadModels::Apply,
// app/execute.cpp), which the store runs before it tells the listeners; the projector then
// finds nothing new: one atomic compare. It reads the log only when the models are behind the
// last commit it was told of (not the head, which may already be at a commit whose completions
// have not run). Wake-ups that come while it folds are folded together.
//
// Observers are told the position reached, on the projector's thread, each time it moved since
// they were last told (whoever folded it). The timer service is one: it learns of a new
// deadline without a commit listener of its own. Observers must be quick and must not call back
// into the projector.
//
// A reader that needs the models at a position says so (Await) and is called back once they
// have folded it, rather than folding on its own thread: the server's reads wait for the head
// they saw that way (api/http/router.hpp, Work::kFromReadModels).
//
// A fold that fails (the store could not be read) is counted and tried again at the next commit
// or after `retry`; the readers that were waiting when it began are told it failed (one that
// came during it waits for the next). Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
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

  // Calls ready(true) once the read models have folded `position`: at once, on the caller's
  // thread, when they already have; else on the projector's thread, after the fold that reaches
  // it. ready(false) when a fold begun after this call fails first (the store could not be
  // read), or the projector is stopped first or not running. `ready` must be quick, as an observer.
  void Await(uint64_t position, std::function<void(bool folded)> ready);

  // Catch-ups that failed since construction.
  uint64_t failures() const { return failures_.load(std::memory_order_relaxed); }

 private:
  void Loop();
  struct Waiter {
    uint64_t since;  // folds_begun_ when it came
    std::function<void(bool)> ready;
  };
  // Calls, outside mu_, every waiter for a position up to `reached` with true.
  void Release(uint64_t reached);
  // Calls, outside mu_, with false every waiter that came before fold number `begun` began, or
  // every waiter when `begun` is nullopt.
  void Fail(std::optional<uint64_t> begun);

  engine::EventStore& store_;
  ReadModels& models_;
  const std::chrono::milliseconds retry_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool poked_ = false;                       // guarded by mu_
  bool stopping_ = false;                    // guarded by mu_
  bool running_ = false;                     // guarded by mu_: between Start and Stop
  uint64_t committed_ = 0;                   // guarded by mu_: the last commit listened to
  uint64_t folds_begun_ = 0;                 // guarded by mu_
  std::multimap<uint64_t, Waiter> waiters_;  // guarded by mu_, by position
  bool started_ = false;                     // the caller's of Start/Stop
  uint64_t listener_id_ = 0;
  std::thread thread_;

  std::mutex observers_mu_;  // held while observers run
  std::map<uint64_t, Observer> observers_;
  uint64_t next_observer_ = 1;
  uint64_t told_ = 0;  // guarded by observers_mu_: the position observers were last told

  std::atomic<uint64_t> failures_{0};
};

}  // namespace dialogue::projections
