// The follower (app/follower.hpp): a copy of the log filled from the JetStream stream the relay
// writes, against a real `nats-server -js` started by the test and two RocksDB stores.
#include "app/follower.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "app/relay.hpp"
#include "engine/event_json.hpp"
#include "engine/event_store.hpp"
#include "tests/support/nats_server.hpp"
#include "tests/temp_dir.hpp"

namespace dialogue::app {
namespace {

using dialogue::testing::NatsServer;
using dialogue::testing::TempDir;

constexpr char kOrigin[] = "leader.test/log";

std::unique_ptr<engine::EventStore> OpenStore(const std::string& path) {
  engine::RocksDbOptions options;
  options.path = path;
  return std::move(engine::OpenRocksDbEventStore(options).value());
}

// `n` appends of one or two events, over a few streams, with notes and actors that vary.
void AppendSome(engine::EventStore& store, int n, int from = 0) {
  for (int i = from; i < from + n; ++i) {
    engine::AppendRequest request;
    std::vector<engine::ProposedEvent> events(i % 3 == 0 ? 2 : 1);
    for (auto& event : events) {
      event.type = i % 2 == 0 ? "SomethingHappened" : "SomethingElse";
      event.data = R"({"i":)" + std::to_string(i) + R"(,"text":"Viet Nam \u00e9"})";
      event.metadata.occurred_at = "2026-07-01T10:00:00Z";
      event.metadata.actor = "sec-" + std::to_string(i % 5);
      event.metadata.role = "secretariat";
      if (i % 4 == 0) event.metadata.note = "note \"" + std::to_string(i) + "\"\n";
    }
    request.writes.push_back(
        {"briefing-b" + std::to_string(i % 9), engine::ExpectedVersion::Any(), std::move(events)});
    if (i % 5 == 0) {
      request.idempotency = engine::IdempotencyKey{"key \"" + std::to_string(i) + "\"", "fp"};
    }
    REQUIRE(store.Append(request));
  }
}

template <class Done>
bool Await(Done done, std::chrono::seconds timeout = std::chrono::seconds(60)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

RelayOptions Relaying(const NatsServer& nats) {
  RelayOptions options;
  options.servers = {nats.url()};
  options.origin = kOrigin;
  options.ack_wait = std::chrono::milliseconds(1000);
  return options;
}

FollowerOptions Following(const NatsServer& nats) {
  FollowerOptions options;
  options.servers = {nats.url()};
  options.origin = kOrigin;
  options.wait = std::chrono::milliseconds(1000);
  return options;
}

TEST_CASE("A follower holds the leader's log exactly, through a kill of NATS and a restart",
          "[follower][nats]") {
  TempDir dir;
  auto leader = OpenStore(dir.Path("leader"));
  NatsServer nats(dir.Path("nats"));
  auto relay = std::move(Relay::Start(*leader, Relaying(nats)).value());
  AppendSome(*leader, 200);  // before the follower exists

  auto copy = OpenStore(dir.Path("copy"));
  auto follower = std::move(Follower::Start(*copy, Following(nats)).value());
  AppendSome(*leader, 200, 200);
  nats.Kill();
  AppendSome(*leader, 100, 400);
  nats.Start();
  AppendSome(*leader, 100, 500);
  follower.reset();  // the copy restarts from its own head
  AppendSome(*leader, 100, 600);
  follower = std::move(Follower::Start(*copy, Following(nats)).value());
  AppendSome(*leader, 100, 700);

  const uint64_t head = leader->Head().position;
  REQUIRE(Await([&] { return follower->Status().applied == head; }));
  const FollowerStatus status = follower->Status();
  CHECK(status.in_step);
  CHECK(status.connected);
  CHECK(status.stream_last == head);
  CHECK(copy->Head().position == head);
  CHECK(copy->Head().hash == leader->Head().hash);
  CHECK(copy->ReadAll(0, head).value() == leader->ReadAll(0, head).value());
  CHECK(copy->Verify().value().ok);
  CHECK(copy->StreamVersion("briefing-b3").value() == leader->StreamVersion("briefing-b3").value());
  // The idempotency keys came along: a retry at the copy, once it leads, is answered as before.
  const auto keys = leader->IdempotencyEntries(0, head).value();
  REQUIRE(keys.size() == 160);
  CHECK(copy->IdempotencyEntries(0, head).value().size() == keys.size());
  for (const auto& entry : keys) {
    const auto found = copy->LookupIdempotencyKey(entry.key).value();
    REQUIRE(found);
    CHECK(found->first == entry.fingerprint);
    CHECK(found->second.first_position == entry.result.first_position);
    CHECK(found->second.last_position == entry.result.last_position);
    CHECK(found->second.versions.size() == 1);
  }
}

TEST_CASE("A follower refuses a message that does not continue its chain, and keeps its head",
          "[follower][nats]") {
  TempDir dir;
  auto leader = OpenStore(dir.Path("leader"));
  NatsServer nats(dir.Path("nats"));
  AppendSome(*leader, 5);
  {
    auto relay = std::move(Relay::Start(*leader, Relaying(nats)).value());
    REQUIRE(Await([&] { return relay->Status().acknowledged == leader->Head().position; }));
  }
  auto copy = OpenStore(dir.Path("copy"));
  auto follower = std::move(Follower::Start(*copy, Following(nats)).value());
  const uint64_t head = leader->Head().position;
  REQUIRE(Await([&] { return follower->Status().applied == head; }));

  // The next position, as a forger would write it: the leader's next event with its data changed
  // and its hash left as it was.
  AppendSome(*leader, 1, 5);
  engine::RecordedEvent forged = leader->ReadAll(head, 1).value().at(0);
  forged.data = R"({"i":999})";
  const std::string body = nlohmann::json{
      {"specversion", "1.0"},
      {"id", std::to_string(forged.position)},
      {"source", kOrigin},
      {"type", "org.dialogue." + forged.type},
      {"data", engine::EventToJson(
                   forged)}}.dump();
  dialogue::testing::StreamReader writer(nats.url());
  writer.Publish("dialogue.briefing." + forged.type,
                 std::string(kOrigin) + ":" + std::to_string(forged.position), body);
  REQUIRE(Await([&] { return follower->Status().failures > 0; }, std::chrono::seconds(20)));
  const FollowerStatus status = follower->Status();
  CHECK_FALSE(status.in_step);
  CHECK(status.last_error.find("does not continue") != std::string::npos);
  CHECK(status.applied == head);
  CHECK(copy->Verify().value().ok);
}

TEST_CASE("A follower refuses a stream whose positions are not where the relay puts them",
          "[follower][nats]") {
  TempDir dir;
  NatsServer nats(dir.Path("nats"));
  auto leader = OpenStore(dir.Path("leader"));
  AppendSome(*leader, 1);
  {
    // The stream made by a relay (positions 1-2), then a message at sequence 3 claiming 5.
    auto relay = std::move(Relay::Start(*leader, Relaying(nats)).value());
    REQUIRE(Await([&] { return relay->Status().acknowledged == leader->Head().position; }));
  }
  dialogue::testing::StreamReader writer(nats.url());
  writer.Publish("dialogue.briefing.SomethingHappened", std::string(kOrigin) + ":5");
  auto copy = OpenStore(dir.Path("copy"));
  auto follower = std::move(Follower::Start(*copy, Following(nats)).value());
  REQUIRE(Await([&] { return follower->Status().failures > 0; }, std::chrono::seconds(20)));
  CHECK_FALSE(follower->Status().in_step);
  CHECK(follower->Status().last_error.find("not as the relay writes it") != std::string::npos);
  CHECK(copy->Head().position == 0);
}

TEST_CASE("A copy whose tail the stream does not hold is told it has diverged",
          "[follower][nats]") {
  TempDir dir;
  NatsServer nats(dir.Path("nats"));
  auto leader = OpenStore(dir.Path("leader"));
  AppendSome(*leader, 5);
  {
    auto relay = std::move(Relay::Start(*leader, Relaying(nats)).value());
    REQUIRE(Await([&] { return relay->Status().acknowledged == leader->Head().position; }));
  }
  auto copy = OpenStore(dir.Path("copy"));
  std::string expected;
  SECTION("a tail beyond the stream's end") {
    // The leader's log, then an event of its own (as a deposed leader's unacknowledged append).
    const auto events = leader->ReadAll(0, 100).value();
    for (const auto& event : events) REQUIRE(copy->AppendVerbatim(event));
    AppendSome(*copy, 1, 50);
    expected = "before this copy's head";
  }
  SECTION("another event at a position the stream holds") {
    AppendSome(*copy, 2);  // the same requests, but recorded at another instant: other hashes
    expected = "is not this copy's head";
  }
  const uint64_t head = copy->Head().position;
  auto follower = std::move(Follower::Start(*copy, Following(nats)).value());
  REQUIRE(Await([&] { return follower->Status().diverged; }, std::chrono::seconds(20)));
  CHECK_FALSE(follower->Status().in_step);
  CHECK(follower->Status().last_error.find(expected) != std::string::npos);
  CHECK(copy->Head().position == head);
}

TEST_CASE("A copy that is the stream's prefix is not diverged", "[follower][nats]") {
  TempDir dir;
  NatsServer nats(dir.Path("nats"));
  auto leader = OpenStore(dir.Path("leader"));
  AppendSome(*leader, 6);
  auto copy = OpenStore(dir.Path("copy"));
  const auto events = leader->ReadAll(0, 4).value();
  for (const auto& event : events) REQUIRE(copy->AppendVerbatim(event));
  {
    auto relay = std::move(Relay::Start(*leader, Relaying(nats)).value());
    REQUIRE(Await([&] { return relay->Status().acknowledged == leader->Head().position; }));
  }
  auto follower = std::move(Follower::Start(*copy, Following(nats)).value());
  REQUIRE(Await([&] { return follower->Status().applied == leader->Head().position; }));
  CHECK_FALSE(follower->Status().diverged);
}

TEST_CASE("The follower's options are checked", "[follower]") {
  auto store = engine::NewInMemoryEventStore();
  FollowerOptions options;
  options.origin = kOrigin;
  CHECK_FALSE(Follower::Start(*store, options));  // no server
  options.servers = {"nats://127.0.0.1:1"};
  options.origin.clear();
  CHECK_FALSE(Follower::Start(*store, options));
}

}  // namespace
}  // namespace dialogue::app
