// ?as_of=POSITION, ETag and If-None-Match on entity GETs; referral filters.
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

class AsOfFixture : public testing::QueryFixture {
 public:
  AsOfFixture() {
    RegisterReferenceData();
    ConveneBriefing();
    ConfirmAndObject();
  }

  std::string ParticipantStatus(const Answer& answer, const std::string& stakeholder) {
    for (const auto& participant : answer.body["participants"]) {
      if (participant["stakeholder"] == stakeholder) return participant["status"];
    }
    return "(absent)";
  }
};

TEST_CASE_METHOD(AsOfFixture, "as_of reads a briefing as it stood in the middle of its lifecycle",
                 "[query]") {
  auto now = Get("sec", "/v1/briefings/b1");
  CHECK(ParticipantStatus(now, "ngo-a") == "confirmed");
  CHECK(ParticipantStatus(now, "ngo-b") == "under_referral");

  auto before = Get("sec", "/v1/briefings/b1?as_of=" + std::to_string(invited_at_));
  REQUIRE(before.status == 200);
  CHECK(ParticipantStatus(before, "ngo-a") == "invited");
  CHECK(ParticipantStatus(before, "ngo-b") == "invited");
  CHECK(before.body["participants"][0]["confirmed_at"].is_null());
  CHECK(before.body["version"] == 5);
  CHECK(before.etag == "\"5\"");

  auto between = Get("sec", "/v1/briefings/b1?as_of=" + std::to_string(confirmed_at_));
  CHECK(ParticipantStatus(between, "ngo-a") == "confirmed");
  CHECK(ParticipantStatus(between, "ngo-b") == "invited");

  // The referral stream counts too: its decision is in the briefing's state after it.
  DecideReferral();
  CHECK(ParticipantStatus(Get("sec", "/v1/briefings/b1?as_of=" + std::to_string(objected_at_)),
                          "ngo-b") == "under_referral");
  CHECK(ParticipantStatus(Get("sec", "/v1/briefings/b1?as_of=" + std::to_string(decided_at_)),
                          "ngo-b") == "invited");
}

TEST_CASE_METHOD(AsOfFixture, "as_of before an entity existed answers 404, bad values 400",
                 "[query]") {
  CHECK(Get("sec", "/v1/briefings/b1?as_of=3").status == 404);
  CHECK(Get("sec", "/v1/briefings/b1?as_of=0").status == 404);
  auto words = Get("sec", "/v1/briefings/b1?as_of=yesterday");
  CHECK(words.status == 400);
  CHECK(words.body["errors"][0]["field"] == "as_of");
  CHECK(Get("sec", "/v1/briefings/b1?as_of=-1").status == 400);
  auto future = Get("sec", "/v1/briefings/b1?as_of=" + std::to_string(store().Head().position + 1));
  CHECK(future.status == 400);
  CHECK(Get("sec", "/v1/briefings/b1?as_of=" + std::to_string(store().Head().position)).status ==
        200);
}

TEST_CASE_METHOD(AsOfFixture, "as_of works on every entity", "[query]") {
  const uint64_t before_changes = store().Head().position;
  Append(
      wf::EcosocStatusChanged{"ngo-a", wf::EcosocStatus::kNone, Instant("2026-06-25T00:00:00Z")});
  Append(wf::ObserverEntitlementRecorded{"ngo-a", "cosp-12", ""});
  auto then = Get("sec", "/v1/stakeholders/ngo-a?as_of=" + std::to_string(before_changes));
  REQUIRE(then.status == 200);
  CHECK(then.body["ecosoc_status"] == "special");
  CHECK(then.body["version"] == 2);
  CHECK(then.body["participations"] ==
        json::array({{{"kind", "briefing"}, {"id", "b1"}, {"status", "confirmed"}}}));
  auto earlier = Get("sec", "/v1/stakeholders/ngo-a?as_of=" + std::to_string(invited_at_));
  CHECK(earlier.body["participations"] ==
        json::array({{{"kind", "briefing"}, {"id", "b1"}, {"status", "invited"}}}));
  auto registered = Get("sec", "/v1/stakeholders/ngo-a?as_of=6");  // before the entitlement
  CHECK(registered.body["participations"] == json::array());
  CHECK(registered.body["observer_entitlements"] == json::array());
  CHECK(Get("sec", "/v1/stakeholders/ngo-a").body["ecosoc_status"] == "none");

  CHECK(Get("sec", "/v1/referrals/b1.ngo-b?as_of=" + std::to_string(confirmed_at_)).status == 404);
  CHECK(Get("sec", "/v1/referrals/b1.ngo-b?as_of=" + std::to_string(objected_at_)).status == 200);
  CHECK(Get("sec", "/v1/conference-sessions/cosp-12?as_of=1").status == 200);
  CHECK(Get("sec", "/v1/working-groups/wg-som?as_of=2").status == 404);
  CHECK(Get("sec", "/v1/working-groups/wg-som?as_of=3").status == 200);
  CHECK(Get("sec", "/v1/meetings/m-tip-16?as_of=4").status == 200);

  const uint64_t before_request = store().Head().position;
  Append(wf::ContributionsRequested{"cr-1", "wg-tip", {"ngo-a"}, Day("2026-08-31")});
  const uint64_t requested = store().Head().position;
  Append(wf::ContributionSubmitted{"cr-1",
                                   "ngo-a",
                                   "Text",
                                   {},
                                   wf::ContributionStatus::kAccepted,
                                   Instant("2026-07-01T08:00:00Z")});
  CHECK(
      Get("sec", "/v1/contribution-requests/cr-1?as_of=" + std::to_string(before_request)).status ==
      404);
  CHECK(Get("sec", "/v1/contribution-requests/cr-1?as_of=" + std::to_string(requested))
            .body["contributions"] == json::array());
  CHECK(Get("sec",
            "/v1/contribution-requests/cr-1/contributions/ngo-a?as_of=" + std::to_string(requested))
            .status == 404);
  CHECK(Get("sec", "/v1/contribution-requests/cr-1/contributions/ngo-a").status == 200);
}

TEST_CASE_METHOD(AsOfFixture, "An ETag that still matches answers 304 Not Modified", "[query]") {
  auto first = Get("sec", "/v1/briefings/b1");
  REQUIRE(first.status == 200);
  CHECK(first.etag == "\"7\"");
  auto again = Get("sec", "/v1/briefings/b1", {{"If-None-Match", first.etag}});
  CHECK(again.status == 304);
  CHECK(again.etag == "\"7\"");
  CHECK(again.text.empty());
  CHECK(Get("sec", "/v1/briefings/b1", {{"If-None-Match", "W/\"7\""}}).status == 304);
  CHECK(Get("sec", "/v1/briefings/b1", {{"If-None-Match", "\"3\", \"7\""}}).status == 304);
  CHECK(Get("sec", "/v1/briefings/b1", {{"If-None-Match", "*"}}).status == 304);
  CHECK(Get("sec", "/v1/briefings/b1", {{"If-None-Match", "\"6\""}}).status == 200);

  // A new event on the briefing's stream changes the version.
  Append(wf::InvitationDeclined{"b1", "igo-x"}, "sec-ana", "secretariat");
  auto changed = Get("sec", "/v1/briefings/b1", {{"If-None-Match", first.etag}});
  CHECK(changed.status == 200);
  CHECK(changed.etag == "\"8\"");
}

TEST_CASE_METHOD(AsOfFixture,
                 "A referral decision defeats a briefing's 304 at an unchanged version",
                 "[query]") {
  auto first = Get("sec", "/v1/briefings/b1");
  DecideReferral();  // on the referral stream: the briefing's version stays 7
  auto after = Get("sec", "/v1/briefings/b1", {{"If-None-Match", first.etag}});
  CHECK(after.status == 200);
  CHECK(after.etag == first.etag);
  CHECK(after.body["participants"][1]["status"] == "invited");
}

TEST_CASE_METHOD(AsOfFixture, "Other entities answer 304 on their version, stakeholders never",
                 "[query]") {
  auto referral = Get("sec", "/v1/referrals/b1.ngo-b");
  CHECK(Get("sec", "/v1/referrals/b1.ngo-b", {{"If-None-Match", referral.etag}}).status == 304);
  auto session = Get("sec", "/v1/conference-sessions/cosp-12");
  CHECK(Get("sec", "/v1/conference-sessions/cosp-12", {{"If-None-Match", session.etag}}).status ==
        304);
  // A stakeholder's participations live on other streams: always a full answer.
  auto ngo = Get("sec", "/v1/stakeholders/ngo-a");
  CHECK(Get("sec", "/v1/stakeholders/ngo-a", {{"If-None-Match", ngo.etag}}).status == 200);
  // 304 comes after authorization: a reader that may not see it still gets 403.
  CHECK(Get("ngo-c", "/v1/briefings/b1", {{"If-None-Match", "*"}}).status == 403);
}

TEST_CASE_METHOD(AsOfFixture, "The referral queue filters by status and Working Group", "[query]") {
  SecondBriefingWithPendingReferral();
  DecideReferral();
  const auto ids = [this](const std::string& query) {
    std::vector<std::string> out;
    auto answer = Get("sec", "/v1/referrals" + query);
    REQUIRE(answer.status == 200);
    for (const auto& referral : answer.body["referrals"]) out.push_back(referral["id"]);
    std::sort(out.begin(), out.end());
    return out;
  };
  CHECK(ids("") == std::vector<std::string>{"b1.ngo-b", "b2.ngo-d"});
  CHECK(ids("?status=pending") == std::vector<std::string>{"b2.ngo-d"});
  CHECK(ids("?status=decided") == std::vector<std::string>{"b1.ngo-b"});
  CHECK(ids("?status=withdrawn").empty());
  CHECK(ids("?working_group=wg-tip") == std::vector<std::string>{"b1.ngo-b"});
  CHECK(ids("?status=pending&working_group=wg-tip").empty());
  CHECK(ids("?status=pending&working_group=wg-som") == std::vector<std::string>{"b2.ngo-d"});

  auto entry = Get("sec", "/v1/referrals?status=pending").body["referrals"][0];
  CHECK(entry["briefing"] == "b2");
  CHECK(entry["stakeholder"] == "ngo-d");
  CHECK(entry["objecting_state"] == "fr");
  CHECK(entry["working_group"] == "wg-som");
  CHECK(entry["status"] == "pending");
  CHECK(entry["outcome"].is_null());
  CHECK(entry["raised_at"] == "2026-06-25T10:00:00Z");
  CHECK(entry["decided_at"].is_null());

  auto bad = Get("sec", "/v1/referrals?status=open");
  CHECK(bad.status == 400);
  CHECK(bad.body["errors"][0]["field"] == "status");
  CHECK(Get("sec", "/v1/referrals?working_group=WG%20TIP").status == 400);
}

}  // namespace
}  // namespace dialogue::api
