#include "app/timer_service.hpp"

#include <algorithm>
#include <condition_variable>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "app/execute.hpp"
#include "workflows/briefing.hpp"
#include "workflows/context.hpp"
#include "workflows/events.hpp"
#include "workflows/values.hpp"

namespace dialogue::app {

namespace wf = workflows;

// Wake-ups, shared with the store's commit listener (which may outlive the service briefly).
struct TimerService::Signal {
  std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;  // guarded by mu
  bool poked = false;     // guarded by mu: look again now
  // Guarded by mu: the earliest open deadline when the thread last went to sleep.
  std::optional<engine::TimePoint> next_seen;

  void Poke() {
    {
      std::lock_guard lock(mu);
      poked = true;
    }
    cv.notify_one();
  }
};

TimerService::TimerService(engine::EventStore& store, projections::ReadModels& read_models,
                           const engine::Clock& clock, const workflows::RulesConfig& rules,
                           TimerOptions options)
    : store_(store),
      read_models_(read_models),
      clock_(clock),
      rules_(rules),
      options_(options),
      executor_(store, read_models),
      signal_(std::make_shared<Signal>()) {}

TimerService::~TimerService() { Stop(); }

void TimerService::Start() {
  if (started_) return;
  started_ = true;
  // A convening or rescheduling may name a deadline already past: look at every commit.
  if (options_.wake_on_commit) {
    listener_id_ = store_.AddCommitListener([weak = std::weak_ptr<Signal>(signal_)](uint64_t) {
      if (auto signal = weak.lock()) signal->Poke();
    });
  }
  thread_ = std::thread([this] { Loop(); });
}

void TimerService::Stop() {
  if (!started_) return;
  started_ = false;
  if (options_.wake_on_commit) store_.RemoveCommitListener(listener_id_);
  {
    std::lock_guard lock(signal_->mu);
    signal_->stopping = true;
  }
  signal_->cv.notify_all();
  thread_.join();
}

void TimerService::Poke() { signal_->Poke(); }

void TimerService::Folded() {
  const std::optional<engine::TimePoint> next = read_models_.NextConfirmationDeadline();
  {
    std::lock_guard lock(signal_->mu);
    if (next == signal_->next_seen) return;
    signal_->poked = true;
  }
  signal_->cv.notify_one();
}

uint64_t TimerService::fired() const { return fired_; }

void TimerService::Loop() {
  std::string last_error;  // logged once until something else happens
  for (;;) {
    {
      std::lock_guard lock(signal_->mu);
      if (signal_->stopping) return;
      signal_->poked = false;
    }
    if (auto ran = RunOnce(); !ran) {
      if (MessageOf(ran.error()) != last_error) {
        last_error = MessageOf(ran.error());
        Log("timer: " + last_error);
      }
    } else if (*ran > 0) {
      last_error.clear();
    }
    std::chrono::milliseconds wait = options_.max_sleep;
    const std::optional<engine::TimePoint> next = read_models_.NextConfirmationDeadline();
    if (next) {
      const engine::TimePoint now = clock_.Now();
      if (*next >= now) {
        // A window is due once the clock is past its deadline.
        const auto until = std::chrono::duration_cast<std::chrono::milliseconds>(*next - now) +
                           std::chrono::milliseconds(1);
        wait = std::min(wait, until);
      }
    }
    std::unique_lock lock(signal_->mu);
    signal_->next_seen = next;
    signal_->cv.wait_for(lock, wait, [this] { return signal_->stopping || signal_->poked; });
  }
}

void TimerService::Log(const std::string& message) const {
  if (options_.log_error) options_.log_error(message);
}

tl::expected<size_t, Failure> TimerService::RunOnce() {
  std::lock_guard lock(run_mu_);
  RETURN_IF_ERROR(read_models_.CatchUp());
  size_t closed = 0;
  std::optional<Failure> first_error;
  for (const auto& due : read_models_.DueConfirmationWindowCloses(clock_.Now())) {
    auto result = Close(due);
    if (!result) {
      if (!first_error) {
        first_error = result.error();
        std::visit(
            [&due](auto& why) {
              why.message = "closing the confirmation window of briefing " + due.briefing + " at " +
                            wf::FormatInstant(due.deadline) + ": " + why.message;
            },
            *first_error);
      }
      continue;
    }
    if (*result) ++closed;
  }
  if (first_error) return tl::unexpected(std::move(*first_error));
  return closed;
}

tl::expected<bool, Failure> TimerService::Close(const wf::CloseConfirmationWindow& due) {
  bool still_due = true;  // set by the preparer, which runs on this thread
  CommandRun run;
  run.name = "CloseConfirmationWindow";
  run.context.occurred_at = due.deadline;
  run.context.now = clock_.Now();
  run.context.actor = "system";
  run.context.role = wf::Role::kSystem;
  run.context.rules = rules_;
  run.correlation_id = "timer:" + due.briefing + "@" + wf::FormatInstant(due.deadline);
  run.max_attempts = std::max(1, options_.max_attempts);
  run.prepare =
      PrepareTarget(read_models_, due,
                    [&still_due, &due](wf::Context& context, const wf::BriefingState& state,
                                       Prepared&) -> wf::Check {
                      // Decided anew after a lost race: the window may have closed or moved
                      // meanwhile.
                      const auto now_due = wf::DueConfirmationWindowClose(state, context.now);
                      if (!now_due || now_due->deadline != due.deadline) {
                        still_due = false;
                        return wf::Refuse(wf::Refusal::NotFound("no longer due"));
                      }
                      return {};
                    });
  Executed executed = executor_.Execute(std::move(run));
  switch (executed.outcome) {
    case Outcome::kCreated:
      ++fired_;
      if (executed.behind) {
        Log("timer: the read models cannot catch up: " + executed.behind->message);
      }
      return true;
    case Outcome::kReplayed:
      return true;
    default:
      if (!still_due) return false;  // closed or moved
      return tl::unexpected(std::move(executed.error));
  }
}

}  // namespace dialogue::app
