// What a refused write says (docs/security.md, "What a refusal says"): a state or stakeholder that
// may not read an entity gets from a POST on it what a GET would tell it (403, the same detail),
// whether the entity exists or not, and a refusal it may still receive (59(d): any State Party
// objects) names nothing of an entity it may not read. The rules are checked only for callers who
// may see the entity.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/api/command_fixture.hpp"

namespace dialogue::api {
namespace {

using nlohmann::json;
using testing::Answer;

class DisclosureFixture : public testing::CommandFixture {
 public:
  DisclosureFixture() {
    RegisterReferenceData();
    ConveneBriefing();  // b1 on 2026-07-15: ngo-a, ngo-b, igo-x invited
    ObjectToNgoB();     // at objects: referral b1.ngo-b
    Do("wg-tip", "/v1/observer-invitations",
       {{"id", "oi-1"},
        {"meeting", "m-tip-16"},
        {"stakeholder", "ngo-a"},
        {"topic", "prevention"}});
    Do("wg-tip", "/v1/contribution-requests",
       {{"id", "cr-1"}, {"stakeholders", {"ngo-a"}}, {"due_on", "2026-08-31"}});
    Do("state-ua", "/v1/state-participations",
       {{"id", "sp-ua"}, {"state", "ua"}, {"review_cycle", "second"}});
  }

  // The refusal of a POST next to the GET's, for the same caller: same status, same detail (a
  // route the role may not GET at all says so instead: `same_detail` false).
  void ChecksLikeItsRead(const std::string& token, const std::string& post, const json& body,
                         const std::string& get, bool same_detail = true) {
    const uint64_t head = Head();
    Answer written = Post(token, post, body);
    Answer read = Get(token, get);
    INFO(token << " POST " << post << " -> " << written.status << " " << written.text);
    INFO(token << " GET " << get << " -> " << read.status << " " << read.text);
    CHECK(written.status == 403);
    CHECK(written.status == read.status);
    if (same_detail) CHECK(written.body["detail"] == read.body["detail"]);
    CHECK(Head() == head);
  }
};

bool Mentions(const Answer& answer, const std::string& text) {
  return answer.text.find(text) != std::string::npos;
}

TEST_CASE_METHOD(DisclosureFixture, "WithdrawingAnotherStatesObjectionNamesNoObjector",
                 "[command][disclosure]") {
  Answer answer = Post("state-fr", "/v1/referrals/b1.ngo-b/withdrawal", {{"reasons", "R"}});
  CHECK(answer.status == 403);
  CHECK_FALSE(Mentions(answer, "\"at\""));
  CHECK_FALSE(Mentions(answer, "at,"));
  CHECK_FALSE(Mentions(answer, "raised it"));
  // A State reads no referral (GET answers 403 for the route); the one that does not exist looks
  // the same as the one that does.
  ChecksLikeItsRead("state-fr", "/v1/referrals/b1.ngo-b/withdrawal", {{"reasons", "R"}},
                    "/v1/referrals/b1.ngo-b", false);
  Answer missing = Post("state-fr", "/v1/referrals/b9.ngo-b/withdrawal", {{"reasons", "R"}});
  CHECK(missing.status == 403);
  CHECK(missing.body["detail"] == "this token may not read referral b9.ngo-b");
  CHECK(answer.body["detail"] == "this token may not read referral b1.ngo-b");
  // The objector itself still may.
  CHECK(Post("state-at", "/v1/referrals/b1.ngo-b/withdrawal", {{"reasons", "R"}}).status == 201);
}

TEST_CASE_METHOD(DisclosureFixture, "ConfirmingABriefingNotInvitedToLooksLikeOneThatDoesNotExist",
                 "[command][disclosure]") {
  // ngo-c is not invited to b1; b9 does not exist. Neither answer tells them apart, nor gives
  // b1's date.
  Answer existing =
      Post("ngo-c", "/v1/briefings/b1/participants/ngo-c/confirmation", json::object());
  Answer missing =
      Post("ngo-c", "/v1/briefings/b9/participants/ngo-c/confirmation", json::object());
  CHECK(existing.status == 403);
  CHECK(missing.status == existing.status);
  CHECK_FALSE(Mentions(existing, "2026-07-15"));
  CHECK_FALSE(Mentions(existing, "invited"));
  ChecksLikeItsRead("ngo-c", "/v1/briefings/b1/participants/ngo-c/confirmation", json::object(),
                    "/v1/briefings/b1");
  ChecksLikeItsRead("ngo-c", "/v1/briefings/b9/participants/ngo-c/confirmation", json::object(),
                    "/v1/briefings/b9");
  ChecksLikeItsRead("ngo-c", "/v1/briefings/b1/participants/ngo-c/decline", json::object(),
                    "/v1/briefings/b1");
  // An invited stakeholder is told why (it reads the briefing).
  CHECK(Post("ngo-a", "/v1/briefings/b1/participants/ngo-a/confirmation", json::object()).status ==
        201);
  Answer twice = Post("ngo-a", "/v1/briefings/b1/participants/ngo-a/confirmation", json::object());
  CHECK(twice.status == 409);
  CHECK(Mentions(twice, "already confirmed"));
}

TEST_CASE_METHOD(DisclosureFixture, "AnsweringAnotherStakeholdersInvitationNamesNoInvitee",
                 "[command][disclosure]") {
  Answer answer = Post("ngo-b", "/v1/observer-invitations/oi-1/response", {{"accepted", true}});
  CHECK(answer.status == 403);
  CHECK_FALSE(Mentions(answer, "ngo-a"));
  ChecksLikeItsRead("ngo-b", "/v1/observer-invitations/oi-1/response", {{"accepted", true}},
                    "/v1/observer-invitations/oi-1");
  ChecksLikeItsRead("ngo-b", "/v1/observer-invitations/oi-9/response", {{"accepted", true}},
                    "/v1/observer-invitations/oi-9");
  // Contributions and State participations alike.
  ChecksLikeItsRead("ngo-b", "/v1/contribution-requests/cr-1/contributions/ngo-b", {{"text", "X"}},
                    "/v1/contribution-requests/cr-1");
  ChecksLikeItsRead("state-fr", "/v1/state-participations/sp-ua/withdrawal", json::object(),
                    "/v1/state-participations/sp-ua");
}

TEST_CASE_METHOD(DisclosureFixture, "ObjectingToAnNgoUnderReferralNamesNoReferral",
                 "[command][disclosure]") {
  // fr may object (any State Party may, 59(d)) but does not read b1: the refusal keeps its status
  // and code, and names neither the referral, the objector nor the briefing's date.
  const uint64_t head = Head();
  Answer answer = Post("state-fr", "/v1/briefings/b1/participants/ngo-b/objection",
                       {{"grounds", "Also outside the scope"}});
  CHECK(answer.status == 409);
  CHECK(answer.code() == "already_exists");
  CHECK_FALSE(Mentions(answer, "b1.ngo-b"));
  CHECK_FALSE(Mentions(answer, "2026-07-15"));
  CHECK_FALSE(Mentions(answer, "\"at\""));
  // A rule refusal keeps its rule.
  Answer not_invited =
      Post("state-fr", "/v1/briefings/b1/participants/ngo-c/objection", {{"grounds", "G"}});
  CHECK(not_invited.status == 422);
  CHECK(not_invited.body["rule"] == "59(d)");
  CHECK_FALSE(Mentions(not_invited, "2026-07-15"));
  // A briefing that does not exist: as GET says.
  ChecksLikeItsRead("state-fr", "/v1/briefings/b9/participants/ngo-b/objection", {{"grounds", "G"}},
                    "/v1/briefings/b9");
  CHECK(Head() == head);
  // fr's objection to an NGO free of referral is recorded.
  CHECK(Post("state-fr", "/v1/briefings/b1/participants/ngo-a/objection", {{"grounds", "G"}})
            .status == 201);
}

}  // namespace
}  // namespace dialogue::api
