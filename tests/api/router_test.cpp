#include <atomic>
#include <catch2/catch.hpp>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "api/http/json_io.hpp"
#include "api/http/router.hpp"
#include "tests/api/dispatch_and_wait.hpp"
#include "tests/api/test_support.hpp"

namespace dialogue::api {
namespace {

HttpRequest Request(std::string method, std::string target, std::string token = "") {
  HttpRequest request;
  request.method = std::move(method);
  request.target = std::move(target);
  if (!token.empty()) request.headers.Set("Authorization", "Bearer " + token);
  return request;
}

std::string Code(const HttpResponse& response) {
  return nlohmann::json::parse(response.body).value("code", "");
}

class RouterFixture {
 public:
  RouterFixture()
      : tokens_(TokenRegistry::Parse(testing::TokensJson()).value()), router_(&tokens_) {
    router_.Add("GET", "/healthz", Access::Public(), [](const RequestContext&) {
      return JsonResponse(200, {{"status", "ok"}});
    });
    router_.Add("GET", "/v1/streams/{stream}/events", Access::Roles({kRoleAuditor}),
                [](const RequestContext& context) {
                  return JsonResponse(200, {{"stream", context.Param("stream")},
                                            {"after", context.Query("after").value_or("-")},
                                            {"actor", context.principal->actor}});
                });
    router_.Add("POST", "/v1/briefings", Access::AnyPrincipal(), [](const RequestContext&) {
      return JsonResponse(201, {{"route", "create"}});
    });
    router_.Add(
        "GET", "/v1/briefings/{id}", Access::AnyPrincipal(),
        [](const RequestContext& c) {
          return JsonResponse(200, {{"id", c.Param("id")}});
        },
        Work::kFromMemory);
    router_.Add("GET", "/v1/briefings/eligible", Access::AnyPrincipal(), [](const RequestContext&) {
      return JsonResponse(200, {{"route", "literal"}});
    });
    router_.Add("GET", "/boom", Access::Public(),
                [](const RequestContext&) -> HttpResponse { throw std::runtime_error("bug"); });
    // Answers from another thread, after posting a step that must run before the answer.
    router_.AddAsync(
        "POST", "/later/{id}", Access::AnyPrincipal(),
        [this](const RequestContext& context, Responder responder) {
          later_threads_.emplace_back(
              [id = context.Param("id"), actor = context.principal->actor, responder, this] {
                responder.post([id, actor, responder, this] {
                  posted_on_ = std::this_thread::get_id();
                  responder.respond(JsonResponse(202, {{"id", id}, {"actor", actor}}));
                });
              });
        });
    router_.AddAsync("POST", "/later-boom", Access::Public(),
                     [](const RequestContext&, Responder) { throw std::runtime_error("bug"); });
  }
  ~RouterFixture() {
    for (auto& t : later_threads_) t.join();
  }

  Router::Dispatched Dispatch(const HttpRequest& request) {
    return ::dialogue::api::testing::DispatchAndWait(router_, request);
  }
  const Router& router() const { return router_; }
  std::thread::id posted_on_;  // where /later's posted step ran
  // Where DispatchAsync answers request: "inline" (before it returns), "offloaded" (in the work
  // handed to offload), or "async" (later, through the route's own Responder).
  std::string WhereAnswered(HttpRequest request) {
    struct Seen {
      std::mutex mu;
      std::vector<std::function<void()>> offloaded;  // guarded by mu
      std::string where;                             // guarded by mu
    };
    auto seen = std::make_shared<Seen>();
    router_.DispatchAsync(
        std::move(request), [](std::function<void()> work) { work(); },
        [seen, caller = std::this_thread::get_id()](Router::Dispatched) {
          std::lock_guard lock(seen->mu);
          // The async route answers on its own thread, maybe before DispatchAsync returns.
          if (std::this_thread::get_id() != caller) {
            seen->where = "async";
          } else {
            seen->where = seen->offloaded.empty() ? "inline" : "offloaded";
          }
        },
        [seen](std::function<void()> work) {
          std::lock_guard lock(seen->mu);
          seen->offloaded.push_back(std::move(work));
        });
    std::vector<std::function<void()>> offloaded;
    {
      std::lock_guard lock(seen->mu);
      if (!seen->where.empty()) return seen->where;
      if (seen->offloaded.empty()) return "async";  // answers later, on its own thread
      offloaded = seen->offloaded;
    }
    for (auto& work : offloaded) work();
    std::lock_guard lock(seen->mu);
    return seen->where;
  }

 private:
  TokenRegistry tokens_;
  Router router_;
  std::vector<std::thread> later_threads_;
};

TEST_CASE_METHOD(RouterFixture, "A public route needs no token", "[router]") {
  auto result = Dispatch(Request("GET", "/healthz"));
  CHECK(result.response.status == 200);
  CHECK(result.route == "/healthz");
}

TEST_CASE_METHOD(RouterFixture, "An unknown path answers 404 not_found", "[router]") {
  auto result = Dispatch(Request("GET", "/v1/nothing", testing::kAuditorToken));
  CHECK(result.response.status == 404);
  CHECK(Code(result.response) == "not_found");
  CHECK(result.route == "unmatched");
  CHECK(Dispatch(Request("GET", "/v1/streams/s1/events/extra")).response.status == 404);
}

TEST_CASE_METHOD(RouterFixture, "A known path with another method answers 405 with Allow",
                 "[router]") {
  auto result = Dispatch(Request("DELETE", "/v1/briefings", testing::kAuditorToken));
  CHECK(result.response.status == 405);
  CHECK(Code(result.response) == "method_not_allowed");
  CHECK(result.response.headers.Get("Allow") == "POST");
}

TEST_CASE_METHOD(RouterFixture, "A missing or unknown token answers 401", "[router]") {
  auto missing = Dispatch(Request("GET", "/v1/streams/s1/events"));
  CHECK(missing.response.status == 401);
  CHECK(Code(missing.response) == "unauthorized");
  CHECK(missing.response.headers.Get("WWW-Authenticate") == "Bearer");
  auto unknown = Dispatch(Request("GET", "/v1/streams/s1/events", "wrong-token"));
  CHECK(unknown.response.status == 401);
  CHECK(Code(unknown.response) == "unauthorized");
}

TEST_CASE_METHOD(RouterFixture, "A role the route does not allow answers 403", "[router]") {
  auto result = Dispatch(Request("GET", "/v1/streams/s1/events", testing::kSecretariatToken));
  CHECK(result.response.status == 403);
  CHECK(Code(result.response) == "forbidden");
}

TEST_CASE_METHOD(RouterFixture, "Path parameters and the query are decoded", "[router]") {
  auto result = Dispatch(
      Request("GET", "/v1/streams/briefing-b%2F1/events?after=3&x=a+b%21", testing::kAuditorToken));
  REQUIRE(result.response.status == 200);
  CHECK(result.route == "/v1/streams/{stream}/events");
  const auto body = nlohmann::json::parse(result.response.body);
  CHECK(body["stream"] == "briefing-b/1");
  CHECK(body["after"] == "3");
  CHECK(body["actor"] == "aud-bo");
}

TEST_CASE_METHOD(RouterFixture, "A literal segment wins over a parameter", "[router]") {
  auto literal = Dispatch(Request("GET", "/v1/briefings/eligible", testing::kAuditorToken));
  CHECK(nlohmann::json::parse(literal.response.body)["route"] == "literal");
  auto param = Dispatch(Request("GET", "/v1/briefings/b1", testing::kAuditorToken));
  CHECK(nlohmann::json::parse(param.response.body)["id"] == "b1");
}

TEST_CASE("The most specific route wins at the first segment where patterns differ", "[router]") {
  // Registered most general first, so that the order of registration decides nothing.
  const TokenRegistry tokens = TokenRegistry::Parse(testing::TokensJson()).value();
  Router router(&tokens);
  const auto add = [&router](const char* method, const char* pattern) {
    router.Add(method, pattern, Access::Public(),
               [](const RequestContext&) { return JsonResponse(200, nlohmann::json::object()); });
  };
  add("GET", "/a/{x}/{y}");
  add("GET", "/a/{x}/c");
  add("GET", "/a/b/{y}");
  add("POST", "/a/b/c");
  add("GET", "/a/b/d/e");
  add("PUT", "/a/{x}");
  const auto route = [&router](const char* method, const char* target) {
    return testing::DispatchAndWait(router, Request(method, target)).route;
  };
  CHECK(route("GET", "/a/b/c") == "/a/b/{y}");  // the literal "b" beats {x}, before "c" counts
  CHECK(route("GET", "/a/z/c") == "/a/{x}/c");  // no literal "z": the parameter's branch
  CHECK(route("GET", "/a/z/w") == "/a/{x}/{y}");
  CHECK(route("POST", "/a/b/c") == "/a/b/c");
  CHECK(route("HEAD", "/a/b/c") == "/a/b/{y}");  // HEAD is answered by GET's route
  // The literal branch ends without the method, or without the path: back to the parameter's.
  CHECK(route("POST", "/a/b/x") == "unmatched");
  CHECK(route("GET", "/a/b/d/e") == "/a/b/d/e");
  CHECK(route("GET", "/a/b/d/f") == "unmatched");
  CHECK(route("PUT", "/a/b") == "/a/{x}");
  // Allow lists the methods of every route the path matches, through both branches.
  const Router::Dispatched wrong = testing::DispatchAndWait(router, Request("DELETE", "/a/b/c"));
  CHECK(wrong.response.status == 405);
  CHECK(wrong.response.headers.Get("Allow") == "GET, HEAD, POST");
  CHECK(testing::DispatchAndWait(router, Request("DELETE", "/a/b")).response.headers.Get("Allow") ==
        "PUT");
  CHECK(testing::DispatchAndWait(router, Request("GET", "/a")).response.status == 404);
  CHECK(route("GET", "/a/b/d") == "/a/b/{y}");  // "d" leads on, but no route ends there
  CHECK(testing::DispatchAndWait(router, Request("GET", "/a/b/d/e/f")).response.status == 404);
}

TEST_CASE_METHOD(RouterFixture,
                 "Refusals and the present of a route declared from memory answer inline; the rest "
                 "is offloaded",
                 "[router]") {
  const std::string auditor = testing::kAuditorToken;
  CHECK(WhereAnswered(Request("GET", "/v1/briefings/b1", auditor)) == "inline");
  CHECK(WhereAnswered(Request("GET", "/v1/briefings/b1?x=1", auditor)) == "inline");
  // as_of folds from the store; the literal route may block.
  CHECK(WhereAnswered(Request("GET", "/v1/briefings/b1?as_of=3", auditor)) == "offloaded");
  CHECK(WhereAnswered(Request("GET", "/v1/briefings/eligible", auditor)) == "offloaded");
  CHECK(WhereAnswered(Request("POST", "/v1/briefings", auditor)) == "offloaded");
  CHECK(WhereAnswered(Request("POST", "/later/x9", auditor)) == "async");
  // Refusals are judged once, at once.
  CHECK(WhereAnswered(Request("GET", "/v1/briefings/eligible")) == "inline");  // 401
  CHECK(WhereAnswered(Request("DELETE", "/v1/briefings/b1", auditor)) == "inline");
  CHECK(WhereAnswered(Request("GET", "/nowhere")) == "inline");
  CHECK(WhereAnswered(Request("GET", "/v1/briefings/%zz")) == "inline");
}

TEST_CASE_METHOD(RouterFixture, "An offloaded route sees the request and its context intact",
                 "[router]") {
  std::vector<std::function<void()>> offloaded;
  std::optional<Router::Dispatched> answer;
  router().DispatchAsync(
      Request("GET", "/v1/streams/briefing-b%2F1/events?after=3", testing::kAuditorToken),
      [](std::function<void()> work) { work(); },
      [&](Router::Dispatched dispatched) { answer = std::move(dispatched); },
      [&](std::function<void()> work) { offloaded.push_back(std::move(work)); });
  CHECK_FALSE(answer);
  REQUIRE(offloaded.size() == 1);
  offloaded.front()();
  REQUIRE(answer);
  CHECK(answer->route == "/v1/streams/{stream}/events");
  const auto body = nlohmann::json::parse(answer->response.body);
  CHECK(body["stream"] == "briefing-b/1");
  CHECK(body["after"] == "3");
  CHECK(body["actor"] == "aud-bo");
}

TEST_CASE_METHOD(RouterFixture, "A handler that throws answers 500 internal_error", "[router]") {
  auto result = Dispatch(Request("GET", "/boom"));
  CHECK(result.response.status == 500);
  CHECK(Code(result.response) == "internal_error");
}

TEST_CASE_METHOD(RouterFixture,
                 "An asynchronous route answers Dispatch, which runs its posted steps itself",
                 "[router]") {
  auto result = Dispatch(Request("POST", "/later/x1", testing::kAuditorToken));
  CHECK(result.response.status == 202);
  CHECK(result.route == "/later/{id}");
  CHECK(nlohmann::json::parse(result.response.body) ==
        nlohmann::json{{"id", "x1"}, {"actor", "aud-bo"}});
  CHECK(posted_on_ == std::this_thread::get_id());
  // Refused before the handler, as any route.
  CHECK(Dispatch(Request("POST", "/later/x1")).response.status == 401);
  CHECK(Dispatch(Request("POST", "/later-boom")).response.status == 500);
}

TEST_CASE_METHOD(RouterFixture, "DispatchAsync answers once, through done", "[router]") {
  std::promise<Router::Dispatched> answered;
  router().DispatchAsync(
      Request("POST", "/later/x2", testing::kAuditorToken),
      [](std::function<void()> work) { std::thread(std::move(work)).detach(); },
      [&](Router::Dispatched dispatched) { answered.set_value(std::move(dispatched)); });
  auto result = answered.get_future().get();
  CHECK(result.response.status == 202);
  CHECK(result.route == "/later/{id}");

  // Synchronous routes and refusals answer before DispatchAsync returns.
  std::vector<int> statuses;
  const auto collect = [&](Router::Dispatched d) { statuses.push_back(d.response.status); };
  const auto no_post = [](std::function<void()>) { FAIL("nothing to post"); };
  router().DispatchAsync(Request("GET", "/healthz"), no_post, collect);
  router().DispatchAsync(Request("GET", "/nowhere"), no_post, collect);
  router().DispatchAsync(Request("POST", "/later-boom"), no_post, collect);
  CHECK(statuses == std::vector<int>{200, 404, 500});
}

TEST_CASE_METHOD(RouterFixture, "A malformed target answers 400", "[router]") {
  CHECK(Dispatch(Request("GET", "/v1/briefings/%zz")).response.status == 400);
  CHECK(Dispatch(Request("GET", "http://host/healthz")).response.status == 400);
  CHECK(Dispatch(Request("GET", "/v1//briefings")).response.status == 400);
}

TEST_CASE("ParseTarget splits segments before decoding them", "[router]") {
  auto target = ParseTarget("/a/b%2Fc/?k=v%20w&flag&k=2");
  REQUIRE(target);
  CHECK(target->path == "/a/b%2Fc/");
  CHECK(target->segments == std::vector<std::string>{"a", "b/c"});
  CHECK(target->query.count("k") == 2);
  CHECK(target->query.find("k")->second == "v w");
  CHECK(target->query.find("flag")->second.empty());
  CHECK(ParseTarget("/")->segments.empty());
  CHECK_FALSE(PercentDecode("%4", false));
  CHECK(PercentDecode("a+b", false) == "a+b");
  CHECK(PercentDecode("a+b", true) == "a b");
}

// A read gate the test drives: how often it was asked, and the waits it holds.
struct TestGate {
  std::mutex mu;
  bool ready = false;                              // guarded by mu
  int asked = 0;                                   // guarded by mu
  std::vector<std::function<void(bool)>> resumes;  // guarded by mu

  ReadGate Gate() {
    return {[this] {
              std::lock_guard lock(mu);
              ++asked;
              return ready;
            },
            [this](std::function<void(bool)> resume) {
              std::lock_guard lock(mu);
              resumes.push_back(std::move(resume));
            }};
  }
  // Resumes every held wait with `folded`; returns how many there were.
  size_t Resume(bool folded) {
    std::vector<std::function<void(bool)>> held;
    {
      std::lock_guard lock(mu);
      held.swap(resumes);
    }
    for (auto& resume : held) resume(folded);
    return held.size();
  }
};

TEST_CASE("A read-model route behind the head answers once the gate lets it, on the io thread",
          "[router]") {
  TokenRegistry tokens = TokenRegistry::Parse(testing::TokensJson()).value();
  Router router(&tokens);
  TestGate gate;
  router.SetReadGate(gate.Gate());
  std::atomic<int> calls{0};
  router.Add(
      "GET", "/v1/referrals/{id}", Access::AnyPrincipal(),
      [&calls](const RequestContext& c) {
        calls.fetch_add(1);
        return JsonResponse(200, {{"id", c.Param("id")}});
      },
      Work::kFromReadModels);
  router.Add(
      "GET", "/healthz", Access::Public(),
      [](const RequestContext&) {
        return JsonResponse(200, {{"status", "ok"}});
      },
      Work::kFromMemory);
  const std::string auditor = testing::kAuditorToken;

  std::vector<std::function<void()>> posted;  // the "io thread"'s queue
  std::vector<std::function<void()>> offloaded;
  std::vector<Router::Dispatched> answers;
  auto dispatch = [&](HttpRequest request) {
    router.DispatchAsync(
        std::move(request), [&posted](std::function<void()> work) { posted.push_back(work); },
        [&answers](Router::Dispatched d) { answers.push_back(std::move(d)); },
        [&offloaded](std::function<void()> work) { offloaded.push_back(work); });
  };

  SECTION("ready: answered in place, the gate asked once and not waited on") {
    gate.ready = true;
    dispatch(Request("GET", "/v1/referrals/r1", auditor));
    REQUIRE(answers.size() == 1);
    CHECK(answers[0].response.status == 200);
    CHECK(gate.asked == 1);
    CHECK(gate.resumes.empty());
  }
  SECTION("behind: nothing runs until the gate resumes; then the answer is posted") {
    dispatch(Request("GET", "/v1/referrals/r1", auditor));
    CHECK(answers.empty());
    CHECK(calls.load() == 0);
    REQUIRE(gate.Resume(true) == 1);
    CHECK(answers.empty());  // not on the gate's thread: posted back
    REQUIRE(posted.size() == 1);
    posted[0]();
    REQUIRE(answers.size() == 1);
    CHECK(answers[0].response.status == 200);
    CHECK(nlohmann::json::parse(answers[0].response.body)["id"] == "r1");
    CHECK(calls.load() == 1);
  }
  SECTION("behind, with as_of: resumed onto the worker pool") {
    dispatch(Request("GET", "/v1/referrals/r1?as_of=2", auditor));
    REQUIRE(gate.Resume(true) == 1);
    CHECK(posted.empty());
    REQUIRE(offloaded.size() == 1);
    offloaded[0]();
    REQUIRE(answers.size() == 1);
    CHECK(answers[0].response.status == 200);
  }
  SECTION("behind and never folded: 503 with Retry-After, the handler not run") {
    dispatch(Request("GET", "/v1/referrals/r1", auditor));
    REQUIRE(gate.Resume(false) == 1);
    REQUIRE(posted.size() == 1);
    posted[0]();
    REQUIRE(answers.size() == 1);
    CHECK(answers[0].response.status == 503);
    CHECK(Code(answers[0].response) == "unavailable");
    CHECK(answers[0].response.headers.Get("Retry-After") == "1");
    CHECK(answers[0].route == "/v1/referrals/{id}");
    CHECK(calls.load() == 0);
  }
  SECTION("other routes and refusals never ask the gate") {
    dispatch(Request("GET", "/healthz"));
    dispatch(Request("GET", "/v1/referrals/r1"));  // 401 before the gate
    REQUIRE(answers.size() == 2);
    CHECK(answers[0].response.status == 200);
    CHECK(answers[1].response.status == 401);
    CHECK(gate.asked == 0);
  }
  SECTION("the synchronous Dispatch waits for the gate on its own thread") {
    std::thread resumer([&gate] {
      while (gate.Resume(true) == 0) std::this_thread::yield();
    });
    auto answer = ::dialogue::api::testing::DispatchAndWait(
        router, Request("GET", "/v1/referrals/r2", auditor));
    resumer.join();
    CHECK(answer.response.status == 200);
    CHECK(calls.load() == 1);
  }
}

}  // namespace
}  // namespace dialogue::api
