// The stakeholder register: categories, ECOSOC status over time, instruments, entitlements, and
// a stakeholder's participations.
#include "workflows/stakeholder.hpp"

#include <catch2/catch.hpp>

#include "workflows/participations.hpp"
#include "world.hpp"

namespace dialogue::workflows {
namespace {

using testing::At;
using testing::Failed;
using testing::World;

const TimePoint kT = At("2024-01-01T00:00:00Z");

TEST_CASE("Registration checks category, ECOSOC status and instruments", "[stakeholder]") {
  World w;
  CHECK(Failed(w.Do(RegisterStakeholder{"x", "X", "club", std::nullopt, {}}, w.Secretariat(kT)),
               RefusalCode::kInvalidArgument));
  CHECK(Failed(
      w.Do(RegisterStakeholder{"x", "X", "igo", std::string("general"), {}}, w.Secretariat(kT)),
      RefusalCode::kInvalidArgument));
  CHECK(
      Failed(w.Do(RegisterStakeholder{"x", "X", "ngo", std::string("gold"), {}}, w.Secretariat(kT)),
             RefusalCode::kInvalidArgument));
  CHECK(Failed(w.Do(RegisterStakeholder{"x", "X", "ngo", std::nullopt, {{"tip", "party"}}},
                    w.Secretariat(kT)),
               RefusalCode::kInvalidArgument));
  CHECK(Failed(
      w.Do(
          RegisterStakeholder{"x", "X", "state_party", std::nullopt, {{"convention", "signatory"}}},
          w.Secretariat(kT)),
      RefusalCode::kInvalidArgument));
  CHECK(Failed(w.Do(RegisterStakeholder{"x", "X", "state_party", std::nullopt, {{"tip", "none"}}},
                    w.Secretariat(kT)),
               RefusalCode::kInvalidArgument));
  CHECK(Failed(
      w.Do(
          RegisterStakeholder{
              "x", "X", "state_party", std::nullopt, {{"tip", "party"}, {"tip", "signatory"}}},
          w.Secretariat(kT)),
      RefusalCode::kInvalidArgument));
  REQUIRE(w.Do(
      RegisterStakeholder{
          "x", "X", "state_party", std::nullopt, {{"convention", "party"}, {"som", "signatory"}}},
      w.Secretariat(kT)));
  CHECK(Failed(w.Do(RegisterStakeholder{"x", "X", "ngo", std::nullopt, {}}, w.Secretariat(kT)),
               RefusalCode::kAlreadyExists));
}

TEST_CASE("A State's status under each instrument", "[stakeholder]") {
  World w;
  w.Stakeholder("sp", "state_party", "none", {{"tip", "party"}, {"som", "signatory"}});
  w.Stakeholder("sig", "signatory_state");
  w.Stakeholder("nss", "non_signatory_state");
  w.Stakeholder("nss-fa", "non_signatory_state", "none", {{"firearms", "signatory"}});
  w.Stakeholder("ngo", "ngo", "general");
  const auto& sp = w.stakeholders["sp"];
  CHECK(IsPartyTo(sp, Instrument::kConvention));
  CHECK(IsPartyTo(sp, Instrument::kTip));
  CHECK(IsSignatoryOnly(sp, Instrument::kSom));
  CHECK(StatusUnder(sp, Instrument::kFirearms) == InstrumentStatus::kNone);
  CHECK(IsSignatoryOnly(w.stakeholders["sig"], Instrument::kConvention));
  CHECK_FALSE(IsPartyTo(w.stakeholders["sig"], Instrument::kConvention));
  CHECK_FALSE(IsPartyOrSignatoryOfAny(w.stakeholders["nss"]));
  CHECK(IsPartyOrSignatoryOfAny(w.stakeholders["nss-fa"]));
  CHECK(IsPartyOrSignatoryOfAny(w.stakeholders["sig"]));
  CHECK_FALSE(IsPartyOrSignatoryOfAny(w.stakeholders["ngo"]));
}

TEST_CASE("ECOSOC status is known at any instant, also when changes are recorded late",
          "[stakeholder][60]") {
  World w;
  w.Stakeholder("ngo", "ngo", "special");
  REQUIRE(w.Do(ChangeEcosocStatus{"ngo", "none"}, w.Secretariat(At("2026-03-01T00:00:00Z"))));
  // Recorded after the first change, effective before it.
  REQUIRE(w.Do(ChangeEcosocStatus{"ngo", "roster"}, w.Secretariat(At("2026-02-01T00:00:00Z"))));
  const auto& s = w.stakeholders["ngo"];
  CHECK(EcosocStatusAt(s, At("2026-01-31T23:59:59Z")) == EcosocStatus::kSpecial);
  CHECK(EcosocStatusAt(s, At("2026-02-01T00:00:00Z")) == EcosocStatus::kRoster);
  CHECK(EcosocStatusAt(s, At("2026-02-28T00:00:00Z")) == EcosocStatus::kRoster);
  CHECK(EcosocStatusAt(s, At("2026-03-01T00:00:00Z")) == EcosocStatus::kNone);
  CHECK(s.ecosoc_status() == EcosocStatus::kNone);
  w.Stakeholder("igo", "igo");
  CHECK(Failed(w.Do(ChangeEcosocStatus{"igo", "general"}, w.Secretariat(kT)),
               RefusalCode::kInvalidArgument));
  CHECK(Failed(w.Do(ChangeEcosocStatus{"nobody", "general"}, w.Secretariat(kT)),
               RefusalCode::kNotFound));
  CHECK(Failed(w.Do(ChangeEcosocStatus{"ngo", "platinum"}, w.Secretariat(kT)),
               RefusalCode::kInvalidArgument));
}

TEST_CASE("Observer entitlements are recorded once per known session", "[stakeholder][59(c)]") {
  World w;
  w.Session("cop-12", "2025-10-13", "2025-10-17");
  w.Stakeholder("ngo", "ngo", "general");
  CHECK(Failed(w.Do(RecordObserverEntitlement{"ngo", "cop-99", ""}, w.Secretariat(kT)),
               RefusalCode::kNotFound));
  CHECK(Failed(w.Do(RecordObserverEntitlement{"nobody", "cop-12", ""}, w.Secretariat(kT)),
               RefusalCode::kNotFound));
  REQUIRE(w.Do(RecordObserverEntitlement{"ngo", "cop-12", "17"}, w.Secretariat(kT)));
  CHECK(WasEntitledAt(w.stakeholders["ngo"], "cop-12"));
  CHECK_FALSE(WasEntitledAt(w.stakeholders["ngo"], "cop-11"));
  CHECK(w.stakeholders["ngo"].observer_entitlements.front().rule == "17");
  CHECK(Failed(w.Do(RecordObserverEntitlement{"ngo", "cop-12", ""}, w.Secretariat(kT)),
               RefusalCode::kAlreadyExists));
}

TEST_CASE("A stakeholder's participations are read from the aggregates naming it",
          "[stakeholder][participations]") {
  World w;
  w.Standard();
  w.Convened("b1");
  REQUIRE(
      w.Do(InviteStakeholders{"b1", {"ngo-a"}, false}, w.Secretariat(At("2026-05-03T09:00:00Z"))));
  REQUIRE(w.Do(ConfirmAttendance{"b1", "ngo-a", ""},
               w.StakeholderRep("ngo-a", At("2026-05-04T09:00:00Z"))));
  REQUIRE(
      w.Do(RecordAttendance{"b1", {"ngo-a"}, {"sp-1"}}, w.Secretariat(At("2026-07-15T15:00:00Z"))));
  const auto& b = w.Briefing("b1");
  CHECK(ParticipationIn(b, "ngo-a") == Participation{"briefing", "b1", "attended"});
  CHECK(ParticipationIn(b, "sp-1") == Participation{"briefing", "b1", "attended"});
  CHECK_FALSE(ParticipationIn(b, "ngo-b"));

  REQUIRE(w.Do(RequestContributions{"cr-1", {"ngo-a", "ngo-b"}, "2026-09-30"},
               w.Group("wg-tip", At("2026-07-20T09:00:00Z"))));
  REQUIRE(w.Do(SubmitContribution{"cr-1", "ngo-a", "Our programmes."},
               w.StakeholderRep("ngo-a", At("2026-07-21T09:00:00Z"))));
  CHECK(ParticipationIn(w.contribution_requests["cr-1"], "ngo-a")->status == "accepted");
  CHECK(ParticipationIn(w.contribution_requests["cr-1"], "ngo-b")->status == "invited");
  CHECK_FALSE(ParticipationIn(w.contribution_requests["cr-1"], "ngo-c"));

  REQUIRE(w.Do(SubmitStakeholderReport{"r-1", {"ngo-a", "igo-x"}, "conference", "T", "Text"},
               w.StakeholderRep("ngo-a", At("2026-07-21T09:00:00Z"))));
  CHECK(ParticipationIn(w.reports["r-1"], "igo-x") == Participation{"report", "r-1", "author"});

  REQUIRE(w.Do(InviteObserver{"oi-1", "m1", "ngo-b", "prevention"},
               w.Group("wg-tip", At("2026-07-01T09:00:00Z"))));
  CHECK(ParticipationIn(w.observer_invitations["oi-1"], "ngo-b")->status == "invited");
  CHECK_FALSE(ParticipationIn(w.observer_invitations["oi-1"], "ngo-a"));

  REQUIRE(w.Do(RequestStateParticipation{"p-1", "sig-2", "cycle-2", std::nullopt},
               w.StateRep("sig-2", At("2026-07-01T09:00:00Z"))));
  CHECK(ParticipationIn(w.state_participations["p-1"], "sig-2") ==
        Participation{"state_participation", "p-1", "requested"});
}

}  // namespace
}  // namespace dialogue::workflows
