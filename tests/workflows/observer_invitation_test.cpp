// Paragraph 60: Working Groups invite NGOs with ECOSOC status as observers at meetings on the
// review process; invitations are answered, or revoked when the NGO loses its status before
// the meeting.
#include "workflows/observer_invitation.hpp"

#include <catch2/catch.hpp>

#include "world.hpp"

namespace dialogue::workflows {
namespace {

using testing::At;
using testing::Failed;
using testing::RuleOf;
using testing::World;

const TimePoint kT = At("2026-06-01T09:00:00Z");

World Setting() {
  World w;
  w.Standard();
  w.Meeting("m-plain", "wg-tip", "2026-09-07", "2026-09-11", /*review_agenda_item=*/false);
  w.Stakeholder("ngo-none", "ngo", "none");
  return w;
}

TEST_CASE("60: a Working Group invites an NGO with ECOSOC status to its review meeting",
          "[observer][60]") {
  World w = Setting();
  auto invited =
      w.Do(InviteObserver{"oi-1", "m1", "ngo-a", "tip-art6-para3"}, w.Group("wg-tip", kT));
  REQUIRE(invited);
  const auto& s = w.observer_invitations["oi-1"];
  CHECK(s.status == ObserverInvitationStatus::kInvited);
  CHECK(s.working_group == "wg-tip");
  CHECK(s.topic == "tip-art6-para3");
}

TEST_CASE("60: the Secretariat does not invite observers on its own", "[observer][60]") {
  World w = Setting();
  CHECK(RuleOf(w.Do(InviteObserver{"oi-1", "m1", "ngo-a", "prevention"}, w.Secretariat(kT))) ==
        "60");
  Context recorded = w.Secretariat(kT);
  recorded.working_group = "wg-tip";
  CHECK(w.Do(InviteObserver{"oi-1", "m1", "ngo-a", "prevention"}, recorded));
  CHECK(Failed(
      w.Do(InviteObserver{"oi-2", "m1", "ngo-a", "prevention"}, w.StakeholderRep("ngo-a", kT)),
      RefusalCode::kForbidden));
}

TEST_CASE("60: each condition of the invitation is checked", "[observer][60]") {
  World w = Setting();
  const auto wg = w.Group("wg-tip", kT);
  CHECK(RuleOf(w.Do(InviteObserver{"oi-1", "m-som", "ngo-a", "som-art14-para2"}, wg)) == "60");
  CHECK(RuleOf(w.Do(InviteObserver{"oi-1", "m-plain", "ngo-a", "prevention"}, wg)) == "60");
  CHECK(RuleOf(w.Do(InviteObserver{"oi-1", "m1", "igo-x", "prevention"}, wg)) == "60");
  CHECK(RuleOf(w.Do(InviteObserver{"oi-1", "m1", "ngo-none", "prevention"}, wg)) == "60");
  CHECK(RuleOf(w.Do(InviteObserver{"oi-1", "m1", "ngo-a", "prevention"},
                    w.Group("wg-tip", At("2026-07-18T09:00:00Z")))) == "60");
  CHECK(Failed(w.Do(InviteObserver{"oi-1", "m1", "ngo-a", "human-rights"}, wg),
               RefusalCode::kInvalidArgument));
  CHECK(Failed(w.Do(InviteObserver{"oi-1", "m404", "ngo-a", "prevention"}, wg),
               RefusalCode::kNotFound));
  CHECK(Failed(w.Do(InviteObserver{"oi-1", "m1", "ngo-404", "prevention"}, wg),
               RefusalCode::kNotFound));
  CHECK_FALSE(w.observer_invitations["oi-1"].exists());
}

TEST_CASE("60: ECOSOC status counts as it stood when invited", "[observer][60]") {
  World w = Setting();
  REQUIRE(w.Do(ChangeEcosocStatus{"ngo-a", "none"}, w.Secretariat(At("2026-05-15T00:00:00Z"))));
  REQUIRE(
      w.Do(ChangeEcosocStatus{"ngo-none", "roster"}, w.Secretariat(At("2026-05-15T00:00:00Z"))));
  CHECK(RuleOf(w.Do(InviteObserver{"oi-1", "m1", "ngo-a", "prevention"}, w.Group("wg-tip", kT))) ==
        "60");
  CHECK(w.Do(InviteObserver{"oi-1", "m1", "ngo-a", "prevention"},
             w.Group("wg-tip", At("2026-05-14T09:00:00Z"))));
  CHECK(w.Do(InviteObserver{"oi-2", "m1", "ngo-none", "victim-assistance-protection"},
             w.Group("wg-tip", kT)));
}

TEST_CASE("60: the invited NGO accepts or declines, once", "[observer][60]") {
  World w = Setting();
  REQUIRE(w.Do(InviteObserver{"oi-1", "m1", "ngo-a", "prevention"}, w.Group("wg-tip", kT)));
  CHECK(Failed(w.Do(AnswerObserverInvitation{"oi-1", true}, w.StakeholderRep("ngo-b", kT)),
               RefusalCode::kForbidden));
  CHECK(Failed(w.Do(AnswerObserverInvitation{"oi-9", true}, w.StakeholderRep("ngo-a", kT)),
               RefusalCode::kNotFound));
  REQUIRE(w.Do(AnswerObserverInvitation{"oi-1", true}, w.StakeholderRep("ngo-a", kT)));
  CHECK(w.observer_invitations["oi-1"].status == ObserverInvitationStatus::kAccepted);
  CHECK(Failed(w.Do(AnswerObserverInvitation{"oi-1", false}, w.StakeholderRep("ngo-a", kT)),
               RefusalCode::kAlreadyExists));
}

TEST_CASE("60: an invitation is revoked when the NGO loses its status before the meeting",
          "[observer][60]") {
  World w = Setting();
  REQUIRE(w.Do(InviteObserver{"oi-1", "m1", "ngo-a", "prevention"}, w.Group("wg-tip", kT)));
  REQUIRE(w.Do(AnswerObserverInvitation{"oi-1", true}, w.StakeholderRep("ngo-a", kT)));
  const TimePoint later = At("2026-06-10T09:00:00Z");
  CHECK(RuleOf(w.Do(RevokeObserverInvitation{"oi-1", "lost status"}, w.Secretariat(later))) ==
        "60");
  CHECK_FALSE(DueObserverRevocation(w.observer_invitations["oi-1"], w.stakeholders["ngo-a"], later,
                                    RulesConfig{}));

  REQUIRE(w.Do(ChangeEcosocStatus{"ngo-a", "none"}, w.Secretariat(At("2026-06-05T00:00:00Z"))));
  auto due = DueObserverRevocation(w.observer_invitations["oi-1"], w.stakeholders["ngo-a"], later,
                                   RulesConfig{});
  REQUIRE(due);
  // Once the meeting has begun (13 July, Vienna), it is too late.
  CHECK_FALSE(DueObserverRevocation(w.observer_invitations["oi-1"], w.stakeholders["ngo-a"],
                                    At("2026-07-12T22:00:00Z"), RulesConfig{}));
  CHECK(RuleOf(w.Do(*due, w.Secretariat(At("2026-07-12T22:00:00Z")))) == "60");
  CHECK(Failed(w.Do(*due, w.Group("wg-som", later)), RefusalCode::kForbidden));
  REQUIRE(w.Do(*due, w.Secretariat(later)));
  CHECK(w.observer_invitations["oi-1"].status == ObserverInvitationStatus::kRevoked);
  CHECK(RuleOf(w.Do(AnswerObserverInvitation{"oi-1", true}, w.StakeholderRep("ngo-a", later))) ==
        "60");
  CHECK(Failed(w.Do(*due, w.Secretariat(later)), RefusalCode::kAlreadyExists));
}

TEST_CASE("60: the change of ECOSOC status revokes the NGO's standing invitations with it",
          "[observer][60]") {
  World w = Setting();
  REQUIRE(w.Do(InviteObserver{"oi-1", "m1", "ngo-a", "prevention"}, w.Group("wg-tip", kT)));
  REQUIRE(w.Do(InviteObserver{"oi-2", "m1", "ngo-b", "prevention"}, w.Group("wg-tip", kT)));
  const std::vector<ObserverInvitationState> invitations{w.observer_invitations["oi-1"],
                                                         w.observer_invitations["oi-2"]};
  const TimePoint later = At("2026-06-10T09:00:00Z");

  // Still consultative: only the change.
  auto kept = DecideEcosocChange(w.stakeholders["ngo-a"], ChangeEcosocStatus{"ngo-a", "roster"},
                                 invitations, w.Secretariat(later));
  REQUIRE(kept);
  CHECK(kept->size() == 1);

  // Lost before the meeting: the change, then the revocation of ngo-a's invitation only.
  auto lost = DecideEcosocChange(w.stakeholders["ngo-a"], ChangeEcosocStatus{"ngo-a", "none"},
                                 invitations, w.Secretariat(later));
  REQUIRE(lost);
  REQUIRE(lost->size() == 2);
  CHECK(std::holds_alternative<EcosocStatusChanged>((*lost)[0]));
  const auto* revoked = std::get_if<ObserverInvitationRevoked>(&(*lost)[1]);
  REQUIRE(revoked);
  CHECK(revoked->observer_invitation == "oi-1");

  // Lost once the meeting has begun: nothing to revoke.
  auto too_late = DecideEcosocChange(w.stakeholders["ngo-a"], ChangeEcosocStatus{"ngo-a", "none"},
                                     invitations, w.Secretariat(At("2026-07-14T09:00:00Z")));
  REQUIRE(too_late);
  CHECK(too_late->size() == 1);

  // A refused change decides nothing else.
  CHECK(Failed(DecideEcosocChange(w.stakeholders["ngo-a"], ChangeEcosocStatus{"ngo-a", "lost"},
                                  invitations, w.Secretariat(later)),
               RefusalCode::kInvalidArgument));
}

}  // namespace
}  // namespace dialogue::workflows
