// The deadline timers of 59(e): ConfirmationWindowClosed once per (briefing, deadline), at the
// deadline's instant, by the system — across restarts, reschedulings, deadlines already past and
// concurrent commands. Time is a ManualClock; RunOnce is one wake-up of the service's thread, and
// the thread itself is waited for by its commit, never by sleeping.
#include <unistd.h>
#include <atomic>

#include <catch2/catch.hpp>
#include <filesystem>
#include <mutex>
#include <thread>

#include "app/timer_service.hpp"
#include "engine/event_store.hpp"
#include "projections/projector.hpp"
#include "projections/read_models.hpp"
#include "tests/support/forwarding_store.hpp"
#include "tests/support/manual_clock.hpp"
#include "tests/temp_dir.hpp"
#include "workflows/briefing.hpp"
#include "workflows/deadline.hpp"
#include "workflows/events.hpp"
#include "workflows/rules_config.hpp"
#include "workflows/values.hpp"

namespace dialogue::app {
namespace {

namespace wf = workflows;
using std::chrono::hours;
using std::chrono::seconds;

// Long enough for a loaded machine; only a broken timer waits this long.
constexpr std::chrono::seconds kPatience{60};

wf::Date Day(const char* text) { return wf::ParseDate("date", text).value(); }
wf::TimePoint At(const char* text) { return wf::ParseInstant(text).value(); }

// The 59(e) deadline of a briefing on `date` in Vienna: the end of (date - 10 days).
wf::TimePoint DeadlineOf(const char* date) {
  return wf::ConfirmationDeadline(Day(date), "Europe/Vienna", 10).value();
}

// Appends a domain event as the secretariat recorded it.
uint64_t Record(engine::EventStore& store, const wf::Event& event,
                wf::TimePoint occurred_at = At("2026-05-01T09:00:00Z")) {
  engine::EventMetadata metadata;
  metadata.occurred_at = wf::FormatInstant(occurred_at);
  metadata.actor = "sec-ana";
  metadata.role = "secretariat";
  engine::AppendRequest request;
  request.writes.push_back({wf::StreamOf(event),
                            engine::ExpectedVersion::Any(),
                            {wf::ToProposedEvent(event, metadata)}});
  return store.Append(request).value().last_position;
}

// Briefing b1, convened on `date` with ngo-a (confirmed) and ngo-b (still invited).
void ConveneBriefing(engine::EventStore& store, const char* date = "2026-07-15") {
  Record(store, wf::BriefingRequested{"b1", "Briefing one", "pres-lu"});
  Record(store, wf::BriefingConvened{"b1", "m1", "wg1", Day("2026-07-14"), Day("2026-07-17"),
                                     Day(date), "Europe/Vienna", DeadlineOf(date), "bur-ko"});
  Record(store, wf::StakeholderInvited{"b1", "ngo-a", wf::StakeholderCategory::kNgo, "cs1"});
  Record(store, wf::StakeholderInvited{"b1", "ngo-b", wf::StakeholderCategory::kNgo, "cs1"});
  Record(store, wf::AttendanceConfirmed{"b1", "ngo-a", "", {}, At("2026-06-01T10:00:00Z")});
}

void Reschedule(engine::EventStore& store, const char* from, const char* to) {
  Record(store, wf::BriefingRescheduled{"b1", Day(to), Day(from), DeadlineOf(to)});
}

// Every ConfirmationWindowClosed of the log, with its recorded event.
std::vector<std::pair<engine::RecordedEvent, wf::ConfirmationWindowClosed>> Closings(
    const engine::EventStore& store) {
  std::vector<std::pair<engine::RecordedEvent, wf::ConfirmationWindowClosed>> out;
  const auto events = store.ReadAll(0, 100000);
  REQUIRE(events);
  for (const auto& event : *events) {
    if (event.type != "ConfirmationWindowClosed") continue;
    auto decoded = wf::DecodeEvent(event);
    REQUIRE(decoded);
    out.emplace_back(event, std::get<wf::ConfirmationWindowClosed>(*decoded));
  }
  return out;
}

// Waits (bounded, by commits, never by the clock) until the log holds `count` closings.
bool WaitForClosings(const engine::EventStore& store, size_t count) {
  for (;;) {
    const uint64_t head = store.Head().position;
    if (Closings(store).size() >= count) return true;
    if (store.WaitForCommit(
            head, std::chrono::duration_cast<std::chrono::milliseconds>(kPatience)) == head) {
      return false;
    }
  }
}

wf::ParticipantStatus StatusOf(const projections::ReadModels& models, const char* stakeholder) {
  auto briefing = models.Briefing("b1");
  REQUIRE(briefing);
  const wf::Participant* participant = briefing->state.FindParticipant(stakeholder);
  REQUIRE(participant != nullptr);
  return participant->status;
}

// Waits (bounded) for a commit beyond `after`; the new head.
uint64_t WaitForCommit(const engine::EventStore& store, uint64_t after) {
  return store.WaitForCommit(after,
                             std::chrono::duration_cast<std::chrono::milliseconds>(kPatience));
}

struct MemoryWorld {
  engine::ManualClock clock{At("2026-06-20T12:00:00Z")};
  std::unique_ptr<engine::EventStore> store = engine::NewInMemoryEventStore(&clock);
  projections::ReadModels models{*store};
  wf::RulesConfig rules;
  MemoryWorld() { REQUIRE(models.Open()); }
};

TEST_CASE("A confirmation window closes once, at its deadline, by the system", "[timer]") {
  MemoryWorld w;
  ConveneBriefing(*w.store);
  TimerService timer(*w.store, w.models, w.clock, w.rules);
  const wf::TimePoint deadline = DeadlineOf("2026-07-15");

  w.clock.Set(deadline - hours(1));
  CHECK(timer.RunOnce().value() == 0);
  w.clock.Set(deadline);  // the deadline itself is still in time
  CHECK(timer.RunOnce().value() == 0);
  w.clock.Set(deadline + seconds(1));
  CHECK(timer.RunOnce().value() == 1);

  const auto closings = Closings(*w.store);
  REQUIRE(closings.size() == 1);
  const auto& [recorded, closed] = closings.front();
  CHECK(recorded.stream == "briefing-b1");
  CHECK(recorded.metadata.actor == "system");
  CHECK(recorded.metadata.role == "system");
  CHECK(recorded.metadata.occurred_at == wf::FormatInstant(deadline));
  CHECK(closed.deadline == deadline);
  CHECK(closed.lapsed == std::vector<std::string>{"ngo-b"});
  CHECK(StatusOf(w.models, "ngo-a") == wf::ParticipantStatus::kConfirmed);
  CHECK(StatusOf(w.models, "ngo-b") == wf::ParticipantStatus::kLapsed);

  // Never again, however late it gets.
  const uint64_t head = w.store->Head().position;
  CHECK(timer.RunOnce().value() == 0);
  w.clock.Advance(hours(24 * 30));
  CHECK(timer.RunOnce().value() == 0);
  CHECK(w.store->Head().position == head);
  CHECK(timer.fired() == 1);
}

TEST_CASE("A rescheduled deadline fires instead of the old one", "[timer]") {
  MemoryWorld w;
  ConveneBriefing(*w.store, "2026-07-15");
  Reschedule(*w.store, "2026-07-15", "2026-07-17");
  TimerService timer(*w.store, w.models, w.clock, w.rules);

  w.clock.Set(DeadlineOf("2026-07-15") + hours(1));  // past the old deadline only
  CHECK(timer.RunOnce().value() == 0);
  w.clock.Set(DeadlineOf("2026-07-17") + seconds(1));
  CHECK(timer.RunOnce().value() == 1);
  const auto closings = Closings(*w.store);
  REQUIRE(closings.size() == 1);
  CHECK(closings[0].second.deadline == DeadlineOf("2026-07-17"));
  CHECK(closings[0].first.metadata.occurred_at == wf::FormatInstant(DeadlineOf("2026-07-17")));
}

TEST_CASE("A deadline moved after its window closed gets its own firing", "[timer]") {
  MemoryWorld w;
  ConveneBriefing(*w.store, "2026-07-15");
  TimerService timer(*w.store, w.models, w.clock, w.rules);
  w.clock.Set(DeadlineOf("2026-07-15") + seconds(1));
  CHECK(timer.RunOnce().value() == 1);
  Reschedule(*w.store, "2026-07-15", "2026-07-17");
  CHECK(timer.RunOnce().value() == 0);  // the new deadline has not passed
  w.clock.Set(DeadlineOf("2026-07-17") + seconds(1));
  CHECK(timer.RunOnce().value() == 1);
  CHECK(timer.RunOnce().value() == 0);
  const auto closings = Closings(*w.store);
  REQUIRE(closings.size() == 2);
  CHECK(closings[0].second.deadline == DeadlineOf("2026-07-15"));
  CHECK(closings[1].second.deadline == DeadlineOf("2026-07-17"));
}

TEST_CASE("The timer's thread closes a window whose deadline is already past at convening",
          "[timer]") {
  MemoryWorld w;
  w.clock.Set(At("2026-07-10T08:00:00Z"));  // after the deadline of a briefing on 15 July
  TimerService timer(*w.store, w.models, w.clock, w.rules);
  timer.Start();
  // No poke, no clock move: the convening's commit wakes the thread (which may close the window
  // before the rest of ConveneBriefing's events are in).
  ConveneBriefing(*w.store, "2026-07-15");
  REQUIRE(WaitForClosings(*w.store, 1));
  timer.Stop();
  const auto closings = Closings(*w.store);
  REQUIRE(closings.size() == 1);
  CHECK(closings[0].second.deadline == DeadlineOf("2026-07-15"));
  CHECK(closings[0].first.metadata.occurred_at == wf::FormatInstant(DeadlineOf("2026-07-15")));
}

TEST_CASE("Told by the projector, not by commits, the timer closes a deadline already past",
          "[timer][projector]") {
  MemoryWorld w;
  w.clock.Set(At("2026-07-10T08:00:00Z"));
  TimerOptions options;
  options.wake_on_commit = false;
  options.max_sleep = std::chrono::hours(1);  // only Folded can wake it in time
  TimerService timer(*w.store, w.models, w.clock, w.rules, options);
  projections::Projector projector(*w.store, w.models);
  projector.AddObserver([&timer](uint64_t) { timer.Folded(); });
  projector.Start();
  timer.Start();
  ConveneBriefing(*w.store, "2026-07-15");
  REQUIRE(WaitForClosings(*w.store, 1));
  projector.Stop();
  timer.Stop();
  CHECK(Closings(*w.store).size() == 1);
  CHECK(timer.fired() == 1);
}

TEST_CASE("The timer's thread closes a window once the clock passes its deadline", "[timer]") {
  MemoryWorld w;
  ConveneBriefing(*w.store, "2026-07-15");
  TimerService timer(*w.store, w.models, w.clock, w.rules);
  timer.Start();
  const uint64_t head = w.store->Head().position;
  w.clock.Set(DeadlineOf("2026-07-15") + seconds(2));
  timer.Poke();  // a ManualClock moves without the thread knowing
  REQUIRE(WaitForCommit(*w.store, head) == head + 1);
  timer.Stop();
  CHECK(Closings(*w.store).size() == 1);
  CHECK(timer.fired() == 1);
}

using dialogue::testing::TempDir;

// The server's pieces over a RocksDB store, opened and closed as a restart does.
struct DurableWorld {
  DurableWorld(const std::string& path, engine::ManualClock& clock) {
    engine::RocksDbOptions options;
    options.path = path;
    options.clock = &clock;
    store = engine::OpenRocksDbEventStore(options).value();
    models = std::make_unique<projections::ReadModels>(*store);
    REQUIRE(models->Open());
  }
  ~DurableWorld() {
    (void)models->SaveSnapshot();
    models.reset();
    store.reset();
  }
  std::unique_ptr<engine::EventStore> store;
  std::unique_ptr<projections::ReadModels> models;
  wf::RulesConfig rules;
};

TEST_CASE("A window closed before a restart does not close again after it", "[timer]") {
  TempDir dir;
  engine::ManualClock clock(At("2026-06-20T12:00:00Z"));
  {
    DurableWorld w(dir.path(), clock);
    ConveneBriefing(*w.store);
    TimerService timer(*w.store, *w.models, clock, w.rules);
    clock.Set(DeadlineOf("2026-07-15") + seconds(1));
    CHECK(timer.RunOnce().value() == 1);
  }
  clock.Advance(hours(48));
  {
    DurableWorld w(dir.path(), clock);
    const uint64_t head = w.store->Head().position;
    TimerService timer(*w.store, *w.models, clock, w.rules);
    CHECK(timer.RunOnce().value() == 0);
    CHECK(w.store->Head().position == head);
    CHECK(Closings(*w.store).size() == 1);
    CHECK_FALSE(w.models->NextConfirmationDeadline().has_value());
  }
}

TEST_CASE("A deadline that passed while the server was down closes at start, once", "[timer]") {
  TempDir dir;
  engine::ManualClock clock(At("2026-06-20T12:00:00Z"));
  {
    DurableWorld w(dir.path(), clock);
    ConveneBriefing(*w.store);
  }
  clock.Set(DeadlineOf("2026-07-15") + hours(3));  // the server was down meanwhile
  {
    DurableWorld w(dir.path(), clock);
    const uint64_t head = w.store->Head().position;
    TimerService timer(*w.store, *w.models, clock, w.rules);
    timer.Start();  // derives what is due from the read models
    REQUIRE(WaitForCommit(*w.store, head) == head + 1);
    timer.Stop();
    const auto closings = Closings(*w.store);
    REQUIRE(closings.size() == 1);
    CHECK(closings[0].first.metadata.occurred_at == wf::FormatInstant(DeadlineOf("2026-07-15")));
  }
  {
    DurableWorld w(dir.path(), clock);
    TimerService timer(*w.store, *w.models, clock, w.rules);
    CHECK(timer.RunOnce().value() == 0);
    CHECK(Closings(*w.store).size() == 1);
  }
}

// Forwards to a real store; before the first append of a ConfirmationWindowClosed it lets a
// "concurrent" command in: ngo-b's confirmation, made in time and recorded late.
class RacingStore final : public engine::ForwardingStore {
 public:
  explicit RacingStore(engine::EventStore& inner) : ForwardingStore(inner) {}

  engine::Result<engine::AppendResult> Append(const engine::AppendRequest& request) override {
    const bool timer = !request.writes.empty() && !request.writes[0].events.empty() &&
                       request.writes[0].events[0].type == "ConfirmationWindowClosed";
    if (timer && !raced_.exchange(true)) {
      Record(inner(), wf::AttendanceConfirmed{"b1", "ngo-b", "", {}, At("2026-07-01T10:00:00Z")},
             At("2026-07-01T10:00:00Z"));
    }
    if (timer) ++timer_appends_;
    return ForwardingStore::Append(request);
  }

  int timer_appends() const { return timer_appends_; }

 private:
  std::atomic<bool> raced_{false};
  std::atomic<int> timer_appends_{0};
};

TEST_CASE("A command that races the timer makes it decide again on the new state", "[timer]") {
  engine::ManualClock clock(At("2026-06-20T12:00:00Z"));
  auto inner = engine::NewInMemoryEventStore(&clock);
  RacingStore store(*inner);
  projections::ReadModels models(store);
  REQUIRE(models.Open());
  wf::RulesConfig rules;
  ConveneBriefing(store);
  TimerService timer(store, models, clock, rules);
  clock.Set(DeadlineOf("2026-07-15") + seconds(1));
  CHECK(timer.RunOnce().value() == 1);
  CHECK(store.timer_appends() == 2);  // the first lost to the confirmation
  const auto closings = Closings(store);
  REQUIRE(closings.size() == 1);
  CHECK(closings[0].second.lapsed.empty());  // ngo-b confirmed in time after all
  CHECK(StatusOf(models, "ngo-b") == wf::ParticipantStatus::kConfirmed);
}

TEST_CASE("Two timers on one log close a window once between them", "[timer]") {
  MemoryWorld w;
  ConveneBriefing(*w.store);
  projections::ReadModels other_models(*w.store);
  REQUIRE(other_models.Open());
  TimerService first(*w.store, w.models, w.clock, w.rules);
  TimerService second(*w.store, other_models, w.clock, w.rules);
  w.clock.Set(DeadlineOf("2026-07-15") + seconds(1));
  size_t fired = 0;
  std::mutex mu;
  std::thread a([&] {
    auto n = first.RunOnce();
    std::lock_guard lock(mu);
    fired += n.value_or(0);
  });
  std::thread b([&] {
    auto n = second.RunOnce();
    std::lock_guard lock(mu);
    fired += n.value_or(0);
  });
  a.join();
  b.join();
  CHECK(fired == 1);
  CHECK(Closings(*w.store).size() == 1);
}

}  // namespace
}  // namespace dialogue::app
