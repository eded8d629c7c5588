// The console's sign-in: POST /v1/session exchanges a bearer token for a session cookie; the
// cookie authenticates reads and /v1/subscribe; a write by cookie needs X-Requested-With:
// dialogue (CSRF); DELETE /v1/session signs out; sessions expire.
#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "api/http/sessions.hpp"
#include "tests/api/dispatch_and_wait.hpp"
#include "tests/api/query_fixture.hpp"

namespace dialogue::api {
namespace {

using std::chrono::steady_clock;

struct Reply {
  int status = 0;
  HttpResponse response;
  nlohmann::json body;
  std::string Header(const char* name) const {
    return std::string(response.headers.Get(name).value_or(""));
  }
};

class SessionFixture : public testing::QueryFixture {
 public:
  SessionFixture() : sessions_(Options()) {
    router_.SetSessions(&sessions_);
    context_.sessions = &sessions_;
  }

  Reply Send(const std::string& method, const std::string& target,
             const std::map<std::string, std::string>& headers, std::string body = "") {
    HttpRequest request;
    request.method = method;
    request.target = target;
    for (const auto& [name, value] : headers) request.headers.Set(name, value);
    if (!body.empty()) request.headers.Set("Content-Type", "application/json");
    request.body = std::move(body);
    Reply reply;
    reply.response = ::dialogue::api::testing::DispatchAndWait(router_, request).response;
    reply.status = reply.response.status;
    if (!reply.response.body.empty()) {
      reply.body = nlohmann::json::parse(reply.response.body, nullptr, false);
    }
    return reply;
  }

  // Signs in with a token; returns the cookie's "name=value".
  std::string SignIn(const std::string& token) {
    Reply reply = Send("POST", "/v1/session", {{"Authorization", "Bearer " + token}});
    REQUIRE(reply.status == 201);
    const std::string set_cookie = reply.Header("Set-Cookie");
    return set_cookie.substr(0, set_cookie.find(';'));
  }

  steady_clock::time_point now_ = steady_clock::time_point(std::chrono::hours(1000));

 protected:
  SessionOptions Options() {
    SessionOptions options;
    options.lifetime = std::chrono::hours(8);
    options.now = [this] { return now_; };
    return options;
  }
  SessionStore sessions_;
};

TEST_CASE_METHOD(SessionFixture, "POST /v1/session sets an HttpOnly SameSite=Strict cookie",
                 "[session]") {
  Reply reply = Send("POST", "/v1/session", {{"Authorization", "Bearer ngo-a"}});
  REQUIRE(reply.status == 201);
  const std::string cookie = reply.Header("Set-Cookie");
  CHECK(cookie.rfind("dialogue_session=", 0) == 0);
  CHECK(cookie.find("; HttpOnly") != std::string::npos);
  CHECK(cookie.find("; SameSite=Strict") != std::string::npos);
  CHECK(cookie.find("; Path=/") != std::string::npos);
  CHECK(cookie.find("; Max-Age=28800") != std::string::npos);
  CHECK(cookie.find("Secure") == std::string::npos);  // plain HTTP: see tls_process_test.cpp
  const std::string id = cookie.substr(17, cookie.find(';') - 17);
  CHECK(id.size() == 64);
  CHECK(reply.Header("Cache-Control") == "no-store");
  CHECK(reply.body["actor"] == "ngo-a-rep");
  CHECK(reply.body["roles"] == nlohmann::json::array({"stakeholder"}));
  CHECK(reply.body["stakeholder"] == "ngo-a");
  CHECK(reply.body["working_group"].is_null());
  CHECK(reply.body["expires_in"] == 28800);
  CHECK(sessions_.size() == 1);
  // Two sign-ins, two different sessions.
  CHECK(SignIn("ngo-a") != "dialogue_session=" + id);
}

TEST_CASE_METHOD(SessionFixture, "POST /v1/session needs a valid bearer token", "[session]") {
  CHECK(Send("POST", "/v1/session", {}).status == 401);
  CHECK(Send("POST", "/v1/session", {{"Authorization", "Bearer nope"}}).status == 401);
  // Not from another session either, even with the CSRF header.
  const std::string cookie = SignIn("bureau");
  Reply again = Send("POST", "/v1/session", {{"Cookie", cookie}, {"X-Requested-With", "dialogue"}});
  CHECK(again.status == 401);
  CHECK(again.body["code"] == "unauthorized");
  CHECK(sessions_.size() == 1);
}

TEST_CASE_METHOD(SessionFixture, "The cookie authenticates GETs with the token's roles",
                 "[session]") {
  RegisterReferenceData();
  ConveneBriefing();
  ConfirmAndObject();
  const std::string bureau = SignIn("bureau");
  Reply who = Send("GET", "/v1/session", {{"Cookie", "theme=dark; " + bureau}});
  REQUIRE(who.status == 200);
  CHECK(who.body["actor"] == "bur-eva");
  CHECK(who.body["via"] == "session");
  Reply referrals = Send("GET", "/v1/referrals?status=pending", {{"Cookie", bureau}});
  REQUIRE(referrals.status == 200);
  CHECK(referrals.body["referrals"].size() == 1);

  const std::string ngo = SignIn("ngo-a");
  Reply refused = Send("GET", "/v1/referrals?status=pending", {{"Cookie", ngo}});
  CHECK(refused.status == 403);
  CHECK(refused.body["code"] == "forbidden");
  CHECK(Send("GET", "/v1/briefings/b1", {{"Cookie", ngo}}).status == 200);
}

TEST_CASE_METHOD(SessionFixture, "The cookie authenticates GET /v1/subscribe", "[session]") {
  // This fixture has no subscription hub: 503 after authentication, 401 before it.
  CHECK(Send("GET", "/v1/subscribe", {}).status == 401);
  CHECK(Send("GET", "/v1/subscribe", {{"Cookie", SignIn("auditor")}}).status == 503);
  CHECK(Send("GET", "/v1/subscribe", {{"Cookie", SignIn("ngo-a")}}).status == 403);
}

TEST_CASE_METHOD(SessionFixture, "A POST by cookie needs X-Requested-With: dialogue",
                 "[session][csrf]") {
  const std::string cookie = SignIn("sec");
  const std::string body =
      R"({"id":"cosp-12","title":"Twelfth","starts_on":"2025-10-13","ends_on":"2025-10-17"})";
  const uint64_t head = store().Head().position;

  Reply bare = Send("POST", "/v1/conference-sessions", {{"Cookie", cookie}}, body);
  CHECK(bare.status == 403);
  CHECK(bare.body["code"] == "forbidden");
  CHECK(bare.body["detail"].get<std::string>().find("X-Requested-With: dialogue") !=
        std::string::npos);
  Reply wrong = Send("POST", "/v1/conference-sessions",
                     {{"Cookie", cookie}, {"X-Requested-With", "XMLHttpRequest"}}, body);
  CHECK(wrong.status == 403);
  CHECK(store().Head().position == head);  // refused: nothing appended

  Reply done = Send("POST", "/v1/conference-sessions",
                    {{"Cookie", cookie}, {"X-Requested-With", "dialogue"}}, body);
  CHECK(done.status == 201);
  CHECK(store().Head().position == head + 1);

  // A bearer token needs no such header.
  Reply bearer = Send(
      "POST", "/v1/conference-sessions", {{"Authorization", "Bearer sec"}},
      R"({"id":"cosp-13","title":"Thirteenth","starts_on":"2027-10-11","ends_on":"2027-10-15"})");
  CHECK(bearer.status == 201);
}

TEST_CASE_METHOD(SessionFixture, "A bearer token wins over the cookie", "[session]") {
  const std::string ngo = SignIn("ngo-a");
  Reply who = Send("GET", "/v1/session", {{"Cookie", ngo}, {"Authorization", "Bearer auditor"}});
  REQUIRE(who.status == 200);
  CHECK(who.body["actor"] == "aud-bo");
  CHECK(who.body["via"] == "token");
  // An unknown token is not rescued by a valid cookie.
  CHECK(Send("GET", "/v1/session", {{"Cookie", ngo}, {"Authorization", "Bearer nope"}}).status ==
        401);
}

TEST_CASE_METHOD(SessionFixture, "DELETE /v1/session signs out", "[session]") {
  const std::string cookie = SignIn("auditor");
  CHECK(Send("DELETE", "/v1/session", {{"Cookie", cookie}}).status == 403);  // CSRF
  CHECK(sessions_.size() == 1);
  Reply out = Send("DELETE", "/v1/session", {{"Cookie", cookie}, {"X-Requested-With", "dialogue"}});
  CHECK(out.status == 204);
  CHECK(out.Header("Set-Cookie").find("dialogue_session=; Path=/; Max-Age=0") == 0);
  CHECK(sessions_.size() == 0);
  Reply after = Send("GET", "/v1/session", {{"Cookie", cookie}});
  CHECK(after.status == 401);
  CHECK(after.body["detail"].get<std::string>().find("sign in again") != std::string::npos);
}

TEST_CASE_METHOD(SessionFixture, "A session ends at its expiry, an unknown one never starts",
                 "[session]") {
  const std::string cookie = SignIn("bureau");
  now_ += std::chrono::hours(8) - std::chrono::seconds(1);
  CHECK(Send("GET", "/v1/session", {{"Cookie", cookie}}).status == 200);
  now_ += std::chrono::seconds(1);
  CHECK(Send("GET", "/v1/session", {{"Cookie", cookie}}).status == 401);
  CHECK(
      Send("GET", "/v1/session", {{"Cookie", "dialogue_session=" + std::string(64, 'a')}}).status ==
      401);
  CHECK(Send("GET", "/v1/session", {{"Cookie", "dialogue_session="}}).status == 401);
  // Expired sessions are dropped on the next sign-in.
  SignIn("bureau");
  CHECK(sessions_.size() == 1);
}

TEST_CASE("SessionStore keeps at most max_per_principal of an actor's, dropping its oldest",
          "[session]") {
  auto now = steady_clock::time_point(std::chrono::hours(1));
  SessionOptions options;
  options.max_per_principal = 2;
  options.now = [&now] { return now; };
  SessionStore store(options);
  Principal principal{"a", {"auditor"}, "", ""};
  const auto first = store.Create(principal).value();
  now += std::chrono::seconds(1);
  const auto second = store.Create(principal).value();
  now += std::chrono::seconds(1);
  const auto third = store.Create(principal).value();
  CHECK(store.size() == 2);
  CHECK_FALSE(store.Find(first.id));
  CHECK(store.Find(second.id));
  CHECK(store.Find(third.id) == principal);
  CHECK(store.Remove(third.id));
  CHECK_FALSE(store.Remove(third.id));
}

TEST_CASE("OneTokenSigningInOverAndOverCannotSignOthersOut", "[session][hostile]") {
  SessionOptions options;
  options.max_sessions = 10;
  SessionStore store(options);
  const Principal secretariat{"sec-ana", {"secretariat"}, "", ""};
  const Principal ngo{"ngo-a-rep", {"stakeholder"}, "", "ngo-a"};
  const auto kept = store.Create(secretariat).value();
  for (int i = 0; i < 10'001; ++i) REQUIRE(store.Create(ngo));
  CHECK(store.Find(kept.id) == secretariat);  // 10,001 sign-ins of one NGO evicted nobody else
  CHECK(store.size() == 1 + options.max_per_principal);
  // Full of distinct actors: a newcomer is refused, nobody is signed out.
  for (int i = 0; store.size() < options.max_sessions; ++i) {
    REQUIRE(store.Create(Principal{"actor-" + std::to_string(i), {"auditor"}, "", ""}));
  }
  CHECK_FALSE(store.Create(Principal{"late", {"auditor"}, "", ""}));
  CHECK(store.Find(kept.id) == secretariat);
}

TEST_CASE("CookieValue finds one cookie among several", "[session]") {
  Headers headers;
  headers.Add("Cookie", "a=1; dialogue_session=abc ;b=2");
  CHECK(CookieValue(headers, "dialogue_session") == "abc");
  CHECK(CookieValue(headers, "b") == "2");
  CHECK_FALSE(CookieValue(headers, "dialogue"));
  Headers two;
  two.Add("Cookie", "x=1");
  two.Add("cookie", "dialogue_session=\"q\"");
  CHECK(CookieValue(two, "dialogue_session") == "q");
}

}  // namespace
}  // namespace dialogue::api
