// Read authorization: deny by default; state and stakeholder read what names them.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/api/query_fixture.hpp"

namespace dialogue::api {
namespace {

using nlohmann::json;
namespace wf = workflows;
using testing::Answer;
using testing::Day;
using testing::Instant;

class AccessFixture : public testing::QueryFixture {
 public:
  AccessFixture() {
    RegisterReferenceData();
    ConveneBriefing();
    ConfirmAndObject();
    Append(wf::ObserverInvited{"oi-1", "m-tip-16", "wg-tip", "ngo-b", "prevention",
                               Day("2026-07-14"), Day("2026-07-16")},
           "wg-tip-chair", "working_group");
    Append(wf::ContributionsRequested{"cr-1", "wg-tip", {"ngo-a", "ngo-b"}, Day("2026-08-31")},
           "wg-tip-chair", "working_group");
    for (const char* id : {"ngo-a", "ngo-b"}) {
      Append(wf::ContributionSubmitted{"cr-1",
                                       id,
                                       std::string("Text of ") + id,
                                       {},
                                       wf::ContributionStatus::kAccepted,
                                       Instant("2026-07-01T08:00:00Z")},
             std::string(id) + "-rep", "stakeholder");
    }
    Append(wf::StakeholderReportSubmitted{"r-1",
                                          {"ngo-a"},
                                          "conference",
                                          "Report",
                                          "Text",
                                          "ngo-a",
                                          Instant("2026-07-02T08:00:00Z")},
           "ngo-a-rep", "stakeholder");
    Append(wf::StateParticipationRequested{"sp-1", "fr", "cycle-2", wf::Instrument::kConvention},
           "fr-rep", "state");
  }
};

TEST_CASE_METHOD(AccessFixture, "An NGO reads its own briefing but not another's", "[query]") {
  CHECK(Get("ngo-a", "/v1/briefings/b1").status == 200);
  auto other = Get("ngo-c", "/v1/briefings/b1");
  CHECK(other.status == 403);
  CHECK(other.body["code"] == "forbidden");
  // The eligible list follows the briefing.
  CHECK(Get("ngo-a", "/v1/briefings/b1/eligible").status == 200);
  CHECK(Get("ngo-c", "/v1/briefings/b1/eligible").status == 403);
}

TEST_CASE_METHOD(AccessFixture, "An unknown id answers 403 to state and stakeholder, 404 to others",
                 "[query]") {
  CHECK(Get("ngo-a", "/v1/briefings/b-none").status == 403);
  CHECK(Get("state-at", "/v1/reports/r-none").status == 403);
  CHECK(Get("sec", "/v1/briefings/b-none").status == 404);
  CHECK(Get("auditor", "/v1/reports/r-none").status == 404);
}

TEST_CASE_METHOD(AccessFixture, "The objecting State reads the briefing it objected in",
                 "[query]") {
  CHECK(Get("state-at", "/v1/briefings/b1").status == 200);
  CHECK(Get("state-fr", "/v1/briefings/b1").status == 403);
}

TEST_CASE_METHOD(AccessFixture, "A State recorded as attending reads the briefing (59(f))",
                 "[query]") {
  CHECK(Get("state-fr", "/v1/briefings/b1").status == 403);
  DecideReferral();
  Append(wf::BriefingHeld{"b1", {"ngo-a"}, {"fr"}, Instant("2026-07-15T09:00:00Z")});
  CHECK(Get("state-fr", "/v1/briefings/b1").status == 200);
}

TEST_CASE_METHOD(AccessFixture,
                 "The referral queue and referrals are closed to states, NGOs and "
                 "integrations",
                 "[query]") {
  for (const char* token : {"ngo-a", "ngo-b", "state-at", "integration"}) {
    INFO(token);
    CHECK(Get(token, "/v1/referrals").status == 403);
    CHECK(Get(token, "/v1/referrals/b1.ngo-b").status == 403);
  }
  for (const char* token : {"sec", "president", "bureau", "wg-tip", "auditor"}) {
    INFO(token);
    CHECK(Get(token, "/v1/referrals").status == 200);
    CHECK(Get(token, "/v1/referrals/b1.ngo-b").status == 200);
  }
}

TEST_CASE_METHOD(AccessFixture, "An integration reads history but no entity", "[query]") {
  CHECK(Get("integration", "/v1/briefings/b1").status == 403);
  CHECK(Get("integration", "/v1/briefings").status == 403);
  CHECK(Get("integration", "/v1/conference-sessions").status == 403);
  CHECK(Get("integration", "/v1/stakeholders/ngo-a").status == 403);
  CHECK(Get("integration", "/v1/streams/briefing-b1/history").status == 200);
  // History is the log's: closed to states and NGOs, even for their own briefing.
  CHECK(Get("ngo-a", "/v1/streams/briefing-b1/history").status == 403);
}

TEST_CASE_METHOD(AccessFixture, "Every full reader reads every entity", "[query]") {
  const std::vector<std::string> targets = {"/v1/briefings/b1",
                                            "/v1/observer-invitations/oi-1",
                                            "/v1/contribution-requests/cr-1",
                                            "/v1/contribution-requests/cr-1/contributions/ngo-b",
                                            "/v1/reports/r-1",
                                            "/v1/state-participations/sp-1",
                                            "/v1/stakeholders/ngo-b",
                                            "/v1/briefings/b1/eligible"};
  for (const char* token : {"sec", "president", "bureau", "wg-tip", "auditor"}) {
    for (const auto& target : targets) {
      INFO(token << " " << target);
      CHECK(Get(token, target).status == 200);
    }
  }
}

TEST_CASE_METHOD(AccessFixture, "A stakeholder reads only the paragraph 58-61 entities naming it",
                 "[query]") {
  CHECK(Get("ngo-b", "/v1/observer-invitations/oi-1").status == 200);
  CHECK(Get("ngo-a", "/v1/observer-invitations/oi-1").status == 403);
  CHECK(Get("ngo-a", "/v1/reports/r-1").status == 200);
  CHECK(Get("ngo-b", "/v1/reports/r-1").status == 403);
  CHECK(Get("state-fr", "/v1/state-participations/sp-1").status == 200);
  CHECK(Get("state-at", "/v1/state-participations/sp-1").status == 403);
  CHECK(Get("ngo-c", "/v1/contribution-requests/cr-1").status == 403);
  // A token for a state or stakeholder role and no stakeholder id is named nowhere.
}

TEST_CASE_METHOD(AccessFixture, "An invited NGO sees its own contribution, not the others'",
                 "[query]") {
  auto request = Get("ngo-a", "/v1/contribution-requests/cr-1");
  REQUIRE(request.status == 200);
  REQUIRE(request.body["contributions"].size() == 1);
  CHECK(request.body["contributions"][0]["stakeholder"] == "ngo-a");
  CHECK(Get("sec", "/v1/contribution-requests/cr-1").body["contributions"].size() == 2);
  CHECK(Get("ngo-a", "/v1/contribution-requests/cr-1/contributions/ngo-a").status == 200);
  CHECK(Get("ngo-a", "/v1/contribution-requests/cr-1/contributions/ngo-b").status == 403);
}

TEST_CASE_METHOD(AccessFixture, "State and stakeholder read reference data and the register",
                 "[query]") {
  for (const char* token : {"ngo-c", "state-at"}) {
    INFO(token);
    CHECK(Get(token, "/v1/conference-sessions/cosp-12").status == 200);
    CHECK(Get(token, "/v1/working-groups").status == 200);
    CHECK(Get(token, "/v1/meetings/m-tip-16").status == 200);
    CHECK(Get(token, "/v1/stakeholders").status == 200);
    CHECK(Get(token, "/v1/stakeholders/ngo-a").status == 200);
    CHECK(Get(token, "/v1/meetings/m-none").status == 404);  // reference data: plain 404
  }
}

TEST_CASE_METHOD(AccessFixture,
                 "AnotherStakeholdersParticipationsShowOnlyWhatTheReaderMayReadItself",
                 "[query][hostile]") {
  // ngo-b takes part in b1 (with ngo-a), oi-1 (alone) and cr-1 (with ngo-a).
  auto full = Get("sec", "/v1/stakeholders/ngo-b");
  REQUIRE(full.status == 200);
  CHECK(full.body["participations"].size() == 3);
  auto own = Get("ngo-b", "/v1/stakeholders/ngo-b");
  CHECK(own.body["participations"] == full.body["participations"]);
  auto seen_by_a = Get("ngo-a", "/v1/stakeholders/ngo-b");
  REQUIRE(seen_by_a.status == 200);
  std::vector<std::string> kinds;
  for (const auto& p : seen_by_a.body["participations"]) kinds.push_back(p["kind"]);
  // Not cr-1, which names ngo-a too: ngo-b's contribution there is ngo-b's to read (403 to ngo-a).
  CHECK(kinds == std::vector<std::string>{"briefing"});
  CHECK(Get("ngo-a", "/v1/contribution-requests/cr-1/contributions/ngo-b").status == 403);
  CHECK(Get("ngo-c", "/v1/stakeholders/ngo-b").body["participations"] == json::array());
}

TEST_CASE_METHOD(AccessFixture, "The briefing list of a stakeholder holds the briefings naming it",
                 "[query]") {
  SecondBriefingWithPendingReferral();
  auto ngo_a = Get("ngo-a", "/v1/briefings");
  REQUIRE(ngo_a.status == 200);
  REQUIRE(ngo_a.body["briefings"].size() == 1);
  CHECK(ngo_a.body["briefings"][0]["id"] == "b1");
  CHECK(Get("ngo-c", "/v1/briefings").body["briefings"] == json::array());
  CHECK(Get("state-fr", "/v1/briefings").body["briefings"][0]["id"] == "b2");
  CHECK(Get("sec", "/v1/briefings").body["briefings"].size() == 2);
}

TEST_CASE_METHOD(AccessFixture, "Reads need a valid token", "[query]") {
  CHECK(Get("", "/v1/briefings/b1").status == 401);
  CHECK(Get("nobody", "/v1/conference-sessions").status == 401);
}

}  // namespace
}  // namespace dialogue::api
