// The relay to NATS JetStream (app/relay.hpp; a `nats-server -js` on loopback, started by
// bench.sh): a log of --events events is written first (not timed), then a relay is started on an
// empty stream and timed until the stream holds the whole log.
//
//   relay_rate   events/s relayed: CloudEvents built, published asynchronously, acknowledged
//                (goal: at least append_64, so that the relay keeps up with the fastest appends)
//   follow_rate  events/s a follower (app/follower.hpp) copies from that stream into an empty
//                store: read, parsed, appended verbatim (the chain checked) and synced
#include <nats/nats.h>

#include <chrono>
#include <string>
#include <thread>

#include "app/follower.hpp"
#include "app/relay.hpp"
#include "bench/bench_support.hpp"
#include "engine/event_store.hpp"

namespace dialogue::bench {
namespace {

// Appends `events` events, 100 per request, over stakeholder and briefing streams.
void Fill(engine::EventStore& store, uint64_t events) {
  for (uint64_t n = 0; n < events;) {
    engine::AppendRequest request;
    for (int i = 0; i < 100 && n < events; ++i, ++n) {
      engine::ProposedEvent event;
      event.type = n % 2 == 0 ? "StakeholderRegistered" : "BriefingRequested";
      event.data = EventPayload(n);
      event.metadata.occurred_at = "2026-07-01T10:00:00Z";
      event.metadata.actor = "sec-ana";
      event.metadata.role = "secretariat";
      request.writes.push_back({Cat(n % 2 == 0 ? "stakeholder-s" : "briefing-b", std::to_string(n)),
                                engine::ExpectedVersion::NoStream(),
                                {event}});
    }
    auto appended = store.Append(request);
    if (!appended) Flags::Die("filling the log: " + appended.error().message);
  }
}

// A stream left by an earlier run would hold the log already: the relay starts on an empty one.
void DeleteStream(const std::string& url, const std::string& stream) {
  natsConnection* connection = nullptr;
  if (natsConnection_ConnectTo(&connection, url.c_str()) != NATS_OK) {
    Flags::Die("cannot connect to " + url);
  }
  jsCtx* js = nullptr;
  if (natsConnection_JetStream(&js, connection, nullptr) == NATS_OK) {
    jsErrCode error = static_cast<jsErrCode>(0);
    js_DeleteStream(js, stream.c_str(), nullptr, &error);  // absent on a first run
    jsCtx_Destroy(js);
  }
  natsConnection_Destroy(connection);
}

}  // namespace
}  // namespace dialogue::bench

int main(int argc, char** argv) {
  using namespace dialogue::bench;
  using namespace dialogue;
  Flags flags(argc, argv);
  const std::string url = flags.String("url", "nats://127.0.0.1:4222");
  const std::string dir = flags.String("dir", "/tmp");
  const uint64_t events = flags.Uint("events", 200000);
  const std::string stream = flags.String("stream", "DIALOGUE_RELAY_BENCH");
  const uint64_t window = flags.Uint("window", dialogue::app::RelayOptions{}.window);
  flags.Require();

  engine::RocksDbOptions options;
  options.path = FreshDir(dir, "relay-log");
  auto store = engine::OpenRocksDbEventStore(options);
  if (!store) Flags::Die("opening the store: " + store.error().message);
  Fill(**store, events);
  DeleteStream(url, stream);

  app::RelayOptions relay_options;
  relay_options.servers = {url};
  relay_options.stream = stream;
  relay_options.origin = "bench.local/relay";
  relay_options.window = window;
  relay_options.note = [](const std::string& note) { Note(note); };
  const auto started = std::chrono::steady_clock::now();
  auto relay = app::Relay::Start(**store, relay_options);
  if (!relay) Flags::Die("starting the relay: " + relay.error().message);
  const auto deadline = started + std::chrono::minutes(5);
  while ((*relay)->Status().acknowledged < events) {
    if (std::chrono::steady_clock::now() > deadline) Flags::Die("the relay did not catch up");
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  Report("relay_rate", static_cast<double>(events) / seconds);

  engine::RocksDbOptions copy_options;
  copy_options.path = FreshDir(dir, "relay-copy");
  auto copy = engine::OpenRocksDbEventStore(copy_options);
  if (!copy) Flags::Die("opening the copy: " + copy.error().message);
  app::FollowerOptions follower_options;
  follower_options.servers = {url};
  follower_options.stream = stream;
  follower_options.origin = relay_options.origin;
  follower_options.note = [](const std::string& note) { Note(note); };
  const auto follow_started = std::chrono::steady_clock::now();
  auto follower = app::Follower::Start(**copy, follower_options);
  if (!follower) Flags::Die("starting the follower: " + follower.error().message);
  while ((*copy)->Head().position < events) {
    if (std::chrono::steady_clock::now() > follow_started + std::chrono::minutes(5)) {
      Flags::Die("the follower did not catch up");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  const double follow_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - follow_started).count();
  Report("follow_rate", static_cast<double>(events) / follow_seconds);
  return 0;
}
