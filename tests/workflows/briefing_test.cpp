// Briefings, paragraph 59: each rule's breaking command is refused with its code, the compliant
// one accepted, and the lifecycle of briefings, participants and referrals.
#include "workflows/briefing.hpp"

#include <catch2/catch.hpp>

#include "world.hpp"

namespace dialogue::workflows {
namespace {

using testing::At;
using testing::Failed;
using testing::Local;
using testing::RuleOf;
using testing::World;

ParticipantStatus StatusOf(World& w, const std::string& briefing, const std::string& sid) {
  const Participant* p = w.Briefing(briefing).FindParticipant(sid);
  REQUIRE(p != nullptr);
  return p->status;
}

// A convened b1 (15 July 2026 on the margins of m1) with ngo-a, ngo-b, igo-x invited.
World Invited() {
  World w;
  w.Standard();
  w.Convened("b1");
  auto invited = w.Do(InviteStakeholders{"b1", {"ngo-a", "ngo-b", "igo-x"}, false},
                      w.Secretariat(At("2026-05-03T09:00:00Z")));
  REQUIRE(invited);
  return w;
}

TEST_CASE("A briefing goes from requested to submitted", "[briefing]") {
  World w = Invited();
  REQUIRE(w.Do(ConfirmAttendance{"b1", "ngo-a", "Looking forward."},
               w.StakeholderRep("ngo-a", At("2026-06-01T10:00:00Z"))));
  REQUIRE(w.Do(RecordAttendance{"b1", {"ngo-a"}, {"sp-1", "sig-2"}},
               w.Secretariat(At("2026-07-15T15:00:00Z"))));
  CHECK(w.Briefing("b1").status == BriefingStatus::kHeld);
  CHECK(StatusOf(w, "b1", "ngo-a") == ParticipantStatus::kAttended);
  REQUIRE(w.Do(PrepareSummary{"b1", "Stakeholders discussed technical assistance needs."},
               w.Secretariat(At("2026-07-16T09:00:00Z"))));
  CHECK(w.Briefing("b1").status == BriefingStatus::kSummarized);
  REQUIRE(w.Do(SubmitSummary{"b1", "CTOC/COP/WG.4/2026/CRP.1", std::nullopt},
               w.Secretariat(At("2026-07-17T09:00:00Z"))));
  const BriefingState& b = w.Briefing("b1");
  CHECK(b.status == BriefingStatus::kSubmitted);
  CHECK(b.summary->crp_symbol == "CTOC/COP/WG.4/2026/CRP.1");
  CHECK(b.attending_states == std::vector<std::string>{"sp-1", "sig-2"});
}

// --- 59(a) ---

TEST_CASE("59(a): only the President requests a briefing", "[briefing][59(a)]") {
  World w;
  w.Standard();
  auto by_secretariat =
      w.Do(RequestBriefing{"b1", "Outcomes"}, w.Secretariat(At("2026-05-01T09:00:00Z")));
  CHECK(RuleOf(by_secretariat) == "59(a)");
  auto by_bureau = w.Do(RequestBriefing{"b1", "Outcomes"},
                        w.As(Role::kBureau, "bur-x", At("2026-05-01T09:00:00Z")));
  CHECK(Failed(by_bureau, RefusalCode::kForbidden));
  CHECK_FALSE(w.Briefing("b1").exists());

  Context recorded = w.Secretariat(At("2026-05-01T09:00:00Z"));
  recorded.on_behalf_of = "pres-lee";
  auto on_behalf = w.Do(RequestBriefing{"b1", "Outcomes"}, recorded);
  REQUIRE(on_behalf);
  CHECK(w.Briefing("b1").requested_by == "pres-lee");
  CHECK(Failed(w.Do(RequestBriefing{"b1", "Again"}, w.President(At("2026-05-01T10:00:00Z"))),
               RefusalCode::kAlreadyExists));
}

TEST_CASE("59(a): convening needs a Bureau member", "[briefing][59(a)]") {
  World w;
  w.Standard();
  REQUIRE(w.Do(RequestBriefing{"b1", "Outcomes"}, w.President(At("2026-05-01T09:00:00Z"))));
  auto without = w.Do(ConveneBriefing{"b1", "m1", "2026-07-15", "  ", std::nullopt},
                      w.Secretariat(At("2026-05-02T09:00:00Z")));
  CHECK(RuleOf(without) == "59(a)");
  auto with = w.Do(ConveneBriefing{"b1", "m1", "2026-07-15", "bureau-vp", std::nullopt},
                   w.Secretariat(At("2026-05-02T09:00:00Z")));
  REQUIRE(with);
  const BriefingState& b = w.Briefing("b1");
  CHECK(b.status == BriefingStatus::kConvened);
  CHECK(b.working_group == "wg-tip");
  CHECK(b.timezone == "Europe/Vienna");
  CHECK(b.confirmation_deadline == At("2026-07-05T21:59:59Z"));
}

TEST_CASE("59(a): on the margins is one day before opening to two days after closing",
          "[briefing][59(a)]") {
  // m1 runs 2026-07-13 to 2026-07-17.
  const auto [date, ok] = GENERATE(table<const char*, bool>({{"2026-07-11", false},
                                                             {"2026-07-12", true},
                                                             {"2026-07-15", true},
                                                             {"2026-07-19", true},
                                                             {"2026-07-20", false}}));
  World w;
  w.Standard();
  REQUIRE(w.Do(RequestBriefing{"b1", "Outcomes"}, w.President(At("2026-05-01T09:00:00Z"))));
  auto convened = w.Do(ConveneBriefing{"b1", "m1", date, "bureau-vp", std::nullopt},
                       w.Secretariat(At("2026-05-02T09:00:00Z")));
  INFO(date);
  if (ok) {
    CHECK(convened);
  } else {
    CHECK(RuleOf(convened) == "59(a)");
  }
}

TEST_CASE("59(a): rescheduling stays on the margins of the same meeting", "[briefing][59(a)]") {
  World w;
  w.Standard();
  w.Convened("b1");
  CHECK(RuleOf(w.Do(RescheduleBriefing{"b1", "2026-07-25"},
                    w.Secretariat(At("2026-05-04T09:00:00Z")))) == "59(a)");
  REQUIRE(w.Do(RescheduleBriefing{"b1", "2026-07-18"}, w.Secretariat(At("2026-05-04T09:00:00Z"))));
  CHECK(w.Briefing("b1").date == *ParseDate("date", "2026-07-18"));
  CHECK(w.Briefing("b1").confirmation_deadline == At("2026-07-08T21:59:59Z"));
}

TEST_CASE("Convening names known things and happens once", "[briefing]") {
  World w;
  w.Standard();
  CHECK(Failed(w.Do(ConveneBriefing{"nope", "m1", "2026-07-15", "bureau-vp", std::nullopt},
                    w.Secretariat(At("2026-05-02T09:00:00Z"))),
               RefusalCode::kNotFound));
  REQUIRE(w.Do(RequestBriefing{"b1", "Outcomes"}, w.President(At("2026-05-01T09:00:00Z"))));
  CHECK(Failed(w.Do(ConveneBriefing{"b1", "m9", "2026-07-15", "bureau-vp", std::nullopt},
                    w.Secretariat(At("2026-05-02T09:00:00Z"))),
               RefusalCode::kNotFound));
  CHECK(Failed(w.Do(ConveneBriefing{"b1", "m1", "2026-07-15", "bureau-vp", "Mars/Olympus"},
                    w.Secretariat(At("2026-05-02T09:00:00Z"))),
               RefusalCode::kInvalidArgument));
  CHECK(Failed(w.Do(ConveneBriefing{"b1", "m1", "15/07/2026", "bureau-vp", std::nullopt},
                    w.Secretariat(At("2026-05-02T09:00:00Z"))),
               RefusalCode::kInvalidArgument));
  REQUIRE(w.Do(ConveneBriefing{"b1", "m1", "2026-07-15", "bureau-vp", std::nullopt},
               w.Secretariat(At("2026-05-02T09:00:00Z"))));
  CHECK(Failed(w.Do(ConveneBriefing{"b1", "m1", "2026-07-16", "bureau-vp", std::nullopt},
                    w.Secretariat(At("2026-05-02T10:00:00Z"))),
               RefusalCode::kAlreadyExists));
}

TEST_CASE("occurred_at may be in the past but never in the future", "[briefing]") {
  World w;
  w.Standard();
  Context future = w.President(testing::kNow + std::chrono::seconds{1});
  CHECK(Failed(w.Do(RequestBriefing{"b1", "Outcomes"}, future), RefusalCode::kInvalidArgument));
  CHECK(w.Do(RequestBriefing{"b1", "Outcomes"}, w.President(At("2001-01-01T00:00:00Z"))));
}

// --- 59(c) ---

TEST_CASE("59(c): relevant stakeholders entitled at the previous session are invited",
          "[briefing][59(c)]") {
  World w;
  w.Standard();
  w.Convened("b1");
  auto invited = w.Do(InviteStakeholders{"b1", {"ngo-a", "igo-x", "un-y", "nss-z"}, false},
                      w.Secretariat(At("2026-05-03T09:00:00Z")));
  REQUIRE(invited);
  CHECK(invited->size() == 4);
  for (const auto& e : *invited) {
    REQUIRE(std::holds_alternative<StakeholderInvited>(e));
    CHECK(std::get<StakeholderInvited>(e).conference_session == "cop-12");
  }
  CHECK(StatusOf(w, "b1", "nss-z") == ParticipantStatus::kInvited);
}

TEST_CASE("59(c): a list with one ineligible stakeholder is refused whole", "[briefing][59(c)]") {
  World w;
  w.Standard();
  w.Convened("b1");
  auto refused = w.Do(InviteStakeholders{"b1", {"ngo-a", "ngo-e"}, false},
                      w.Secretariat(At("2026-05-03T09:00:00Z")));
  CHECK(RuleOf(refused) == "59(c)");
  CHECK(refused.error().message.find("ngo-e was not entitled") != std::string::npos);
  CHECK(w.Briefing("b1").participants.empty());
}

TEST_CASE("59(c): States Parties are not invited, they attend under 59(f)", "[briefing][59(c)]") {
  World w;
  w.Standard();
  w.Convened("b1");
  CHECK(RuleOf(w.Do(InviteStakeholders{"b1", {"sp-1"}, false},
                    w.Secretariat(At("2026-05-03T09:00:00Z")))) == "59(c)");
}

TEST_CASE("59(c): entitlement at an older session does not count", "[briefing][59(c)]") {
  World w;
  w.Standard();
  w.Convened("b1");
  // ngo-d was entitled at cop-11 only; cop-12 is the previous session.
  CHECK(RuleOf(w.Do(InviteStakeholders{"b1", {"ngo-d"}, false},
                    w.Secretariat(At("2026-05-03T09:00:00Z")))) == "59(c)");
}

TEST_CASE("59(c): the previous session is the latest ending strictly before the briefing date",
          "[briefing][59(c)]") {
  World w;
  w.Standard();
  // A session ending on the briefing date itself is not previous to it.
  w.Session("cop-13", "2026-07-10", "2026-07-15");
  w.Entitle("ngo-e", "cop-13");
  w.Convened("b1", "2026-07-15");
  CHECK(RuleOf(w.Do(InviteStakeholders{"b1", {"ngo-e"}, false},
                    w.Secretariat(At("2026-05-03T09:00:00Z")))) == "59(c)");
  CHECK(
      w.Do(InviteStakeholders{"b1", {"ngo-a"}, false}, w.Secretariat(At("2026-05-03T09:00:00Z"))));

  // Moved to the day after, cop-13 ended strictly before: it is now the previous session.
  REQUIRE(w.Do(RescheduleBriefing{"b1", "2026-07-16"}, w.Secretariat(At("2026-05-04T09:00:00Z"))));
  CHECK(
      w.Do(InviteStakeholders{"b1", {"ngo-e"}, false}, w.Secretariat(At("2026-05-04T10:00:00Z"))));
  CHECK(RuleOf(w.Do(InviteStakeholders{"b1", {"ngo-b"}, false},
                    w.Secretariat(At("2026-05-04T10:00:00Z")))) == "59(c)");

  std::vector<ConferenceSessionState> sessions;
  for (const auto& [id, s] : w.sessions) sessions.push_back(s);
  CHECK(PreviousConferenceSession(sessions, *ParseDate("d", "2026-07-15"))->id == "cop-12");
  CHECK(PreviousConferenceSession(sessions, *ParseDate("d", "2026-07-16"))->id == "cop-13");
  CHECK(PreviousConferenceSession(sessions, *ParseDate("d", "2025-10-17"))->id == "cop-11");
  CHECK_FALSE(PreviousConferenceSession(sessions, *ParseDate("d", "2024-10-18")));
}

TEST_CASE("59(c): all_eligible invites everyone eligible not yet invited", "[briefing][59(c)]") {
  World w;
  w.Standard();
  w.Convened("b1");
  REQUIRE(
      w.Do(InviteStakeholders{"b1", {"ngo-a"}, false}, w.Secretariat(At("2026-05-03T09:00:00Z"))));
  auto all = w.Do(InviteStakeholders{"b1", {}, true}, w.Secretariat(At("2026-05-03T10:00:00Z")));
  REQUIRE(all);
  std::vector<std::string> ids;
  for (const auto& e : *all) ids.push_back(std::get<StakeholderInvited>(e).stakeholder);
  CHECK(ids == std::vector<std::string>{"igo-x", "ngo-b", "ngo-c", "nss-z", "un-y"});
  // Nobody is left: refused rather than accepted with no event.
  CHECK(Failed(w.Do(InviteStakeholders{"b1", {}, true}, w.Secretariat(At("2026-05-03T11:00:00Z"))),
               RefusalCode::kAlreadyExists));

  const auto& b = w.Briefing("b1");
  std::vector<StakeholderState> all_stakeholders;
  for (const auto& [id, s] : w.stakeholders) all_stakeholders.push_back(s);
  std::vector<ConferenceSessionState> sessions;
  for (const auto& [id, s] : w.sessions) sessions.push_back(s);
  auto eligible = EligibleStakeholders(*b.date, sessions, all_stakeholders, RulesConfig{});
  CHECK(eligible.conference_session->id == "cop-12");
  CHECK(eligible.stakeholders ==
        std::vector<std::string>{"igo-x", "ngo-a", "ngo-b", "ngo-c", "nss-z", "un-y"});
}

TEST_CASE("59(c): all_eligible with no previous session is refused", "[briefing][59(c)]") {
  World w;
  w.Session("cop-12", "2025-10-13", "2025-10-17");
  w.WorkingGroup("wg-tip");
  w.Meeting("m0", "wg-tip", "2025-06-01", "2025-06-05");
  REQUIRE(w.Do(RequestBriefing{"b0", "Early"}, w.President(At("2025-05-01T09:00:00Z"))));
  REQUIRE(w.Do(ConveneBriefing{"b0", "m0", "2025-06-02", "bureau-vp", std::nullopt},
               w.Secretariat(At("2025-05-01T10:00:00Z"))));
  CHECK(RuleOf(w.Do(InviteStakeholders{"b0", {}, true},
                    w.Secretariat(At("2025-05-01T11:00:00Z")))) == "59(c)");
}

TEST_CASE("Invitation lists are checked before anything is invited", "[briefing]") {
  World w = Invited();
  CHECK(Failed(w.Do(InviteStakeholders{"b1", {"ngo-c", "ngo-a"}, false},
                    w.Secretariat(At("2026-05-04T09:00:00Z"))),
               RefusalCode::kAlreadyExists));
  CHECK(Failed(w.Do(InviteStakeholders{"b1", {"ngo-c", "ngo-zz"}, false},
                    w.Secretariat(At("2026-05-04T09:00:00Z"))),
               RefusalCode::kNotFound));
  CHECK(Failed(w.Do(InviteStakeholders{"b1", {"ngo-c", "ngo-c"}, false},
                    w.Secretariat(At("2026-05-04T09:00:00Z"))),
               RefusalCode::kInvalidArgument));
  CHECK(Failed(w.Do(InviteStakeholders{"b1", {}, false}, w.Secretariat(At("2026-05-04T09:00:00Z"))),
               RefusalCode::kInvalidArgument));
  CHECK(Failed(w.Do(InviteStakeholders{"b1", {"ngo-c"}, false},
                    w.StakeholderRep("ngo-c", At("2026-05-04T09:00:00Z"))),
               RefusalCode::kForbidden));
  CHECK(w.Briefing("b1").FindParticipant("ngo-c") == nullptr);
}

// --- 59(e) ---

TEST_CASE("59(e): a confirmation after the deadline is refused, in words", "[briefing][59(e)]") {
  World w = Invited();
  auto late = w.Do(ConfirmAttendance{"b1", "ngo-b", ""},
                   w.StakeholderRep("ngo-b", Local("2026-07-06 00:30:00")));
  REQUIRE(RuleOf(late) == "59(e)");
  CHECK(late.error().message ==
        "ngo-b's confirmation at 2026-07-06 00:30 (Europe/Vienna) is after the deadline "
        "2026-07-05 23:59:59 for the briefing of 2026-07-15 (rule 59(e))");
  CHECK(StatusOf(w, "b1", "ngo-b") == ParticipantStatus::kInvited);
}

struct EdgeCase {
  const char* label;
  const char* meeting_starts;
  const char* meeting_ends;
  const char* briefing_date;
  const char* last_day;  // briefing date - 10 days
  const char* next_day;
};

TEST_CASE("59(e): 23:59:59 local on the tenth day before is in time, 00:00:00 next day is late",
          "[briefing][59(e)][dst]") {
  const EdgeCase edge = GENERATE(
      EdgeCase{"summer", "2026-07-13", "2026-07-17", "2026-07-15", "2026-07-05", "2026-07-06"},
      EdgeCase{"winter", "2026-01-19", "2026-01-23", "2026-01-20", "2026-01-10", "2026-01-11"},
      EdgeCase{"spring DST day", "2026-04-07", "2026-04-10", "2026-04-08", "2026-03-29",
               "2026-03-30"},
      EdgeCase{"day before spring DST", "2026-04-07", "2026-04-10", "2026-04-07", "2026-03-28",
               "2026-03-29"},
      EdgeCase{"autumn DST day", "2026-11-03", "2026-11-06", "2026-11-04", "2026-10-25",
               "2026-10-26"},
      EdgeCase{"day before autumn DST", "2026-11-03", "2026-11-06", "2026-11-03", "2026-10-24",
               "2026-10-25"});
  INFO(edge.label);
  World w;
  w.Standard();
  w.Meeting("m-edge", "wg-tip", edge.meeting_starts, edge.meeting_ends);
  REQUIRE(w.Do(RequestBriefing{"be", "Edge"}, w.President(At("2025-11-01T09:00:00Z"))));
  REQUIRE(w.Do(ConveneBriefing{"be", "m-edge", edge.briefing_date, "bureau-vp", std::nullopt},
               w.Secretariat(At("2025-11-02T09:00:00Z"))));
  REQUIRE(w.Do(InviteStakeholders{"be", {"ngo-a", "ngo-b", "ngo-c"}, false},
               w.Secretariat(At("2025-11-03T09:00:00Z"))));
  const std::string last(edge.last_day);
  const std::string next(edge.next_day);

  CHECK(w.Do(ConfirmAttendance{"be", "ngo-a", ""},
             w.StakeholderRep("ngo-a", Local(last + " 23:59:59"))));
  // 23:59:59 is the last valid instant (RULES.md 59(e)): half a second later is late.
  CHECK(RuleOf(w.Do(ConfirmAttendance{"be", "ngo-b", ""},
                    w.StakeholderRep("ngo-b", Local(last + " 23:59:59") +
                                                  std::chrono::milliseconds{500}))) == "59(e)");
  CHECK(RuleOf(w.Do(ConfirmAttendance{"be", "ngo-c", ""},
                    w.StakeholderRep("ngo-c", Local(next + " 00:00:00")))) == "59(e)");
  CHECK(w.Briefing("be").confirmation_deadline == Local(last + " 23:59:59"));
}

TEST_CASE("59(e): only invited stakeholders confirm, each for itself", "[briefing][59(e)]") {
  World w = Invited();
  CHECK(RuleOf(w.Do(ConfirmAttendance{"b1", "ngo-c", ""},
                    w.StakeholderRep("ngo-c", At("2026-06-01T10:00:00Z")))) == "59(e)");
  CHECK(Failed(w.Do(ConfirmAttendance{"b1", "ngo-a", ""},
                    w.StakeholderRep("ngo-b", At("2026-06-01T10:00:00Z"))),
               RefusalCode::kForbidden));
  // The Secretariat records a stakeholder's confirmation.
  CHECK(w.Do(ConfirmAttendance{"b1", "ngo-a", ""}, w.Secretariat(At("2026-06-01T10:00:00Z"))));
  CHECK(Failed(w.Do(ConfirmAttendance{"b1", "ngo-a", ""},
                    w.StakeholderRep("ngo-a", At("2026-06-02T10:00:00Z"))),
               RefusalCode::kAlreadyExists));
}

TEST_CASE("59(b): written comments are screened for country mentions", "[briefing][59(b)]") {
  World w = Invited();
  auto confirmed =
      w.Do(ConfirmAttendance{"b1", "ngo-a", "Our work in Viet Nam and Turkey continues."},
           w.StakeholderRep("ngo-a", At("2026-06-01T10:00:00Z")));
  REQUIRE(confirmed);
  const auto& e = std::get<AttendanceConfirmed>(confirmed->front());
  REQUIRE(e.country_mentions.size() == 2);
  CHECK(e.country_mentions[0].country == "VN");
  CHECK(e.country_mentions[0].offset == 12);
  CHECK(e.country_mentions[1].country == "TR");
  CHECK(w.Briefing("b1").FindParticipant("ngo-a")->country_mentions == e.country_mentions);
}

TEST_CASE("59(e): rescheduling keeps confirmations and recomputes the deadline",
          "[briefing][59(e)]") {
  World w = Invited();
  REQUIRE(w.Do(ConfirmAttendance{"b1", "ngo-a", ""},
               w.StakeholderRep("ngo-a", At("2026-06-01T10:00:00Z"))));
  REQUIRE(w.Do(RescheduleBriefing{"b1", "2026-07-12"}, w.Secretariat(At("2026-06-02T09:00:00Z"))));
  CHECK(StatusOf(w, "b1", "ngo-a") == ParticipantStatus::kConfirmed);
  // The new deadline is the end of 2 July.
  CHECK(RuleOf(w.Do(ConfirmAttendance{"b1", "ngo-b", ""},
                    w.StakeholderRep("ngo-b", Local("2026-07-03 00:00:00")))) == "59(e)");
  CHECK(w.Do(ConfirmAttendance{"b1", "ngo-b", ""},
             w.StakeholderRep("ngo-b", Local("2026-07-02 23:59:59"))));
}

TEST_CASE("A stakeholder declines at its word, declining twice is a conflict", "[briefing]") {
  World w = Invited();
  REQUIRE(w.Do(DeclineInvitation{"b1", "ngo-b"},
               w.StakeholderRep("ngo-b", At("2026-06-01T10:00:00Z"))));
  CHECK(StatusOf(w, "b1", "ngo-b") == ParticipantStatus::kDeclined);
  CHECK(Failed(
      w.Do(DeclineInvitation{"b1", "ngo-b"}, w.StakeholderRep("ngo-b", At("2026-06-01T11:00:00Z"))),
      RefusalCode::kAlreadyExists));
  CHECK(Failed(
      w.Do(DeclineInvitation{"b1", "ngo-a"}, w.StakeholderRep("ngo-b", At("2026-06-01T11:00:00Z"))),
      RefusalCode::kForbidden));
}

// --- 59(d) ---

TEST_CASE("59(d): a State Party's objection refers the NGO to the Working Group",
          "[briefing][59(d)]") {
  World w = Invited();
  auto objected = w.Do(RaiseObjection{"b1", "ngo-a", "Not a genuine NGO"},
                       w.StateRep("sp-1", At("2026-06-01T10:00:00Z")));
  REQUIRE(objected);
  REQUIRE(objected->size() == 2);
  CHECK(StreamOf((*objected)[0]) == "briefing-b1");
  CHECK(StreamOf((*objected)[1]) == "referral-b1.ngo-a");
  CHECK(std::get<ReferredToWorkingGroup>((*objected)[1]).working_group == "wg-tip");
  CHECK(StatusOf(w, "b1", "ngo-a") == ParticipantStatus::kUnderReferral);
  CHECK(w.referrals["b1.ngo-a"].status == ReferralStatus::kPending);
  CHECK(Failed(
      w.Do(RaiseObjection{"b1", "ngo-a", "Again"}, w.StateRep("sp-2", At("2026-06-01T11:00:00Z"))),
      RefusalCode::kAlreadyExists));
}

TEST_CASE("59(d): only a State Party may object", "[briefing][59(d)]") {
  World w = Invited();
  CHECK(RuleOf(w.Do(RaiseObjection{"b1", "ngo-a", "grounds"},
                    w.StateRep("sig-2", At("2026-06-01T10:00:00Z")))) == "59(d)");
  CHECK(RuleOf(w.Do(RaiseObjection{"b1", "ngo-a", "grounds"},
                    w.StateRep("nss-z", At("2026-06-01T10:00:00Z")))) == "59(d)");
  CHECK(Failed(w.Do(RaiseObjection{"b1", "ngo-a", "grounds"},
                    w.StakeholderRep("ngo-b", At("2026-06-01T10:00:00Z"))),
               RefusalCode::kForbidden));
  CHECK(StatusOf(w, "b1", "ngo-a") == ParticipantStatus::kInvited);
}

TEST_CASE("59(d): objections concern NGOs only", "[briefing][59(d)]") {
  World w = Invited();
  CHECK(RuleOf(w.Do(RaiseObjection{"b1", "igo-x", "grounds"},
                    w.StateRep("sp-1", At("2026-06-01T10:00:00Z")))) == "59(d)");
}

TEST_CASE("59(d): while a referral is pending the NGO cannot be recorded as attending",
          "[briefing][59(d)]") {
  World w = Invited();
  REQUIRE(w.Do(ConfirmAttendance{"b1", "ngo-a", ""},
               w.StakeholderRep("ngo-a", At("2026-06-01T09:00:00Z"))));
  REQUIRE(w.Do(RaiseObjection{"b1", "ngo-a", "grounds"},
               w.StateRep("sp-1", At("2026-06-01T10:00:00Z"))));
  CHECK(RuleOf(w.Do(RecordAttendance{"b1", {"ngo-a"}, {}},
                    w.Secretariat(At("2026-07-15T15:00:00Z")))) == "59(d)");
  // Held without it, the NGO under referral is neither attended nor absent.
  REQUIRE(w.Do(RecordAttendance{"b1", {}, {"sp-1"}}, w.Secretariat(At("2026-07-15T15:00:00Z"))));
  CHECK(StatusOf(w, "b1", "ngo-a") == ParticipantStatus::kUnderReferral);
}

TEST_CASE("59(d): admitted returns the NGO to its status, not admitted excludes it",
          "[briefing][59(d)]") {
  World w = Invited();
  REQUIRE(w.Do(ConfirmAttendance{"b1", "ngo-a", ""},
               w.StakeholderRep("ngo-a", At("2026-06-01T09:00:00Z"))));
  REQUIRE(w.Do(RaiseObjection{"b1", "ngo-a", "grounds"},
               w.StateRep("sp-1", At("2026-06-01T10:00:00Z"))));
  REQUIRE(w.Do(RaiseObjection{"b1", "ngo-b", "grounds"},
               w.StateRep("sp-1", At("2026-06-01T10:00:00Z"))));
  // Another group may not decide.
  CHECK(Failed(w.Do(DecideReferral{"b1.ngo-a", "admitted", ""},
                    w.Group("wg-som", At("2026-06-10T10:00:00Z"))),
               RefusalCode::kForbidden));
  REQUIRE(w.Do(DecideReferral{"b1.ngo-a", "admitted", "Meets rule 17(2)"},
               w.Group("wg-tip", At("2026-06-10T10:00:00Z"))));
  REQUIRE(w.Do(DecideReferral{"b1.ngo-b", "not_admitted", "Does not"},
               w.Group("wg-tip", At("2026-06-10T10:00:00Z"))));
  CHECK(StatusOf(w, "b1", "ngo-a") == ParticipantStatus::kConfirmed);
  CHECK(StatusOf(w, "b1", "ngo-b") == ParticipantStatus::kExcluded);
  CHECK(w.referrals["b1.ngo-a"].outcome == ReferralOutcome::kAdmitted);
  CHECK(Failed(w.Do(DecideReferral{"b1.ngo-a", "not_admitted", ""},
                    w.Group("wg-tip", At("2026-06-11T10:00:00Z"))),
               RefusalCode::kAlreadyExists));
  // The decision stands for this briefing: no new objection, and the excluded cannot attend.
  CHECK(RuleOf(w.Do(RaiseObjection{"b1", "ngo-a", "again"},
                    w.StateRep("sp-2", At("2026-06-12T10:00:00Z")))) == "59(d)");
  CHECK(RuleOf(w.Do(ConfirmAttendance{"b1", "ngo-b", ""},
                    w.StakeholderRep("ngo-b", At("2026-06-12T10:00:00Z")))) == "59(d)");
  CHECK(RuleOf(w.Do(RecordAttendance{"b1", {"ngo-b"}, {}},
                    w.Secretariat(At("2026-07-15T15:00:00Z")))) == "59(d)");
  CHECK(w.Do(RecordAttendance{"b1", {"ngo-a"}, {}}, w.Secretariat(At("2026-07-15T15:00:00Z"))));
}

TEST_CASE("59(d): the decision covers this briefing only", "[briefing][59(d)]") {
  World w = Invited();
  REQUIRE(w.Do(RaiseObjection{"b1", "ngo-b", "grounds"},
               w.StateRep("sp-1", At("2026-06-01T10:00:00Z"))));
  REQUIRE(w.Do(DecideReferral{"b1.ngo-b", "not_admitted", ""},
               w.Group("wg-tip", At("2026-06-10T10:00:00Z"))));
  w.Convened("b2", "2026-07-16");
  REQUIRE(
      w.Do(InviteStakeholders{"b2", {"ngo-b"}, false}, w.Secretariat(At("2026-06-11T09:00:00Z"))));
  CHECK(w.Do(ConfirmAttendance{"b2", "ngo-b", ""},
             w.StakeholderRep("ngo-b", At("2026-06-12T10:00:00Z"))));
  CHECK(StatusOf(w, "b2", "ngo-b") == ParticipantStatus::kConfirmed);
}

TEST_CASE("59(d): the objecting State may withdraw before the decision, and only it",
          "[briefing][59(d)]") {
  World w = Invited();
  REQUIRE(w.Do(RaiseObjection{"b1", "ngo-a", "grounds"},
               w.StateRep("sp-1", At("2026-06-01T10:00:00Z"))));
  CHECK(Failed(w.Do(WithdrawObjection{"b1.ngo-a", "changed mind"},
                    w.StateRep("sp-2", At("2026-06-02T10:00:00Z"))),
               RefusalCode::kForbidden));
  REQUIRE(w.Do(WithdrawObjection{"b1.ngo-a", "changed mind"},
               w.StateRep("sp-1", At("2026-06-02T10:00:00Z"))));
  CHECK(StatusOf(w, "b1", "ngo-a") == ParticipantStatus::kInvited);
  CHECK(w.referrals["b1.ngo-a"].status == ReferralStatus::kWithdrawn);
  CHECK(RuleOf(w.Do(DecideReferral{"b1.ngo-a", "admitted", ""},
                    w.Group("wg-tip", At("2026-06-03T10:00:00Z")))) == "59(d)");

  // A new objection opens a new round on the same referral stream; after a decision it can no
  // longer be withdrawn.
  REQUIRE(w.Do(RaiseObjection{"b1", "ngo-a", "new grounds"},
               w.StateRep("sp-2", At("2026-06-04T10:00:00Z"))));
  CHECK(w.referrals["b1.ngo-a"].objecting_state == "sp-2");
  REQUIRE(w.Do(DecideReferral{"b1.ngo-a", "admitted", ""},
               w.Group("wg-tip", At("2026-06-05T10:00:00Z"))));
  CHECK(RuleOf(w.Do(WithdrawObjection{"b1.ngo-a", "too late"},
                    w.StateRep("sp-2", At("2026-06-06T10:00:00Z")))) == "59(d)");
  CHECK(Failed(
      w.Do(WithdrawObjection{"b1.nobody", ""}, w.StateRep("sp-2", At("2026-06-06T10:00:00Z"))),
      RefusalCode::kNotFound));
}

// --- 59(f) ---

TEST_CASE("59(f): States Parties and signatories attend without invitation", "[briefing][59(f)]") {
  World w = Invited();
  w.Stakeholder("sig-tip", "non_signatory_state", "none", {{"tip", "signatory"}});
  CHECK(RuleOf(w.Do(RecordAttendance{"b1", {}, {"sp-1", "nss-z"}},
                    w.Secretariat(At("2026-07-15T15:00:00Z")))) == "59(f)");
  CHECK(RuleOf(w.Do(RecordAttendance{"b1", {}, {"ngo-c"}},
                    w.Secretariat(At("2026-07-15T15:00:00Z")))) == "59(f)");
  CHECK(Failed(
      w.Do(RecordAttendance{"b1", {}, {"sp-404"}}, w.Secretariat(At("2026-07-15T15:00:00Z"))),
      RefusalCode::kNotFound));
  // A signatory of a Protocol only is a signatory too.
  CHECK(w.Do(RecordAttendance{"b1", {}, {"sp-1", "sig-2", "sig-tip"}},
             w.Secretariat(At("2026-07-15T15:00:00Z"))));
  CHECK(w.Briefing("b1").attending_states == std::vector<std::string>{"sp-1", "sig-2", "sig-tip"});
}

TEST_CASE("Attendance lists confirmed participants, the confirmed not listed are absent",
          "[briefing][59(e)][59(f)]") {
  World w = Invited();
  REQUIRE(w.Do(ConfirmAttendance{"b1", "ngo-a", ""},
               w.StakeholderRep("ngo-a", At("2026-06-01T09:00:00Z"))));
  REQUIRE(w.Do(ConfirmAttendance{"b1", "igo-x", ""},
               w.StakeholderRep("igo-x", At("2026-06-01T09:00:00Z"))));
  CHECK(RuleOf(w.Do(RecordAttendance{"b1", {"ngo-a", "ngo-b"}, {}},
                    w.Secretariat(At("2026-07-15T15:00:00Z")))) == "59(e)");
  CHECK(RuleOf(w.Do(RecordAttendance{"b1", {"ngo-c"}, {}},
                    w.Secretariat(At("2026-07-15T15:00:00Z")))) == "59(c)");
  REQUIRE(w.Do(RecordAttendance{"b1", {"ngo-a"}, {}}, w.Secretariat(At("2026-07-15T15:00:00Z"))));
  CHECK(StatusOf(w, "b1", "ngo-a") == ParticipantStatus::kAttended);
  CHECK(StatusOf(w, "b1", "igo-x") == ParticipantStatus::kAbsent);
  CHECK(StatusOf(w, "b1", "ngo-b") == ParticipantStatus::kInvited);
  CHECK(Failed(w.Do(RecordAttendance{"b1", {}, {}}, w.Secretariat(At("2026-07-15T16:00:00Z"))),
               RefusalCode::kAlreadyExists));
}

TEST_CASE("Attendance may be recorded before the briefing's date: the contract sets no date",
          "[briefing][59(e)]") {
  // A briefing 10+ days ahead, confirmed by the stakeholders themselves, then held: a client
  // cannot send a future occurred_at, so a date condition would make it impossible to record.
  World w = Invited();
  REQUIRE(w.Do(ConfirmAttendance{"b1", "ngo-a", ""},
               w.StakeholderRep("ngo-a", At("2026-06-01T09:00:00Z"))));
  REQUIRE(w.Do(RecordAttendance{"b1", {"ngo-a"}, {}}, w.Secretariat(At("2026-06-01T10:00:00Z"))));
  CHECK(w.Briefing("b1").status == BriefingStatus::kHeld);
  CHECK(StatusOf(w, "b1", "ngo-a") == ParticipantStatus::kAttended);
}

// --- 59(g), 59(b) ---

TEST_CASE("59(g): a summary is prepared only once the briefing is held", "[briefing][59(g)]") {
  World w = Invited();
  CHECK(RuleOf(w.Do(PrepareSummary{"b1", "Text"}, w.Secretariat(At("2026-07-14T09:00:00Z")))) ==
        "59(g)");
  CHECK(RuleOf(w.Do(SubmitSummary{"b1", "CRP.1", std::nullopt},
                    w.Secretariat(At("2026-07-14T09:00:00Z")))) == "59(g)");
  REQUIRE(w.Do(RecordAttendance{"b1", {}, {}}, w.Secretariat(At("2026-07-15T15:00:00Z"))));
  CHECK(RuleOf(w.Do(SubmitSummary{"b1", "CRP.1", std::nullopt},
                    w.Secretariat(At("2026-07-16T09:00:00Z")))) == "59(g)");
  REQUIRE(w.Do(PrepareSummary{"b1", "Draft"}, w.Secretariat(At("2026-07-16T09:00:00Z"))));
  REQUIRE(w.Do(PrepareSummary{"b1", "Revised"}, w.Secretariat(At("2026-07-16T10:00:00Z"))));
  CHECK(w.Briefing("b1").summary->text == "Revised");
  REQUIRE(
      w.Do(SubmitSummary{"b1", "CRP.1", std::nullopt}, w.Secretariat(At("2026-07-16T11:00:00Z"))));
  CHECK(Failed(
      w.Do(SubmitSummary{"b1", "CRP.2", std::nullopt}, w.Secretariat(At("2026-07-16T12:00:00Z"))),
      RefusalCode::kAlreadyExists));
  CHECK(RuleOf(w.Do(PrepareSummary{"b1", "Late"}, w.Secretariat(At("2026-07-16T12:00:00Z")))) ==
        "59(g)");
}

TEST_CASE("59(b): a summary with country mentions needs a justification to be submitted",
          "[briefing][59(b)]") {
  World w = Invited();
  REQUIRE(w.Do(RecordAttendance{"b1", {}, {}}, w.Secretariat(At("2026-07-15T15:00:00Z"))));
  auto prepared = w.Do(PrepareSummary{"b1", "Participants praised South Korea's approach."},
                       w.Secretariat(At("2026-07-16T09:00:00Z")));
  REQUIRE(prepared);
  REQUIRE(w.Briefing("b1").summary->country_mentions.size() == 1);
  CHECK(w.Briefing("b1").summary->country_mentions[0].country == "KR");
  auto refused =
      w.Do(SubmitSummary{"b1", "CRP.1", std::nullopt}, w.Secretariat(At("2026-07-16T10:00:00Z")));
  CHECK(RuleOf(refused) == "59(b)");
  CHECK(Failed(w.Do(SubmitSummary{"b1", "CRP.1", std::string(" ")},
                    w.Secretariat(At("2026-07-16T10:00:00Z"))),
               RefusalCode::kInvalidArgument));
  REQUIRE(w.Do(SubmitSummary{"b1", "CRP.1", std::string("Quoted from a public statement")},
               w.Secretariat(At("2026-07-16T10:00:00Z"))));
  CHECK(w.Briefing("b1").summary->override_justification == "Quoted from a public statement");
}

TEST_CASE("59(b): a revised summary without mentions is submitted without justification",
          "[briefing][59(b)]") {
  World w = Invited();
  REQUIRE(w.Do(RecordAttendance{"b1", {}, {}}, w.Secretariat(At("2026-07-15T15:00:00Z"))));
  REQUIRE(w.Do(PrepareSummary{"b1", "About Türkiye."}, w.Secretariat(At("2026-07-16T09:00:00Z"))));
  REQUIRE(
      w.Do(PrepareSummary{"b1", "About one region."}, w.Secretariat(At("2026-07-16T09:30:00Z"))));
  CHECK(
      w.Do(SubmitSummary{"b1", "CRP.1", std::nullopt}, w.Secretariat(At("2026-07-16T10:00:00Z"))));
}

// --- Cancellation ---

TEST_CASE("A briefing is cancelled only before it is held", "[briefing][59(a)]") {
  World w = Invited();
  REQUIRE(w.Do(CancelBriefing{"b1", "No quorum"}, w.President(At("2026-06-01T09:00:00Z"))));
  CHECK(w.Briefing("b1").status == BriefingStatus::kCancelled);
  CHECK(RuleOf(w.Do(ConfirmAttendance{"b1", "ngo-a", ""},
                    w.StakeholderRep("ngo-a", At("2026-06-01T10:00:00Z")))) == "59(e)");
  CHECK(Failed(w.Do(CancelBriefing{"b1", "Twice"}, w.Secretariat(At("2026-06-01T11:00:00Z"))),
               RefusalCode::kAlreadyExists));

  World held = Invited();
  REQUIRE(held.Do(RecordAttendance{"b1", {}, {}}, held.Secretariat(At("2026-07-15T15:00:00Z"))));
  CHECK(RuleOf(held.Do(CancelBriefing{"b1", "Too late"},
                       held.Secretariat(At("2026-07-15T16:00:00Z")))) == "59(a)");
  CHECK(Failed(held.Do(CancelBriefing{"b1", "Not mine"},
                       held.As(Role::kBureau, "bur-x", At("2026-07-15T16:00:00Z"))),
               RefusalCode::kForbidden));
}

}  // namespace
}  // namespace dialogue::workflows
