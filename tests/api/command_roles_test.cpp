// The role matrix: every command endpoint x every role, each either allowed (anything but 401 and
// 403: the command may still be refused by a rule or for its input) or 403 forbidden; and
// object-level authorization: acting for another stakeholder or group than one's own is 403.
#include <catch2/catch.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "tests/api/command_fixture.hpp"

namespace dialogue::api {
namespace {

using nlohmann::json;
using testing::Answer;

// The matrix's caller for each role: the one that owns the objects of the requests below.
const std::map<std::string, std::string> kTokenOfRole = {
    {"secretariat", "sec"},      {"president", "president"},     {"bureau", "bureau"},
    {"working_group", "wg-tip"}, {"state", "state-at"},          {"stakeholder", "ngo-a"},
    {"auditor", "auditor"},      {"integration", "integration"},
};

struct Row {
  std::string target;
  json body;
  std::set<std::string> allowed;                     // roles
  std::map<std::string, std::string> token_of = {};  // per-row owners, by role
};

class RolesFixture : public testing::CommandFixture {
 public:
  RolesFixture() {
    RegisterReferenceData();
    ConveneBriefing();
    ObjectToNgoB();
    Do("wg-tip", "/v1/observer-invitations",
       {{"id", "oi-1"},
        {"meeting", "m-tip-16"},
        {"stakeholder", "ngo-a"},
        {"topic", "prevention"}});
    Do("wg-tip", "/v1/contribution-requests",
       {{"id", "cr-1"}, {"stakeholders", {"ngo-a", "ngo-b"}}, {"due_on", "2026-08-31"}});
    Do("ngo-b", "/v1/contribution-requests/cr-1/contributions/ngo-b",
       {{"text", "Our work in Viet Nam"}});
    Do("state-ua", "/v1/state-participations",
       {{"id", "sp-ua"}, {"state", "ua"}, {"review_cycle", "second"}});
  }
};

const std::vector<Row>& Rows() {
  static const std::vector<Row> kRows = {
      {"/v1/conference-sessions",
       {{"id", "cosp-13"}, {"title", "T"}, {"starts_on", "2027-10-11"}, {"ends_on", "2027-10-15"}},
       {"secretariat"}},
      {"/v1/working-groups",
       {{"id", "wg-fa"}, {"name", "Firearms"}, {"protocol", "firearms"}},
       {"secretariat"}},
      {"/v1/meetings",
       {{"id", "m-som-12"},
        {"working_group", "wg-som"},
        {"starts_on", "2027-07-01"},
        {"ends_on", "2027-07-02"},
        {"review_agenda_item", true}},
       {"secretariat"}},
      {"/v1/stakeholders", {{"id", "ngo-f"}, {"name", "F"}, {"category", "ngo"}}, {"secretariat"}},
      {"/v1/stakeholders/ngo-a/ecosoc-status", {{"status", "general"}}, {"secretariat"}},
      {"/v1/stakeholders/ngo-c/observer-entitlements",
       {{"conference_session", "cosp-12"}},
       {"secretariat"}},
      {"/v1/briefings", {{"id", "b2"}, {"title", "T"}}, {"president", "secretariat"}},
      {"/v1/briefings/b1/convening",
       {{"meeting", "m-tip-16"}, {"date", "2026-07-15"}, {"bureau_member", "bur-eva"}},
       {"secretariat"}},
      {"/v1/briefings/b1/invitations", {{"stakeholders", {"ngo-a"}}}, {"secretariat"}},
      {"/v1/briefings/b1/rescheduling", {{"date", "2026-07-16"}}, {"secretariat"}},
      {"/v1/briefings/b1/participants/ngo-a/confirmation",
       {{"written_comments", "We come"}},
       {"stakeholder", "secretariat"}},
      {"/v1/briefings/b1/participants/ngo-a/decline",
       json::object(),
       {"stakeholder", "secretariat"}},
      {"/v1/briefings/b1/participants/ngo-a/objection",
       {{"grounds", "G"}, {"objecting_state", "at"}},
       {"state", "secretariat"}},
      {"/v1/referrals/b1.ngo-b/withdrawal", {{"reasons", "R"}}, {"state", "secretariat"}},
      {"/v1/referrals/b1.ngo-b/decision",
       {{"outcome", "admitted"}, {"reasons", "R"}},
       {"working_group", "secretariat"}},
      {"/v1/briefings/b1/attendance", {{"states", {"at"}}}, {"secretariat"}},
      {"/v1/briefings/b1/summary", {{"text", "S"}}, {"secretariat"}},
      {"/v1/briefings/b1/summary/submission", {{"crp_symbol", "CRP.1"}}, {"secretariat"}},
      {"/v1/briefings/b1/cancellation", {{"reason", "R"}}, {"president", "secretariat"}},
      {"/v1/observer-invitations",
       {{"id", "oi-2"}, {"meeting", "m-tip-16"}, {"stakeholder", "ngo-b"}, {"topic", "prevention"}},
       {"working_group", "secretariat"}},
      {"/v1/observer-invitations/oi-1/response",
       {{"accepted", true}},
       {"stakeholder", "secretariat"}},
      {"/v1/observer-invitations/oi-1/revocation",
       {{"reason", "R"}},
       {"working_group", "secretariat"}},
      {"/v1/contribution-requests",
       {{"id", "cr-2"},
        {"stakeholders", {"ngo-a"}},
        {"due_on", "2026-09-30"},
        {"working_group", "wg-tip"}},
       {"working_group", "secretariat"}},
      {"/v1/contribution-requests/cr-1/contributions/ngo-a",
       {{"text", "Our work"}},
       {"stakeholder", "secretariat"}},
      {"/v1/contribution-requests/cr-1/contributions/ngo-b/review",
       {{"outcome", "accepted"}, {"reasons", "Harmless"}},
       {"secretariat"}},
      {"/v1/reports",
       {{"id", "r1"},
        {"authors", {"ngo-a"}},
        {"addressed_to", "conference"},
        {"title", "T"},
        {"text", "X"}},
       {"stakeholder", "secretariat"}},
      {"/v1/state-participations",
       {{"id", "sp-2"}, {"state", "at"}, {"review_cycle", "second"}},
       {"state", "secretariat"}},
      {"/v1/state-participations/sp-ua/funding",
       {{"source", "voluntary_contributions"}, {"amount_usd", 1000}, {"donor", "Norway"}},
       {"secretariat"}},
      {"/v1/state-participations/sp-ua/withdrawal",
       {{"reasons", "R"}},
       {"state", "secretariat"},
       {{"state", "state-ua"}}},
  };
  return kRows;
}

TEST_CASE_METHOD(RolesFixture, "Every command endpoint x every role", "[command][roles]") {
  // Every POST route of the router is in the matrix, but the console's sign-in and the
  // operator's backups, which are no commands (tests/api/session_test.cpp,
  // tests/api/backup_process_test.cpp).
  std::set<std::string> routes;
  for (const auto& [method, pattern] : router().Routes()) {
    if (method == "POST" && pattern != "/v1/session" && pattern != "/v1/admin/backups") {
      routes.insert(pattern);
    }
  }
  CHECK(routes.size() == Rows().size());

  for (const Row& row : Rows()) {
    for (const auto& [role, default_token] : kTokenOfRole) {
      auto token = row.token_of.count(role) ? row.token_of.at(role) : default_token;
      Answer answer = Post(token, row.target, row.body);
      INFO("POST " << row.target << " as " << role << " (" << token << ") -> " << answer.status
                   << " " << answer.text);
      CHECK(answer.status != 401);
      if (row.allowed.count(role) != 0) {
        CHECK(answer.status != 403);
      } else {
        CHECK(answer.status == 403);
        CHECK(answer.code() == "forbidden");
      }
    }
  }
}

TEST_CASE_METHOD(RolesFixture, "Nobody acts for another stakeholder or group", "[command][roles]") {
  const uint64_t head = Head();
  const auto forbidden = [this](const std::string& token, const std::string& target,
                                const json& body) {
    Answer answer = Post(token, target, body);
    INFO(token << " POST " << target << " -> " << answer.status << " " << answer.text);
    CHECK(answer.status == 403);
    CHECK(answer.code() == "forbidden");
  };
  // An NGO confirming, declining or contributing for another NGO.
  forbidden("ngo-b", "/v1/briefings/b1/participants/ngo-a/confirmation", json::object());
  forbidden("ngo-b", "/v1/briefings/b1/participants/ngo-a/decline", json::object());
  forbidden("ngo-b", "/v1/contribution-requests/cr-1/contributions/ngo-a", {{"text", "X"}});
  forbidden("ngo-b", "/v1/observer-invitations/oi-1/response", {{"accepted", false}});
  // A report its stakeholder does not co-author (59(h) says 403).
  forbidden("ngo-b", "/v1/reports",
            {{"id", "r9"},
             {"authors", {"ngo-a"}},
             {"addressed_to", "conference"},
             {"title", "T"},
             {"text", "X"}});
  // A Working Group deciding another group's referral or requesting for another group.
  forbidden("wg-som", "/v1/referrals/b1.ngo-b/decision", {{"outcome", "not_admitted"}});
  forbidden("wg-som", "/v1/contribution-requests",
            {{"id", "cr-9"},
             {"stakeholders", {"ngo-a"}},
             {"due_on", "2026-09-30"},
             {"working_group", "wg-tip"}});
  forbidden("wg-som", "/v1/observer-invitations",
            {{"id", "oi-9"},
             {"meeting", "m-tip-16"},
             {"stakeholder", "ngo-a"},
             {"topic", "prevention"},
             {"working_group", "wg-tip"}});
  // A State objecting in another's name, withdrawing another's objection, or asking to
  // participate for another State.
  forbidden("state-fr", "/v1/briefings/b1/participants/ngo-a/objection",
            {{"grounds", "G"}, {"objecting_state", "at"}});
  forbidden("state-fr", "/v1/referrals/b1.ngo-b/withdrawal", {{"reasons", "R"}});
  forbidden("state-fr", "/v1/state-participations",
            {{"id", "sp-9"}, {"state", "ua"}, {"review_cycle", "second"}});
  forbidden("state-fr", "/v1/state-participations/sp-ua/withdrawal", json::object());
  CHECK(Head() == head);

  // The owners themselves may.
  CHECK(Post("ngo-a", "/v1/briefings/b1/participants/ngo-a/confirmation", json::object()).status ==
        201);
  CHECK(Post("wg-tip", "/v1/referrals/b1.ngo-b/decision", {{"outcome", "not_admitted"}}).status ==
        201);
}

TEST_CASE_METHOD(RolesFixture, "The secretariat records acts on others' behalf",
                 "[command][roles]") {
  Answer confirmed = Post("sec", "/v1/briefings/b1/participants/ngo-a/confirmation",
                          {{"written_comments", "By letter"}, {"on_behalf_of", "ngo-a-rep"}});
  REQUIRE(confirmed.status == 201);
  const json& event = confirmed.body["events"][0];
  CHECK(event["actor"] == "sec-ana");
  CHECK(event["role"] == "secretariat");
  CHECK(event["on_behalf_of"] == "ngo-a-rep");
  CHECK(event["data"]["stakeholder"] == "ngo-a");

  // Without on_behalf_of, the stakeholder the path names is whose act it was: the log says so,
  // and the history sentence too.
  Answer declined = Post("sec", "/v1/briefings/b1/participants/igo-x/decline", json::object());
  REQUIRE(declined.status == 201);
  CHECK(declined.body["events"][0]["on_behalf_of"] == "igo-x");
  const json history = Get("sec", "/v1/streams/briefing-b1/history").body;
  CHECK_THAT(history["entries"].back()["sentence"].get<std::string>(),
             Catch::Contains("for igo-x"));

  // An objection recorded for a State names it in objecting_state (required from the
  // secretariat).
  Answer unnamed = Post("sec", "/v1/briefings/b1/participants/igo-x/objection", {{"grounds", "G"}});
  CHECK(unnamed.status == 400);
  Answer withdrawn = Post("sec", "/v1/referrals/b1.ngo-b/withdrawal",
                          {{"reasons", "Settled"}, {"on_behalf_of", "at-rep"}});
  REQUIRE(withdrawn.status == 201);
  Answer again = Post("sec", "/v1/briefings/b1/participants/ngo-b/objection",
                      {{"grounds", "New grounds"}, {"objecting_state", "fr"}});
  REQUIRE(again.status == 201);
  CHECK(again.body["stream"] == "briefing-b1");
  REQUIRE(again.body["events"].size() == 2);
  CHECK(again.body["events"][0]["type"] == "ObjectionRaised");
  CHECK(again.body["events"][0]["data"]["objecting_state"] == "fr");
  CHECK(again.body["events"][1]["type"] == "ReferredToWorkingGroup");
  CHECK(again.body["events"][1]["stream"] == "referral-b1.ngo-b");
  CHECK(again.body["events"][1]["version"] == 3);

  // A Working Group's contribution request, recorded for it.
  Answer requested = Post("sec", "/v1/contribution-requests",
                          {{"id", "cr-2"},
                           {"stakeholders", {"ngo-a"}},
                           {"due_on", "2026-09-30"},
                           {"working_group", "wg-som"}});
  REQUIRE(requested.status == 201);
  CHECK(requested.body["events"][0]["data"]["working_group"] == "wg-som");
  // An observer invitation, recorded for the meeting's group.
  Answer invited = Post("sec", "/v1/observer-invitations",
                        {{"id", "oi-2"},
                         {"meeting", "m-som-11"},
                         {"stakeholder", "ngo-b"},
                         {"topic", "tip-art6-para3"}});
  REQUIRE(invited.status == 201);
  CHECK(invited.body["events"][0]["data"]["working_group"] == "wg-som");
  CHECK(Post("sec", "/v1/observer-invitations",
             {{"id", "oi-3"},
              {"meeting", "m-none"},
              {"stakeholder", "ngo-b"},
              {"topic", "prevention"}})
            .status == 404);
}

}  // namespace
}  // namespace dialogue::api
