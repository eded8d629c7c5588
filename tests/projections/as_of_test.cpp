#include <catch2/catch.hpp>

#include "projections/read_models.hpp"
#include "tests/projections/test_support.hpp"

namespace dialogue::projections {
namespace {

using testing::AppendLifecycle;
using testing::FoldLog;
using testing::Lifecycle;
using testing::StoreUnderTest;
namespace wf = workflows;

wf::ParticipantStatus StatusOf(const wf::BriefingState& briefing, const char* stakeholder) {
  const wf::Participant* p = briefing.FindParticipant(stakeholder);
  REQUIRE(p != nullptr);
  return p->status;
}

template <class State>
void RequireSame(const AsOfResult<State>& as_of, const std::optional<Versioned<State>>& now) {
  REQUIRE(as_of);
  REQUIRE(as_of->has_value() == now.has_value());
  if (!now) return;
  CHECK((*as_of)->state == now->state);
  CHECK((*as_of)->version == now->version);
}

TEST_CASE("A briefing as of a position shows its participants as they stood then", "[as_of]") {
  StoreUnderTest store(GENERATE("memory", "rocksdb"));
  const Lifecycle at = AppendLifecycle(*store);
  const engine::EventStore& log = *store;

  SECTION("before it was requested it did not exist") {
    auto before = BriefingAsOf(log, "b1", at.before_b1);
    REQUIRE(before);
    CHECK_FALSE(before->has_value());
    CHECK_FALSE(BriefingAsOf(log, "never", at.end)->has_value());
  }
  SECTION("invited, then confirmed, then under referral, then admitted, then attended") {
    auto invited = BriefingAsOf(log, "b1", at.b1_invited).value();
    REQUIRE(invited);
    CHECK(invited->version == 2 + 5);  // requested, convened, one StakeholderInvited per invitee
    CHECK(invited->state.participants.size() == 5);
    CHECK(StatusOf(invited->state, "ngo-a") == wf::ParticipantStatus::kInvited);

    auto confirmed = BriefingAsOf(log, "b1", at.b1_confirmed).value();
    CHECK(StatusOf(confirmed->state, "ngo-a") == wf::ParticipantStatus::kConfirmed);
    CHECK(confirmed->version == 2 + 5 + 1);

    auto objected = BriefingAsOf(log, "b1", at.b1_objection).value();
    CHECK(StatusOf(objected->state, "ngo-a") == wf::ParticipantStatus::kUnderReferral);
    CHECK(objected->state.referrals.at("ngo-a").status == wf::ReferralStatus::kPending);

    // The decision is on the referral's stream: the briefing's version does not move, its
    // state does (the referral stream is merged in).
    auto decided = BriefingAsOf(log, "b1", at.b1_decided).value();
    CHECK(decided->version == objected->version);
    CHECK(StatusOf(decided->state, "ngo-a") == wf::ParticipantStatus::kConfirmed);
    CHECK(decided->state.referrals.at("ngo-a").outcome == wf::ReferralOutcome::kAdmitted);
    CHECK(StatusOf(decided->state, "igo-d") == wf::ParticipantStatus::kInvited);

    auto closed = BriefingAsOf(log, "b1", at.b1_window_closed).value();
    CHECK(StatusOf(closed->state, "igo-d") == wf::ParticipantStatus::kLapsed);

    auto held = BriefingAsOf(log, "b1", at.b1_held).value();
    CHECK(held->state.status == wf::BriefingStatus::kHeld);
    CHECK(StatusOf(held->state, "ngo-a") == wf::ParticipantStatus::kAttended);

    // One position before each of these, the earlier state.
    CHECK(StatusOf(BriefingAsOf(log, "b1", at.b1_confirmed - 1).value()->state, "ngo-a") ==
          wf::ParticipantStatus::kInvited);
    CHECK(StatusOf(BriefingAsOf(log, "b1", at.b1_decided - 1).value()->state, "ngo-a") ==
          wf::ParticipantStatus::kUnderReferral);
  }
}

TEST_CASE("As of the head, every entity equals the read models' current state", "[as_of]") {
  StoreUnderTest store(GENERATE("memory", "rocksdb"));
  const Lifecycle at = AppendLifecycle(*store);
  ReadModels models(*store);
  REQUIRE(models.Open());
  const testing::FreshFold fold = FoldLog(*store);
  const engine::EventStore& log = *store;
  const uint64_t head = at.end;

  for (const auto& [id, e] : fold.sessions) {
    RequireSame(ConferenceSessionAsOf(log, id, head), models.ConferenceSession(id));
  }
  for (const auto& [id, e] : fold.working_groups) {
    RequireSame(WorkingGroupAsOf(log, id, head), models.WorkingGroup(id));
  }
  for (const auto& [id, e] : fold.meetings) {
    RequireSame(MeetingAsOf(log, id, head), models.Meeting(id));
  }
  for (const auto& [id, e] : fold.stakeholders) {
    RequireSame(StakeholderAsOf(log, id, head), models.Stakeholder(id));
  }
  for (const auto& [id, e] : fold.briefings) {
    RequireSame(BriefingAsOf(log, id, head), models.Briefing(id));
    RequireSame(BriefingAsOf(log, id, head + 100), models.Briefing(id));
  }
  for (const auto& [id, e] : fold.referrals) {
    RequireSame(ReferralAsOf(log, id, head), models.Referral(id));
  }
  for (const auto& [id, e] : fold.observer_invitations) {
    RequireSame(ObserverInvitationAsOf(log, id, head), models.ObserverInvitation(id));
  }
  for (const auto& [id, e] : fold.contribution_requests) {
    RequireSame(ContributionRequestAsOf(log, id, head), models.ContributionRequest(id));
  }
  for (const auto& [id, e] : fold.reports) {
    RequireSame(ReportAsOf(log, id, head), models.Report(id));
  }
  for (const auto& [id, e] : fold.state_participations) {
    RequireSame(StateParticipationAsOf(log, id, head), models.StateParticipation(id));
  }
}

TEST_CASE("Other entities as of a position", "[as_of]") {
  StoreUnderTest store(GENERATE("memory", "rocksdb"));
  const Lifecycle at = AppendLifecycle(*store);
  const engine::EventStore& log = *store;

  auto pending = ReferralAsOf(log, "b1.ngo-a", at.b1_objection).value();
  REQUIRE(pending);
  CHECK(pending->state.status == wf::ReferralStatus::kPending);
  CHECK(pending->version == 1);
  auto decided = ReferralAsOf(log, "b1.ngo-a", at.b1_decided).value();
  CHECK(decided->state.status == wf::ReferralStatus::kDecided);
  CHECK(decided->version == 2);
  CHECK_FALSE(ReferralAsOf(log, "b1.ngo-a", at.b1_objection - 2).value());

  // ngo-b: registered, then entitled at cop-11 (its second event).
  auto registered = StakeholderAsOf(log, "ngo-b", 1).value();
  CHECK_FALSE(registered);
  auto ngo_b = StakeholderAsOf(log, "ngo-b", at.before_b1).value();
  REQUIRE(ngo_b);
  CHECK(ngo_b->version == 2);
  CHECK(ngo_b->state.observer_entitlements.size() == 1);

  auto session = ConferenceSessionAsOf(log, "cop-12", at.end).value();
  REQUIRE(session);
  CHECK(session->state.title == "Twelfth session");
  CHECK(session->version == 1);
}

}  // namespace
}  // namespace dialogue::projections
