#include "api/timer_service.hpp"

#include <algorithm>
#include <condition_variable>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/command_routes.hpp"
#include "api/log.hpp"
#include "workflows/briefing.hpp"
#include "workflows/context.hpp"
#include "workflows/events.hpp"
#include "workflows/values.hpp"

namespace dialogue::api {

namespace wf = workflows;

// Wake-ups, shared with the store's commit listener (which may outlive the service briefly).
struct TimerService::Signal {
  std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;  // guarded by mu
  bool poked = false;     // guarded by mu: look again now

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
      signal_(std::make_shared<Signal>()) {}

TimerService::~TimerService() { Stop(); }

void TimerService::Start() {
  if (started_) return;
  started_ = true;
  // A convening or rescheduling may name a deadline already past: look at every commit.
  listener_id_ = store_.AddCommitListener([weak = std::weak_ptr<Signal>(signal_)](uint64_t) {
    if (auto signal = weak.lock()) signal->Poke();
  });
  thread_ = std::thread([this] { Loop(); });
}

void TimerService::Stop() {
  if (!started_) return;
  started_ = false;
  store_.RemoveCommitListener(listener_id_);
  {
    std::lock_guard lock(signal_->mu);
    signal_->stopping = true;
  }
  signal_->cv.notify_all();
  thread_.join();
}

void TimerService::Poke() { signal_->Poke(); }

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
      if (ran.error().message != last_error) {
        last_error = ran.error().message;
        LogError("timer: " + last_error);
      }
    } else if (*ran > 0) {
      last_error.clear();
    }
    std::chrono::milliseconds wait = options_.max_sleep;
    if (auto next = read_models_.NextConfirmationDeadline()) {
      const engine::TimePoint now = clock_.Now();
      if (*next >= now) {
        // A window is due once the clock is past its deadline.
        const auto until = std::chrono::duration_cast<std::chrono::milliseconds>(*next - now) +
                           std::chrono::milliseconds(1);
        wait = std::min(wait, until);
      }
    }
    std::unique_lock lock(signal_->mu);
    signal_->cv.wait_for(lock, wait, [this] { return signal_->stopping || signal_->poked; });
  }
}

engine::Result<size_t> TimerService::RunOnce() {
  std::lock_guard lock(run_mu_);
  RETURN_IF_ERROR(read_models_.CatchUp());
  size_t closed = 0;
  std::optional<engine::Error> first_error;
  for (const auto& due : read_models_.DueConfirmationWindowCloses(clock_.Now())) {
    auto result = Close(due);
    if (!result) {
      if (!first_error) {
        first_error = result.error();
        first_error->message = "closing the confirmation window of briefing " + due.briefing +
                               " at " + wf::FormatInstant(due.deadline) + ": " +
                               first_error->message;
      }
      continue;
    }
    if (*result) ++closed;
  }
  if (first_error) return engine::Fail(std::move(*first_error));
  return closed;
}

engine::Result<bool> TimerService::Close(const wf::CloseConfirmationWindow& due) {
  for (int attempt = 0; attempt < std::max(1, options_.max_attempts); ++attempt) {
    if (attempt > 0) RETURN_IF_ERROR(read_models_.CatchUp());
    ASSIGN_OR_RETURN(LoadedBriefing loaded, LoadBriefing(read_models_, due.briefing));
    const engine::TimePoint now = clock_.Now();
    const auto still_due = wf::DueConfirmationWindowClose(loaded.state, now);
    if (!still_due || still_due->deadline != due.deadline) return false;  // closed or moved

    wf::Context context;
    context.occurred_at = due.deadline;
    context.now = now;
    context.actor = "system";
    context.role = wf::Role::kSystem;
    context.rules = rules_;
    ASSIGN_OR_RETURN(std::vector<wf::Event> events, wf::Decide(loaded.state, *still_due, context));

    engine::EventMetadata metadata = wf::MetadataFor(context);
    metadata.correlation_id = "timer:" + due.briefing + "@" + wf::FormatInstant(due.deadline);
    engine::StreamWrite briefing{
        wf::BriefingStream(due.briefing), engine::ExpectedVersion::Exactly(loaded.version), {}};
    for (const wf::Event& event : events) {
      briefing.events.push_back(wf::ToProposedEvent(event, metadata));
    }
    engine::AppendRequest request;
    request.writes.push_back(std::move(briefing));
    // The state folds the referral streams too: none of them may have moved either.
    for (const auto& [stream, version] : loaded.referral_streams) {
      request.writes.push_back({stream,
                                version == 0 ? engine::ExpectedVersion::NoStream()
                                             : engine::ExpectedVersion::Exactly(version),
                                {}});
    }
    auto appended = store_.Append(request);
    if (appended) {
      ++fired_;
      if (auto caught_up = read_models_.CatchUp(); !caught_up) {
        LogError("timer: the read models cannot catch up: " + caught_up.error().message);
      }
      return true;
    }
    if (appended.error().code != engine::ErrorCode::kVersionConflict) {
      return engine::Fail(appended.error());
    }
  }
  return engine::Fail(engine::Error::VersionConflict(
      "concurrent writers won " + std::to_string(options_.max_attempts) + " times in a row"));
}

}  // namespace dialogue::api
