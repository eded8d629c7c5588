// The server in this process, over real sockets, with the in-memory store and test-only routes
// (a POST route using the shared body decoder, a streaming route, a route that blocks).
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "api/http/json_io.hpp"
#include "api/http/problem.hpp"
#include "api/http/server.hpp"
#include "api/ops/metrics.hpp"
#include "api/routes/routes.hpp"
#include "tests/api/in_process_api.hpp"
#include "tests/api/test_support.hpp"

namespace dialogue::api {
namespace {

namespace net = boost::asio;
using testing::Bearer;
using testing::HttpClient;
using testing::Reply;

// A one-shot gate a test opens for a handler waiting on it.
class Gate {
 public:
  void Open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    cv_.notify_all();
  }
  void Wait() {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [this] { return open_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool open_ = false;
};

// Writes the chunks it was given, then closes (or, with hold_open, waits for Cancel).
class TestStream final : public StreamingBody {
 public:
  TestStream(std::vector<std::string> chunks, bool hold_open)
      : chunks_(std::move(chunks)), hold_open_(hold_open) {}

  void Start(std::shared_ptr<StreamSink> sink) override {
    for (auto& chunk : chunks_) sink->Write(chunk);
    if (!hold_open_) sink->Close();
    started_.set_value();
  }
  void Cancel() override { cancelled_.set_value(); }

  std::future<void> started() { return started_.get_future(); }
  std::future<void> cancelled() { return cancelled_.get_future(); }

 private:
  std::vector<std::string> chunks_;
  bool hold_open_;
  std::promise<void> started_;
  std::promise<void> cancelled_;
};

// The server's parts wired as `dialogue serve` wires them (InProcessApi), served over sockets.
class ServerFixture : public testing::InProcessApi {
 public:
  // workers: the worker pool's threads. Requests the router answers from memory run inline on
  // the io threads, as `dialogue serve` sets it up.
  explicit ServerFixture(ServerOptions options = {}, int workers = 4)
      : InProcessApi(engine::TimePoint{},
                     testing::TokensJson()) {  // A command route as every command route will be:
                                               // decode the body, then append.
    router_.Add("POST", "/test/commands", Access::Roles({kRoleSecretariat}),
                [this](const RequestContext& request) {
                  auto body = DecodeJsonBody(request.request);
                  if (!body) return body.error();
                  engine::ProposedEvent event{"TestCommandAccepted", body->dump(), {}};
                  engine::AppendRequest append;
                  append.writes.push_back({"test-1", engine::ExpectedVersion::Any(), {event}});
                  auto result = store_->Append(append);
                  if (!result) return ErrorResponse(result.error());
                  return JsonResponse(201, {{"position", result->last_position}});
                });
    router_.Add("GET", "/test/stream", Access::Public(), [this](const RequestContext&) {
      HttpResponse response;
      response.headers.Set("Content-Type", "text/event-stream");
      response.stream = stream_;
      return response;
    });
    router_.Add("GET", "/test/block", Access::Public(), [this](const RequestContext&) {
      entered_.set_value();
      release_.Wait();
      return JsonResponse(200, {{"blocked", false}});
    });
    // Answers when the test says so, from the test's thread.
    router_.AddAsync("GET", "/test/later", Access::Public(),
                     [this](const RequestContext&, Responder responder) {
                       later_.set_value(std::move(responder));
                     });
    options.port = 0;
    options.worker_threads = workers;
    RouteWork(options, router_, metrics_);
    server_ = Server::Listen(options).value();
    thread_ = std::thread([this] { server_->Run(); });
  }

  ~ServerFixture() { StopAndJoin(); }

  void StopAndJoin() {
    if (!thread_.joinable()) return;
    server_->Stop();
    thread_.join();
  }

  uint16_t port() const { return server_->port(); }
  uint64_t head() const { return Head(); }

 protected:
  std::shared_ptr<TestStream> stream_;
  std::promise<void> entered_;
  Gate release_;
  std::promise<Responder> later_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
};

std::string Code(const Reply& reply) { return nlohmann::json::parse(reply.body).value("code", ""); }

TEST_CASE_METHOD(ServerFixture, "Requests on one keep-alive connection are answered in turn",
                 "[server]") {
  HttpClient client(port());
  for (int i = 0; i < 3; ++i) {
    Reply reply = client.Send("GET", "/healthz");
    CHECK(reply.status == 200);
    CHECK(reply.body == R"({"status":"ok"})");
    CHECK(reply.Header("content-type") == "application/json");
  }
}

TEST_CASE_METHOD(ServerFixture, "A valid command appends and answers 201", "[server]") {
  HttpClient client(port());
  Reply reply = client.Send("POST", "/test/commands",
                            {{"Authorization", std::string("Bearer ") + testing::kSecretariatToken},
                             {"Content-Type", "application/json"}},
                            R"({"id":"b1"})");
  CHECK(reply.status == 201);
  CHECK(head() == 1);
}

TEST_CASE_METHOD(ServerFixture, "Refused bodies append nothing: 415, 400, 413", "[server]") {
  const std::string auth = std::string("Bearer ") + testing::kSecretariatToken;
  {
    HttpClient client(port());
    Reply reply =
        client.Send("POST", "/test/commands",
                    {{"Authorization", auth}, {"Content-Type", "text/plain"}}, R"({"id":"b1"})");
    CHECK(reply.status == 415);
    CHECK(Code(reply) == "unsupported_media_type");
    CHECK(reply.Header("content-type") == "application/problem+json");

    reply =
        client.Send("POST", "/test/commands",
                    {{"Authorization", auth}, {"Content-Type", "application/json"}}, R"({"id":)");
    CHECK(reply.status == 400);
    CHECK(Code(reply) == "bad_request");
  }
  {
    HttpClient client(port());
    const std::string big(1024 * 1024 + 1, ' ');
    Reply reply = client.Send("POST", "/test/commands",
                              {{"Authorization", auth}, {"Content-Type", "application/json"}}, big);
    CHECK(reply.status == 413);
    CHECK(Code(reply) == "payload_too_large");
    CHECK(reply.Header("connection") == "close");
    CHECK(client.ServerClosed());
  }
  {
    // Exactly at the limit is read (and then refused as JSON, not as too large).
    HttpClient client(port());
    Reply reply = client.Send("POST", "/test/commands",
                              {{"Authorization", auth}, {"Content-Type", "application/json"}},
                              std::string(1024 * 1024, '['));
    CHECK(reply.status == 400);
  }
  CHECK(head() == 0);
}

TEST_CASE_METHOD(ServerFixture, "A chunked body over the limit answers 413", "[server]") {
  HttpClient client(port());
  std::string request =
      "POST /test/commands HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\nAuthorization: Bearer " +
      std::string(testing::kSecretariatToken) + "\r\n\r\n";
  const std::string chunk(64 * 1024, ' ');
  char size_line[32];
  std::snprintf(size_line, sizeof size_line, "%zx\r\n", chunk.size());
  for (int i = 0; i < 17; ++i) request += size_line + chunk + "\r\n";
  request += "0\r\n\r\n";
  net::write(client.socket(), net::buffer(request));
  Reply reply = client.Receive();
  CHECK(reply.status == 413);
  CHECK(head() == 0);
}

TEST_CASE_METHOD(ServerFixture, "Expect: 100-continue gets the interim answer", "[server]") {
  HttpClient client(port());
  const std::string body = R"({"id":"b2"})";
  const std::string header =
      "POST /test/commands HTTP/1.1\r\nHost: x\r\n"
      "Content-Type: application/json\r\nExpect: 100-continue\r\n"
      "Authorization: Bearer " +
      std::string(testing::kSecretariatToken) +
      "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  net::write(client.socket(), net::buffer(header));
  CHECK(client.Receive().status == 100);
  net::write(client.socket(), net::buffer(body));
  CHECK(client.Receive().status == 201);
}

TEST_CASE_METHOD(ServerFixture, "Too large headers answer 431 and close", "[server]") {
  HttpClient client(port());
  Reply reply = client.Send("GET", "/healthz", {{"X-Padding", std::string(20 * 1024, 'x')}});
  CHECK(reply.status == 431);
  CHECK(client.ServerClosed());
}

TEST_CASE_METHOD(ServerFixture, "Unknown paths, methods and tokens over the wire", "[server]") {
  HttpClient client(port());
  CHECK(client.Send("GET", "/nope").status == 404);
  CHECK(client.Send("PUT", "/healthz").status == 405);
  CHECK(client.Send("GET", "/v1/events").status == 401);
  CHECK(client.Send("GET", "/v1/events", Bearer("wrong")).status == 401);
  CHECK(client.Send("GET", "/v1/events", Bearer(testing::kStakeholderToken)).status == 403);
  CHECK(client.Send("GET", "/v1/events", Bearer(testing::kAuditorToken)).status == 200);
}

TEST_CASE_METHOD(ServerFixture, "Metrics count requests by route and status", "[server]") {
  HttpClient client(port());
  client.Send("GET", "/healthz");
  client.Send("GET", "/v1/events?limit=0", Bearer(testing::kAuditorToken));
  CHECK(client.Send("GET", "/metrics").status == 401);
  CHECK(client.Send("GET", "/metrics", Bearer(testing::kStakeholderToken)).status == 403);
  Reply reply = client.Send("GET", "/metrics", Bearer(testing::kAuditorToken));
  REQUIRE(reply.status == 200);
  CHECK_THAT(reply.Header("content-type"), Catch::StartsWith("text/plain; version=0.0.4"));
  CHECK_THAT(reply.body,
             Catch::Contains(
                 R"(dialogue_http_requests_total{method="GET",route="/healthz",status="200"} 1)"));
  CHECK_THAT(reply.body, Catch::Contains(R"(route="/v1/events",status="400"} 1)"));
  CHECK_THAT(reply.body, Catch::Contains("dialogue_http_request_duration_seconds_bucket"));
  CHECK_THAT(reply.body, Catch::Contains("dialogue_ledger_head_position 0"));
  // The log's page went to the worker pool; nothing else did.
  CHECK_THAT(reply.body, Catch::Contains("dialogue_http_offload_wait_seconds_count 1"));
}

TEST_CASE_METHOD(ServerFixture, "A streaming body is sent chunk by chunk until it closes",
                 "[server]") {
  stream_ = std::make_shared<TestStream>(std::vector<std::string>{"id: 1\n\n", "id: 2\n\n"},
                                         /*hold_open=*/false);
  HttpClient client(port());
  Reply reply = client.Send("GET", "/test/stream");
  CHECK(reply.status == 200);
  CHECK(reply.Header("content-type") == "text/event-stream");
  CHECK(reply.Header("transfer-encoding") == "chunked");
  CHECK(reply.body == "id: 1\n\nid: 2\n\n");
  CHECK(client.ServerClosed());
}

TEST_CASE_METHOD(ServerFixture, "A stream is cancelled when its client goes away", "[server]") {
  stream_ = std::make_shared<TestStream>(std::vector<std::string>{": hello\n\n"},
                                         /*hold_open=*/true);
  auto started = stream_->started();
  auto cancelled = stream_->cancelled();
  {
    HttpClient client(port());
    net::write(client.socket(),
               net::buffer(std::string("GET /test/stream HTTP/1.1\r\nHost: x\r\n\r\n")));
    started.wait();
  }                  // the client closes its socket
  cancelled.wait();  // returns only once the server noticed
  SUCCEED("the stream body was cancelled");
}

TEST_CASE_METHOD(ServerFixture, "Stop cancels open streams", "[server]") {
  stream_ = std::make_shared<TestStream>(std::vector<std::string>{}, /*hold_open=*/true);
  auto started = stream_->started();
  auto cancelled = stream_->cancelled();
  HttpClient client(port());
  net::write(client.socket(),
             net::buffer(std::string("GET /test/stream HTTP/1.1\r\nHost: x\r\n\r\n")));
  started.wait();
  StopAndJoin();
  cancelled.wait();
  CHECK(client.ServerClosed());
}

TEST_CASE_METHOD(ServerFixture, "Stop lets a request under way finish, then closes", "[server]") {
  HttpClient busy(port());
  HttpClient idle(port());
  CHECK(idle.Send("GET", "/healthz").status == 200);
  net::write(busy.socket(),
             net::buffer(std::string("GET /test/block HTTP/1.1\r\nHost: x\r\n\r\n")));
  entered_.get_future().wait();
  server_->Stop();
  CHECK(idle.ServerClosed());  // idle keep-alive connections close at once
  release_.Open();
  Reply reply = busy.Receive();
  CHECK(reply.status == 200);
  CHECK(reply.Header("connection") == "close");
  CHECK(busy.ServerClosed());
  thread_.join();  // Run returns once every connection is gone
}

TEST_CASE_METHOD(ServerFixture, "Stop waits for an asynchronous answer, then closes", "[server]") {
  HttpClient waiting(port());
  net::write(waiting.socket(),
             net::buffer(std::string("GET /test/later HTTP/1.1\r\nHost: x\r\n\r\n")));
  Responder responder = later_.get_future().get();
  server_->Stop();
  // Run is still serving: the answer is owed. It comes from this thread, posted first.
  std::promise<std::thread::id> posted;
  responder.post([&] { posted.set_value(std::this_thread::get_id()); });
  CHECK(posted.get_future().get() != std::this_thread::get_id());
  responder.respond(JsonResponse(200, {{"late", true}}));
  Reply reply = waiting.Receive();
  CHECK(reply.status == 200);
  CHECK(reply.body == R"({"late":true})");
  CHECK(reply.Header("connection") == "close");
  CHECK(waiting.ServerClosed());
  thread_.join();
}

// One worker thread only: a request blocked in it holds every request handed to the pool.
class OneWorkerFixture : public ServerFixture {
 public:
  OneWorkerFixture() : ServerFixture(ServerOptions{}, /*workers=*/1) {}
};

TEST_CASE_METHOD(OneWorkerFixture, "Reads from memory are answered while every worker is busy",
                 "[server]") {
  HttpClient busy(port());
  net::write(busy.socket(),
             net::buffer(std::string("GET /test/block HTTP/1.1\r\nHost: x\r\n\r\n")));
  entered_.get_future().wait();  // the only worker waits in /test/block
  HttpClient reader(port());
  // Served on the io thread: neither waits for the worker.
  CHECK(reader.Send("GET", "/healthz").status == 200);
  Reply head = reader.Send("GET", "/v1/ledger/head", Bearer(testing::kAuditorToken));
  CHECK(head.status == 200);
  release_.Open();
  CHECK(busy.Receive().status == 200);
}

TEST_CASE_METHOD(OneWorkerFixture, "Commands are answered while every worker is busy", "[server]") {
  HttpClient busy(port());
  net::write(busy.socket(),
             net::buffer(std::string("GET /test/block HTTP/1.1\r\nHost: x\r\n\r\n")));
  entered_.get_future().wait();  // the only worker waits in /test/block
  // A command appends asynchronously: no worker is needed to wait for its sync.
  HttpClient writer(port());
  Reply created =
      writer.Send("POST", "/v1/working-groups",
                  {{"Authorization", std::string("Bearer ") + testing::kSecretariatToken},
                   {"Content-Type", "application/json"}},
                  R"({"id":"wg-a","name":"Working Group on Technical Assistance"})");
  CHECK(created.status == 201);
  CHECK(nlohmann::json::parse(created.body).value("stream", "") == "working-group-wg-a");
  Reply read = writer.Send("GET", "/v1/working-groups/wg-a", Bearer(testing::kAuditorToken));
  CHECK(read.status == 200);
  release_.Open();
  CHECK(busy.Receive().status == 200);
}

ServerOptions Timeouts(std::chrono::milliseconds read, std::chrono::milliseconds idle) {
  ServerOptions options;
  options.read_timeout = read;
  options.idle_timeout = idle;
  return options;
}

// Only the read timeout is short: a connection cut off here was cut off by it.
class ShortReadTimeoutFixture : public ServerFixture {
 public:
  ShortReadTimeoutFixture()
      : ServerFixture(Timeouts(std::chrono::milliseconds(300), std::chrono::minutes(10))) {}
};

// Only the idle timeout is short.
class ShortIdleTimeoutFixture : public ServerFixture {
 public:
  ShortIdleTimeoutFixture()
      : ServerFixture(Timeouts(std::chrono::minutes(10), std::chrono::milliseconds(100))) {}
};

// A slowloris: writes text a byte at a time, a byte every 20 ms, until the server closes the
// connection (or the text is all sent). The read timeout of 300 ms is for the whole request, so
// a server that only timed each read would never cut this client off.
class Trickler {
 public:
  Trickler(HttpClient& client, std::string text)
      : thread_([&client, text = std::move(text), this] {
          for (char c : text) {
            boost::system::error_code ec;
            net::write(client.socket(), net::buffer(&c, 1), ec);
            if (ec || stop_) return;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
          }
          finished_ = true;
        }) {}
  ~Trickler() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  // True when the whole text went out before the server closed the connection.
  bool finished() {
    if (thread_.joinable()) thread_.join();
    return finished_;
  }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<bool> finished_{false};
  std::thread thread_;
};

TEST_CASE_METHOD(ShortReadTimeoutFixture, "A request that never completes is cut off",
                 "[server][limits]") {
  HttpClient slow(port());
  net::write(slow.socket(), net::buffer(std::string("GET /healthz HTTP/1.1\r\nHost: x\r\n")));
  CHECK(slow.ServerClosed());  // returns once the read timeout closed the connection
}

TEST_CASE_METHOD(ShortReadTimeoutFixture, "A slowloris sending a header byte at a time is cut off",
                 "[server][limits]") {
  HttpClient slow(port());
  // 2,000 bytes at 20 ms each would take 40 s: the read timeout (300 ms) ends it long before.
  Trickler trickler(
      slow, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + std::string(2000, 'a') + "\r\n\r\n");
  CHECK(slow.ServerClosed());
  CHECK_FALSE(trickler.finished());
  HttpClient other(port());
  CHECK(other.Send("GET", "/healthz").status == 200);
}

TEST_CASE_METHOD(ShortReadTimeoutFixture, "A body sent a byte at a time is cut off",
                 "[server][limits]") {
  HttpClient slow(port());
  const std::string body = "{\"id\":\"" + std::string(2000, 'a') + "\"}";
  Trickler trickler(slow,
                    "POST /test/commands HTTP/1.1\r\nHost: x\r\n"
                    "Content-Type: application/json\r\nAuthorization: Bearer " +
                        std::string(testing::kSecretariatToken) +
                        "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
  CHECK(slow.ServerClosed());
  CHECK_FALSE(trickler.finished());
  CHECK(head() == 0);
}

TEST_CASE_METHOD(ShortIdleTimeoutFixture, "An idle keep-alive connection is closed",
                 "[server][limits]") {
  HttpClient client(port());
  CHECK(client.Send("GET", "/healthz").status == 200);
  CHECK(client.ServerClosed());  // after the idle timeout, with no request under way
}

// Only the first request's deadline is short.
class ShortFirstRequestFixture : public ServerFixture {
 public:
  ShortFirstRequestFixture() : ServerFixture(Options()) {}
  static ServerOptions Options() {
    ServerOptions options = Timeouts(std::chrono::minutes(10), std::chrono::minutes(10));
    options.first_request_timeout = std::chrono::milliseconds(200);
    return options;
  }
};

TEST_CASE_METHOD(ShortFirstRequestFixture, "IdleConnectionThatNeverAsksIsClosedEarly",
                 "[server][limits][hostile]") {
  // Well before the idle timeout (10 minutes): the first-request deadline (200 ms).
  HttpClient client(port());
  const auto start = std::chrono::steady_clock::now();
  CHECK(client.ServerClosed());
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::minutes(1));
}

TEST_CASE_METHOD(ShortFirstRequestFixture, "FirstRequestHeaderTrickledPastTheDeadlineIsCutOff",
                 "[server][limits][hostile]") {
  HttpClient slow(port());
  Trickler trickler(
      slow, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + std::string(2000, 'a') + "\r\n\r\n");
  CHECK(slow.ServerClosed());
  CHECK_FALSE(trickler.finished());
}

TEST_CASE_METHOD(ShortFirstRequestFixture,
                 "A kept-alive connection waits the idle timeout, not the first request's",
                 "[server][limits]") {
  HttpClient client(port());
  CHECK(client.Send("GET", "/healthz").status == 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  CHECK(client.Send("GET", "/healthz").status == 200);
}

TEST_CASE("Connections beyond the cap are answered 503 and closed", "[server][limits]") {
  ServerOptions options;
  options.max_connections = 2;
  ServerFixture fixture(options);
  HttpClient first(fixture.port());
  HttpClient second(fixture.port());
  CHECK(first.Send("GET", "/healthz").status == 200);  // both are surely accepted
  CHECK(second.Send("GET", "/healthz").status == 200);
  // Both busy: a request each under way (idle ones would make room, see below).
  const std::string start = "GET /healthz HTTP/1.1\r\n";
  net::write(first.socket(), net::buffer(start));
  net::write(second.socket(), net::buffer(start));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));

  for (int i = 0; i < 3; ++i) {
    HttpClient over(fixture.port());
    Reply reply = over.Receive();  // answered without waiting for a request
    CHECK(reply.status == 503);
    CHECK(reply.Header("content-type") == "application/problem+json");
    CHECK(reply.Header("retry-after") == "1");
    CHECK(reply.Header("connection") == "close");
    CHECK(Code(reply) == "unavailable");
    CHECK(over.ServerClosed());
  }
  {
    // A client that sends its request first reads the same answer.
    HttpClient over(fixture.port());
    net::write(over.socket(), net::buffer(std::string("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")));
    CHECK(over.Receive().status == 503);
    CHECK(over.ServerClosed());
  }
  const std::string rest = "Host: x\r\n\r\n";
  net::write(first.socket(), net::buffer(rest));
  net::write(second.socket(), net::buffer(rest));
  CHECK(first.Receive().status == 200);
  CHECK(second.Receive().status == 200);
}

TEST_CASE("IdleConnectionsCannotHoldEverySlot", "[server][limits][hostile]") {
  ServerOptions options;
  options.max_connections = 4;
  ServerFixture fixture(options);
  // Four connections that never ask anything hold every slot...
  std::vector<std::unique_ptr<HttpClient>> idle;
  for (int i = 0; i < 4; ++i) idle.push_back(std::make_unique<HttpClient>(fixture.port()));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  // ...yet each newcomer is served, the oldest idle connection closed to make room.
  std::vector<std::unique_ptr<HttpClient>> newcomers;  // kept open: the count stays at the cap
  for (int i = 0; i < 3; ++i) {
    HttpClient& newcomer = *newcomers.emplace_back(std::make_unique<HttpClient>(fixture.port()));
    CHECK(newcomer.Send("GET", "/healthz").status == 200);
    CHECK(newcomer.Send("GET", "/v1/events", Bearer(testing::kAuditorToken)).status == 200);
  }
  CHECK(idle[0]->ServerClosed());
  CHECK(idle[1]->ServerClosed());
  CHECK(idle[2]->ServerClosed());
}

TEST_CASE("A connection closed below the cap makes room for the next", "[server][limits]") {
  ServerOptions options;
  options.max_connections = 1;
  ServerFixture fixture(options);
  {
    HttpClient first(fixture.port());
    CHECK(first.Send("GET", "/healthz", {{"Connection", "close"}}).status == 200);
    CHECK(first.ServerClosed());
  }
  // The server forgets the first connection once its session ends, which may be a moment after
  // the client saw the close: until then a new connection may still be refused.
  int status = 0;
  for (int attempt = 0; attempt < 500 && status != 200; ++attempt) {
    HttpClient next(fixture.port());
    status = next.Send("GET", "/healthz").status;
    if (status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(status == 200);
}

TEST_CASE("Listen refuses a bad address", "[server]") {
  ServerOptions options;
  options.host = "not-an-address";
  options.dispatch = [](HttpRequest, Responder responder) { responder.respond(HttpResponse{}); };
  auto server = Server::Listen(options);
  REQUIRE_FALSE(server);
  CHECK(server.error().code == engine::ErrorCode::kInvalidArgument);
  // Nor does it listen without a dispatch.
  options.host = "127.0.0.1";
  options.dispatch = nullptr;
  auto undispatched = Server::Listen(options);
  REQUIRE_FALSE(undispatched);
  CHECK(undispatched.error().code == engine::ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace dialogue::api
