// Execute: the one path of every command, whoever sends it (an HTTP route, the deadline timer).
// docs/architecture.md draws it:
//
//   1. the read models catch up, and the preparer loads the command's target (the entity the
//      workflows' TargetOf names, app/load.hpp) and the facts the decider reads;
//   2. a caller that may not read the target is refused as a read would be (Prepared::unreadable);
//      an expected version (If-Match) that is not the target's refuses (kConflict); an act stated
//      as having happened before its target began refuses (400 on occurred_at);
//   3. the workflows' Decide runs; a refusal is returned as it is;
//   4. the events are appended with every version loaded as an expectation, and the
//      Idempotency-Key in the same write: the commit answers a retry of the same request with
//      the original append (kReplayed) and refuses the key with another request. A command
//      refused or in conflict looks its key up before it answers, since it may be a retry whose
//      target moved since: so the key is read once, by the commit, when the command appends;
//   5. when a concurrent writer moved one of the streams (and no version was expected by the
//      caller), the command is decided again on what it wrote, up to max_attempts tries;
//   6. the appended events fold into the read models (ReadModels::Apply, from the append's
//      result), so that a read after the answer sees the write.
//
// Nothing here knows HTTP: the answer is an Executed, which the caller turns into its response.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "app/load.hpp"
#include "engine/event_store.hpp"
#include "engine/result.hpp"
#include "projections/read_models.hpp"
#include "workflows/context.hpp"
#include "workflows/events.hpp"
#include "workflows/refusal.hpp"
#include "workflows/targets.hpp"

namespace dialogue::app {

// Why a command was not carried out: the workflows refused it (a rule, a role, a malformed value,
// an unknown or existing entity), or the store did not take it (a version conflict, a reused
// Idempotency-Key, a failure). The caller maps both to its answer.
using Failure = std::variant<workflows::Refusal, engine::Error>;
// Its message, whichever it is.
const std::string& MessageOf(const Failure& failure);

// How many times a command is decided in all when concurrent writers keep winning.
inline constexpr int kMaxCommandAttempts = 5;

// One try's decision, bound to what was loaded. The target is the entity the command acts on
// (the stream/version of its answer); `others` are further streams the decision read, with the
// versions loaded (0: the stream does not exist): they are appended as expectations, so that the
// command applies only if none of them moved. A stream the events write that is neither the
// target nor among `others` must not exist yet.
struct Prepared {
  std::string stream;
  uint64_t version = 0;  // 0: the target does not exist (yet)
  std::vector<std::pair<std::string, uint64_t>> others;
  std::function<workflows::Verdict<std::vector<workflows::Event>>(const workflows::Context&)>
      decide;
  // Set when the caller may not read the target (nonexistent counts as unreadable): its noun
  // ("briefing b1"). The command is then refused as a read would be (Forbidden, "this token may
  // not read <noun>") before any rule is checked, so that a refused write says no more than a
  // refused read (docs/security.md, "What a refusal says").
  std::optional<std::string> unreadable;
  // The caller may act on the target without reading it (59(d): any State Party objects): the
  // rules are checked, but the answer is marked for redaction (Executed::redact).
  bool acts_unread = false;
};

// Loads a command's target and fills context.facts; called once per try, after the read models
// caught up. An error is the command's answer (kRefused, or kFailed when the store failed).
using Preparation = tl::expected<Prepared, Failure>;
using Preparer = std::function<Preparation(workflows::Context& context)>;

// Loads TargetOf(command) and binds its state to the workflows' Decide. `inspect(context, state,
// prepared)` runs after the load: it fills context.facts from what was loaded, may mark
// `prepared` unreadable, and may refuse (returning a workflows::Check; or void when it never
// does).
template <class Command, class Inspect>
Preparer PrepareTarget(const projections::ReadModels& models, Command command, Inspect inspect) {
  return [&models, command = std::move(command),
          inspect = std::move(inspect)](workflows::Context& context) -> Preparation {
    const auto target = workflows::TargetOf(command);
    ASSIGN_OR_RETURN(auto loaded, Load(models, target));
    Prepared prepared;
    prepared.stream = workflows::StreamOf(target);
    prepared.version = loaded.version;
    prepared.others = std::move(loaded.others);
    const auto& state = loaded.state;
    if constexpr (std::is_void_v<decltype(inspect(context, state, prepared))>) {
      inspect(context, state, prepared);
    } else {
      RETURN_IF_ERROR(inspect(context, state, prepared));
    }
    prepared.decide = [state = std::move(loaded.state),
                       command](const workflows::Context& decide_context) {
      return workflows::Decide(state, command, decide_context);
    };
    return prepared;
  };
}

template <class Command>
Preparer PrepareTarget(const projections::ReadModels& models, Command command) {
  return PrepareTarget(models, std::move(command),
                       [](workflows::Context&, const auto&, Prepared&) {});
}

// One command to execute and everything it carries beside itself.
struct CommandRun {
  std::string name;            // "ConfirmAttendance", for messages
  workflows::Context context;  // facts are filled per try by `prepare`
  Preparer prepare;
  std::optional<engine::IdempotencyKey> idempotency;
  std::optional<uint64_t> if_match;  // the caller's expected version of the target
  bool occurred_at_given = false;    // context.occurred_at was stated, not the clock's
  std::string correlation_id;
  int max_attempts = kMaxCommandAttempts;
};

enum class Outcome {
  kCreated,   // appended
  kReplayed,  // a retry of an Idempotency-Key's request: the original append
  kRefused,   // a rule, a role, bad input, an unknown target, a reused Idempotency-Key
  kConflict,  // the expected version was not the target's, or writers kept winning
  kFailed,    // the storage failed
};
// "created", "replayed", "refused", "conflict", "failed".
std::string_view Name(Outcome outcome);

struct Executed {
  Outcome outcome = Outcome::kFailed;
  engine::AppendResult appended;  // kCreated and kReplayed
  Failure error;                  // the other outcomes
  // When the refusal concerns one field of the request: its name and what is wrong with it
  // (error.message then says what the command met).
  std::string field;
  std::string field_message;
  // Set when the caller acted on a target it may not read (Prepared::acts_unread): the target's
  // noun; a refusal must then say nothing of it beyond its code and rule.
  std::optional<std::string> redact;
  int retries = 0;  // tries lost to concurrent writers
  // Set when the read models could not catch up after the append (reads may lag until they do).
  std::optional<engine::Error> behind;
};

// Executes commands against one store and the read models folded from it. Thread-safe; `store`
// and `models` must outlive it and every execution in flight.
class Executor {
 public:
  Executor(engine::EventStore& store, projections::ReadModels& models)
      : store_(store), models_(models) {}

  // On the caller's thread, waiting for each append to be durable.
  Executed Execute(CommandRun run);

  // Runs `work` where the execution should go on (a connection's thread).
  using Post = std::function<void(std::function<void()> work)>;
  using Done = std::function<void(Executed executed)>;
  // Tries on the caller's thread; each append is asynchronous, and its completion is posted
  // through `post`, which then settles it (deciding again, or calling `done`). `done` is called
  // exactly once: on the caller's thread when nothing was appended, else in posted work.
  void ExecuteAsync(CommandRun run, Post post, Done done);

 private:
  engine::EventStore& store_;
  projections::ReadModels& models_;
};

}  // namespace dialogue::app
