#include "projections/read_models.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <thread>

#include "projections/projector.hpp"
#include "tests/projections/recording_store.hpp"
#include "tests/projections/test_support.hpp"

namespace dialogue::projections {
namespace {

using nlohmann::json;
using testing::AppendEvents;
using testing::AppendLifecycle;
using testing::At;
using testing::Day;
using testing::FoldLog;
using testing::Lifecycle;
using testing::RecordingStore;
using testing::RequireEqualsFreshFold;
using testing::RequireSameModels;
using testing::Scenario;
using testing::SecretariatMetadata;
using testing::StoreUnderTest;
namespace wf = workflows;

std::vector<engine::RecordedEvent> WholeLog(const engine::EventStore& store) {
  auto events = store.ReadAll(0, 1'000'000);
  REQUIRE(events);
  return std::move(*events);
}

// Appends log[from, to) (0-based) verbatim: the same positions, times and hashes.
void CopyVerbatim(const std::vector<engine::RecordedEvent>& log, uint64_t from, uint64_t to,
                  engine::EventStore& store) {
  for (uint64_t i = from; i < to; ++i) REQUIRE(store.AppendVerbatim(log[i]));
}

std::vector<std::string> Ids(const std::vector<wf::ReferralState>& referrals) {
  std::vector<std::string> ids;
  for (const auto& r : referrals) ids.push_back(r.id);
  return ids;
}

std::vector<std::string> Ids(const std::vector<wf::StakeholderState>& stakeholders) {
  std::vector<std::string> ids;
  for (const auto& s : stakeholders) ids.push_back(s.id);
  return ids;
}

wf::ParticipantStatus StatusOf(const ReadModels& models, const char* briefing,
                               const char* stakeholder) {
  auto b = models.Briefing(briefing);
  REQUIRE(b);
  const wf::Participant* p = b->state.FindParticipant(stakeholder);
  REQUIRE(p != nullptr);
  return p->status;
}

TEST_CASE("The read models equal a fresh fold of the log", "[read_models]") {
  StoreUnderTest store(GENERATE("memory", "rocksdb"));
  const Lifecycle at = AppendLifecycle(*store);
  ReadModels models(*store);
  REQUIRE(models.Open());
  CHECK(models.position() == at.end);
  CHECK(models.skipped_events() == 0);
  RequireEqualsFreshFold(models, FoldLog(*store));

  // A few facts of the lifecycle, to be sure the fold is not trivially empty.
  CHECK(models.Briefing("b1")->state.status == wf::BriefingStatus::kSubmitted);
  CHECK(StatusOf(models, "b1", "ngo-a") == wf::ParticipantStatus::kAttended);
  CHECK(StatusOf(models, "b1", "ngo-c") == wf::ParticipantStatus::kDeclined);
  CHECK(StatusOf(models, "b1", "igo-d") == wf::ParticipantStatus::kLapsed);
  CHECK(StatusOf(models, "b2", "ngo-c") == wf::ParticipantStatus::kUnderReferral);
  CHECK(StatusOf(models, "b3", "ngo-c") == wf::ParticipantStatus::kInvited);
  CHECK(models.Briefing("b1")->state.referrals.at("ngo-a").outcome ==
        wf::ReferralOutcome::kAdmitted);
  CHECK(models.ContributionRequest("cr-1")->state.contributions.at("ngo-a").submissions == 2);
  CHECK(models.Briefing("nope") == std::nullopt);
  CHECK(models.Stakeholder("nope") == std::nullopt);
}

TEST_CASE("A snapshot taken anywhere, then caught up, equals a full rebuild", "[read_models]") {
  const std::string kind = GENERATE("memory", "rocksdb");
  StoreUnderTest source("memory");
  const Lifecycle at = AppendLifecycle(*source);
  const std::vector<engine::RecordedEvent> log = WholeLog(*source);
  const testing::FreshFold fold = FoldLog(*source);

  for (uint64_t cut : {uint64_t{0}, at.before_b1, at.b1_confirmed, at.b1_objection, at.b1_decided,
                       at.b1_window_closed, at.end - 1, at.end}) {
    DYNAMIC_SECTION(kind << " store, snapshot at position " << cut) {
      StoreUnderTest store(kind);
      CopyVerbatim(log, 0, cut, *store);
      {
        ReadModels first(*store);
        REQUIRE(first.Open());  // folds the prefix
        CHECK(first.position() == cut);
        REQUIRE(first.SaveSnapshot());
      }
      CopyVerbatim(log, cut, log.size(), *store);
      if (store.durable()) store.Reopen();

      RecordingStore recording(*store);
      ReadModels resumed(recording);
      REQUIRE(resumed.Open());
      // Only the events after the checkpoint were read (and the checkpoint's own, to check it).
      CHECK(recording.events_read() == at.end - cut + (cut > 0 ? 1 : 0));

      ReadModels rebuilt(*store);
      REQUIRE(rebuilt.Rebuild());
      RequireSameModels(resumed, rebuilt, fold);
      RequireEqualsFreshFold(resumed, fold);
    }
  }
}

TEST_CASE("A rebuild stored by SaveSnapshot is what the next Open loads", "[read_models]") {
  StoreUnderTest store(GENERATE("memory", "rocksdb"));
  AppendLifecycle(*store);
  const testing::FreshFold fold = FoldLog(*store);
  {
    ReadModels models(*store);
    REQUIRE(models.Rebuild());
    // Rebuild dropped the snapshot: nothing is stored until SaveSnapshot.
    CHECK(store->state().Scan("rm/")->empty());
    REQUIRE(models.SaveSnapshot());
  }
  if (store.durable()) store.Reopen();
  RecordingStore recording(*store);
  ReadModels reopened(recording);
  REQUIRE(reopened.Open());
  CHECK(recording.events_read() == 1);  // the checkpoint's event only
  RequireEqualsFreshFold(reopened, fold);
}

TEST_CASE("A full snapshot interrupted before its checkpoint leaves no snapshot", "[read_models]") {
  StoreUnderTest store(GENERATE("memory", "rocksdb"));
  AppendLifecycle(*store);
  const testing::FreshFold fold = FoldLog(*store);
  {
    RecordingStore recording(*store);
    ReadModels models(recording);
    REQUIRE(models.Rebuild());
    recording.FailStateWritesAfter(1);  // the states are written, the checkpoint is not
    auto saved = models.SaveSnapshot();
    REQUIRE_FALSE(saved);
    CHECK(saved.error().code == engine::ErrorCode::kIOError);
    CHECK_FALSE(store->state().Read("rm/checkpoint").value());
    CHECK_FALSE(store->state().Scan("rm/")->empty());  // states without a checkpoint
  }
  RecordingStore recording(*store);
  ReadModels reopened(recording);
  REQUIRE(reopened.Open());
  CHECK(recording.events_read() == store->Head().position);  // folded the whole log again
  RequireEqualsFreshFold(reopened, fold);
  // ...and a retry stores the snapshot.
  REQUIRE(reopened.SaveSnapshot());
  CHECK(store->state().Read("rm/checkpoint").value());
}

TEST_CASE("Open uses a snapshot only when it matches its format and the log", "[read_models]") {
  StoreUnderTest store(GENERATE("memory", "rocksdb"));
  const Lifecycle at = AppendLifecycle(*store);
  {
    ReadModels models(*store);
    REQUIRE(models.Open());
    REQUIRE(models.SaveSnapshot());
  }
  // Tamper with a stored state: only a ReadModels that loads the snapshot can show it.
  const std::string key = "rm/conference-session/cop-12";
  json entry = json::parse(store->state().Read(key)->value());
  entry["state"]["title"] = "Tampered";
  REQUIRE(store->state().Write({{{key, entry.dump()}}, {}}));
  json checkpoint = json::parse(store->state().Read("rm/checkpoint")->value());
  CHECK(checkpoint["position"] == at.end);
  CHECK(checkpoint["format_version"] == 1);

  auto title_after_open = [&] {
    ReadModels models(*store);
    REQUIRE(models.Open());
    CHECK(models.position() == at.end);
    return models.ConferenceSession("cop-12")->state.title;
  };

  SECTION("a snapshot of this format and this log is loaded as it is") {
    CHECK(title_after_open() == "Tampered");
    ReadModels models(*store);
    REQUIRE(models.Open());
    REQUIRE(models.Rebuild());
    CHECK(models.ConferenceSession("cop-12")->state.title == "Twelfth session");
  }
  SECTION("a snapshot of another format version is rebuilt") {
    checkpoint["format_version"] = 999;
    REQUIRE(store->state().Write({{{"rm/checkpoint", checkpoint.dump()}}, {}}));
    CHECK(title_after_open() == "Twelfth session");
    // ...and dropped: the next SaveSnapshot stores every state in the current format.
    CHECK_FALSE(store->state().Read("rm/checkpoint").value());
    CHECK(store->state().Scan("rm/")->empty());
  }
  SECTION("a checkpoint naming another event than the log's is rebuilt") {
    checkpoint["hash"] = std::string(64, 'a');
    REQUIRE(store->state().Write({{{"rm/checkpoint", checkpoint.dump()}}, {}}));
    CHECK(title_after_open() == "Twelfth session");
  }
  SECTION("a checkpoint beyond the head is rebuilt") {
    checkpoint["position"] = at.end + 5;
    REQUIRE(store->state().Write({{{"rm/checkpoint", checkpoint.dump()}}, {}}));
    CHECK(title_after_open() == "Twelfth session");
  }
  SECTION("a state that does not decode is rebuilt") {
    REQUIRE(store->state().Write({{{"rm/briefing/b1", "{\"version\":3}"}}, {}}));
    CHECK(title_after_open() == "Twelfth session");
  }
  SECTION("an unknown kind of key is rebuilt") {
    REQUIRE(store->state().Write({{{"rm/spaceship/s1", "{}"}}, {}}));
    CHECK(title_after_open() == "Twelfth session");
  }
}

TEST_CASE("A snapshot stores only what changed since the last one", "[read_models]") {
  StoreUnderTest store("memory");
  AppendLifecycle(*store);
  RecordingStore recording(*store);
  ReadModels models(recording);
  REQUIRE(models.Open());
  CHECK(recording.state_writes().empty());  // Open stores nothing
  REQUIRE(models.SaveSnapshot());
  // The first snapshot: everything, then the checkpoint alone. 2 sessions, 2 groups, 2 meetings,
  // 8 stakeholders, 3 briefings, 3 referrals, 4 others; the participations of 8 stakeholders.
  REQUIRE(recording.state_writes().size() == 2);
  CHECK(recording.state_writes()[0].size() == 2 + 2 + 2 + 8 + 3 + 3 + 4 + 8);
  CHECK(recording.state_writes()[1] == std::vector<std::string>{"rm/checkpoint"});

  recording.Reset();
  REQUIRE(models.SaveSnapshot());
  CHECK(recording.state_writes().empty());  // nothing changed: nothing written

  AppendEvents(
      *store,
      {wf::EcosocStatusChanged{"ngo-c", wf::EcosocStatus::kNone, At("2026-07-21T00:00:00Z")},
       wf::StakeholderInvited{"b2", "igo-d", wf::StakeholderCategory::kIgo, "cop-12"}},
      SecretariatMetadata("2026-07-21T00:00:00Z"));
  REQUIRE(models.CatchUp());
  REQUIRE(models.SaveSnapshot());
  REQUIRE(recording.state_writes().size() == 1);
  auto keys = recording.state_writes()[0];
  std::sort(keys.begin(), keys.end());
  CHECK(keys == std::vector<std::string>{"rm/briefing/b2", "rm/checkpoint",
                                         "rm/participations/igo-d", "rm/stakeholder/ngo-c"});

  // And a reopen sees both changes.
  ReadModels reopened(*store);
  REQUIRE(reopened.Open());
  RequireEqualsFreshFold(reopened, FoldLog(*store));
}

TEST_CASE("Referrals are filtered by status and Working Group", "[read_models]") {
  StoreUnderTest store(GENERATE("memory", "rocksdb"));
  AppendLifecycle(*store);
  ReadModels models(*store);
  REQUIRE(models.Open());
  using S = wf::ReferralStatus;
  CHECK(Ids(models.Referrals({})) == std::vector<std::string>{"b1.ngo-a", "b2.ngo-c", "b3.ngo-c"});
  CHECK(Ids(models.Referrals({S::kPending, ""})) == std::vector<std::string>{"b2.ngo-c"});
  CHECK(Ids(models.Referrals({S::kDecided, ""})) == std::vector<std::string>{"b1.ngo-a"});
  CHECK(Ids(models.Referrals({S::kWithdrawn, ""})) == std::vector<std::string>{"b3.ngo-c"});
  CHECK(Ids(models.Referrals({std::nullopt, "wg-tip"})) ==
        std::vector<std::string>{"b1.ngo-a", "b3.ngo-c"});
  CHECK(Ids(models.Referrals({std::nullopt, "wg-som"})) == std::vector<std::string>{"b2.ngo-c"});
  CHECK(Ids(models.Referrals({S::kPending, "wg-som"})) == std::vector<std::string>{"b2.ngo-c"});
  CHECK(Ids(models.Referrals({S::kPending, "wg-tip"})).empty());
  CHECK(Ids(models.Referrals({std::nullopt, "wg-none"})).empty());

  // The Working Group decides the pending one: it moves from pending to decided.
  Scenario s(*store);
  s.Do(models.Referral("b2.ngo-c"), wf::DecideReferral{"b2.ngo-c", "not_admitted", "No."},
       s.As(wf::Role::kWorkingGroup, "2026-07-22T09:00:00Z", "", "wg-som"));
  REQUIRE(models.CatchUp());
  CHECK(Ids(models.Referrals({S::kPending, ""})).empty());
  CHECK(Ids(models.Referrals({S::kDecided, ""})) ==
        std::vector<std::string>{"b1.ngo-a", "b2.ngo-c"});
  CHECK(Ids(models.Referrals({S::kDecided, "wg-som"})) == std::vector<std::string>{"b2.ngo-c"});
  CHECK(StatusOf(models, "b2", "ngo-c") == wf::ParticipantStatus::kExcluded);
}

TEST_CASE("A stakeholder's participations are listed in order of first appearance",
          "[read_models]") {
  StoreUnderTest store(GENERATE("memory", "rocksdb"));
  AppendLifecycle(*store);
  ReadModels models(*store);
  REQUIRE(models.Open());
  using P = wf::Participation;
  CHECK(models.ParticipationsOf("ngo-a") ==
        std::vector<P>{{"briefing", "b1", "attended"},
                       {"briefing", "b2", "invited"},
                       {"observer_invitation", "oi-1", "accepted"},
                       {"contribution_request", "cr-1", "accepted"},
                       {"report", "r-1", "author"}});
  CHECK(models.ParticipationsOf("ngo-b") ==
        std::vector<P>{{"contribution_request", "cr-1", "invited"}});
  CHECK(models.ParticipationsOf("ngo-c") == std::vector<P>{{"briefing", "b1", "declined"},
                                                           {"briefing", "b2", "under_referral"},
                                                           {"briefing", "b3", "invited"}});
  CHECK(models.ParticipationsOf("igo-d") ==
        std::vector<P>{{"briefing", "b1", "lapsed"}, {"report", "r-1", "author"}});
  // States Parties and signatories attend without invitation (59(f)).
  CHECK(models.ParticipationsOf("state-p") == std::vector<P>{{"briefing", "b1", "attended"}});
  CHECK(models.ParticipationsOf("state-s") ==
        std::vector<P>{{"briefing", "b1", "attended"}, {"state_participation", "sp-1", "funded"}});
  CHECK(models.ParticipationsOf("nobody").empty());
}

TEST_CASE("Eligible lists the relevant stakeholders entitled at the previous session",
          "[read_models]") {
  StoreUnderTest store(GENERATE("memory", "rocksdb"));
  AppendLifecycle(*store);
  ReadModels models(*store);
  REQUIRE(models.Open());

  const EligibleList july = models.Eligible(Day("2026-07-15"));
  REQUIRE(july.conference_session);
  CHECK(july.conference_session->id == "cop-12");
  // state-p is entitled but not a relevant stakeholder; ngo-b only at the older session.
  CHECK(Ids(july.stakeholders) ==
        std::vector<std::string>{"igo-d", "ngo-a", "ngo-c", "state-n", "un-e"});
  CHECK(july.stakeholders[1].name == "Stakeholder ngo-a");

  // The previous session ends strictly before the date: on cop-12's last day it is cop-11.
  const EligibleList last_day = models.Eligible(Day("2024-10-18"));
  REQUIRE(last_day.conference_session);
  CHECK(last_day.conference_session->id == "cop-11");
  CHECK(Ids(last_day.stakeholders) == std::vector<std::string>{"ngo-b"});
  CHECK(models.Eligible(Day("2024-10-19")).conference_session->id == "cop-12");

  const EligibleList before_all = models.Eligible(Day("2022-10-21"));
  CHECK_FALSE(before_all.conference_session);
  CHECK(before_all.stakeholders.empty());

  // The workflows' own rule, over every session and stakeholder, agrees.
  const auto sessions = models.ConferenceSessions();
  const auto stakeholders = models.Stakeholders();
  const wf::Eligibility rule =
      wf::EligibleStakeholders(Day("2026-07-15"), sessions, stakeholders, wf::RulesConfig{});
  CHECK(rule.stakeholders == Ids(july.stakeholders));
}

TEST_CASE("Due confirmation deadlines follow convening, closing and rescheduling",
          "[read_models]") {
  StoreUnderTest store(GENERATE("memory", "rocksdb"));
  const Lifecycle at = AppendLifecycle(*store);
  ReadModels models(*store);
  REQUIRE(models.Open());

  // b1's window is closed and b3 is cancelled: only b2's deadline is open.
  REQUIRE(models.NextConfirmationDeadline() == at.b2_deadline);
  CHECK(models.DueConfirmationWindowCloses(at.b2_deadline).empty());  // due only after it
  const wf::TimePoint just_after = at.b2_deadline + std::chrono::microseconds(1);
  CHECK(models.DueConfirmationWindowCloses(just_after) ==
        std::vector<wf::CloseConfirmationWindow>{{"b2", at.b2_deadline}});

  // The timer closes it: nothing is due any more.
  Scenario s(*store);
  s.Do(models.Briefing("b2"), wf::CloseConfirmationWindow{"b2", at.b2_deadline},
       s.As(wf::Role::kSystem, wf::FormatInstant(at.b2_deadline)));
  REQUIRE(models.CatchUp());
  CHECK_FALSE(models.NextConfirmationDeadline());
  CHECK(models.DueConfirmationWindowCloses(At("2100-01-01T00:00:00Z")).empty());
  CHECK(StatusOf(models, "b2", "ngo-a") == wf::ParticipantStatus::kLapsed);

  // Rescheduling makes a new deadline, open again.
  s.Do(models.Briefing("b2"), wf::RescheduleBriefing{"b2", "2026-09-10"},
       s.Secretariat("2026-08-31T09:00:00Z"));
  REQUIRE(models.CatchUp());
  const wf::TimePoint new_deadline = *models.Briefing("b2")->state.confirmation_deadline;
  CHECK(new_deadline > at.b2_deadline);
  CHECK(models.NextConfirmationDeadline() == new_deadline);
  CHECK(StatusOf(models, "b2", "ngo-a") == wf::ParticipantStatus::kInvited);
}

TEST_CASE("Events the read models cannot fold are passed over and counted", "[read_models]") {
  StoreUnderTest store(GENERATE("memory", "rocksdb"));
  ReadModels models(*store);
  REQUIRE(models.Open());
  engine::AppendRequest request;
  auto raw = [](std::string type, std::string data) {
    return engine::ProposedEvent{std::move(type), std::move(data), SecretariatMetadata(""), false};
  };
  // An unknown type, data that does not decode, and a valid event on a stream not its own.
  request.writes.push_back({"other-1", engine::ExpectedVersion::Any(), {raw("Unheard", "{}")}});
  request.writes.push_back(
      {"briefing-b9", engine::ExpectedVersion::Any(), {raw("BriefingRequested", "{\"x\":1}")}});
  wf::Event session =
      wf::ConferenceSessionRegistered{"cop-99", "T", Day("2030-01-01"), Day("2030-01-02")};
  request.writes.push_back({"conference-session-cop-98",
                            engine::ExpectedVersion::Any(),
                            {wf::ToProposedEvent(session, SecretariatMetadata(""))}});
  REQUIRE(store->Append(request));
  AppendEvents(*store, {session}, SecretariatMetadata(""));  // the same, on its own stream

  REQUIRE(models.CatchUp());
  CHECK(models.position() == 4);
  CHECK(models.skipped_events() == 3);
  CHECK_FALSE(models.Briefing("b9"));
  CHECK_FALSE(models.ConferenceSession("cop-98"));
  REQUIRE(models.ConferenceSession("cop-99"));
  CHECK(models.ConferenceSession("cop-99")->version == 1);

  // The count is part of the snapshot, and as-of reads pass over the same events.
  REQUIRE(models.SaveSnapshot());
  ReadModels reopened(*store);
  REQUIRE(reopened.Open());
  CHECK(reopened.skipped_events() == 3);
  CHECK_FALSE(BriefingAsOf(*store, "b9", 4).value());
  CHECK(ConferenceSessionAsOf(*store, "cop-99", 4).value()->version == 1);
  CHECK_FALSE(ConferenceSessionAsOf(*store, "cop-98", 4).value());
}

// Many small appends of briefings and stakeholders, for the long-log and concurrency cases.
// One unit of generated events: a stakeholder, a briefing it is invited to and confirms.
std::vector<wf::Event> GeneratedUnit(int u) {
  const std::string n = std::to_string(u);
  const std::string b = "gen-b" + n;
  return {
      wf::StakeholderRegistered{"gen-s" + n,
                                "Generated " + n,
                                wf::StakeholderCategory::kNgo,
                                wf::EcosocStatus::kGeneral,
                                {}},
      wf::ObserverEntitlementRecorded{"gen-s" + n, "cop-12", ""},
      wf::BriefingRequested{b, "Generated briefing " + n, "pres"},
      wf::BriefingConvened{b, "m-tip", "wg-tip", Day("2026-07-14"), Day("2026-07-16"),
                           Day("2026-07-15"), "Europe/Vienna", At("2026-07-05T21:59:59Z"),
                           "bureau-1"},
      wf::StakeholderInvited{b, "gen-s" + n, wf::StakeholderCategory::kNgo, "cop-12"},
      wf::StakeholderInvited{b, "ngo-a", wf::StakeholderCategory::kNgo, "cop-12"},
      wf::AttendanceConfirmed{b, "gen-s" + n, "Comment " + n, {}, At("2026-07-01T09:00:00Z")},
  };
}

void AppendMany(engine::EventStore& store, int units, int first = 0) {
  for (int u = first; u < first + units; ++u) {
    AppendEvents(store, GeneratedUnit(u), SecretariatMetadata("2026-07-01T09:00:00Z"));
  }
}

// Appends a generated unit as one request and returns its result (with the events as stored).
engine::AppendResult AppendUnit(engine::EventStore& store, int u) {
  engine::AppendRequest request;
  const engine::EventMetadata metadata = SecretariatMetadata("2026-07-01T09:00:00Z");
  for (const wf::Event& event : GeneratedUnit(u)) {
    std::string stream = wf::StreamOf(event);
    if (request.writes.empty() || request.writes.back().stream != stream) {
      request.writes.push_back({std::move(stream), engine::ExpectedVersion::Any(), {}});
    }
    request.writes.back().events.push_back(wf::ToProposedEvent(event, metadata));
  }
  auto result = store.Append(request);
  REQUIRE(result);
  REQUIRE(result->events.size() == 7);
  return std::move(*result);
}

TEST_CASE("Apply folds an append's own events without reading them back", "[read_models]") {
  StoreUnderTest store(GENERATE("memory", "rocksdb"));
  AppendLifecycle(*store);
  RecordingStore recording(*store);
  ReadModels models(recording);
  REQUIRE(models.Open());
  recording.Reset();

  // In order: each append's events fold as handed over; nothing is read from the store.
  for (int u = 0; u < 3; ++u) {
    const engine::AppendResult appended = AppendUnit(*store, u);
    auto reached = models.Apply(appended.events, GeneratedUnit(u));
    REQUIRE(reached);
    CHECK(*reached == appended.last_position);
  }
  CHECK(recording.events_read() == 0);
  CHECK(models.Stakeholder("gen-s2"));
  CHECK(StatusOf(models, "gen-b1", "gen-s1") == wf::ParticipantStatus::kConfirmed);

  // Out of order: another writer's commit came between, so the later one catches up from the
  // store (folding both); the earlier one, handed over after, is passed over.
  const engine::AppendResult first = AppendUnit(*store, 3);
  const engine::AppendResult second = AppendUnit(*store, 4);
  auto reached = models.Apply(second.events, GeneratedUnit(4));
  REQUIRE(reached);
  CHECK(*reached == second.last_position);
  CHECK(recording.events_read() == 14);
  reached = models.Apply(first.events, GeneratedUnit(3));
  REQUIRE(reached);
  CHECK(*reached == second.last_position);
  reached = models.Apply(second.events, GeneratedUnit(4));  // again: already folded
  REQUIRE(reached);
  CHECK(*reached == second.last_position);
  CHECK(recording.events_read() == 14);

  // Partly folded (a reader caught up halfway through): only the rest is folded.
  const engine::AppendResult third = AppendUnit(*store, 5);
  std::vector<engine::RecordedEvent> head_part(third.events.begin(), third.events.begin() + 3);
  std::vector<wf::Event> decided_head = GeneratedUnit(5);
  decided_head.resize(3);
  REQUIRE(models.Apply(head_part, std::move(decided_head)));
  CHECK(models.position() == third.first_position + 2);
  reached = models.Apply(third.events, GeneratedUnit(5));
  REQUIRE(reached);
  CHECK(*reached == third.last_position);
  CHECK(recording.events_read() == 14);

  // Lists that do not pair up: the events are read from the store, not guessed at.
  const engine::AppendResult fourth = AppendUnit(*store, 6);
  reached = models.Apply(fourth.events, {});
  REQUIRE(reached);
  CHECK(*reached == fourth.last_position);
  CHECK(recording.events_read() == 21);
  CHECK(models.Stakeholder("gen-s6"));

  CHECK(models.skipped_events() == 0);
  RequireEqualsFreshFold(models, FoldLog(*store));
}

TEST_CASE("A long log folds the same through the read-ahead threads", "[read_models]") {
  StoreUnderTest store(GENERATE("memory", "rocksdb"));
  AppendLifecycle(*store);
  AppendMany(*store, 520);  // 3,640 events more: four pages and a short one
  ReadModels models(*store);
  REQUIRE(models.Open());
  CHECK(models.position() == store->Head().position);
  CHECK(models.skipped_events() == 0);
  RequireEqualsFreshFold(models, FoldLog(*store));
  CHECK(models.ParticipationsOf("ngo-a").size() == 5 + 520);
  CHECK(models.ParticipationsOf("gen-s7") ==
        std::vector<wf::Participation>{{"briefing", "gen-b7", "confirmed"}});
}

TEST_CASE("CatchUp from four threads while a writer appends ends as a single fold",
          "[read_models]") {
  StoreUnderTest store(GENERATE("memory", "rocksdb"));
  AppendLifecycle(*store);
  ReadModels models(*store);
  REQUIRE(models.Open());

  std::atomic<bool> writing{true};
  std::atomic<int> failures{0};
  std::thread writer([&] {
    AppendMany(*store, 400);
    writing = false;
  });
  std::vector<std::thread> catchers;
  for (int t = 0; t < 4; ++t) {
    catchers.emplace_back([&] {
      uint64_t last = 0;
      while (writing.load() || last < store->Head().position) {
        auto reached = models.CatchUp();
        if (!reached || *reached < last) ++failures;
        if (reached) last = *reached;
      }
    });
  }
  std::thread reader([&] {
    uint64_t seen = 0;
    while (writing.load()) {
      // Readers run alongside and get copies; the position they see never goes back.
      const uint64_t position = models.position();
      if (position < seen) ++failures;
      seen = position;
      for (const auto& b : models.Briefings()) {
        if (!b.exists()) ++failures;
      }
      (void)models.ParticipationsOf("ngo-a");
    }
  });
  writer.join();
  for (auto& t : catchers) t.join();
  reader.join();
  CHECK(failures == 0);

  REQUIRE(models.CatchUp());
  CHECK(models.position() == store->Head().position);
  const testing::FreshFold fold = FoldLog(*store);
  RequireEqualsFreshFold(models, fold);
  ReadModels single(*store);
  REQUIRE(single.Rebuild());
  RequireSameModels(models, single, fold);
}

// What a projector's Await answered, waited for (the answer comes on the projector's thread).
// Shared with the callback, which may outlive a failed wait.
class AwaitAnswer {
 public:
  static std::shared_ptr<AwaitAnswer> Ask(Projector& projector, uint64_t position) {
    auto answer = std::make_shared<AwaitAnswer>();
    projector.Await(position, [answer](bool ok) {
      std::lock_guard lock(answer->mu_);
      answer->folded_ = ok;
      answer->cv_.notify_all();
    });
    return answer;
  }
  bool Wait() {
    std::unique_lock lock(mu_);
    REQUIRE(cv_.wait_for(lock, std::chrono::seconds(60), [&] { return folded_.has_value(); }));
    return *folded_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<bool> folded_;
};

// A lifecycle in the log, read models opened before it, and the log's reads failing.
struct UnreadableLog {
  UnreadableLog() {
    REQUIRE(models.Open());
    head = testing::AppendLifecycle(store).end;
    store.FailReads(true);
  }
  std::unique_ptr<engine::EventStore> inner = engine::NewInMemoryEventStore();
  RecordingStore store{*inner};
  ReadModels models{store};
  uint64_t head = 0;
};

TEST_CASE("A reader awaiting the projector is told when its fold fails", "[projector]") {
  UnreadableLog log;
  RecordingStore& store = log.store;
  ReadModels& models = log.models;
  const uint64_t head = log.head;
  Projector projector(store, models, std::chrono::milliseconds(10));
  projector.Start();

  CHECK_FALSE(AwaitAnswer::Ask(projector, head)->Wait());
  CHECK(models.position() < head);
  CHECK(projector.failures() >= 1);

  // Readable again: the projector's retry folds the log, and the next wait is answered.
  store.FailReads(false);
  CHECK(AwaitAnswer::Ask(projector, head)->Wait());
  CHECK(models.position() == head);
  projector.Stop();
}

TEST_CASE("A reader that comes while a fold fails waits for the next fold", "[projector]") {
  UnreadableLog log;
  RecordingStore& store = log.store;
  ReadModels& models = log.models;
  const uint64_t head = log.head;
  Projector projector(store, models, std::chrono::hours(1));  // no retry: only a wait wakes it

  // Inside the failing read, on the projector's thread: the log becomes readable and a reader
  // comes. The fold under way still fails; the reader is answered by the next one.
  std::promise<std::shared_ptr<AwaitAnswer>> late;
  store.DuringFailedRead([&] {
    store.FailReads(false);
    late.set_value(AwaitAnswer::Ask(projector, head));
  });
  projector.Start();
  CHECK(late.get_future().get()->Wait());
  CHECK(models.position() == head);
  CHECK(projector.failures() == 1);
  projector.Stop();
}

// Not tagged [projector]: it needs the RocksDB store (a completer thread), which TSan's run leaves
// out (scripts/tsan.sh).
TEST_CASE("The projector reads nothing back when the appends' completions fold their events",
          "[projector-reads]") {
  StoreUnderTest inner("rocksdb");
  RecordingStore store(*inner);
  ReadModels models(store);
  REQUIRE(models.Open());
  Projector projector(store, models);
  projector.Start();

  // Many appends in flight at once, each folded by its completion, as a command's is: the store
  // runs the completions of a commit before it tells the projector of it.
  constexpr int kAppends = 300;
  std::atomic<int> completed{0};
  std::atomic<int> failed{0};
  for (int i = 0; i < kAppends; ++i) {
    const wf::Event registered = wf::StakeholderRegistered{"ngo-" + std::to_string(i),
                                                           "NGO",
                                                           wf::StakeholderCategory::kNgo,
                                                           wf::EcosocStatus::kNone,
                                                           {}};
    engine::AppendRequest append = testing::AppendRequestOf(
        {registered}, testing::SecretariatMetadata("2026-06-01T09:00:00Z"));
    store.AppendAsync(std::move(append),
                      [&, registered](engine::Result<engine::AppendResult> appended) {
                        if (!appended || !models.Apply(appended->events, {registered})) ++failed;
                        ++completed;
                      });
  }
  const auto patience = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (completed < kAppends && std::chrono::steady_clock::now() < patience) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  REQUIRE(completed == kAppends);
  CHECK(failed == 0);
  CHECK(AwaitAnswer::Ask(projector, store.Head().position)->Wait());
  CHECK(models.position() == kAppends);
  CHECK(store.events_read() == 0);
  CHECK(projector.failures() == 0);
  projector.Stop();
}

}  // namespace
}  // namespace dialogue::projections
