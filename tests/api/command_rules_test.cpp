// Each rule's refusal through HTTP: 422 rule_violation with the rule's code, and nothing appended
// (the ledger head before and after, read through GET /v1/ledger/head).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/api/command_fixture.hpp"

namespace dialogue::api {
namespace {

using nlohmann::json;
using testing::Answer;

class RulesFixture : public testing::CommandFixture {
 public:
  RulesFixture() { RegisterReferenceData(); }

  uint64_t LedgerHead() {
    Answer head = Get("auditor", "/v1/ledger/head");
    REQUIRE(head.status == 200);
    return head.body["position"].get<uint64_t>();
  }

  // POSTs and requires a 422 carrying `rule`, with the head unchanged.
  void RequireRefused(const std::string& token, const std::string& target, const json& body,
                      const std::string& rule) {
    const uint64_t before = LedgerHead();
    Answer answer = Post(token, target, body);
    INFO(target << " -> " << answer.status << " " << answer.text);
    CHECK(answer.status == 422);
    CHECK(answer.code() == "rule_violation");
    CHECK(answer.rule() == rule);
    CHECK(answer.body["type"] == "urn:dialogue:problem:rule_violation");
    CHECK(LedgerHead() == before);
  }
};

TEST_CASE_METHOD(RulesFixture, "58: signatories only, paid from voluntary contributions",
                 "[command][rules]") {
  RequireRefused("state-at", "/v1/state-participations",
                 {{"id", "sp-at"}, {"state", "at"}, {"review_cycle", "second"}}, "58");
  Do("state-ua", "/v1/state-participations",
     {{"id", "sp-ua"}, {"state", "ua"}, {"review_cycle", "second"}});
  RequireRefused("sec", "/v1/state-participations/sp-ua/funding",
                 {{"source", "regular_budget"}, {"amount_usd", 25000}, {"donor", "Secretariat"}},
                 "58");
  Do("sec", "/v1/state-participations/sp-ua/funding",
     {{"source", "voluntary_contributions"}, {"amount_usd", 25000}, {"donor", "Norway"}});
}

TEST_CASE_METHOD(RulesFixture, "59(a): requested by the President, convened on the margins",
                 "[command][rules]") {
  RequireRefused("sec", "/v1/briefings", {{"id", "b1"}, {"title", "T"}}, "59(a)");
  Do("president", "/v1/briefings", {{"id", "b1"}, {"title", "T"}});
  RequireRefused("sec", "/v1/briefings/b1/convening",
                 {{"meeting", "m-tip-16"}, {"date", "2026-07-15"}}, "59(a)");
  RequireRefused("sec", "/v1/briefings/b1/convening",
                 {{"meeting", "m-tip-16"}, {"date", "2026-07-25"}, {"bureau_member", "bur-eva"}},
                 "59(a)");
}

TEST_CASE_METHOD(RulesFixture, "59(b): a summary mentioning a country needs a justification",
                 "[command][rules]") {
  ConveneBriefing();
  clock().Set(testing::Instant("2026-07-16T10:00:00Z"));
  Do("sec", "/v1/briefings/b1/attendance", {{"states", {"at"}}});
  Answer summary = Do("sec", "/v1/briefings/b1/summary",
                      {{"text", "Participants discussed shelters in Viet Nam."}});
  CHECK(summary.body["events"][0]["data"]["country_mentions"][0]["country"] == "VN");
  RequireRefused("sec", "/v1/briefings/b1/summary/submission", {{"crp_symbol", "CTOC/WG.4/CRP.1"}},
                 "59(b)");
}

TEST_CASE_METHOD(RulesFixture, "59(c): only those entitled at the previous session",
                 "[command][rules]") {
  Do("president", "/v1/briefings", {{"id", "b1"}, {"title", "T"}});
  Do("sec", "/v1/briefings/b1/convening",
     {{"meeting", "m-tip-16"}, {"date", "2026-07-15"}, {"bureau_member", "bur-eva"}});
  // ngo-e was entitled at cosp-11 only: the list is refused whole.
  RequireRefused("sec", "/v1/briefings/b1/invitations", {{"stakeholders", {"ngo-a", "ngo-e"}}},
                 "59(c)");
  RequireRefused("sec", "/v1/briefings/b1/invitations", {{"stakeholders", {"at"}}}, "59(c)");
}

TEST_CASE_METHOD(RulesFixture, "59(d): only a State Party objects, to an NGO", "[command][rules]") {
  ConveneBriefing();
  RequireRefused("state-ua", "/v1/briefings/b1/participants/ngo-b/objection", {{"grounds", "G"}},
                 "59(d)");
  RequireRefused("state-at", "/v1/briefings/b1/participants/igo-x/objection", {{"grounds", "G"}},
                 "59(d)");
  // While the referral is pending, the NGO cannot be recorded as attending.
  ObjectToNgoB();
  clock().Set(testing::Instant("2026-07-16T10:00:00Z"));
  RequireRefused("sec", "/v1/briefings/b1/attendance", {{"stakeholders", {"ngo-b"}}}, "59(d)");
}

TEST_CASE_METHOD(RulesFixture, "59(e): confirmations no later than ten days before",
                 "[command][rules]") {
  ConveneBriefing();
  // The deadline is the end of 5 July in Vienna: 21:59:59Z.
  clock().Set(testing::Instant("2026-07-05T21:59:59Z"));
  Do("ngo-a", "/v1/briefings/b1/participants/ngo-a/confirmation", json::object());
  clock().Set(testing::Instant("2026-07-05T22:00:00Z"));
  RequireRefused("ngo-b", "/v1/briefings/b1/participants/ngo-b/confirmation",
                 {{"written_comments", "Late"}}, "59(e)");
  // An act recorded late counts when it happened.
  Do("sec", "/v1/briefings/b1/participants/ngo-b/confirmation",
     {{"occurred_at", "2026-07-05T12:00:00Z"}, {"note", "confirmed by e-mail on 5 July"}});
  // Not invited: nothing to confirm.
  RequireRefused("sec", "/v1/briefings/b1/participants/ngo-c/confirmation",
                 {{"occurred_at", "2026-07-01T12:00:00Z"}}, "59(e)");
}

TEST_CASE_METHOD(RulesFixture, "59(f): only States Parties and signatories attend uninvited",
                 "[command][rules]") {
  ConveneBriefing();
  clock().Set(testing::Instant("2026-07-16T10:00:00Z"));
  RequireRefused("sec", "/v1/briefings/b1/attendance", {{"states", {"at", "ngo-c"}}}, "59(f)");
  Do("sec", "/v1/briefings/b1/attendance", {{"states", {"at", "ua"}}});
}

TEST_CASE_METHOD(RulesFixture, "59(g): a summary only once the briefing is held",
                 "[command][rules]") {
  ConveneBriefing();
  RequireRefused("sec", "/v1/briefings/b1/summary", {{"text", "Summary"}}, "59(g)");
  RequireRefused("sec", "/v1/briefings/b1/summary/submission", {{"crp_symbol", "CRP.1"}}, "59(g)");
}

TEST_CASE_METHOD(RulesFixture, "59(h): reports come from relevant stakeholders",
                 "[command][rules]") {
  RequireRefused("sec", "/v1/reports",
                 {{"id", "r1"},
                  {"authors", {"ngo-a", "at"}},
                  {"addressed_to", "conference"},
                  {"title", "T"},
                  {"text", "Our activities"}},
                 "59(h)");
  Answer filed = Do("ngo-a", "/v1/reports",
                    {{"id", "r1"},
                     {"authors", {"ngo-a", "igo-x"}},
                     {"addressed_to", "wg-tip"},
                     {"title", "T"},
                     {"text", "Our activities"}});
  CHECK(filed.body["events"][0]["data"]["submitted_by"] == "ngo-a");
}

TEST_CASE_METHOD(RulesFixture, "60: a Working Group invites NGOs with ECOSOC status",
                 "[command][rules]") {
  const json invitation = {{"id", "oi-1"},
                           {"meeting", "m-tip-16"},
                           {"stakeholder", "ngo-c"},
                           {"topic", "victim-assistance-protection"}};
  RequireRefused("wg-tip", "/v1/observer-invitations", invitation, "60");
  json other_group = invitation;
  other_group["stakeholder"] = "ngo-a";
  other_group["meeting"] = "m-som-11";
  RequireRefused("wg-tip", "/v1/observer-invitations", other_group, "60");
  json no_item = other_group;
  no_item["meeting"] = "m-tip-plain";
  RequireRefused("wg-tip", "/v1/observer-invitations", no_item, "60");
  json fine = invitation;
  fine["stakeholder"] = "ngo-a";
  Answer invited = Do("wg-tip", "/v1/observer-invitations", fine);
  CHECK(invited.body["events"][0]["data"]["working_group"] == "wg-tip");
  // A topic outside the five is a bad request, not a rule.
  json topic = fine;
  topic["id"] = "oi-2";
  topic["topic"] = "firearms-marking";
  CHECK(Post("wg-tip", "/v1/observer-invitations", topic).status == 400);
}

TEST_CASE_METHOD(RulesFixture, "60: losing ECOSOC status before the meeting revokes invitations",
                 "[command][rules]") {
  // RULES.md 60: "revoked if the NGO loses ECOSOC status before the meeting" — without anyone
  // having to record the revocation by hand.
  const json invitation = {
      {"id", "oi-1"}, {"meeting", "m-tip-16"}, {"stakeholder", "ngo-a"}, {"topic", "prevention"}};
  Do("wg-tip", "/v1/observer-invitations", invitation);
  Do("ngo-a", "/v1/observer-invitations/oi-1/response", {{"accepted", true}});
  // A change that keeps a consultative status revokes nothing.
  Answer kept = Do("sec", "/v1/stakeholders/ngo-a/ecosoc-status", {{"status", "roster"}});
  CHECK(kept.body["events"].size() == 1);
  CHECK(Get("sec", "/v1/observer-invitations/oi-1").body["status"] == "accepted");

  Answer lost = Do("sec", "/v1/stakeholders/ngo-a/ecosoc-status", {{"status", "none"}});
  CHECK(lost.body["stream"] == "stakeholder-ngo-a");
  REQUIRE(lost.body["events"].size() == 2);
  CHECK(lost.body["events"][0]["type"] == "EcosocStatusChanged");
  CHECK(lost.body["events"][1]["type"] == "ObserverInvitationRevoked");
  CHECK(lost.body["events"][1]["stream"] == "observer-invitation-oi-1");
  Answer revoked = Get("ngo-a", "/v1/observer-invitations/oi-1");
  CHECK(revoked.body["status"] == "revoked");
  CHECK(revoked.body["revocation_reason"] == "ngo-a no longer has ECOSOC consultative status");
  RequireRefused("ngo-a", "/v1/observer-invitations/oi-1/response", {{"accepted", false}}, "60");
}

TEST_CASE_METHOD(RulesFixture, "61: Working Groups invite NGOs, only the invited submit",
                 "[command][rules]") {
  RequireRefused("wg-tip", "/v1/contribution-requests",
                 {{"id", "cr-1"}, {"stakeholders", {"ngo-a", "igo-x"}}, {"due_on", "2026-08-31"}},
                 "61");
  RequireRefused("sec", "/v1/contribution-requests",
                 {{"id", "cr-1"}, {"stakeholders", {"ngo-a"}}, {"due_on", "2026-08-31"}}, "61");
  Do("wg-tip", "/v1/contribution-requests",
     {{"id", "cr-1"}, {"stakeholders", {"ngo-a"}}, {"due_on", "2026-08-31"}});
  // Only the invited submit: recorded by the secretariat (which reads the request), 422 under 61;
  // from the uninvited NGO itself, the 403 its GET of the request gets (docs/security.md, "What a
  // refusal says").
  RequireRefused("sec", "/v1/contribution-requests/cr-1/contributions/ngo-b",
                 {{"text", "Uninvited"}}, "61");
  const uint64_t before = LedgerHead();
  CHECK(Post("ngo-b", "/v1/contribution-requests/cr-1/contributions/ngo-b", {{"text", "Uninvited"}})
            .status == 403);
  CHECK(Get("ngo-b", "/v1/contribution-requests/cr-1").status == 403);
  CHECK(LedgerHead() == before);
  Answer screened = Do("ngo-a", "/v1/contribution-requests/cr-1/contributions/ngo-a",
                       {{"text", "Our work in Türkiye"}});
  CHECK(screened.body["events"][0]["data"]["status"] == "under_review");
  RequireRefused("ngo-a", "/v1/contribution-requests/cr-1/contributions/ngo-a", {{"text", "Again"}},
                 "61");
  Do("sec", "/v1/contribution-requests/cr-1/contributions/ngo-a/review",
     {{"outcome", "returned"}, {"reasons", "Names a country"}});
  Do("ngo-a", "/v1/contribution-requests/cr-1/contributions/ngo-a", {{"text", "Our work"}});
}

}  // namespace
}  // namespace dialogue::api
