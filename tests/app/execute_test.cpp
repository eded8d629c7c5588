// app::Executor: the one path of every command. Each case drives real deciders over the in-memory
// store and the read models folded from it; a concurrent writer is another execution, run from
// inside a preparer: after the command's load, before its append.
#include <atomic>
#include <catch2/catch.hpp>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <variant>

#include "app/execute.hpp"
#include "engine/clock.hpp"
#include "engine/event_store.hpp"
#include "projections/read_models.hpp"
#include "tests/support/forwarding_store.hpp"
#include "tests/support/manual_clock.hpp"
#include "tests/temp_dir.hpp"
#include "workflows/events.hpp"
#include "workflows/stakeholder.hpp"

namespace dialogue::app {
namespace {

namespace wf = workflows;

// The code of an execution's failure, when it is a refusal of the workflows.
std::optional<wf::RefusalCode> RefusalOf(const Executed& executed) {
  const auto* refusal = std::get_if<wf::Refusal>(&executed.error);
  return refusal ? std::optional(refusal->code) : std::nullopt;
}

// The code of an execution's failure, when it is the store's.
std::optional<engine::ErrorCode> StoreErrorOf(const Executed& executed) {
  const auto* error = std::get_if<engine::Error>(&executed.error);
  return error ? std::optional(error->code) : std::nullopt;
}

wf::TimePoint At(std::string_view text) { return wf::ParseInstant(text).value(); }

// A run of `command` by the secretariat at `now`, on `models`.
template <class Command>
CommandRun SecretariatRun(projections::ReadModels& models, wf::TimePoint now, Command command) {
  CommandRun run;
  run.name = "Test";
  run.context.role = wf::Role::kSecretariat;
  run.context.actor = "sec-ana";
  run.context.now = now;
  run.context.occurred_at = now;
  run.prepare = PrepareTarget(models, std::move(command));
  return run;
}

class Fixture {
 public:
  Fixture() { REQUIRE(models_.Open()); }

  // A run of `command` by the secretariat, now.
  template <class Command>
  CommandRun Run(Command command) {
    return SecretariatRun(models_, clock_.Now(), std::move(command));
  }

  size_t LogSize() {
    auto events = store_->ReadAll(0, 1000);
    REQUIRE(events);
    return events->size();
  }

  engine::ManualClock clock_{At("2026-08-01T00:00:00Z")};
  std::unique_ptr<engine::EventStore> store_ = engine::NewInMemoryEventStore(&clock_);
  projections::ReadModels models_{*store_};
  Executor executor_{*store_, models_};
};

const wf::RegisterStakeholder kNgoA{"ngo-a", "NGO A", "ngo", "none", {}};

TEST_CASE("Execute appends the decided events and the read models show them at once") {
  Fixture f;
  Executed executed = f.executor_.Execute(f.Run(kNgoA));
  REQUIRE(executed.outcome == Outcome::kCreated);
  CHECK(executed.appended.first_position == 1);
  REQUIRE(executed.appended.versions.size() == 1);
  CHECK(executed.appended.versions.front().stream == wf::StakeholderStream("ngo-a"));
  CHECK(executed.appended.versions.front().version == 1);
  CHECK(executed.retries == 0);
  CHECK_FALSE(executed.behind);
  auto loaded = f.models_.Stakeholder("ngo-a");  // no catch-up asked for
  REQUIRE(loaded);
  CHECK(loaded->version == 1);
}

TEST_CASE("A refusal of the decider is returned as it is and appends nothing") {
  Fixture f;
  REQUIRE(f.executor_.Execute(f.Run(kNgoA)).outcome == Outcome::kCreated);
  Executed again = f.executor_.Execute(f.Run(kNgoA));
  CHECK(again.outcome == Outcome::kRefused);
  CHECK(RefusalOf(again) == wf::RefusalCode::kAlreadyExists);
  CHECK_FALSE(again.redact);
  CHECK(f.LogSize() == 1);
}

TEST_CASE(
    "An Idempotency-Key's retry gets the original append; the key with another request is "
    "refused") {
  Fixture f;
  CommandRun run = f.Run(kNgoA);
  run.idempotency = engine::IdempotencyKey{"actor:sec-ana:k1", "fingerprint-1"};
  Executed first = f.executor_.Execute(run);
  REQUIRE(first.outcome == Outcome::kCreated);

  Executed retry = f.executor_.Execute(run);
  CHECK(retry.outcome == Outcome::kReplayed);
  CHECK(retry.appended.first_position == first.appended.first_position);
  CHECK(retry.appended.last_position == first.appended.last_position);

  run.idempotency->fingerprint = "fingerprint-2";
  Executed reused = f.executor_.Execute(run);
  CHECK(reused.outcome == Outcome::kRefused);
  CHECK(StoreErrorOf(reused) == engine::ErrorCode::kIdempotencyKeyReused);
  CHECK(f.LogSize() == 1);
}

// Counts the Idempotency-Key lookups made outside the store's commit (the commit's own check is
// the inner store's, and is not counted).
class KeyLookups : public engine::ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  engine::Result<std::optional<std::pair<std::string, engine::AppendResult>>> LookupIdempotencyKey(
      std::string_view key) const override {
    ++lookups;
    return inner().LookupIdempotencyKey(key);
  }
  mutable int lookups = 0;
};

TEST_CASE("An Idempotency-Key is looked up only when its command is not carried out") {
  engine::ManualClock clock{At("2026-08-01T00:00:00Z")};
  std::unique_ptr<engine::EventStore> inner = engine::NewInMemoryEventStore(&clock);
  KeyLookups store(*inner);
  projections::ReadModels models(store);
  REQUIRE(models.Open());
  Executor executor(store, models);
  const auto keyed = [&](auto command, const std::string& key) {
    CommandRun run = SecretariatRun(models, clock.Now(), std::move(command));
    run.idempotency = engine::IdempotencyKey{"actor:sec-ana:" + key, "fingerprint-" + key};
    return run;
  };
  const auto unkeyed = [&](auto command) {
    return executor.Execute(SecretariatRun(models, clock.Now(), std::move(command)));
  };

  // A new key: decided and appended; the commit alone checks the key.
  const CommandRun create = keyed(kNgoA, "k1");
  const Executed created = executor.Execute(create);
  REQUIRE(created.outcome == Outcome::kCreated);
  CHECK(store.lookups == 0);

  // A retry whose decision now refuses (ngo-a exists): the key's earlier answer.
  Executed retry = executor.Execute(create);
  CHECK(retry.outcome == Outcome::kReplayed);
  CHECK(retry.appended.last_position == created.appended.last_position);
  CHECK(store.lookups == 1);

  // A retry whose target moved since and whose decision holds again: the commit answers it with
  // the original append, and appends nothing.
  const CommandRun to_general = keyed(wf::ChangeEcosocStatus{"ngo-a", "general"}, "k2");
  const Executed changed = executor.Execute(to_general);
  REQUIRE(changed.outcome == Outcome::kCreated);
  REQUIRE(unkeyed(wf::ChangeEcosocStatus{"ngo-a", "special"}).outcome == Outcome::kCreated);
  retry = executor.Execute(to_general);
  CHECK(retry.outcome == Outcome::kReplayed);
  CHECK(retry.appended.last_position == changed.appended.last_position);
  CHECK(models.Stakeholder("ngo-a")->state.ecosoc_status() == wf::EcosocStatus::kSpecial);
  CHECK(store.lookups == 1);

  // With If-Match: the version the request expected is gone, and the key answers.
  CommandRun to_roster = keyed(wf::ChangeEcosocStatus{"ngo-a", "roster"}, "k3");
  to_roster.if_match = 3;
  const Executed matched = executor.Execute(to_roster);
  REQUIRE(matched.outcome == Outcome::kCreated);
  retry = executor.Execute(to_roster);
  CHECK(retry.outcome == Outcome::kReplayed);
  CHECK(retry.appended.last_position == matched.appended.last_position);
  CHECK(store.lookups == 2);

  // The key with another request that would append: the commit refuses it, in the words of a
  // refused reuse.
  CommandRun other = keyed(wf::ChangeEcosocStatus{"ngo-a", "general"}, "k3");
  other.idempotency->fingerprint = "another request";
  const Executed reused = executor.Execute(other);
  CHECK(reused.outcome == Outcome::kRefused);
  CHECK(StoreErrorOf(reused) == engine::ErrorCode::kIdempotencyKeyReused);
  CHECK_THAT(MessageOf(reused.error), Catch::Contains("use a new key"));
  CHECK(store.HeadPosition() == 4);
}

TEST_CASE("If-Match that is not the target's version refuses before deciding") {
  Fixture f;
  REQUIRE(f.executor_.Execute(f.Run(kNgoA)).outcome == Outcome::kCreated);
  CommandRun run = f.Run(wf::ChangeEcosocStatus{"ngo-a", "general"});
  run.if_match = 7;
  Executed executed = f.executor_.Execute(run);
  CHECK(executed.outcome == Outcome::kConflict);
  CHECK(StoreErrorOf(executed) == engine::ErrorCode::kVersionConflict);
  CHECK(f.LogSize() == 1);

  run.if_match = 1;
  CHECK(f.executor_.Execute(run).outcome == Outcome::kCreated);
}

TEST_CASE("A command that lost a race is decided again on what the winner wrote") {
  Fixture f;
  // Both register ngo-a: the winner appends between the loser's load and its append.
  CommandRun loser = f.Run(kNgoA);
  loser.prepare = [&, inner = loser.prepare, tries = 0](wf::Context& context) mutable {
    auto prepared = inner(context);
    if (++tries == 1) {
      wf::RegisterStakeholder winner = kNgoA;
      winner.name = "NGO A (the winner)";
      REQUIRE(f.executor_.Execute(f.Run(winner)).outcome == Outcome::kCreated);
    }
    return prepared;
  };
  Executed executed = f.executor_.Execute(loser);
  CHECK(executed.retries == 1);
  CHECK(executed.outcome == Outcome::kRefused);  // decided again: ngo-a exists now
  CHECK(RefusalOf(executed) == wf::RefusalCode::kAlreadyExists);
  CHECK(f.LogSize() == 1);
  CHECK(f.models_.Stakeholder("ngo-a")->state.name == "NGO A (the winner)");
}

TEST_CASE("A commit the read models have not folded is a lost race: the retry reads it") {
  Fixture f;
  // Committed but not folded, as a concurrent command's append is until its completion runs.
  const wf::Event registered = wf::StakeholderRegistered{
      "ngo-a", "NGO A (committed)", wf::StakeholderCategory::kNgo, wf::EcosocStatus::kNone, {}};
  engine::AppendRequest append;
  append.writes.push_back({wf::StreamOf(registered),
                           engine::ExpectedVersion::NoStream(),
                           {wf::ToProposedEvent(registered, engine::EventMetadata{})}});
  REQUIRE(f.store_->Append(append));
  REQUIRE(f.models_.position() == 0);

  // The first try decides on the models (ngo-a unknown), its append is refused on ngo-a's
  // version, and the second reads the log before it decides.
  Executed executed = f.executor_.Execute(f.Run(kNgoA));
  CHECK(executed.retries == 1);
  CHECK(RefusalOf(executed) == wf::RefusalCode::kAlreadyExists);
  CHECK(f.LogSize() == 1);
  CHECK(f.models_.Stakeholder("ngo-a")->state.name == "NGO A (committed)");
}

// A run of ChangeEcosocStatus whose first `losses` tries lose to another change of ngo-a.
CommandRun LosingRun(Fixture& f, int losses) {
  CommandRun run = f.Run(wf::ChangeEcosocStatus{"ngo-a", "general"});
  run.prepare = [&f, inner = run.prepare, losses, tries = 0](wf::Context& context) mutable {
    auto prepared = inner(context);
    if (++tries <= losses) {
      const char* status = tries % 2 == 1 ? "special" : "roster";
      REQUIRE(f.executor_.Execute(f.Run(wf::ChangeEcosocStatus{"ngo-a", status})).outcome ==
              Outcome::kCreated);
    }
    return prepared;
  };
  return run;
}

TEST_CASE("A lost race is retried without If-Match, and is a conflict with it") {
  Fixture f;
  REQUIRE(f.executor_.Execute(f.Run(kNgoA)).outcome == Outcome::kCreated);

  SECTION("without If-Match: decided again and appended") {
    Executed executed = f.executor_.Execute(LosingRun(f, 1));
    CHECK(executed.outcome == Outcome::kCreated);
    CHECK(executed.retries == 1);
    CHECK(f.models_.Stakeholder("ngo-a")->version == 3);
    CHECK(f.models_.Stakeholder("ngo-a")->state.ecosoc_status() == wf::EcosocStatus::kGeneral);
  }
  SECTION("with If-Match: the caller's version is gone, nothing is decided again") {
    CommandRun run = LosingRun(f, 1);
    run.if_match = 1;
    Executed executed = f.executor_.Execute(run);
    CHECK(executed.outcome == Outcome::kConflict);
    CHECK(executed.retries == 0);
    CHECK(f.models_.Stakeholder("ngo-a")->version == 2);
  }
  SECTION("writers that keep winning end it after max_attempts tries") {
    CommandRun run = LosingRun(f, 100);
    run.max_attempts = 3;
    Executed executed = f.executor_.Execute(run);
    CHECK(executed.outcome == Outcome::kConflict);
    CHECK(StoreErrorOf(executed) == engine::ErrorCode::kVersionConflict);
    CHECK(executed.retries == 3);
    CHECK(f.models_.Stakeholder("ngo-a")->version == 4);  // the winners' three changes
  }
}

TEST_CASE("A caller that may not read the target is refused as a read would be, before any rule") {
  Fixture f;
  REQUIRE(f.executor_.Execute(f.Run(kNgoA)).outcome == Outcome::kCreated);
  int decided = 0;
  CommandRun run = f.Run(kNgoA);  // would be refused: ngo-a exists
  run.prepare = [&, inner = run.prepare](wf::Context& context) -> Preparation {
    auto prepared = inner(context);
    REQUIRE(prepared);
    prepared->unreadable = "stakeholder ngo-a";
    prepared->decide = [&decided, decide = prepared->decide](const wf::Context& c) {
      ++decided;
      return decide(c);
    };
    return prepared;
  };

  SECTION("unreadable: the read's 403, no rule checked") {
    Executed executed = f.executor_.Execute(run);
    CHECK(executed.outcome == Outcome::kRefused);
    CHECK(RefusalOf(executed) == wf::RefusalCode::kForbidden);
    CHECK(MessageOf(executed.error) == "this token may not read stakeholder ngo-a");
    CHECK(decided == 0);
  }
  SECTION("acting unread: the rules are checked and the refusal is marked for redaction") {
    auto unread = std::move(run.prepare);
    run.prepare = [unread](wf::Context& context) -> Preparation {
      auto prepared = unread(context);
      if (prepared) prepared->acts_unread = true;
      return prepared;
    };
    Executed executed = f.executor_.Execute(run);
    CHECK(executed.outcome == Outcome::kRefused);
    CHECK(RefusalOf(executed) == wf::RefusalCode::kAlreadyExists);
    CHECK(executed.redact == std::optional<std::string>("stakeholder ngo-a"));
    CHECK(decided == 1);
  }
}

TEST_CASE("An act stated as before its target began is refused on occurred_at") {
  Fixture f;
  CommandRun create = f.Run(kNgoA);
  create.context.occurred_at = At("2026-07-01T00:00:00Z");
  create.occurred_at_given = true;
  REQUIRE(f.executor_.Execute(create).outcome == Outcome::kCreated);

  CommandRun change = f.Run(wf::ChangeEcosocStatus{"ngo-a", "general"});
  change.context.occurred_at = At("2026-06-01T00:00:00Z");
  change.occurred_at_given = true;
  Executed executed = f.executor_.Execute(change);
  CHECK(executed.outcome == Outcome::kRefused);
  CHECK(executed.field == "occurred_at");
  CHECK_THAT(executed.field_message, Catch::Contains("2026-07-01"));

  change.context.occurred_at = At("2026-07-02T00:00:00Z");
  CHECK(f.executor_.Execute(change).outcome == Outcome::kCreated);
}

TEST_CASE("ExecuteAsync answers as Execute, its appends settled in posted work") {
  Fixture f;
  std::deque<std::function<void()>> posted;
  const Executor::Post post = [&](std::function<void()> work) {
    posted.push_back(std::move(work));
  };
  // Runs the posted work, and whatever it posts, until none is left.
  const auto run_posted = [&posted] {
    while (!posted.empty()) {
      auto work = std::move(posted.front());
      posted.pop_front();
      work();
    }
  };
  std::optional<Executed> answer;
  const Executor::Done keep = [&answer](Executed executed) { answer = std::move(executed); };
  f.executor_.ExecuteAsync(f.Run(kNgoA), post, keep);
  CHECK_FALSE(answer);  // the append's completion waits for the posted work
  run_posted();
  REQUIRE(answer);
  CHECK(answer->outcome == Outcome::kCreated);

  SECTION("a refusal, with nothing appended, is answered on the caller's thread") {
    answer.reset();
    f.executor_.ExecuteAsync(f.Run(kNgoA), post, keep);
    REQUIRE(answer);
    CHECK(answer->outcome == Outcome::kRefused);
    CHECK(posted.empty());
  }
  SECTION("a lost race is decided again in posted work") {
    REQUIRE(f.executor_.Execute(f.Run(kNgoA)).outcome == Outcome::kRefused);
    answer.reset();
    f.executor_.ExecuteAsync(LosingRun(f, 2), post, keep);
    run_posted();
    REQUIRE(answer);
    CHECK(answer->outcome == Outcome::kCreated);
    CHECK(answer->retries == 2);
  }
}

TEST_CASE("An asynchronous command's events are folded before the store tells its listeners") {
  // On the RocksDB store, whose completer thread completes appends and then tells the commit
  // listeners (the projector): each listener call must find the command's events folded, so that
  // nothing reads them back from the log.
  testing::TempDir dir;
  engine::RocksDbOptions options;
  options.path = dir.path();
  std::unique_ptr<engine::EventStore> store =
      std::move(engine::OpenRocksDbEventStore(options).value());
  projections::ReadModels models(*store);
  REQUIRE(models.Open());
  Executor executor(*store, models);

  std::atomic<int> behind{0};
  std::atomic<uint64_t> told{0};
  const uint64_t listener = store->AddCommitListener([&](uint64_t position) {
    if (models.position() < position) ++behind;
    told = position;
  });

  // The posted work waits in a queue that this thread runs: only the store's thread folds.
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::function<void()>> posted;
  const Executor::Post post = [&](std::function<void()> work) {
    std::lock_guard lock(mu);
    posted.push_back(std::move(work));
    cv.notify_all();
  };
  std::vector<Executed> answers;
  const Executor::Done keep = [&answers](Executed executed) {
    answers.push_back(std::move(executed));
  };
  constexpr int kCommands = 20;
  for (int i = 0; i < kCommands; ++i) {
    executor.ExecuteAsync(SecretariatRun(models, At("2026-08-01T00:00:00Z"),
                                         wf::RegisterStakeholder{
                                             "ngo-" + std::to_string(i), "NGO", "ngo", "none", {}}),
                          post, keep);
  }
  while (answers.size() < kCommands) {
    std::function<void()> work;
    {
      std::unique_lock lock(mu);
      REQUIRE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return !posted.empty(); }));
      work = std::move(posted.front());
      posted.pop_front();
    }
    work();
  }
  // The last commit's listeners may still be running.
  const uint64_t head = store->Head().position;
  const auto patience = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (told < head && std::chrono::steady_clock::now() < patience) std::this_thread::yield();
  store->RemoveCommitListener(listener);

  for (const Executed& answer : answers) CHECK(answer.outcome == Outcome::kCreated);
  CHECK(told == head);
  CHECK(behind == 0);
  CHECK(models.position() == store->Head().position);
}

}  // namespace
}  // namespace dialogue::app
