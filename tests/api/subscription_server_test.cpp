// GET /v1/subscribe through the real server in this process, over sockets: the response, its
// refusals, resuming with Last-Event-ID under concurrent writers, a stalled client, the cap and a
// clean end when the server stops.
#include <atomic>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "engine/event_json.hpp"
#include "tests/api/subscription_test_support.hpp"

namespace dialogue::api {
namespace {

using testing::AppendOne;
using testing::ExpectedPositions;
using testing::kIntegrationToken;
using testing::kOutsiderToken;
using testing::SseClient;
using testing::SubscriptionServer;

std::vector<uint64_t> Range(uint64_t first, uint64_t last) {
  std::vector<uint64_t> out;
  for (uint64_t p = first; p <= last; ++p) out.push_back(p);
  return out;
}

std::string ProblemCode(const SseClient& client) {
  return nlohmann::json::parse(client.body()).value("code", "");
}

TEST_CASE("A subscription is an event stream: headers, retry hint, then one record per event",
          "[subscription][server]") {
  SubscriptionServer server;
  AppendOne(server.store(), "briefing-b1", "BriefingRequested", 5);
  auto client = server.Subscribe("?after=0");
  REQUIRE(client->WaitForHead());
  CHECK(client->status() == 200);
  CHECK(client->Header("content-type") == "text/event-stream");
  CHECK(client->Header("cache-control") == "no-cache");
  CHECK(client->Header("transfer-encoding") == "chunked");
  REQUIRE(client->ReadUntil([&] { return client->messages().size() == 1; }));
  CHECK(client->parser().retry() == std::chrono::milliseconds(3000));
  CHECK(client->text().rfind("retry: 3000\n\n", 0) == 0);
  // The record is the log API's event object, on one data line.
  const auto event = server.store().ReadAll(0, 1).value().front();
  const std::string expected_record =
      "id: 1\nevent: BriefingRequested\ndata: " + engine::EventToJson(event).dump() + "\n\n";
  CHECK(client->text().find(expected_record) != std::string::npos);
  // Then live.
  AppendOne(server.store(), "briefing-b1", "BriefingCancelled");
  REQUIRE(client->ReadUntil([&] { return client->messages().size() == 2; }));
  CHECK(client->messages()[1].id == "2");
  CHECK(client->messages()[1].event == "BriefingCancelled");
}

TEST_CASE("Subscribing takes a reader's token, state and stakeholder roles are refused",
          "[subscription][server]") {
  SubscriptionServer server;
  auto integration = server.Subscribe("", {}, kIntegrationToken);
  REQUIRE(integration->WaitForHead());
  CHECK(integration->status() == 200);
  auto stakeholder = server.Subscribe("", {}, kOutsiderToken);
  REQUIRE(stakeholder->WaitForHead());
  CHECK(stakeholder->status() == 403);
  SseClient anonymous(server.port(), "/v1/subscribe", {});
  REQUIRE(anonymous.WaitForHead());
  CHECK(anonymous.status() == 401);
}

TEST_CASE("Bad positions and unknown event types answer 400", "[subscription][server]") {
  SubscriptionServer server;
  for (const auto& [query, headers, field] :
       std::vector<std::tuple<std::string, std::map<std::string, std::string>, std::string>>{
           {"?after=abc", {}, "after"},
           {"?after=-1", {}, "after"},
           {"", {{"Last-Event-ID", "12x"}}, "Last-Event-ID"},
           {"?types=BriefingRequested,NoSuchEvent", {}, "types"},
       }) {
    INFO(query << " " << field);
    auto client = server.Subscribe(query, headers);
    REQUIRE(client->WaitForBody());
    CHECK(client->status() == 400);
    CHECK(ProblemCode(*client) == "bad_request");
    CHECK(nlohmann::json::parse(client->body())["errors"][0]["field"] == field);
  }
}

TEST_CASE("Last-Event-ID wins over after", "[subscription][server]") {
  SubscriptionServer server;
  for (int i = 0; i < 6; ++i) AppendOne(server.store(), "briefing-b1", "BriefingRequested");
  auto client = server.Subscribe("?after=1", {{"Last-Event-ID", "4"}});
  REQUIRE(client->ReadUntil([&] { return client->messages().size() == 2; }));
  CHECK(client->Positions() == std::vector<uint64_t>{5, 6});
}

TEST_CASE("Beyond the subscriber cap the server answers 503 with a problem",
          "[subscription][server]") {
  SubscriptionOptions options;
  options.max_subscribers = 2;
  SubscriptionServer server(options);
  auto first = server.Subscribe("");
  auto second = server.Subscribe("");
  REQUIRE(first->WaitForHead());
  REQUIRE(second->WaitForHead());
  CHECK(first->status() == 200);
  CHECK(second->status() == 200);
  auto third = server.Subscribe("");
  REQUIRE(third->WaitForBody());
  CHECK(third->status() == 503);
  CHECK(third->Header("content-type") == "application/problem+json");
  CHECK(ProblemCode(*third) == "unavailable");
  CHECK(third->Header("retry-after") == "5");
}

TEST_CASE("Stopping the server ends each subscription with its last chunk",
          "[subscription][server]") {
  SubscriptionServer server;
  AppendOne(server.store(), "briefing-b1", "BriefingRequested");
  auto client = server.Subscribe("");
  REQUIRE(client->ReadUntil([&] { return client->messages().size() == 1; }));
  server.StopAndJoin();  // what SIGTERM does
  REQUIRE(client->ReadToEnd());
  CHECK(client->ended_cleanly());
  CHECK(client->Positions() == std::vector<uint64_t>{1});
}

TEST_CASE("A quiet subscription gets a keep-alive comment at the configured interval",
          "[subscription][server]") {
  SubscriptionOptions options;
  options.keep_alive = std::chrono::milliseconds(20);
  SubscriptionServer server(options);
  auto client = server.Subscribe("");
  REQUIRE(client->ReadUntil([&] { return client->parser().comments() > 0; }));
  CHECK(client->text().find(": keep-alive\n\n") != std::string::npos);
}

TEST_CASE("A stalled subscriber holds up neither writers nor others, then receives everything",
          "[subscription][server]") {
  SubscriptionOptions options;
  options.buffer_bytes = 64 * 1024;
  ServerOptions server_options;
  server_options.write_timeout = std::chrono::minutes(5);  // the stall is ours, not a dead peer
  SubscriptionServer server(options, server_options);
  // A small receive buffer: the server's queue grows as soon as this client stops reading.
  auto stalled = server.Subscribe("", {}, testing::kReaderToken, /*receive_buffer=*/4096);
  auto reader = server.Subscribe("");
  AppendOne(server.store(), "briefing-b1", "BriefingRequested");
  REQUIRE(stalled->ReadUntil([&] { return stalled->messages().size() == 1; }));
  // From here on the stalled client reads nothing while writers append about 8 MB.
  constexpr int kWriters = 4;
  constexpr int kPerWriter = 500;
  std::atomic<int> appended{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < kPerWriter; ++i) {
        AppendOne(server.store(), "briefing-w" + std::to_string(w), "BriefingRequested", 4000);
        ++appended;
      }
    });
  }
  for (auto& writer : writers) writer.join();
  CHECK(appended == kWriters * kPerWriter);
  const uint64_t total = 1 + kWriters * kPerWriter;
  // Another subscriber gets all of it while the first still reads nothing.
  REQUIRE(reader->ReadUntil([&] { return reader->messages().size() == total; }));
  CHECK(reader->Positions() == Range(1, total));
  CHECK(server.hub().stats().fallbacks >= 1);  // it left live mode instead of being cut off
  // The stalled one reads again: everything, in order, once; then live again.
  REQUIRE(stalled->ReadUntil([&] { return stalled->messages().size() == total; }));
  CHECK(stalled->Positions() == Range(1, total));
  AppendOne(server.store(), "briefing-b1", "BriefingCancelled");
  REQUIRE(stalled->ReadUntil([&] { return stalled->messages().size() == total + 1; }));
  CHECK(stalled->Positions().back() == total + 1);
}

// The server's last resort, with the hub's own total out of the way: streams that together queue
// more than max_streams_backlog are closed (their clients resume with Last-Event-ID), and what
// they held is given back, so that a new subscription afterwards streams as usual.
TEST_CASE("StreamsTogetherCannotQueueBeyondTheServersTotal", "[subscription][server][hostile]") {
  SubscriptionOptions options;
  options.buffer_bytes = 64 * 1024;              // each may queue 64 KiB, four of them 256 KiB
  options.total_buffer_bytes = size_t{1} << 40;  // the hub never holds back here
  ServerOptions server_options;
  server_options.write_timeout = std::chrono::minutes(5);
  server_options.max_streams_backlog = 128 * 1024;
  SubscriptionServer server(options, server_options);
  constexpr int kStalled = 4;
  std::vector<std::unique_ptr<SseClient>> stalled;
  for (int i = 0; i < kStalled; ++i) {
    stalled.push_back(server.Subscribe("", {}, testing::kReaderToken, /*receive_buffer=*/4096));
  }
  AppendOne(server.store(), "briefing-b1", "BriefingRequested");
  for (auto& client : stalled) {
    REQUIRE(client->ReadUntil([&] { return client->messages().size() == 1; }));
  }
  // 800 KB of records, while none of them reads.
  constexpr int kAppends = 200;
  for (int i = 0; i < kAppends; ++i) {
    AppendOne(server.store(), "briefing-b1", "BriefingRequested", 4000);
  }
  // Each reads again: at least one stream was closed before its end (the rest may have fitted).
  int closed = 0;
  for (auto& client : stalled) {
    client->ReadUntil([&] { return client->messages().size() == kAppends + 1 || client->eof(); });
    if (client->messages().size() < kAppends + 1) {
      CHECK(client->ReadToEnd());
      ++closed;
    }
    // Whatever it got is the log's beginning, without a gap.
    CHECK(client->Positions() == Range(1, client->messages().size()));
  }
  CHECK(closed >= 1);
  stalled.clear();
  // Nothing of theirs stays counted once the server has seen them go (it learns of a closed
  // connection on its own time): a new subscriber then gets the whole log.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  bool whole = false;
  while (!whole && std::chrono::steady_clock::now() < deadline) {
    auto fresh = server.Subscribe("");
    fresh->ReadUntil([&] { return fresh->messages().size() == kAppends + 1 || fresh->eof(); });
    whole = fresh->Positions() == Range(1, kAppends + 1);
    if (!whole) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK(whole);
}

// 8 writers and 16 subscribers that drop their connection at random moments and resume with
// Last-Event-ID (with a stale ?after= beside it, which must lose): each receives exactly the
// log's positions its filter selects, in order, none twice.
TEST_CASE("Subscribers resuming at random moments under 8 writers miss nothing and repeat nothing",
          "[subscription][server]") {
  SubscriptionServer server;
  constexpr int kWriters = 8;
  constexpr int kPerWriter = 120;
  constexpr int kSubscribers = 16;
  const std::vector<std::string> types = {"BriefingRequested", "MeetingScheduled",
                                          "StakeholderRegistered"};
  // The filters, by subscriber index modulo 4.
  const std::vector<SubscriptionFilter> filters = {
      {"", {}},
      {"alpha-", {}},
      {"", {"BriefingRequested", "MeetingScheduled"}},
      {"beta-", {"StakeholderRegistered"}},
  };
  const std::vector<std::string> queries = {"", "streams=alpha-",
                                            "types=BriefingRequested,MeetingScheduled",
                                            "streams=beta-&types=StakeholderRegistered"};

  std::atomic<bool> writers_done{false};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < kPerWriter; ++i) {
        const std::string stream = std::string(i % 2 == 0 ? "alpha-" : "beta-") + std::to_string(w);
        AppendOne(server.store(), stream, types[static_cast<size_t>(i + w) % types.size()]);
      }
    });
  }

  std::vector<std::vector<uint64_t>> received(kSubscribers);
  std::vector<int> reconnects(kSubscribers, 0);
  std::vector<std::string> failures(kSubscribers);
  std::vector<size_t> expected_count(kSubscribers, 0);
  std::atomic<bool> expected_known{false};
  std::vector<std::thread> subscribers;
  for (int s = 0; s < kSubscribers; ++s) {
    subscribers.emplace_back([&, s] {
      std::mt19937 random(static_cast<unsigned>(s) * 7919u + 1u);
      const std::string filter_query = queries[static_cast<size_t>(s) % 4];
      std::optional<uint64_t> last_id;
      const auto done = [&] { return expected_known && received[s].size() >= expected_count[s]; };
      while (!done()) {
        std::map<std::string, std::string> headers;
        std::string query = "?" + filter_query;
        if (last_id) {
          headers["Last-Event-ID"] = std::to_string(*last_id);
          query += (filter_query.empty() ? "" : "&") + std::string("after=0");
        }
        auto client = server.Subscribe(query, headers);
        // Drop the connection after a random number of records (or mid-record: whatever the
        // last read brought).
        const size_t quota = std::uniform_int_distribution<size_t>(1, 25)(random);
        size_t seen = 0;
        const bool ok = client->ReadUntil([&] {
          const auto& messages = client->messages();
          for (; seen < messages.size(); ++seen) {
            received[s].push_back(std::stoull(messages[seen].id));
            last_id = received[s].back();
          }
          return done() || seen >= quota;
        });
        if (!ok && !done()) {
          failures[s] = "no progress on connection " + std::to_string(reconnects[s]) + " (status " +
                        std::to_string(client->status()) + ")";
          return;
        }
        client->Close();
        ++reconnects[s];
      }
    });
  }
  for (auto& writer : writers) writer.join();
  writers_done = true;
  std::vector<std::vector<uint64_t>> expected(kSubscribers);
  for (int s = 0; s < kSubscribers; ++s) {
    expected[s] = ExpectedPositions(server.store(), 0, filters[static_cast<size_t>(s) % 4]);
    expected_count[s] = expected[s].size();
  }
  expected_known = true;
  for (auto& subscriber : subscribers) subscriber.join();

  for (int s = 0; s < kSubscribers; ++s) {
    INFO("subscriber " << s << " (" << queries[static_cast<size_t>(s) % 4] << "), " << reconnects[s]
                       << " connections");
    CHECK(failures[s].empty());
    CHECK(received[s] == expected[s]);
    CHECK(reconnects[s] >= 2);
  }
}

}  // namespace
}  // namespace dialogue::api
