// TimerService: the durable deadline timers of paragraph 59(e) (RULES.md "Deadlines are durable
// timers"). When a briefing's confirmation deadline has passed, it appends
// ConfirmationWindowClosed (actor "system", role system, occurred_at = the deadline), decided by
// the workflows' Decide(BriefingState, CloseConfirmationWindow, ...); the participants still
// invited become lapsed.
//
// It goes through the one path of every command, Executor (app/execute.hpp).
//
// Durable and exactly once: which windows are due is derived from the read models (folded from
// the log) at every wake-up, never kept in memory, so a restart finds the deadlines that passed
// while the server was down, and a window once closed is never due again. A deadline moved by a
// rescheduling is a new one; the old one no longer fires. The append expects the briefing's
// version (and its referral streams') as loaded: a concurrent command makes it conflict, and the
// timer loads the briefing again and decides anew.
//
// The thread wakes on every commit (a convening or rescheduling may name a deadline already
// past), or, in the server, when the projector's fold changed the earliest open deadline
// (Folded); at the next deadline; and at least every max_sleep. Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "app/execute.hpp"
#include "engine/clock.hpp"
#include "engine/event_store.hpp"
#include "engine/result.hpp"
#include "projections/read_models.hpp"
#include "workflows/rules_config.hpp"

namespace dialogue::app {

struct TimerOptions {
  // The longest the thread sleeps between two looks at the clock (a clock that jumps, a deadline
  // the read models learned of without a commit here).
  std::chrono::milliseconds max_sleep{1'000};
  // Tries of one firing that lose to concurrent writers before it waits for the next wake-up.
  int max_attempts = 5;
  // Wake on every commit of the store. The server turns it off and calls Folded() from its
  // projector instead, which wakes the thread only when the earliest open deadline changed.
  bool wake_on_commit = true;
  // Where the service reports what goes wrong (a firing refused or failing, read models that cannot
  // catch up), once per distinct failure; unset: nowhere. The server passes its error log.
  std::function<void(const std::string& message)> log_error;
};

class TimerService {
 public:
  // Everything passed must outlive the service.
  TimerService(engine::EventStore& store, projections::ReadModels& read_models,
               const engine::Clock& clock, const workflows::RulesConfig& rules,
               TimerOptions options = {});
  // Stop().
  ~TimerService();
  TimerService(const TimerService&) = delete;
  TimerService& operator=(const TimerService&) = delete;

  // Starts the thread. Idempotent.
  void Start();
  // Stops and joins the thread. Idempotent.
  void Stop();
  // Wakes the thread to look at the clock now (after a ManualClock moved, in tests).
  void Poke();
  // The read models moved (projections::Projector's observer): wakes the thread when the
  // earliest open confirmation deadline is not the one it last slept towards (a convening, a
  // rescheduling, a window closed by another writer). Quick; any thread.
  void Folded();

  // One wake-up's work, on the caller's thread: catches the read models up and closes every
  // confirmation window due at clock.Now(). Returns how many ConfirmationWindowClosed it
  // appended. Errors: the first one met (the other due windows are still tried): the store's,
  // or a refusal when the workflows would not close a window.
  [[nodiscard]] tl::expected<size_t, Failure> RunOnce();

  // ConfirmationWindowClosed events appended since construction.
  uint64_t fired() const;

 private:
  struct Signal;  // shared with the store's commit listener

  void Loop();
  void Log(const std::string& message) const;
  // Appends one ConfirmationWindowClosed; false when it was no longer due (closed or moved).
  tl::expected<bool, Failure> Close(const workflows::CloseConfirmationWindow& due);

  engine::EventStore& store_;
  projections::ReadModels& read_models_;
  const engine::Clock& clock_;
  const workflows::RulesConfig& rules_;
  const TimerOptions options_;
  Executor executor_;
  std::shared_ptr<Signal> signal_;
  std::mutex run_mu_;  // one RunOnce at a time
  std::atomic<uint64_t> fired_{0};
  std::thread thread_;
  uint64_t listener_id_ = 0;
  bool started_ = false;
};

}  // namespace dialogue::app
