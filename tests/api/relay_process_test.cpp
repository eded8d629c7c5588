// `dialogue serve --nats`: commands over HTTP while nats-server is killed (SIGKILL) and started
// again twice, and dialogue itself is killed once and restarted on the same folder. The stream
// must then hold every position 1..head exactly once, in order, each a valid CloudEvent carrying
// the event as the log holds it (docs/relay.md). DIALOGUE_RELAY_COMMANDS sets how many commands
// (default 2,000 in five rounds; the long form is 10,000). Then `serve --follow`, a read replica
// filled from that stream.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "engine/event_json.hpp"
#include "tests/api/subscription_test_support.hpp"
#include "tests/api/test_support.hpp"
#include "tests/support/nats_server.hpp"

namespace dialogue::api {
namespace {

using nlohmann::json;
using testing::Bearer;
using testing::HttpClient;

int Commands() {
  const char* text = std::getenv("DIALOGUE_RELAY_COMMANDS");
  const int n = text != nullptr ? std::atoi(text) : 0;
  return n >= 5 ? n : 2000;
}

// Registers stakeholders from..to-1 through the server, each once (a retry after a dropped
// connection carries the same Idempotency-Key).
void Register(uint16_t port, int from, int to,
              const std::string& token = testing::kSecretariatToken) {
  HttpClient http(port);
  for (int i = from; i < to; ++i) {
    auto headers = Bearer(token);
    headers["Content-Type"] = "application/json";
    headers["Idempotency-Key"] = "register-" + std::to_string(i);
    const json body = {{"id", "ngo-" + std::to_string(i)},
                       {"name", "NGO " + std::to_string(i)},
                       {"category", "ngo"},
                       {"ecosoc_status", "special"}};
    const testing::Reply reply = http.Send("POST", "/v1/stakeholders", headers, body.dump());
    REQUIRE(reply.status == 201);
  }
}

TEST_CASE("serve --nats relays every acknowledged command once, through crashes of both sides",
          "[process][relay]") {
  testing::TempDir dir;
  const std::string data = dir.Path("data");
  const std::string tokens = dir.Path("tokens.json");
  testing::WriteFile(tokens, testing::TokensJson());
  dialogue::testing::NatsServer nats(dir.Path("nats"));
  const std::vector<std::string> relay_args = {"--nats", nats.url(), "--ledger-origin",
                                               "relay.test/log"};
  const int round = Commands() / 5;

  auto server = std::make_unique<testing::ServerProcess>(data, tokens, relay_args);
  Register(server->port(), 0, round);
  nats.Kill();  // publishes in flight, most likely
  Register(server->port(), round, 2 * round);
  nats.Start();
  Register(server->port(), 2 * round, 3 * round);
  server->Kill();  // dialogue crashes: the relay's last acknowledgements unrecorded
  server = std::make_unique<testing::ServerProcess>(data, tokens, relay_args);
  Register(server->port(), 3 * round, 4 * round);
  nats.Kill();
  nats.Start();
  Register(server->port(), 4 * round, 5 * round);

  // The relay catches up: lag 0, in step with the stream.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!(testing::Metric(server->port(), "dialogue_relay_lag_events") == 0 &&
           testing::Metric(server->port(), "dialogue_relay_in_step") == 1)) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK(testing::Metric(server->port(), "dialogue_relay_connected") == 1);
  REQUIRE(server->Terminate() == 0);
  server.reset();

  engine::RocksDbOptions options;
  options.path = data;
  auto store = engine::OpenRocksDbEventStore(options).value();
  const uint64_t head = store->Head().position;
  CHECK(head == static_cast<uint64_t>(5 * round));  // one event per command, none twice
  dialogue::testing::StreamReader reader(nats.url());
  const auto state = reader.Info("DIALOGUE");
  CHECK(state.messages == head);
  CHECK(state.last_sequence == head);
  uint64_t after = 0;
  while (after < head) {
    const auto events = store->ReadAll(after, 1000).value();
    REQUIRE_FALSE(events.empty());
    for (const engine::RecordedEvent& event : events) {
      INFO("position " << event.position);
      const auto message = reader.Get("DIALOGUE", event.position);
      REQUIRE(message.msg_id == "relay.test/log:" + std::to_string(event.position));
      CHECK(message.subject == "dialogue.stakeholder.StakeholderRegistered");
      const json cloud = json::parse(message.body);
      CHECK(cloud["specversion"] == "1.0");
      CHECK(cloud["id"] == std::to_string(event.position));
      CHECK(cloud["source"] == "relay.test/log");
      CHECK(cloud["type"] == "org.dialogue.StakeholderRegistered");
      CHECK(cloud["subject"] == event.stream);
      CHECK(cloud["time"] == event.metadata.occurred_at);
      CHECK(cloud["data"] == engine::EventToJson(event));
    }
    after = events.back().position;
  }
}

TEST_CASE("serve --follow serves the leader's log as a read replica, and refuses commands",
          "[process][relay][replica]") {
  testing::TempDir dir;
  const std::string tokens = dir.Path("tokens.json");
  testing::WriteFile(tokens, testing::TokensJson());
  dialogue::testing::NatsServer nats(dir.Path("nats"));
  testing::ServerProcess leader(dir.Path("leader"), tokens,
                                {"--nats", nats.url(), "--ledger-origin", "replica.test/log"});
  const std::string leader_url = "http://127.0.0.1:" + std::to_string(leader.port());
  testing::ServerProcess replica(
      dir.Path("replica"), tokens,
      {"--follow", nats.url(), "--ledger-origin", "replica.test/log", "--leader-url", leader_url});
  Register(leader.port(), 0, 50);
  HttpClient to_leader(leader.port());
  HttpClient to_replica(replica.port());
  const auto auditor = Bearer(testing::kAuditorToken);
  const std::string head =
      to_leader.Send("GET", "/v1/events?limit=1", auditor).Header("x-dialogue-position");
  REQUIRE(head == "50");

  SECTION("a read that asks for the leader's position sees what the leader answers") {
    auto at_head = auditor;
    at_head["X-Dialogue-Position"] = head;
    const testing::Reply copy = to_replica.Send("GET", "/v1/stakeholders/ngo-49", at_head);
    REQUIRE(copy.status == 200);
    CHECK(std::stoull(copy.Header("x-dialogue-position")) >= 50);
    CHECK(json::parse(copy.body) ==
          json::parse(to_leader.Send("GET", "/v1/stakeholders/ngo-49", auditor).body));
    const testing::Reply events = to_replica.Send("GET", "/v1/events?limit=100", at_head);
    REQUIRE(events.status == 200);
    CHECK(json::parse(events.body)["events"] ==
          json::parse(to_leader.Send("GET", "/v1/events?limit=100", auditor).body)["events"]);
    CHECK(testing::Metric(replica.port(), "dialogue_follower_lag_events") == 0);
    CHECK(testing::Metric(replica.port(), "dialogue_follower_in_step") == 1);
  }
  SECTION("a command is answered 421, naming the leader, and changes nothing") {
    auto headers = Bearer(testing::kSecretariatToken);
    headers["Content-Type"] = "application/json";
    const json body = {
        {"id", "ngo-x"}, {"name", "NGO X"}, {"category", "ngo"}, {"ecosoc_status", "special"}};
    const testing::Reply refused =
        to_replica.Send("POST", "/v1/stakeholders", headers, body.dump());
    CHECK(refused.status == 421);
    CHECK(refused.Header("content-type") == "application/problem+json");
    CHECK(json::parse(refused.body)["code"] == "not_leader");
    CHECK(json::parse(refused.body)["leader"] == leader_url);
    CHECK(to_leader.Send("GET", "/v1/stakeholders/ngo-x", auditor).status == 404);
  }
  SECTION("a position the replica does not reach in time is 503; a malformed one 400") {
    auto ahead = auditor;
    ahead["X-Dialogue-Position"] = "1000";
    const testing::Reply late = to_replica.Send("GET", "/v1/events?limit=1", ahead);
    CHECK(late.status == 503);
    CHECK(json::parse(late.body)["code"] == "unavailable");
    ahead["X-Dialogue-Position"] = "abc";
    CHECK(to_replica.Send("GET", "/v1/events?limit=1", ahead).status == 400);
  }
}

TEST_CASE("A subscriber on a read replica sees every position once, in order",
          "[process][relay][replica][subscription]") {
  testing::TempDir dir;
  const std::string tokens = dir.Path("tokens.json");
  testing::WriteFile(tokens, testing::SubscriptionTokensJson());
  dialogue::testing::NatsServer nats(dir.Path("nats"));
  testing::ServerProcess leader(dir.Path("leader"), tokens,
                                {"--nats", nats.url(), "--ledger-origin", "replica.test/log"});
  testing::ServerProcess replica(dir.Path("replica"), tokens,
                                 {"--follow", nats.url(), "--ledger-origin", "replica.test/log"});
  testing::SseClient subscriber(
      replica.port(), "/v1/subscribe",
      {{"Authorization", std::string("Bearer ") + testing::kIntegrationToken}});
  REQUIRE(subscriber.WaitForHead());
  REQUIRE(subscriber.status() == 200);
  Register(leader.port(), 0, 100, testing::kWriterToken);
  REQUIRE(subscriber.ReadUntil([&] { return subscriber.messages().size() >= 100; }));
  REQUIRE(subscriber.messages().size() == 100);
  for (size_t i = 0; i < 100; ++i) {
    CHECK(subscriber.messages()[i].id == std::to_string(i + 1));
    CHECK(subscriber.messages()[i].event == "StakeholderRegistered");
  }
}

}  // namespace
}  // namespace dialogue::api
