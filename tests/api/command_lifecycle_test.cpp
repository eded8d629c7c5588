// A briefing's whole life through HTTP against the real `dialogue serve` process: reference data,
// the President's request, convening, invitations (a list, then all_eligible), confirmations with
// written comments (a country mention found), a decline, a State Party's objection referred to the
// Working Group and decided, attendance, a summary mentioning a country, its submission refused
// without a justification (59(b)) then accepted with one. Then `dialogue rebuild` over the data.
#include <catch2/catch.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <tuple>
#include <vector>

#include "tests/api/command_fixture.hpp"
#include "tests/api/test_support.hpp"

namespace dialogue::api {
namespace {

using nlohmann::json;

class Client {
 public:
  explicit Client(uint16_t port) : http_(port) {}

  testing::Reply Post(const std::string& token, const std::string& target, const json& body) {
    return http_.Send("POST", target,
                      {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}},
                      body.dump());
  }

  // POST that must answer 201; the answer's body.
  json Do(const std::string& token, const std::string& target, const json& body) {
    testing::Reply reply = Post(token, target, body);
    INFO("POST " << target << " -> " << reply.status << " " << reply.body);
    REQUIRE(reply.status == 201);
    return json::parse(reply.body);
  }

  json Get(const std::string& token, const std::string& target) {
    testing::Reply reply = http_.Send("GET", target, testing::Bearer(token));
    INFO("GET " << target << " -> " << reply.status << " " << reply.body);
    REQUIRE(reply.status == 200);
    return json::parse(reply.body);
  }

 private:
  testing::HttpClient http_;
};

TEST_CASE("A briefing's whole life through HTTP against the real server", "[command][process]") {
  testing::TempDir dir;
  const std::string data = dir.Path("data");
  const std::string tokens = dir.Path("tokens.json");
  testing::WriteFile(tokens, testing::CommandTokensJson());
  testing::ServerProcess server(data, tokens);
  Client client(server.port());

  // Reference data and the stakeholder register.
  client.Do("sec", "/v1/conference-sessions",
            {{"id", "cosp-12"},
             {"title", "Twelfth session"},
             {"starts_on", "2025-10-13"},
             {"ends_on", "2025-10-17"}});
  client.Do("sec", "/v1/working-groups",
            {{"id", "wg-tip"}, {"name", "Trafficking in Persons"}, {"protocol", "tip"}});
  client.Do("sec", "/v1/meetings",
            {{"id", "m-tip-16"},
             {"working_group", "wg-tip"},
             {"starts_on", "2026-07-14"},
             {"ends_on", "2026-07-16"},
             {"review_agenda_item", true}});
  for (const auto& [id, category, ecosoc] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"ngo-a", "ngo", "special"}, {"ngo-b", "ngo", "general"}, {"igo-x", "igo", "none"}}) {
    client.Do("sec", "/v1/stakeholders",
              {{"id", id},
               {"name", "Stakeholder " + id},
               {"category", category},
               {"ecosoc_status", ecosoc}});
    client.Do("sec", "/v1/stakeholders/" + id + "/observer-entitlements",
              {{"conference_session", "cosp-12"}});
  }
  client.Do("sec", "/v1/stakeholders",
            {{"id", "at"}, {"name", "Austria"}, {"category", "state_party"}});
  client.Do("sec", "/v1/stakeholders",
            {{"id", "ua"}, {"name", "Utopia"}, {"category", "signatory_state"}});

  // The President requests; the secretariat convenes (recorded late, as it happened in June).
  json requested = client.Do("president", "/v1/briefings",
                             {{"id", "b1"}, {"title", "Victims' assistance in the review"}});
  CHECK(requested["stream"] == "briefing-b1");
  CHECK(requested["version"] == 1);
  client.Do("sec", "/v1/briefings/b1/convening",
            {{"meeting", "m-tip-16"},
             {"date", "2026-07-15"},
             {"bureau_member", "bur-eva"},
             {"occurred_at", "2026-06-01T09:00:00Z"}});

  // Invitations: one by name, then every other eligible stakeholder.
  json listed = client.Do("sec", "/v1/briefings/b1/invitations",
                          {{"stakeholders", {"ngo-a"}}, {"occurred_at", "2026-06-02T09:00:00Z"}});
  CHECK(listed["events"].size() == 1);
  json all = client.Do("sec", "/v1/briefings/b1/invitations",
                       {{"all_eligible", true}, {"occurred_at", "2026-06-02T09:05:00Z"}});
  REQUIRE(all["events"].size() == 2);
  CHECK(all["events"][0]["data"]["stakeholder"] == "igo-x");
  CHECK(all["events"][1]["data"]["stakeholder"] == "ngo-b");

  // Confirmations, recorded by the secretariat as they arrived before the deadline; the written
  // comments are screened.
  json confirmed = client.Do("sec", "/v1/briefings/b1/participants/ngo-a/confirmation",
                             {{"written_comments", "We will speak of our shelters in Viet Nam."},
                              {"occurred_at", "2026-06-20T10:00:00Z"},
                              {"on_behalf_of", "ngo-a-rep"}});
  const json& confirmation = confirmed["events"][0];
  CHECK(confirmation["type"] == "AttendanceConfirmed");
  CHECK(confirmation["on_behalf_of"] == "ngo-a-rep");
  REQUIRE(confirmation["data"]["country_mentions"].size() == 1);
  CHECK(confirmation["data"]["country_mentions"][0]["country"] == "VN");
  client.Do("sec", "/v1/briefings/b1/participants/ngo-b/confirmation",
            {{"occurred_at", "2026-06-21T10:00:00Z"}});
  // igo-x declines, itself.
  json declined = client.Do("igo-x", "/v1/briefings/b1/participants/igo-x/decline",
                            {{"note", "Not this time"}});
  CHECK(declined["events"][0]["actor"] == "igo-x-rep");

  // A State Party objects to ngo-b: referred to the Working Group, pending.
  json objected = client.Do("state-at", "/v1/briefings/b1/participants/ngo-b/objection",
                            {{"grounds", "Its work is outside the review"}});
  REQUIRE(objected["events"].size() == 2);
  CHECK(objected["events"][1]["type"] == "ReferredToWorkingGroup");
  CHECK(client.Get("wg-tip", "/v1/referrals/b1.ngo-b")["status"] == "pending");
  // The Working Group decides.
  json decided = client.Do("wg-tip", "/v1/referrals/b1.ngo-b/decision",
                           {{"outcome", "admitted"}, {"reasons", "Victims' protection"}});
  CHECK(decided["stream"] == "referral-b1.ngo-b");
  CHECK(decided["version"] == 2);
  CHECK(client.Get("wg-tip", "/v1/referrals/b1.ngo-b")["status"] == "decided");

  // Held; summarized with a country mention; submission needs a justification.
  client.Do("sec", "/v1/briefings/b1/attendance",
            {{"stakeholders", {"ngo-a", "ngo-b"}},
             {"states", {"at", "ua"}},
             {"occurred_at", "2026-07-15T16:00:00Z"}});
  json summary = client.Do("sec", "/v1/briefings/b1/summary",
                           {{"text", "An NGO described shelters in Viet Nam."}});
  CHECK(summary["events"][0]["data"]["country_mentions"][0]["country"] == "VN");
  const json head_before = client.Get("auditor", "/v1/ledger/head");
  testing::Reply refused = client.Post("sec", "/v1/briefings/b1/summary/submission",
                                       {{"crp_symbol", "CTOC/WG.4/CRP.1"}});
  CHECK(refused.status == 422);
  CHECK(json::parse(refused.body)["rule"] == "59(b)");
  CHECK(client.Get("auditor", "/v1/ledger/head") == head_before);
  json submitted = client.Do(
      "sec", "/v1/briefings/b1/summary/submission",
      {{"crp_symbol", "CTOC/WG.4/CRP.1"},
       {"override_country_mentions",
        {{"justification", "The NGO's own programme; no country situation is discussed"}}}});
  CHECK(submitted["events"][0]["type"] == "SummarySubmitted");

  json briefing = client.Get("sec", "/v1/briefings/b1");
  CHECK(briefing["status"] == "submitted");
  CHECK(briefing["version"] == submitted["version"]);
  std::map<std::string, std::string> statuses;
  for (const auto& p : briefing["participants"]) statuses[p["stakeholder"]] = p["status"];
  CHECK(statuses["ngo-a"] == "attended");
  CHECK(statuses["ngo-b"] == "attended");
  CHECK(statuses["igo-x"] == "declined");

  const uint64_t head = client.Get("auditor", "/v1/ledger/head")["position"].get<uint64_t>();
  CHECK(server.Terminate() == 0);

  // The read models fold the whole log again on demand.
  const std::string out = dir.Path("rebuild.out");
  CHECK(testing::RunDialogue({"rebuild", "--data", data}, "", out) == 0);
  CHECK(testing::ReadFile(out) == "rebuilt: position " + std::to_string(head) + "\n");
  CHECK(testing::RunDialogue({"rebuild", "--data", dir.Path("missing")}) == 2);
}

}  // namespace
}  // namespace dialogue::api
