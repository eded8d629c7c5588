#include "app/execute.hpp"

#include <algorithm>
#include <chrono>
#include <iterator>
#include <memory>
#include <variant>

#include "workflows/values.hpp"

namespace dialogue::app {
namespace {

namespace wf = workflows;

Executed Finished(Outcome outcome, Failure error) {
  Executed executed;
  executed.outcome = outcome;
  executed.error = std::move(error);
  return executed;
}

Executed Appended(Outcome outcome, engine::AppendResult appended) {
  Executed executed;
  executed.outcome = outcome;
  executed.appended = std::move(appended);
  return executed;
}

// One command's tries. Not thread-safe: one thread at a time drives it.
class Execution {
 public:
  Execution(engine::EventStore& store, projections::ReadModels& models, CommandRun run)
      : store_(store), models_(models), run_(std::move(run)) {}

  // One try: the append to make, or the outcome.
  std::variant<engine::AppendRequest, Executed> Try();

  // Folds what the append committed into the read models, so that its client reads what it
  // wrote. Called before Settle, on the thread the append completed on: the store completes
  // asynchronous appends in commit order, before it tells its commit listeners (the projector),
  // so the events fold in order from memory and nothing reads them back from the log.
  void Fold(const engine::Result<engine::AppendResult>& appended);

  // What the append's result makes of the run: the outcome, or nullopt to try again.
  std::optional<Executed> Settle(engine::Result<engine::AppendResult> appended);

 private:
  // Every outcome passes here. A refusal or a conflict of a request with an Idempotency-Key may
  // be a retry of a request that appended (its target moved since, or its decision now
  // refuses): the key's earlier answer is given instead. A retry that decides as it did goes on
  // to its append, which finds the key in the commit and answers as the original did: so the
  // key is looked up only when a command is not carried out.
  Executed Done(Executed executed) {
    if (run_.idempotency &&
        (executed.outcome == Outcome::kRefused || executed.outcome == Outcome::kConflict)) {
      if (auto earlier = Earlier()) executed = std::move(*earlier);
    }
    executed.retries = retries_;
    return executed;
  }
  // The earlier answer to the run's Idempotency-Key (or the refusal of the key's reuse with
  // another request), or nullopt when the key is new.
  std::optional<Executed> Earlier();
  Executed Refused(Outcome outcome, Failure error) {
    Executed executed = Finished(outcome, std::move(error));
    executed.redact = redact_;
    return Done(std::move(executed));
  }
  // A field error when the secretariat records an act as having happened before `stream`'s first
  // event, when that event's occurred_at was stated (recorded late) rather than the clock's: acts
  // are recorded late, but not before what they act on began.
  std::optional<Executed> CheckNotBeforeCreation(const std::string& stream,
                                                 wf::TimePoint occurred_at);

  engine::EventStore& store_;
  projections::ReadModels& models_;
  const CommandRun run_;
  int attempts_ = 0;
  int retries_ = 0;
  std::optional<std::string> redact_;
  std::optional<engine::Error> behind_;  // Fold's failure, for Settle
  // The last try's events as decided, in the order its append records them: what Fold folds,
  // rather than decoding the stored events' data again.
  std::vector<wf::Event> decided_;
};

std::optional<Executed> Execution::Earlier() {
  auto found = store_.LookupIdempotencyKey(run_.idempotency->key);
  if (!found) return Finished(Outcome::kFailed, found.error());
  if (!*found) return std::nullopt;
  const auto& [fingerprint, original] = **found;
  if (fingerprint != run_.idempotency->fingerprint) {
    return Finished(Outcome::kRefused,
                    engine::Error::IdempotencyKeyReused(
                        "this Idempotency-Key was used by " + run_.context.actor +
                        " for another request (another method, path or body); use a new key"));
  }
  return Appended(Outcome::kReplayed, original);
}

std::variant<engine::AppendRequest, Executed> Execution::Try() {
  if (++attempts_ > run_.max_attempts) {
    return Refused(Outcome::kConflict,
                   engine::Error::VersionConflict(
                       "the entity kept changing while " + run_.name + " was decided (" +
                       std::to_string(run_.max_attempts) + " tries); try again"));
  }
  // Every acknowledged append was folded before its acknowledgement (Fold), so a first try
  // decides on all that anyone could have seen acknowledged, without reading the log. The
  // commits whose completions have not run yet are concurrent with this command: when one of
  // them touched a stream it decides on, the append's expected version refuses it, and the
  // retry reads them from the log first.
  if (attempts_ > 1) {
    if (auto caught_up = models_.CatchUp(); !caught_up) {
      return Done(Finished(Outcome::kFailed, caught_up.error()));
    }
  }
  wf::Context context = run_.context;
  auto prepared = run_.prepare(context);
  if (!prepared) return Done(Finished(Outcome::kRefused, prepared.error()));

  // What a refusal may say: a caller that may not read the target learns what a read would tell.
  redact_.reset();
  if (prepared->unreadable) {
    if (!prepared->acts_unread) {
      return Done(Finished(Outcome::kRefused, wf::Refusal::Forbidden("this token may not read " +
                                                                     *prepared->unreadable)));
    }
    redact_ = prepared->unreadable;
  }

  if (run_.if_match && prepared->version != 0 && prepared->version != *run_.if_match) {
    return Refused(Outcome::kConflict,
                   engine::Error::VersionConflict(prepared->stream + " is at version " +
                                                  std::to_string(prepared->version) + ", not " +
                                                  std::to_string(*run_.if_match) +
                                                  " (If-Match); read it again and decide anew"));
  }
  if (run_.occurred_at_given && prepared->version != 0) {
    if (auto refusal = CheckNotBeforeCreation(prepared->stream, context.occurred_at)) {
      return Done(std::move(*refusal));
    }
  }

  auto decided = prepared->decide(context);
  if (!decided) return Refused(Outcome::kRefused, decided.error());

  // One write per stream, the target first; the events keep their order within a stream.
  engine::EventMetadata metadata = wf::MetadataFor(context);
  metadata.correlation_id = run_.correlation_id;
  const auto expect = [](uint64_t version) {
    return version == 0 ? engine::ExpectedVersion::NoStream()
                        : engine::ExpectedVersion::Exactly(version);
  };
  engine::AppendRequest append;
  append.idempotency = run_.idempotency;
  append.writes.push_back({prepared->stream, expect(prepared->version), {}});
  for (const auto& [stream, version] : prepared->others) {
    if (stream != prepared->stream) append.writes.push_back({stream, expect(version), {}});
  }
  // The events as decided, write by write: the order the store records them in, for Fold.
  std::vector<std::vector<wf::Event>> by_write(append.writes.size());
  for (wf::Event& event : *decided) {
    const std::string stream = wf::StreamOf(event);
    auto write = std::find_if(append.writes.begin(), append.writes.end(),
                              [&](const engine::StreamWrite& w) { return w.stream == stream; });
    if (write == append.writes.end()) {
      append.writes.push_back({stream, engine::ExpectedVersion::NoStream(), {}});
      by_write.emplace_back();
      write = std::prev(append.writes.end());
    }
    write->events.push_back(wf::ToProposedEvent(event, metadata));
    by_write[static_cast<size_t>(write - append.writes.begin())].push_back(std::move(event));
  }
  decided_.clear();
  decided_.reserve(decided->size());
  for (auto& events : by_write) {
    std::move(events.begin(), events.end(), std::back_inserter(decided_));
  }
  return append;
}

void Execution::Fold(const engine::Result<engine::AppendResult>& appended) {
  behind_.reset();
  if (!appended || appended->replayed) return;
  // No read of the store unless another writer's commit came between (or the result carries no
  // events).
  auto folded = appended->events.empty() ? models_.CatchUp()
                                         : models_.Apply(appended->events, std::move(decided_));
  if (!folded) behind_ = folded.error();
}

std::optional<Executed> Execution::Settle(engine::Result<engine::AppendResult> appended) {
  if (appended) {
    if (appended->replayed) return Done(Appended(Outcome::kReplayed, std::move(*appended)));
    Executed executed = Appended(Outcome::kCreated, std::move(*appended));
    executed.behind = std::move(behind_);
    return Done(std::move(executed));
  }
  const engine::ErrorCode code = appended.error().code;
  if (code == engine::ErrorCode::kIdempotencyKeyReused) {
    return Refused(Outcome::kRefused, appended.error());
  }
  if (code != engine::ErrorCode::kVersionConflict) {
    return Done(Finished(Outcome::kFailed, appended.error()));
  }
  if (run_.if_match) return Refused(Outcome::kConflict, appended.error());
  ++retries_;  // a concurrent writer moved one of the streams: decide again on what it wrote
  return std::nullopt;
}

std::optional<Executed> Execution::CheckNotBeforeCreation(const std::string& stream,
                                                          wf::TimePoint occurred_at) {
  auto first = store_.ReadStream(stream, 0, 1);
  if (!first) return Done(Finished(Outcome::kFailed, first.error()));
  if (first->empty()) return std::nullopt;  // the preparer saw it: cannot be, but nothing to judge
  const engine::RecordedEvent& created = first->front();
  auto created_at = wf::ParseInstant(created.metadata.occurred_at);
  auto recorded_at = wf::ParseInstant(created.metadata.recorded_at);
  if (!created_at || !recorded_at) return std::nullopt;  // imported without readable instants
  // Only a beginning that was stated is a bound. One recorded "now" (no occurred_at sent) says
  // only that the entity began by then; its acts may be recorded as of earlier, as they happened
  // (a briefing requested in March but entered today, then convened "as of" June). Events are
  // never corrected, so a default instant must not forbid the true history for ever.
  if (*recorded_at - *created_at < std::chrono::seconds(1)) return std::nullopt;
  if (occurred_at >= *created_at) return std::nullopt;
  Executed executed = Finished(
      Outcome::kRefused,
      engine::Error::InvalidArgument("occurred_at precedes the entity the command acts on"));
  executed.field = "occurred_at";
  executed.field_message = "is before " + stream + " began (" + created.type + " at " +
                           created.metadata.occurred_at +
                           "): an act on it cannot have happened earlier";
  return Done(std::move(executed));
}

// An execution driven by store completions.
struct AsyncExecution {
  AsyncExecution(engine::EventStore& store, projections::ReadModels& models, CommandRun run,
                 Executor::Post post, Executor::Done done)
      : execution(store, models, std::move(run)),
        store(store),
        post(std::move(post)),
        done(std::move(done)) {}

  // Tries (again); the append's completion is posted to settle it.
  static void Step(std::shared_ptr<AsyncExecution> self) {
    auto tried = self->execution.Try();
    if (auto* executed = std::get_if<Executed>(&tried)) return self->done(std::move(*executed));
    engine::EventStore& store = self->store;
    store.AppendAsync(std::move(std::get<engine::AppendRequest>(tried)),
                      [self = std::move(self)](engine::Result<engine::AppendResult> appended) {
                        // On the store's thread, in commit order: the fold (brief; it waits only
                        // for a fold under way). The rest goes where the caller said, which
                        // takes the execution over.
                        self->execution.Fold(appended);
                        const Executor::Post post = self->post;
                        post([self = std::move(self), appended = std::move(appended)]() mutable {
                          if (auto settled = self->execution.Settle(std::move(appended))) {
                            return self->done(std::move(*settled));
                          }
                          Step(std::move(self));
                        });
                      });
  }

  Execution execution;
  engine::EventStore& store;
  const Executor::Post post;
  const Executor::Done done;
};

}  // namespace

const std::string& MessageOf(const Failure& failure) {
  return std::visit([](const auto& why) -> const std::string& { return why.message; }, failure);
}

std::string_view Name(Outcome outcome) {
  switch (outcome) {
    case Outcome::kCreated:
      return "created";
    case Outcome::kReplayed:
      return "replayed";
    case Outcome::kRefused:
      return "refused";
    case Outcome::kConflict:
      return "conflict";
    case Outcome::kFailed:
      return "failed";
  }
  return "failed";
}

Executed Executor::Execute(CommandRun run) {
  Execution execution(store_, models_, std::move(run));
  for (;;) {
    auto tried = execution.Try();
    if (auto* executed = std::get_if<Executed>(&tried)) return std::move(*executed);
    auto appended = store_.Append(std::get<engine::AppendRequest>(tried));
    execution.Fold(appended);
    if (auto settled = execution.Settle(std::move(appended))) return std::move(*settled);
  }
}

void Executor::ExecuteAsync(CommandRun run, Post post, Done done) {
  AsyncExecution::Step(std::make_shared<AsyncExecution>(store_, models_, std::move(run),
                                                        std::move(post), std::move(done)));
}

}  // namespace dialogue::app
