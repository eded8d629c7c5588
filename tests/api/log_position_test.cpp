// WithLogPosition (api/routes/routes.hpp): X-Dialogue-Position on every answer, and requests that
// wait for a position of the log, bounded in time and in number.
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "api/routes/routes.hpp"
#include "tests/api/test_support.hpp"

namespace dialogue::api {
namespace {

struct Answer {
  std::promise<HttpResponse> promise;
  std::future<HttpResponse> future = promise.get_future();
};

TEST_CASE("Answers carry the log position, and wait for one asked for", "[log_position]") {
  auto store = engine::NewInMemoryEventStore();
  testing::AppendEvents(*store, "briefing-b1", 3);
  int dispatched = 0;
  // The answers WithLogPosition gives itself, as the metrics would see them.
  std::mutex observed_mu;
  std::vector<std::pair<std::string, int>> observed;  // method label, status
  engine::PositionWaits waits(*store);
  auto dispatch = WithLogPosition(
      [&dispatched](HttpRequest, Responder responder) {
        ++dispatched;
        HttpResponse ok;
        ok.body = "ok";
        responder.respond(std::move(ok));
      },
      waits, *store, std::chrono::milliseconds(300),
      [&](std::string_view method, int status, double seconds) {
        CHECK(seconds >= 0);
        std::lock_guard lock(observed_mu);
        observed.emplace_back(std::string(method), status);
      });
  const auto observed_now = [&] {
    std::lock_guard lock(observed_mu);
    return observed;
  };
  const auto send = [&](std::optional<std::string> position, Answer& answer) {
    HttpRequest request;
    request.method = "GET";
    request.target = "/v1/events";
    if (position) request.headers.Set("X-Dialogue-Position", *position);
    Responder responder;
    responder.post = [](std::function<void()> work) { work(); };
    responder.respond = [&answer](HttpResponse response) {
      answer.promise.set_value(std::move(response));
    };
    // No offload: a wait holds no thread of the server's.
    dispatch(std::move(request), std::move(responder));
  };

  SECTION("every answer says the head it was answered at") {
    Answer answer;
    send(std::nullopt, answer);
    const HttpResponse response = answer.future.get();
    CHECK(response.body == "ok");
    CHECK(response.headers.Get("X-Dialogue-Position") == "3");
    CHECK(observed_now().empty());  // dispatch answered: its own metrics count it
  }
  SECTION("a position already held is answered at once") {
    Answer answer;
    send("3", answer);
    CHECK(answer.future.get().status == 200);
    CHECK(dispatched == 1);
    CHECK(observed_now().empty());
  }
  SECTION("a position that arrives while the request waits is answered then") {
    Answer answer;
    send("4", answer);
    CHECK(answer.future.wait_for(std::chrono::milliseconds(50)) == std::future_status::timeout);
    testing::AppendEvents(*store, "briefing-b2", 1);
    const HttpResponse response = answer.future.get();
    CHECK(response.status == 200);
    CHECK(response.headers.Get("X-Dialogue-Position") == "4");
  }
  SECTION("a position that does not arrive in time is 503, and nothing is dispatched") {
    Answer answer;
    send("9", answer);
    const HttpResponse response = answer.future.get();
    CHECK(response.status == 503);
    CHECK(response.body.find("up to position 3") != std::string::npos);
    CHECK(dispatched == 0);
    CHECK(observed_now() == std::vector<std::pair<std::string, int>>{{"GET", 503}});
  }
  SECTION("a header that is not a position is 400") {
    for (const char* bad : {"x", "-1", "3.0", "", "99999999999999999999999"}) {
      Answer answer;
      send(std::string(bad), answer);
      CHECK(answer.future.get().status == 400);
    }
    CHECK(observed_now() == std::vector<std::pair<std::string, int>>(5, {"GET", 400}));
  }
  SECTION("at most 1,024 wait at once, holding no thread; the next is 503 at once") {
    std::vector<Answer> waiting(1024);
    for (Answer& answer : waiting) send("100", answer);
    CHECK(waits.waiting() == 1024);
    Answer refused;
    send("100", refused);
    REQUIRE(refused.future.wait_for(std::chrono::milliseconds(100)) == std::future_status::ready);
    const HttpResponse response = refused.future.get();
    CHECK(response.status == 503);
    CHECK(response.headers.Get("Retry-After") == "1");
    for (Answer& answer : waiting) CHECK(answer.future.get().status == 503);  // after the wait
    CHECK(observed_now() == std::vector<std::pair<std::string, int>>(1025, {"GET", 503}));
    CHECK(waits.waiting() == 0);
    Answer again;  // the waits are over: room again
    send("3", again);
    CHECK(again.future.get().status == 200);
  }
  SECTION("waits for different positions are answered as each arrives") {
    Answer five;
    Answer four;
    send("5", five);
    send("4", four);
    testing::AppendEvents(*store, "briefing-b2", 1);
    CHECK(four.future.get().headers.Get("X-Dialogue-Position") == "4");
    CHECK(five.future.wait_for(std::chrono::milliseconds(20)) == std::future_status::timeout);
    testing::AppendEvents(*store, "briefing-b3", 1);
    CHECK(five.future.get().status == 200);
    CHECK(dispatched == 2);
  }
}

}  // namespace
}  // namespace dialogue::api
