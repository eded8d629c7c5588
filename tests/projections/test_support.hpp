// Shared helpers of the projections tests: the stores under test, a scenario that drives the
// workflows' deciders against the log, and an independent fold of the log to compare with.
#pragma once

#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "engine/clock.hpp"
#include "engine/event_store.hpp"
#include "projections/read_models.hpp"
#include "tests/support/manual_clock.hpp"
#include "tests/temp_dir.hpp"
#include "workflows/context.hpp"
#include "workflows/events.hpp"

namespace dialogue::projections::testing {

namespace wf = workflows;

using dialogue::testing::TempDir;

inline wf::TimePoint At(std::string_view text) { return wf::ParseInstant(text).value(); }
inline wf::Date Day(std::string_view text) { return wf::ParseDate("date", text).value(); }

// "memory" or "rocksdb" (unsynced: these tests are about folding, not durability); the RocksDB
// one can be reopened over the same directory.
class StoreUnderTest {
 public:
  explicit StoreUnderTest(std::string kind)
      : kind_(std::move(kind)), clock_(At("2026-08-01T00:00:00Z")) {
    Open();
  }
  bool durable() const { return kind_ == "rocksdb"; }
  engine::EventStore& operator*() { return *store_; }
  engine::EventStore* operator->() { return store_.get(); }
  // REQUIRES: durable(), and nothing holds a reference to the store.
  void Reopen() {
    store_.reset();
    Open();
  }

 private:
  void Open() {
    if (kind_ == "memory") {
      store_ = engine::NewInMemoryEventStore(&clock_);
    } else {
      auto opened =
          engine::OpenRocksDbEventStore(engine::RocksDbOptions{dir_.path(), false, &clock_, {}});
      if (!opened) throw std::runtime_error(opened.error().message);
      store_ = std::move(*opened);
    }
  }

  std::string kind_;
  engine::ManualClock clock_;
  TempDir dir_;
  std::unique_ptr<engine::EventStore> store_;
};

// Events as one atomic request, consecutive events of one stream in one write.
inline engine::AppendRequest AppendRequestOf(const std::vector<wf::Event>& events,
                                             const engine::EventMetadata& metadata) {
  engine::AppendRequest request;
  for (const auto& event : events) {
    std::string stream = wf::StreamOf(event);
    if (request.writes.empty() || request.writes.back().stream != stream) {
      request.writes.push_back({std::move(stream), engine::ExpectedVersion::Any(), {}});
    }
    request.writes.back().events.push_back(wf::ToProposedEvent(event, metadata));
  }
  return request;
}

// Appends events as one atomic request (AppendRequestOf). Returns the last position appended.
inline uint64_t AppendEvents(engine::EventStore& store, const std::vector<wf::Event>& events,
                             const engine::EventMetadata& metadata) {
  auto result = store.Append(AppendRequestOf(events, metadata));
  if (!result) throw std::runtime_error("append failed: " + result.error().message);
  return result->last_position;
}

inline engine::EventMetadata SecretariatMetadata(std::string_view occurred_at) {
  engine::EventMetadata metadata;
  metadata.occurred_at = std::string(occurred_at);
  metadata.actor = "sec-ana";
  metadata.role = "secretariat";
  return metadata;
}

// Drives the workflows' deciders against the log: each command is decided against the state of
// a ReadModels that follows the store, with every reference fact in the context, and its events
// appended. A refused command fails the test.
class Scenario {
 public:
  explicit Scenario(engine::EventStore& store) : store_(store), driver_(store) {
    REQUIRE(driver_.Open());
  }

  ReadModels& driver() { return driver_; }

  // A context at `occurred_at`: acting as `role`, for `stakeholder` or `working_group` if given.
  wf::Context As(wf::Role role, std::string_view occurred_at, std::string stakeholder = {},
                 std::string working_group = {}) {
    wf::Context context;
    context.occurred_at = At(occurred_at);
    context.now = context.occurred_at;
    context.role = role;
    context.actor = std::string(wf::Name(role)) + "-actor";
    context.stakeholder = std::move(stakeholder);
    context.working_group = std::move(working_group);
    context.facts.conference_sessions = driver_.ConferenceSessions();
    context.facts.working_groups = driver_.WorkingGroups();
    context.facts.meetings = driver_.Meetings();
    context.facts.stakeholders = driver_.Stakeholders();
    return context;
  }
  wf::Context Secretariat(std::string_view occurred_at) {
    return As(wf::Role::kSecretariat, occurred_at);
  }

  // Decides `command` against `state` (its current version, or none) and appends the events.
  template <class State, class Command>
  uint64_t Do(const std::optional<Versioned<State>>& state, const Command& command,
              const wf::Context& context) {
    auto events = wf::Decide(state ? state->state : State{}, command, context);
    if (!events) FAIL("refused: " << events.error().message);
    const uint64_t position = AppendEvents(store_, *events, wf::MetadataFor(context));
    REQUIRE(driver_.CatchUp());
    return position;
  }

  // Appends events as they are (for the timer's and other hand-made events).
  uint64_t Append(const std::vector<wf::Event>& events, std::string_view occurred_at) {
    const uint64_t position = AppendEvents(store_, events, SecretariatMetadata(occurred_at));
    REQUIRE(driver_.CatchUp());
    return position;
  }

 private:
  engine::EventStore& store_;
  ReadModels driver_;
};

// Positions of interest in the lifecycle of AppendLifecycle.
struct Lifecycle {
  uint64_t before_b1 = 0;         // the last position before briefing b1 was requested
  uint64_t b1_invited = 0;        // b1's invitations
  uint64_t b1_confirmed = 0;      // ngo-a confirmed for b1
  uint64_t b1_objection = 0;      // state-p objected to ngo-a (referral b1.ngo-a)
  uint64_t b1_decided = 0;        // wg-tip admitted ngo-a
  uint64_t b1_window_closed = 0;  // the timer closed b1's confirmation window
  uint64_t b1_held = 0;           // b1 held
  uint64_t end = 0;               // the last position
  wf::TimePoint b2_deadline;      // b2's confirmation deadline, still open at the end
};

// A realistic log: reference data, three briefings (b1 through its whole lifecycle with an
// admitted referral; b2 convened, a referral pending, its deadline open; b3 with a withdrawn
// objection, then cancelled), an observer invitation, a contribution request with a returned
// and resubmitted contribution, a report and a funded State participation.
Lifecycle AppendLifecycle(engine::EventStore& store);

// The states folded from the log independently of ReadModels: events grouped by the stream
// they are recorded on, referral events also folded into the briefing they name.
struct FreshFold {
  template <class State>
  using Map = std::map<std::string, Versioned<State>>;
  Map<wf::ConferenceSessionState> sessions;
  Map<wf::WorkingGroupState> working_groups;
  Map<wf::MeetingState> meetings;
  Map<wf::StakeholderState> stakeholders;
  Map<wf::BriefingState> briefings;
  Map<wf::ReferralState> referrals;
  Map<wf::ObserverInvitationState> observer_invitations;
  Map<wf::ContributionRequestState> contribution_requests;
  Map<wf::StakeholderReportState> reports;
  Map<wf::StateParticipationState> state_participations;
};
FreshFold FoldLog(const engine::EventStore& store);

// Every state of `models` equals the fresh fold's (and there are no others).
void RequireEqualsFreshFold(const ReadModels& models, const FreshFold& fold);

// Every state of `a` equals `b`'s, with versions (for every id of `ids`), and so do the indexes:
// referrals by status and group, participations of every stakeholder, deadlines, eligibility.
void RequireSameModels(const ReadModels& a, const ReadModels& b, const FreshFold& ids);

}  // namespace dialogue::projections::testing
