// The command pipeline: body decoding and field errors, occurred_at and on_behalf_of, idempotent
// retries, If-Match, duplicates and unknown ids, the 201 answer, retries after a lost race, and
// the metrics.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <thread>

#include "api/routes/command_pipeline.hpp"
#include "tests/api/command_fixture.hpp"

namespace dialogue::api {
namespace {

using nlohmann::json;
using testing::Answer;

// The fields of a 400's errors list.
std::vector<std::string> ErrorFields(const Answer& answer) {
  std::vector<std::string> fields;
  if (!answer.body.is_object() || !answer.body.contains("errors")) return fields;
  for (const auto& e : answer.body["errors"]) fields.push_back(e.value("field", ""));
  return fields;
}

const json kSession = {{"id", "cosp-12"},
                       {"title", "Twelfth session"},
                       {"starts_on", "2025-10-13"},
                       {"ends_on", "2025-10-17"}};

TEST_CASE("BodyFields reads each field once and refuses the unknown ones", "[command]") {
  const json body = {{"id", "b1"},
                     {"ids", {"a", "b"}},
                     {"flag", true},
                     {"amount", 2.5},
                     {"date", "2026-07-15"},
                     {"none", nullptr},
                     {"stakeholdres", {"x"}},
                     {"map", {{"tip", "party"}}},
                     {"override", {{"justification", "why"}}}};
  BodyFields fields(body);
  CHECK(fields.Id("id") == "b1");
  CHECK(fields.IdList("ids") == std::vector<std::string>{"a", "b"});
  CHECK(fields.Bool("flag"));
  CHECK(fields.Number("amount") == 2.5);
  CHECK(fields.CalendarDate("date") == "2026-07-15");
  CHECK_FALSE(fields.OptionalString("none"));
  CHECK(fields.OptionalStringMap("map") ==
        std::vector<std::pair<std::string, std::string>>{{"tip", "party"}});
  CHECK(fields.OptionalNestedString("override", "justification") == "why");
  CHECK_FALSE(fields.OptionalString("absent"));
  auto refusal = fields.Finish();
  REQUIRE(refusal);
  CHECK(refusal->status == 400);
  auto problem = json::parse(refusal->body);
  REQUIRE(problem["errors"].size() == 1);
  CHECK(problem["errors"][0]["field"] == "stakeholdres");
}

TEST_CASE("BodyFields names every bad field", "[command]") {
  const json body = {{"id", "Bad Id"},       {"ids", {"a", 3, "a", "B"}}, {"flag", "yes"},
                     {"date", "2026-02-30"}, {"when", "yesterday"},       {"text", 12}};
  BodyFields fields(body);
  fields.Id("id");
  fields.IdList("ids");
  fields.Bool("flag");
  fields.CalendarDate("date");
  fields.OptionalInstant("when");
  fields.String("text");
  fields.String("missing");
  auto refusal = fields.Finish();
  REQUIRE(refusal);
  const json problem = json::parse(refusal->body);
  std::vector<std::string> names;
  for (const auto& e : problem["errors"]) names.push_back(e["field"]);
  CHECK(names == std::vector<std::string>{"id", "ids[1]", "ids[2]", "ids[3]", "flag", "date",
                                          "when", "text", "missing"});
}

TEST_CASE("If-Match, referral ids, idempotency keys and fingerprints", "[command]") {
  CHECK(ParseIfMatch("\"4\"") == 4u);
  CHECK(ParseIfMatch(" \"12\" ") == 12u);
  CHECK(ParseIfMatch("7") == 7u);
  CHECK_FALSE(ParseIfMatch("\"\""));
  CHECK_FALSE(ParseIfMatch("\"4x\""));
  CHECK_FALSE(ParseIfMatch("W/\"4\""));
  CHECK_FALSE(ParseIfMatch("*"));
  CHECK_FALSE(ParseIfMatch("\"99999999999999999999999\""));

  CHECK(IsValidReferralId("b1.ngo-b"));
  CHECK(IsValidReferralId("b.1.ngo.b"));
  CHECK_FALSE(IsValidReferralId("b1"));
  CHECK_FALSE(IsValidReferralId("b1."));
  CHECK_FALSE(IsValidReferralId(".ngo-b"));
  CHECK_FALSE(IsValidReferralId("B1.ngo-b"));

  CHECK(NamespacedIdempotencyKey("a", "b:c") != NamespacedIdempotencyKey("a:b", "c"));
  CHECK(RequestFingerprint("POST", "/v1/x", "a", "{}") ==
        RequestFingerprint("POST", "/v1/x", "a", "{}"));
  CHECK(RequestFingerprint("POST", "/v1/x", "a", "{}") !=
        RequestFingerprint("POST", "/v1/x", "b", "{}"));
  CHECK(RequestFingerprint("POST", "/v1/xa", "", "{}") !=
        RequestFingerprint("POST", "/v1/x", "a", "{}"));
}

TEST_CASE_METHOD(testing::CommandFixture, "A command answers 201 with its events as in the log",
                 "[command]") {
  Answer created = Post("sec", "/v1/conference-sessions", kSession);
  REQUIRE(created.status == 201);
  CHECK(created.etag == "\"1\"");
  CHECK(created.body["stream"] == "conference-session-cosp-12");
  CHECK(created.body["version"] == 1);
  CHECK(created.body["position"] == 1);
  REQUIRE(created.body["events"].size() == 1);
  const json& event = created.body["events"][0];
  CHECK(event["type"] == "ConferenceSessionRegistered");
  CHECK(event["position"] == 1);
  CHECK(event["actor"] == "sec-ana");
  CHECK(event["role"] == "secretariat");
  CHECK(event["occurred_at"] == "2026-06-01T09:00:00Z");
  CHECK(event["data"]["starts_on"] == "2025-10-13");
  // Exactly the event the log holds.
  Answer log = Get("auditor", "/v1/events");
  REQUIRE(log.status == 200);
  CHECK(log.body["events"][0] == event);
  // And the read side sees it at once.
  Answer read = Get("sec", "/v1/conference-sessions/cosp-12");
  CHECK(read.status == 200);
  CHECK(read.etag == "\"1\"");
}

TEST_CASE_METHOD(testing::CommandFixture, "Bodies are refused before anything is decided",
                 "[command]") {
  SECTION("a body that is not JSON, or sent as another media type") {
    CHECK(Send("POST", "sec", "/v1/conference-sessions", "{\"id\":").status == 400);
    CHECK(Send("POST", "sec", "/v1/conference-sessions", "[1]").status == 400);
    Answer media = Send("POST", "sec", "/v1/conference-sessions", kSession.dump(),
                        {{"Content-Type", "text/plain"}});
    CHECK(media.status == 415);
    CHECK(media.code() == "unsupported_media_type");
  }
  SECTION("an unknown field: a typo is refused, not ignored") {
    json body = kSession;
    body["titel"] = "typo";
    Answer answer = Post("sec", "/v1/conference-sessions", body);
    CHECK(answer.status == 400);
    CHECK(ErrorFields(answer) == std::vector<std::string>{"titel"});
  }
  SECTION("bad ids, dates and types, each named") {
    Answer answer = Post(
        "sec", "/v1/conference-sessions",
        {{"id", "COSP 12"}, {"title", 12}, {"starts_on", "2025-02-29"}, {"ends_on", "17 October"}});
    CHECK(answer.status == 400);
    CHECK(answer.code() == "bad_request");
    CHECK(ErrorFields(answer) == std::vector<std::string>{"id", "title", "starts_on", "ends_on"});
    CHECK(Post("sec", "/v1/conference-sessions", json::object()).status == 400);
  }
  SECTION("a bad id in the path") {
    Answer answer =
        Post("sec", "/v1/briefings/B%201/convening", {{"meeting", "m1"}, {"date", "2026-07-15"}});
    CHECK(answer.status == 400);
    CHECK(ErrorFields(answer) == std::vector<std::string>{"id"});
    CHECK(Post("wg-tip", "/v1/referrals/b1/decision", {{"outcome", "admitted"}}).status == 400);
  }
  SECTION("a malformed If-Match or Idempotency-Key") {
    CHECK(Post("sec", "/v1/conference-sessions", kSession, {{"If-Match", "four"}}).status == 400);
    CHECK(Post("sec", "/v1/conference-sessions", kSession, {{"Idempotency-Key", "a b"}}).status ==
          400);
    CHECK(Post("sec", "/v1/conference-sessions", kSession,
               {{"Idempotency-Key", std::string(kMaxIdempotencyKeyLength + 1, 'k')}})
              .status == 400);
  }
  CHECK(Head() == 0);
}

TEST_CASE_METHOD(testing::CommandFixture, "occurred_at and on_behalf_of", "[command]") {
  RegisterReferenceData();
  const uint64_t head = Head();

  SECTION("come from the secretariat only: any other role gets 403") {
    Answer answer = Post("president", "/v1/briefings",
                         {{"id", "b1"}, {"title", "T"}, {"occurred_at", "2026-05-01T00:00:00Z"}});
    CHECK(answer.status == 403);
    CHECK(Post("president", "/v1/briefings",
               {{"id", "b1"}, {"title", "T"}, {"on_behalf_of", "someone"}})
              .status == 403);
    CHECK(Head() == head);
  }
  SECTION("occurred_at in the future is refused; in the past it is recorded") {
    Answer future = Post("sec", "/v1/briefings",
                         {{"id", "b1"},
                          {"title", "T"},
                          {"on_behalf_of", "pres-li"},
                          {"occurred_at", "2026-06-01T09:00:01Z"}});
    CHECK(future.status == 400);
    CHECK(ErrorFields(future) == std::vector<std::string>{"occurred_at"});
    CHECK(Head() == head);
    Answer past = Post("sec", "/v1/briefings",
                       {{"id", "b1"},
                        {"title", "T"},
                        {"on_behalf_of", "pres-li"},
                        {"note", "recorded from the minutes"},
                        {"occurred_at", "2026-05-04T08:00:00Z"}});
    REQUIRE(past.status == 201);
    const json& event = past.body["events"][0];
    CHECK(event["occurred_at"] == "2026-05-04T08:00:00Z");
    CHECK(event["on_behalf_of"] == "pres-li");
    CHECK(event["note"] == "recorded from the minutes");
    CHECK(event["data"]["requested_by"] == "pres-li");
  }
  SECTION("OnBehalfOfThatIsNoIdIsRefused: on_behalf_of names an actor by id, not free text") {
    for (const std::string& bad :
         {std::string(5000, 'a'), std::string("<script>alert(1)</script>"),
          std::string("pres\u202eil"), std::string("Pres Li"), std::string("")}) {
      Answer answer =
          Post("sec", "/v1/briefings", {{"id", "b1"}, {"title", "T"}, {"on_behalf_of", bad}});
      CHECK(answer.status == 400);
      CHECK(ErrorFields(answer) == std::vector<std::string>{"on_behalf_of"});
    }
    CHECK(Head() == head);
  }
  SECTION("ActRecordedBeforeItsEntityBeganIsRefused: occurred_at is not before the entity") {
    // Requested "as of" 4 May: the secretariat stated when the briefing began.
    REQUIRE(Post("sec", "/v1/briefings",
                 {{"id", "b1"},
                  {"title", "T"},
                  {"on_behalf_of", "pres-li"},
                  {"occurred_at", "2026-05-04T08:00:00Z"}})
                .status == 201);
    const uint64_t created = Head();
    Answer early = Post("sec", "/v1/briefings/b1/cancellation",
                        {{"reason", "R"}, {"occurred_at", "2026-05-01T00:00:00Z"}});
    CHECK(early.status == 400);
    CHECK(ErrorFields(early) == std::vector<std::string>{"occurred_at"});
    CHECK(early.body["errors"][0]["message"].get<std::string>().find("2026-05-04T08:00:00Z") !=
          std::string::npos);
    // Before the Mechanism existed: refused whatever the entity.
    Answer ancient = Post("sec", "/v1/briefings/b1/cancellation",
                          {{"reason", "R"}, {"occurred_at", "2001-01-01T00:00:00Z"}});
    CHECK(ancient.status == 400);
    CHECK(ErrorFields(ancient) == std::vector<std::string>{"occurred_at"});
    CHECK(Head() == created);
    // The very instant it began, or any later one, is an act on it.
    Answer same = Post("sec", "/v1/briefings/b1/cancellation",
                       {{"reason", "R"}, {"occurred_at", "2026-05-04T08:00:00Z"}});
    CHECK(same.status == 201);
  }
  SECTION("an entity entered now, without occurred_at, takes acts recorded as of earlier") {
    // Entered today with the server's clock: that says only that it began by now (a briefing
    // requested in March, entered late, convened "as of" May).
    REQUIRE(Post("president", "/v1/briefings", {{"id", "b2"}, {"title", "T"}}).status == 201);
    Answer earlier = Post("sec", "/v1/briefings/b2/cancellation",
                          {{"reason", "R"}, {"occurred_at", "2026-05-01T00:00:00Z"}});
    CHECK(earlier.status == 201);
  }
  SECTION("note comes from anyone") {
    Answer answer = Post("president", "/v1/briefings",
                         {{"id", "b1"}, {"title", "T"}, {"note", "at the Bureau's suggestion"}});
    REQUIRE(answer.status == 201);
    CHECK(answer.body["events"][0]["note"] == "at the Bureau's suggestion");
    CHECK(answer.body["events"][0]["on_behalf_of"].is_null());
  }
}

TEST_CASE_METHOD(testing::CommandFixture, "Idempotent retries", "[command]") {
  const testing::HeaderList key = {{"Idempotency-Key", "retry-1"}};
  Answer first = Post("sec", "/v1/conference-sessions", kSession, key);
  REQUIRE(first.status == 201);
  const uint64_t head = Head();

  SECTION("the same key and body answer 200 with the original response, appending nothing") {
    Answer again = Post("sec", "/v1/conference-sessions", kSession, key);
    CHECK(again.status == 200);
    CHECK(again.body == first.body);
    CHECK(again.etag == first.etag);
    CHECK(Head() == head);
    // Still so once the entity has moved on.
    Do("sec", "/v1/conference-sessions",
       {{"id", "cosp-13"}, {"title", "T"}, {"starts_on", "2027-10-11"}, {"ends_on", "2027-10-15"}});
    CHECK(Post("sec", "/v1/conference-sessions", kSession, key).body == first.body);
  }
  SECTION("the same key with another body answers 409") {
    json other = kSession;
    other["title"] = "Another title";
    Answer reused = Post("sec", "/v1/conference-sessions", other, key);
    CHECK(reused.status == 409);
    CHECK(reused.code() == "idempotency_key_reused");
    // ... or on another path.
    Answer elsewhere = Post("sec", "/v1/working-groups", {{"id", "wg-x"}, {"name", "X"}}, key);
    CHECK(elsewhere.code() == "idempotency_key_reused");
    CHECK(Head() == head);
  }
  SECTION("keys belong to their actor: another actor's key of the same name is its own") {
    Answer other = Post("president", "/v1/briefings", {{"id", "b1"}, {"title", "T"}}, key);
    CHECK(other.status == 201);
  }
  SECTION("without a key, a second try is a duplicate") {
    Answer duplicate = Post("sec", "/v1/conference-sessions", kSession);
    CHECK(duplicate.status == 409);
    CHECK(duplicate.code() == "already_exists");
    CHECK(Head() == head);
  }
}

TEST_CASE_METHOD(testing::CommandFixture, "If-Match guards the entity's version", "[command]") {
  RegisterReferenceData();
  ConveneBriefing();  // b1 at version 5: requested, convened, three invitations
  const uint64_t head = Head();
  const json body = {{"date", "2026-07-16"}};

  Answer stale = Post("sec", "/v1/briefings/b1/rescheduling", body, {{"If-Match", "\"4\""}});
  CHECK(stale.status == 409);
  CHECK(stale.code() == "version_conflict");
  CHECK(Head() == head);

  Answer current = Post("sec", "/v1/briefings/b1/rescheduling", body, {{"If-Match", "\"5\""}});
  CHECK(current.status == 201);
  CHECK(current.body["version"] == 6);
  CHECK(current.etag == "\"6\"");
  CHECK(Get("sec", "/v1/briefings/b1").etag == "\"6\"");
}

TEST_CASE_METHOD(testing::CommandFixture, "Unknown entities answer 404, duplicates 409",
                 "[command]") {
  RegisterReferenceData();
  const uint64_t head = Head();
  CHECK(Post("sec", "/v1/briefings/b9/convening",
             {{"meeting", "m-tip-16"}, {"date", "2026-07-15"}, {"bureau_member", "bur-eva"}})
            .code() == "not_found");
  CHECK(Post("sec", "/v1/meetings",
             {{"id", "m9"},
              {"working_group", "wg-none"},
              {"starts_on", "2026-07-14"},
              {"ends_on", "2026-07-16"},
              {"review_agenda_item", true}})
            .status == 404);
  CHECK(Post("sec", "/v1/stakeholders/nobody/ecosoc-status", {{"status", "general"}}).status ==
        404);
  CHECK(Post("wg-tip", "/v1/referrals/b1.ngo-a/decision", {{"outcome", "admitted"}}).status == 404);
  CHECK(Post("sec", "/v1/observer-invitations/oi-9/response",
             {{"accepted", true}, {"on_behalf_of", "ngo-a"}})
            .status == 404);
  // A stakeholder learns of an invitation it may not read what GET tells it: 403, whether the
  // invitation exists or not (docs/security.md, "What a refusal says").
  CHECK(Post("ngo-a", "/v1/observer-invitations/oi-9/response", {{"accepted", true}}).status ==
        403);
  CHECK(Post("sec", "/v1/state-participations/sp-9/funding",
             {{"source", "voluntary_contributions"}, {"amount_usd", 1000}, {"donor", "d"}})
            .status == 404);
  CHECK(Head() == head);

  Answer duplicate =
      Post("sec", "/v1/stakeholders", {{"id", "ngo-a"}, {"name", "Again"}, {"category", "ngo"}});
  CHECK(duplicate.status == 409);
  CHECK(duplicate.code() == "already_exists");
  CHECK(Post("sec", "/v1/working-groups", {{"id", "wg-tip"}, {"name", "Again"}}).status == 409);
  CHECK(Head() == head);
}

TEST_CASE_METHOD(testing::CommandFixture,
                 "Concurrent writers: each decision sees the other's write", "[command]") {
  RegisterReferenceData();
  ConveneBriefing();
  clock().Set(testing::Instant("2026-06-20T10:00:00Z"));
  // Two stakeholders confirm at the same time: both target b1; whichever loses the race decides
  // again on the new version and succeeds.
  Answer a, b;
  std::thread first([&] {
    a = Post("ngo-a", "/v1/briefings/b1/participants/ngo-a/confirmation", json::object());
  });
  std::thread second([&] {
    b = Post("ngo-b", "/v1/briefings/b1/participants/ngo-b/confirmation", json::object());
  });
  first.join();
  second.join();
  CHECK(a.status == 201);
  CHECK(b.status == 201);
  std::set<uint64_t> versions = {a.body["version"].get<uint64_t>(),
                                 b.body["version"].get<uint64_t>()};
  CHECK(versions == std::set<uint64_t>{6, 7});

  // The same creation twice at once: one is created, the other is a duplicate.
  const json session = {
      {"id", "cosp-13"}, {"title", "T"}, {"starts_on", "2027-10-11"}, {"ends_on", "2027-10-15"}};
  Answer c, d;
  std::thread third([&] { c = Post("sec", "/v1/conference-sessions", session); });
  std::thread fourth([&] { d = Post("sec", "/v1/conference-sessions", session); });
  third.join();
  fourth.join();
  std::multiset<int> statuses = {c.status, d.status};
  CHECK(statuses == std::multiset<int>{201, 409});
}

TEST_CASE_METHOD(testing::CommandFixture, "Commands and events are counted", "[command]") {
  Do("sec", "/v1/conference-sessions", kSession);
  Post("sec", "/v1/conference-sessions", kSession);  // refused: exists
  const std::string text = metrics().Serialize();
  CHECK(text.find("dialogue_commands_total{command=\"RegisterConferenceSession\",outcome="
                  "\"created\"} 1") != std::string::npos);
  CHECK(text.find("dialogue_commands_total{command=\"RegisterConferenceSession\",outcome="
                  "\"refused\"} 1") != std::string::npos);
  CHECK(text.find("dialogue_events_appended_total{type=\"ConferenceSessionRegistered\"} 1") !=
        std::string::npos);
}

}  // namespace
}  // namespace dialogue::api
