// A command's events reach the read models from its own completion, as it decided them
// (ReadModels::Apply), not decoded from the log: after a life of every kind of entity through the
// commands, the read models must be what a fresh fold of the log makes, states, versions and
// indexes alike.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "projections/read_models.hpp"
#include "tests/api/command_fixture.hpp"
#include "tests/projections/test_support.hpp"

namespace dialogue::api {
namespace {

using nlohmann::json;

class FoldFixture : public testing::CommandFixture {
 public:
  const projections::ReadModels& models() const { return read_models_; }
};

TEST_CASE_METHOD(FoldFixture, "The read models the commands fold are the log's fresh fold",
                 "[command]") {
  RegisterReferenceData();
  ConveneBriefing();
  // Confirmations with written comments (a country mention screened out), a decline, an
  // objection referred to the Working Group and decided, attendance, a summary submitted.
  Do("sec", "/v1/briefings/b1/participants/ngo-a/confirmation",
     {{"written_comments", "We will speak of our shelters in Viet Nam."},
      {"occurred_at", "2026-06-01T08:00:00Z"},
      {"on_behalf_of", "ngo-a-rep"}});
  Do("igo-x", "/v1/briefings/b1/participants/igo-x/decline", {{"note", "Not this time"}});
  ObjectToNgoB();
  Do("wg-tip", "/v1/referrals/b1.ngo-b/decision",
     {{"outcome", "admitted"}, {"reasons", "Victims' protection"}});
  Do("sec", "/v1/briefings/b1/participants/ngo-b/confirmation", json::object());
  // A second briefing, cancelled.
  Do("president", "/v1/briefings", {{"id", "b2"}, {"title", "Smuggling and the review"}});
  Do("sec", "/v1/briefings/b2/cancellation", {{"reason", "No meeting room"}});
  // Observer invitations (60), one revoked with the NGO's ECOSOC status, in the same command.
  Do("wg-tip", "/v1/observer-invitations",
     {{"id", "oi-1"}, {"meeting", "m-tip-16"}, {"stakeholder", "ngo-a"}, {"topic", "prevention"}});
  Do("ngo-a", "/v1/observer-invitations/oi-1/response", {{"accepted", true}});
  Do("sec", "/v1/stakeholders/ngo-a/ecosoc-status", {{"status", "none"}});
  // Written contributions (61).
  Do("wg-tip", "/v1/contribution-requests",
     {{"id", "cr-1"}, {"stakeholders", {"ngo-b"}}, {"due_on", "2026-08-31"}});
  Do("ngo-b", "/v1/contribution-requests/cr-1/contributions/ngo-b",
     {{"text", "Our work in Türkiye"}});
  Do("sec", "/v1/contribution-requests/cr-1/contributions/ngo-b/review",
     {{"outcome", "returned"}, {"reasons", "Names a country"}});
  Do("ngo-b", "/v1/contribution-requests/cr-1/contributions/ngo-b", {{"text", "Our work"}});
  // A signatory State under review at its own request (58).
  Do("state-ua", "/v1/state-participations",
     {{"id", "sp-ua"}, {"state", "ua"}, {"review_cycle", "second"}});
  Do("sec", "/v1/state-participations/sp-ua/funding",
     {{"source", "voluntary_contributions"}, {"amount_usd", 25000}, {"donor", "Norway"}});
  // The briefing is held on 15 July, and its summary submitted.
  clock().Set(testing::Instant("2026-07-16T09:00:00Z"));
  Do("sec", "/v1/briefings/b1/attendance",
     {{"stakeholders", {"ngo-a", "ngo-b"}}, {"states", {"at", "ua"}}});
  Do("sec", "/v1/briefings/b1/summary", {{"text", "An NGO described its shelters."}});
  Do("sec", "/v1/briefings/b1/summary/submission", {{"crp_symbol", "CTOC/WG.4/CRP.1"}});

  const projections::testing::FreshFold fold = projections::testing::FoldLog(store());
  projections::testing::RequireEqualsFreshFold(models(), fold);
  projections::ReadModels fresh(store());
  REQUIRE(fresh.Open());
  projections::testing::RequireSameModels(models(), fresh, fold);
}

}  // namespace
}  // namespace dialogue::api
