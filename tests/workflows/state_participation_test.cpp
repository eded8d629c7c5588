// Paragraph 58: a signatory State participates voluntarily as a State under review, paid from
// voluntary contributions only.
#include "workflows/state_participation.hpp"

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
  w.Stakeholder("nss-tip", "non_signatory_state", "none", {{"tip", "signatory"}});
  return w;
}

TEST_CASE("58: a signatory not party asks to participate as a State under review",
          "[participation][58]") {
  World w = Setting();
  REQUIRE(w.Do(RequestStateParticipation{"p-1", "sig-2", "cycle-2", std::nullopt},
               w.StateRep("sig-2", kT)));
  const auto& p = w.state_participations["p-1"];
  CHECK(p.status == StateParticipationStatus::kRequested);
  CHECK(p.instrument == Instrument::kConvention);
  CHECK(w.Do(RequestStateParticipation{"p-2", "nss-tip", "cycle-2", std::string("tip")},
             w.Secretariat(kT)));
  CHECK(Failed(w.Do(RequestStateParticipation{"p-1", "sig-2", "cycle-2", std::nullopt},
                    w.StateRep("sig-2", kT)),
               RefusalCode::kAlreadyExists));
}

TEST_CASE("58: parties, non-signatories and non-States are refused", "[participation][58]") {
  World w = Setting();
  CHECK(RuleOf(w.Do(RequestStateParticipation{"p-1", "sp-1", "cycle-2", std::nullopt},
                    w.StateRep("sp-1", kT))) == "58");
  CHECK(RuleOf(w.Do(RequestStateParticipation{"p-1", "nss-tip", "cycle-2", std::nullopt},
                    w.StateRep("nss-tip", kT))) == "58");
  CHECK(RuleOf(w.Do(RequestStateParticipation{"p-1", "ngo-a", "cycle-2", std::nullopt},
                    w.Secretariat(kT))) == "58");
  CHECK(Failed(w.Do(RequestStateParticipation{"p-1", "sig-2", "cycle-2", std::nullopt},
                    w.StateRep("sp-1", kT)),
               RefusalCode::kForbidden));
  CHECK(Failed(w.Do(RequestStateParticipation{"p-1", "sig-2", "cycle-2", std::string("cop")},
                    w.StateRep("sig-2", kT)),
               RefusalCode::kInvalidArgument));
  CHECK(Failed(
      w.Do(RequestStateParticipation{"p-1", "sig-404", "cycle-2", std::nullopt}, w.Secretariat(kT)),
      RefusalCode::kNotFound));
}

TEST_CASE("58: costs are paid from voluntary contributions only", "[participation][58]") {
  World w = Setting();
  REQUIRE(w.Do(RequestStateParticipation{"p-1", "sig-2", "cycle-2", std::nullopt},
               w.StateRep("sig-2", kT)));
  CHECK(RuleOf(w.Do(FundStateParticipation{"p-1", "regular_budget", 5000, "UN"},
                    w.Secretariat(kT))) == "58");
  CHECK(Failed(w.Do(FundStateParticipation{"p-1", "voluntary_contributions", -1, "Donoria"},
                    w.Secretariat(kT)),
               RefusalCode::kInvalidArgument));
  // MoneyBeyondTheMaximumOrBelowACentIsRefused: amounts are whole cents up to a trillion.
  for (double amount : {1e308, 18446744073709551616.0, 1e12 + 1, 0.001, 12.345, 0.0}) {
    INFO(amount);
    CHECK(Failed(w.Do(FundStateParticipation{"p-1", "voluntary_contributions", amount, "Donoria"},
                      w.Secretariat(kT)),
                 RefusalCode::kInvalidArgument));
  }
  CHECK(Failed(w.Do(FundStateParticipation{"p-1", "voluntary_contributions", 5000, "Donoria"},
                    w.StateRep("sig-2", kT)),
               RefusalCode::kForbidden));
  REQUIRE(w.Do(FundStateParticipation{"p-1", "voluntary_contributions", 5000, "Donoria"},
               w.Secretariat(kT)));
  REQUIRE(w.Do(FundStateParticipation{"p-1", "voluntary_contributions", 1e12, "Donoria"},
               w.Secretariat(kT)));
  REQUIRE(w.Do(FundStateParticipation{"p-1", "voluntary_contributions", 1234.56, "Donoria"},
               w.Secretariat(kT)));
  const auto& p = w.state_participations["p-1"];
  CHECK(p.status == StateParticipationStatus::kFunded);
  REQUIRE(p.fundings.size() == 3);
  CHECK(p.fundings[0].donor == "Donoria");
}

TEST_CASE("58: the State withdraws at its word, a withdrawn participation is not funded",
          "[participation][58]") {
  World w = Setting();
  REQUIRE(w.Do(RequestStateParticipation{"p-1", "sig-2", "cycle-2", std::nullopt},
               w.StateRep("sig-2", kT)));
  CHECK(Failed(w.Do(WithdrawStateParticipation{"p-1", "no"}, w.StateRep("sp-1", kT)),
               RefusalCode::kForbidden));
  REQUIRE(w.Do(WithdrawStateParticipation{"p-1", "Priorities changed"}, w.StateRep("sig-2", kT)));
  CHECK(w.state_participations["p-1"].status == StateParticipationStatus::kWithdrawn);
  CHECK(RuleOf(w.Do(FundStateParticipation{"p-1", "voluntary_contributions", 5000, "Donoria"},
                    w.Secretariat(kT))) == "58");
  CHECK(Failed(w.Do(WithdrawStateParticipation{"p-1", "again"}, w.StateRep("sig-2", kT)),
               RefusalCode::kAlreadyExists));
}

}  // namespace
}  // namespace dialogue::workflows
