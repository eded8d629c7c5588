// The relay to NATS JetStream (app/relay.hpp), against a real `nats-server -js` started on
// loopback by the test (tests/support/nats_server.hpp), and the RocksDB store.
#include "app/relay.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "engine/event_json.hpp"
#include "engine/event_store.hpp"
#include "tests/support/nats_server.hpp"
#include "tests/temp_dir.hpp"

namespace dialogue::app {
namespace {

using dialogue::testing::NatsServer;
using dialogue::testing::StreamReader;
using dialogue::testing::TempDir;

constexpr char kOrigin[] = "test.local/log";

engine::RecordedEvent Recorded() {
  engine::RecordedEvent event;
  event.position = 42;
  event.stream = "referral-b1.ngo-a";
  event.version = 3;
  event.type = "ObjectionRaised";
  event.data = R"({"briefing":"b1"})";
  event.metadata.occurred_at = "2026-07-01T10:00:00Z";
  event.metadata.recorded_at = "2026-07-01T10:00:01Z";
  event.metadata.actor = "sec-ana";
  event.metadata.role = "secretariat";
  event.prev_hash = std::string(64, 'a');
  event.hash = std::string(64, 'b');
  return event;
}

TEST_CASE("An event's subject names its stream's kind and its type", "[relay]") {
  engine::RecordedEvent event = Recorded();
  CHECK(RelaySubject(event) == "dialogue.referral.ObjectionRaised");
  event.stream = "conference-session-cop-12";
  event.type = "ConferenceSessionRegistered";
  CHECK(RelaySubject(event) == "dialogue.conference-session.ConferenceSessionRegistered");
  event.stream = "imported-x";  // no workflow's stream
  event.type = "Odd.Type *>";   // nothing a subject token may not hold
  CHECK(RelaySubject(event) == "dialogue.other.Odd_Type___");
}

TEST_CASE("An event travels as a CloudEvents 1.0 structured-mode event", "[relay]") {
  const engine::RecordedEvent event = Recorded();
  const auto cloud = nlohmann::json::parse(CloudEventJson(event, kOrigin));
  CHECK(cloud["specversion"] == "1.0");
  CHECK(cloud["id"] == "42");
  CHECK(cloud["source"] == kOrigin);
  CHECK(cloud["type"] == "org.dialogue.ObjectionRaised");
  CHECK(cloud["subject"] == "referral-b1.ngo-a");
  CHECK(cloud["time"] == "2026-07-01T10:00:00Z");
  CHECK(cloud["datacontenttype"] == "application/json");
  CHECK(cloud["data"] == engine::EventToJson(event));
  CHECK(engine::EventFromJson(cloud["data"]).value() == event);  // whole: a follower applies it
  CHECK(cloud.size() == 8);
}

// Appends `n` events, one per request, over a few kinds of stream.
void AppendSome(engine::EventStore& store, int n) {
  static const char* const kStreams[] = {"briefing-b", "referral-b1.ngo-", "stakeholder-s",
                                         "not-a-workflow-"};
  for (int i = 0; i < n; ++i) {
    engine::ProposedEvent event;
    event.type = i % 2 == 0 ? "SomethingHappened" : "SomethingElse";
    event.data = R"({"i":)" + std::to_string(i) + "}";
    event.metadata.occurred_at = "2026-07-01T10:00:00Z";
    event.metadata.actor = "sec-ana";
    event.metadata.role = "secretariat";
    engine::AppendRequest request;
    request.writes.push_back(
        {kStreams[i % 4] + std::to_string(i % 7), engine::ExpectedVersion::Any(), {event}});
    REQUIRE(store.Append(request));
  }
}

RelayOptions Options(const NatsServer& nats) {
  RelayOptions options;
  options.servers = {nats.url()};
  options.origin = kOrigin;
  options.window = 64;
  options.ack_wait = std::chrono::milliseconds(1000);
  return options;
}

// Waits until the relay has the log's head acknowledged; false after `timeout`.
bool AwaitCaughtUp(const Relay& relay, const engine::EventStore& store,
                   std::chrono::seconds timeout = std::chrono::seconds(60)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    const RelayStatus status = relay.Status();
    if (status.in_step && status.acknowledged == store.Head().position) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

TEST_CASE(
    "Every committed event reaches the stream once and in order, through two kills of NATS and "
    "a restart of the relay",
    "[relay][nats]") {
  TempDir dir;
  engine::RocksDbOptions store_options;
  store_options.path = dir.Path("store");
  auto store = std::move(engine::OpenRocksDbEventStore(store_options).value());
  NatsServer nats(dir.Path("nats"));

  auto relay = std::move(Relay::Start(*store, Options(nats)).value());
  AppendSome(*store, 600);  // the relay publishes meanwhile
  nats.Kill();              // most likely with publishes in flight
  AppendSome(*store, 300);  // while NATS is down
  nats.Start();
  AppendSome(*store, 300);
  relay.reset();  // the relay stops with whatever it had in flight
  AppendSome(*store, 300);
  relay = std::move(Relay::Start(*store, Options(nats)).value());
  AppendSome(*store, 300);
  nats.Kill();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  nats.Start();
  AppendSome(*store, 200);

  const uint64_t head = store->Head().position;
  REQUIRE(head == 2000);
  REQUIRE(AwaitCaughtUp(*relay, *store));
  const RelayStatus status = relay->Status();
  CHECK(status.connected);
  CHECK(status.resyncs >= 1);

  StreamReader reader(nats.url());
  const StreamReader::State state = reader.Info("DIALOGUE");
  CHECK(state.messages == head);  // none twice
  CHECK(state.last_sequence == head);
  CHECK(state.deny_delete);
  CHECK(state.deny_purge);
  CHECK(state.file_storage);
  const auto events = store->ReadAll(0, head).value();
  for (uint64_t sequence = 1; sequence <= head; ++sequence) {
    const engine::RecordedEvent& event = events[sequence - 1];
    const auto message = reader.Get("DIALOGUE", sequence);
    INFO("sequence " << sequence);
    REQUIRE(message.msg_id == std::string(kOrigin) + ":" + std::to_string(sequence));
    CHECK(message.subject == RelaySubject(event));
    CHECK(message.content_type == "application/cloudevents+json");
    const auto cloud = nlohmann::json::parse(message.body);
    REQUIRE(cloud["id"] == std::to_string(sequence));
    CHECK(cloud["data"] == engine::EventToJson(event));
  }

  // The checkpoint kept with the log: a relay started on a stream it cannot reach yet shows
  // where it was.
  relay.reset();
  nats.Kill();
  relay = std::move(Relay::Start(*store, Options(nats)).value());
  CHECK(relay->Status().acknowledged == head);
  CHECK_FALSE(relay->Status().in_step);
}

TEST_CASE("A relay refuses a stream that holds another log's events", "[relay][nats]") {
  TempDir dir;
  engine::RocksDbOptions store_options;
  store_options.path = dir.Path("store");
  auto store = std::move(engine::OpenRocksDbEventStore(store_options).value());
  NatsServer nats(dir.Path("nats"));
  AppendSome(*store, 3);
  {
    auto relay = std::move(Relay::Start(*store, Options(nats)).value());
    REQUIRE(AwaitCaughtUp(*relay, *store));
  }
  StreamReader reader(nats.url());
  reader.Publish("dialogue.other.Foreign", "someone-else:1");
  AppendSome(*store, 2);
  auto relay = std::move(Relay::Start(*store, Options(nats)).value());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (relay->Status().failures == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const RelayStatus status = relay->Status();
  CHECK_FALSE(status.in_step);
  CHECK(status.last_error.find("not an event of the log") != std::string::npos);
  CHECK(reader.Info("DIALOGUE").messages == 4);  // nothing published after the foreign message
}

TEST_CASE(
    "A relay waits for the stream's acknowledgement, and is fenced by another writer's events",
    "[relay][nats]") {
  TempDir dir;
  engine::RocksDbOptions store_options;
  store_options.path = dir.Path("a");
  auto a = std::move(engine::OpenRocksDbEventStore(store_options).value());
  store_options.path = dir.Path("b");
  auto b = std::move(engine::OpenRocksDbEventStore(store_options).value());
  NatsServer nats(dir.Path("nats"));

  auto relay_a = std::move(Relay::Start(*a, Options(nats)).value());
  std::atomic<int> told{0};
  std::atomic<bool> held{false};
  relay_a->AwaitAcknowledged(5, [&](bool ok) {
    held = ok;
    ++told;
  });
  AppendSome(*a, 5);
  REQUIRE(AwaitCaughtUp(*relay_a, *a));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (told == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  CHECK(told == 1);
  CHECK(held);
  // Already held: told at once.
  bool at_once = false;
  relay_a->AwaitAcknowledged(3, [&](bool ok) { at_once = ok; });
  CHECK(at_once);

  SECTION("a stream beyond the log's head") { AppendSome(*b, 3); }
  SECTION("another event at a position the log has") { AppendSome(*b, 7); }
  // B's log shares the origin but not A's events (its own recorded_at, so its own hashes).
  auto relay_b = std::move(Relay::Start(*b, Options(nats)).value());
  std::atomic<int> b_told{0};
  std::atomic<bool> b_held{true};
  relay_b->AwaitAcknowledged(b->Head().position, [&](bool ok) {
    b_held = ok;
    ++b_told;
  });
  const auto fence_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!relay_b->Status().fenced && std::chrono::steady_clock::now() < fence_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  CHECK(relay_b->Status().fenced);
  CHECK(b_told == 1);
  CHECK_FALSE(b_held);
  bool late = true;
  relay_b->AwaitAcknowledged(b->Head().position, [&](bool ok) { late = ok; });
  CHECK_FALSE(late);
  StreamReader reader(nats.url());
  CHECK(reader.Info("DIALOGUE").messages == 5);  // A's, and nothing of B's
}

TEST_CASE("The relay's options are checked", "[relay]") {
  auto store = engine::NewInMemoryEventStore();
  RelayOptions options;
  options.origin = kOrigin;
  CHECK_FALSE(Relay::Start(*store, options));  // no server
  options.servers = {"nats://127.0.0.1:1"};
  options.stream = "a.b";
  CHECK_FALSE(Relay::Start(*store, options));
  options.stream = "DIALOGUE";
  options.replicas = 7;
  CHECK_FALSE(Relay::Start(*store, options));
}

}  // namespace
}  // namespace dialogue::app
