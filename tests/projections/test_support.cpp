#include "tests/projections/test_support.hpp"

#include <set>

namespace dialogue::projections::testing {

namespace {

using wf::Role;

template <class State>
void FoldInto(FreshFold::Map<State>& map, const std::string& id, const wf::Event& event,
              std::optional<uint64_t> version) {
  auto& entry = map[id];
  entry.state = wf::Evolve(std::move(entry.state), event);
  if (version) entry.version = *version;
}

template <class State, class Get>
void RequireTableEquals(const FreshFold::Map<State>& expected, Get get, const char* kind) {
  for (const auto& [id, entry] : expected) {
    INFO(kind << " " << id);
    auto actual = get(id);
    if (!entry.state.exists()) {
      CHECK_FALSE(actual.has_value());
      continue;
    }
    REQUIRE(actual.has_value());
    CHECK(actual->state == entry.state);
    CHECK(actual->version == entry.version);
  }
}

template <class State>
size_t CountExisting(const FreshFold::Map<State>& map) {
  size_t n = 0;
  for (const auto& [id, entry] : map) n += entry.state.exists() ? 1 : 0;
  return n;
}

template <class State>
void RequireSame(const std::optional<Versioned<State>>& a,
                 const std::optional<Versioned<State>>& b) {
  REQUIRE(a.has_value() == b.has_value());
  if (!a) return;
  CHECK(a->state == b->state);
  CHECK(a->version == b->version);
}

}  // namespace

Lifecycle AppendLifecycle(engine::EventStore& store) {
  Scenario s(store);
  ReadModels& m = s.driver();
  Lifecycle at;
  const std::string t0 = "2026-06-01T09:00:00Z";

  // Reference data.
  s.Do(m.ConferenceSession("cop-11"),
       wf::RegisterConferenceSession{"cop-11", "Eleventh session", "2022-10-17", "2022-10-21"},
       s.Secretariat(t0));
  s.Do(m.ConferenceSession("cop-12"),
       wf::RegisterConferenceSession{"cop-12", "Twelfth session", "2024-10-14", "2024-10-18"},
       s.Secretariat(t0));
  s.Do(m.WorkingGroup("wg-tip"), wf::RegisterWorkingGroup{"wg-tip", "Trafficking", "tip"},
       s.Secretariat(t0));
  s.Do(m.WorkingGroup("wg-som"), wf::RegisterWorkingGroup{"wg-som", "Smuggling", "som"},
       s.Secretariat(t0));
  s.Do(m.Meeting("m-tip"), wf::ScheduleMeeting{"m-tip", "wg-tip", "2026-07-14", "2026-07-16", true},
       s.Secretariat(t0));
  s.Do(m.Meeting("m-som"), wf::ScheduleMeeting{"m-som", "wg-som", "2026-09-08", "2026-09-10", true},
       s.Secretariat(t0));
  struct NewStakeholder {
    const char* id;
    const char* category;
    const char* ecosoc;
  };
  for (const NewStakeholder& n :
       {NewStakeholder{"ngo-a", "ngo", "special"}, NewStakeholder{"ngo-b", "ngo", "none"},
        NewStakeholder{"ngo-c", "ngo", "general"}, NewStakeholder{"igo-d", "igo", nullptr},
        NewStakeholder{"un-e", "un_entity", nullptr},
        NewStakeholder{"state-n", "non_signatory_state", nullptr},
        NewStakeholder{"state-p", "state_party", nullptr},
        NewStakeholder{"state-s", "signatory_state", nullptr}}) {
    wf::RegisterStakeholder command{n.id, std::string("Stakeholder ") + n.id, n.category, {}, {}};
    if (n.ecosoc != nullptr) command.ecosoc_status = n.ecosoc;
    s.Do(m.Stakeholder(n.id), command, s.Secretariat(t0));
  }
  for (const char* id : {"ngo-a", "ngo-c", "igo-d", "un-e", "state-n", "state-p"}) {
    s.Do(m.Stakeholder(id), wf::RecordObserverEntitlement{id, "cop-12", "17"}, s.Secretariat(t0));
  }
  // ngo-b was entitled at the older session only.
  s.Do(m.Stakeholder("ngo-b"), wf::RecordObserverEntitlement{"ngo-b", "cop-11", ""},
       s.Secretariat(t0));
  at.before_b1 = store.Head().position;

  // b1: the whole lifecycle.
  s.Do(m.Briefing("b1"), wf::RequestBriefing{"b1", "Prevention and victims"},
       s.As(Role::kPresident, "2026-06-02T09:00:00Z"));
  s.Do(m.Briefing("b1"), wf::ConveneBriefing{"b1", "m-tip", "2026-07-15", "bureau-1", {}},
       s.Secretariat("2026-06-03T09:00:00Z"));
  at.b1_invited = s.Do(m.Briefing("b1"), wf::InviteStakeholders{"b1", {}, true},
                       s.Secretariat("2026-06-04T09:00:00Z"));
  at.b1_confirmed =
      s.Do(m.Briefing("b1"),
           wf::ConfirmAttendance{"b1", "ngo-a", "We will speak on assistance to victims."},
           s.As(Role::kStakeholder, "2026-06-10T09:00:00Z", "ngo-a"));
  s.Do(m.Briefing("b1"), wf::DeclineInvitation{"b1", "ngo-c"},
       s.As(Role::kStakeholder, "2026-06-11T09:00:00Z", "ngo-c"));
  at.b1_objection = s.Do(m.Briefing("b1"), wf::RaiseObjection{"b1", "ngo-a", "Not independent."},
                         s.As(Role::kState, "2026-06-12T09:00:00Z", "state-p"));

  // Others, interleaved with b1 in the log.
  s.Do(m.Briefing("b2"), wf::RequestBriefing{"b2", "Smuggling of migrants"},
       s.As(Role::kPresident, "2026-06-13T09:00:00Z"));
  s.Do(m.Briefing("b2"), wf::ConveneBriefing{"b2", "m-som", "2026-09-09", "bureau-2", {}},
       s.Secretariat("2026-06-13T10:00:00Z"));
  s.Do(m.Briefing("b2"), wf::InviteStakeholders{"b2", {"ngo-a", "ngo-c"}, false},
       s.Secretariat("2026-06-13T11:00:00Z"));
  s.Do(m.ObserverInvitation("oi-1"), wf::InviteObserver{"oi-1", "m-tip", "ngo-a", "prevention"},
       s.As(Role::kWorkingGroup, "2026-06-15T09:00:00Z", "", "wg-tip"));
  s.Do(m.ObserverInvitation("oi-1"), wf::AnswerObserverInvitation{"oi-1", true},
       s.As(Role::kStakeholder, "2026-06-16T09:00:00Z", "ngo-a"));
  s.Do(m.ContributionRequest("cr-1"),
       wf::RequestContributions{"cr-1", {"ngo-a", "ngo-b"}, "2026-08-01"},
       s.As(Role::kWorkingGroup, "2026-06-15T10:00:00Z", "", "wg-tip"));

  at.b1_decided =
      s.Do(m.Referral("b1.ngo-a"), wf::DecideReferral{"b1.ngo-a", "admitted", "Independent."},
           s.As(Role::kWorkingGroup, "2026-06-20T09:00:00Z", "", "wg-tip"));

  s.Do(m.ContributionRequest("cr-1"),
       wf::SubmitContribution{"cr-1", "ngo-a", "Our shelters in Viet Nam and elsewhere."},
       s.As(Role::kStakeholder, "2026-06-21T09:00:00Z", "ngo-a"));
  s.Do(m.ContributionRequest("cr-1"),
       wf::ReviewContribution{"cr-1", "ngo-a", "returned", "Names a country."},
       s.Secretariat("2026-06-22T09:00:00Z"));
  s.Do(m.ContributionRequest("cr-1"),
       wf::SubmitContribution{"cr-1", "ngo-a", "Our shelters and hotlines."},
       s.As(Role::kStakeholder, "2026-06-23T09:00:00Z", "ngo-a"));

  // b3: an objection withdrawn, then the briefing cancelled.
  s.Do(m.Briefing("b3"), wf::RequestBriefing{"b3", "Victim assistance"},
       s.As(Role::kPresident, "2026-06-24T09:00:00Z"));
  s.Do(m.Briefing("b3"), wf::ConveneBriefing{"b3", "m-tip", "2026-07-16", "bureau-1", {}},
       s.Secretariat("2026-06-24T10:00:00Z"));
  s.Do(m.Briefing("b3"), wf::InviteStakeholders{"b3", {"ngo-c"}, false},
       s.Secretariat("2026-06-24T11:00:00Z"));
  s.Do(m.Briefing("b3"), wf::RaiseObjection{"b3", "ngo-c", "Conflict of interest."},
       s.As(Role::kState, "2026-06-25T09:00:00Z", "state-p"));
  s.Do(m.Referral("b3.ngo-c"), wf::WithdrawObjection{"b3.ngo-c", "Clarified."},
       s.As(Role::kState, "2026-06-26T09:00:00Z", "state-p"));
  s.Do(m.Briefing("b3"), wf::CancelBriefing{"b3", "Agenda too full."},
       s.Secretariat("2026-06-27T09:00:00Z"));

  // b1's deadline passes: the timer closes the window; the unconfirmed lapse.
  const wf::TimePoint b1_deadline = *m.Briefing("b1")->state.confirmation_deadline;
  wf::Context timer = s.As(Role::kSystem, wf::FormatInstant(b1_deadline));
  at.b1_window_closed =
      s.Do(m.Briefing("b1"), wf::CloseConfirmationWindow{"b1", b1_deadline}, timer);

  // b2: ngo-c confirms; state-p objects (pending at the end).
  s.Do(m.Briefing("b2"), wf::ConfirmAttendance{"b2", "ngo-c", ""},
       s.As(Role::kStakeholder, "2026-07-06T09:00:00Z", "ngo-c"));
  s.Do(m.Briefing("b2"), wf::RaiseObjection{"b2", "ngo-c", "Not independent."},
       s.As(Role::kState, "2026-07-07T09:00:00Z", "state-p"));
  at.b2_deadline = *m.Briefing("b2")->state.confirmation_deadline;

  // b1 is held, summarized and submitted.
  at.b1_held = s.Do(m.Briefing("b1"), wf::RecordAttendance{"b1", {"ngo-a"}, {"state-p", "state-s"}},
                    s.Secretariat("2026-07-15T16:00:00Z"));
  s.Do(m.Briefing("b1"), wf::PrepareSummary{"b1", "Participants discussed prevention."},
       s.Secretariat("2026-07-16T09:00:00Z"));
  s.Do(m.Briefing("b1"), wf::SubmitSummary{"b1", "CTOC/COP/WG.4/2026/CRP.1", {}},
       s.Secretariat("2026-07-17T09:00:00Z"));

  // A report and a State participation.
  s.Do(m.Report("r-1"),
       wf::SubmitStakeholderReport{"r-1",
                                   {"ngo-a", "igo-d"},
                                   "conference",
                                   "Our work",
                                   "What we did to implement the recommendations."},
       s.As(Role::kStakeholder, "2026-07-18T09:00:00Z", "ngo-a"));
  s.Do(m.StateParticipation("sp-1"),
       wf::RequestStateParticipation{"sp-1", "state-s", "second-cycle", {}},
       s.As(Role::kState, "2026-07-19T09:00:00Z", "state-s"));
  s.Do(m.StateParticipation("sp-1"),
       wf::FundStateParticipation{"sp-1", "voluntary_contributions", 25000.5, "donor-x"},
       s.Secretariat("2026-07-20T09:00:00Z"));

  at.end = store.Head().position;
  return at;
}

FreshFold FoldLog(const engine::EventStore& store) {
  FreshFold fold;
  uint64_t after = 0;
  while (true) {
    auto page = store.ReadAll(after, 100);
    REQUIRE(page);
    if (page->empty()) break;
    for (const auto& recorded : *page) {
      after = recorded.position;
      auto event = wf::DecodeEvent(recorded);
      if (!event) continue;
      const std::string& stream = recorded.stream;
      auto id_after = [&stream](std::string_view prefix) -> std::optional<std::string> {
        if (!stream.starts_with(prefix)) return std::nullopt;
        return stream.substr(prefix.size());
      };
      const uint64_t v = recorded.version;
      if (auto id = id_after("conference-session-")) {
        FoldInto(fold.sessions, *id, *event, v);
      } else if (auto id = id_after("working-group-")) {
        FoldInto(fold.working_groups, *id, *event, v);
      } else if (auto id = id_after("meeting-")) {
        FoldInto(fold.meetings, *id, *event, v);
      } else if (auto id = id_after("stakeholder-")) {
        FoldInto(fold.stakeholders, *id, *event, v);
      } else if (auto id = id_after("briefing-")) {
        FoldInto(fold.briefings, *id, *event, v);
      } else if (auto id = id_after("referral-")) {
        FoldInto(fold.referrals, *id, *event, v);
        // The briefing's state folds its referrals' events too.
        std::visit(
            [&fold, &event](const auto& e) {
              if constexpr (requires { e.briefing; }) {
                if (fold.briefings.contains(e.briefing)) {
                  FoldInto(fold.briefings, e.briefing, *event, std::nullopt);
                }
              }
            },
            *event);
      } else if (auto id = id_after("observer-invitation-")) {
        FoldInto(fold.observer_invitations, *id, *event, v);
      } else if (auto id = id_after("contribution-request-")) {
        FoldInto(fold.contribution_requests, *id, *event, v);
      } else if (auto id = id_after("report-")) {
        FoldInto(fold.reports, *id, *event, v);
      } else if (auto id = id_after("state-participation-")) {
        FoldInto(fold.state_participations, *id, *event, v);
      }
    }
  }
  return fold;
}

void RequireEqualsFreshFold(const ReadModels& m, const FreshFold& fold) {
  RequireTableEquals(
      fold.sessions, [&](const std::string& id) { return m.ConferenceSession(id); }, "session");
  RequireTableEquals(
      fold.working_groups, [&](const std::string& id) { return m.WorkingGroup(id); }, "group");
  RequireTableEquals(
      fold.meetings, [&](const std::string& id) { return m.Meeting(id); }, "meeting");
  RequireTableEquals(
      fold.stakeholders, [&](const std::string& id) { return m.Stakeholder(id); }, "stakeholder");
  RequireTableEquals(
      fold.briefings, [&](const std::string& id) { return m.Briefing(id); }, "briefing");
  RequireTableEquals(
      fold.referrals, [&](const std::string& id) { return m.Referral(id); }, "referral");
  RequireTableEquals(
      fold.observer_invitations, [&](const std::string& id) { return m.ObserverInvitation(id); },
      "observer invitation");
  RequireTableEquals(
      fold.contribution_requests, [&](const std::string& id) { return m.ContributionRequest(id); },
      "contribution request");
  RequireTableEquals(
      fold.reports, [&](const std::string& id) { return m.Report(id); }, "report");
  RequireTableEquals(
      fold.state_participations, [&](const std::string& id) { return m.StateParticipation(id); },
      "State participation");
  CHECK(m.ConferenceSessions().size() == CountExisting(fold.sessions));
  CHECK(m.WorkingGroups().size() == CountExisting(fold.working_groups));
  CHECK(m.Meetings().size() == CountExisting(fold.meetings));
  CHECK(m.Stakeholders().size() == CountExisting(fold.stakeholders));
  CHECK(m.Briefings().size() == CountExisting(fold.briefings));
  CHECK(m.Referrals({}).size() == CountExisting(fold.referrals));
}

void RequireSameModels(const ReadModels& a, const ReadModels& b, const FreshFold& ids) {
  CHECK(a.position() == b.position());
  CHECK(a.ConferenceSessions() == b.ConferenceSessions());
  CHECK(a.WorkingGroups() == b.WorkingGroups());
  CHECK(a.Meetings() == b.Meetings());
  CHECK(a.Stakeholders() == b.Stakeholders());
  CHECK(a.Briefings() == b.Briefings());
  CHECK(a.Referrals({}) == b.Referrals({}));
  for (const auto& [id, entry] : ids.sessions)
    RequireSame(a.ConferenceSession(id), b.ConferenceSession(id));
  for (const auto& [id, entry] : ids.working_groups)
    RequireSame(a.WorkingGroup(id), b.WorkingGroup(id));
  for (const auto& [id, entry] : ids.meetings) RequireSame(a.Meeting(id), b.Meeting(id));
  for (const auto& [id, entry] : ids.stakeholders) {
    RequireSame(a.Stakeholder(id), b.Stakeholder(id));
    CHECK(a.ParticipationsOf(id) == b.ParticipationsOf(id));
  }
  for (const auto& [id, entry] : ids.briefings) RequireSame(a.Briefing(id), b.Briefing(id));
  for (const auto& [id, entry] : ids.referrals) RequireSame(a.Referral(id), b.Referral(id));
  for (const auto& [id, entry] : ids.observer_invitations) {
    RequireSame(a.ObserverInvitation(id), b.ObserverInvitation(id));
  }
  for (const auto& [id, entry] : ids.contribution_requests) {
    RequireSame(a.ContributionRequest(id), b.ContributionRequest(id));
  }
  for (const auto& [id, entry] : ids.reports) RequireSame(a.Report(id), b.Report(id));
  for (const auto& [id, entry] : ids.state_participations) {
    RequireSame(a.StateParticipation(id), b.StateParticipation(id));
  }
  for (auto status : {wf::ReferralStatus::kPending, wf::ReferralStatus::kDecided,
                      wf::ReferralStatus::kWithdrawn}) {
    CHECK(a.Referrals({status, ""}) == b.Referrals({status, ""}));
  }
  for (const char* group : {"wg-tip", "wg-som"}) {
    CHECK(a.Referrals({std::nullopt, group}) == b.Referrals({std::nullopt, group}));
  }
  for (const char* date : {"2022-10-22", "2024-10-19", "2026-07-15"}) {
    const EligibleList ea = a.Eligible(Day(date));
    const EligibleList eb = b.Eligible(Day(date));
    CHECK(ea.conference_session == eb.conference_session);
    CHECK(ea.stakeholders == eb.stakeholders);
  }
  CHECK(a.NextConfirmationDeadline() == b.NextConfirmationDeadline());
  const wf::TimePoint far = At("2100-01-01T00:00:00Z");
  CHECK(a.DueConfirmationWindowCloses(far) == b.DueConfirmationWindowCloses(far));
}

}  // namespace dialogue::projections::testing
