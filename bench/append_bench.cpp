// The engine's durable append: EventStore::Append on OpenRocksDbEventStore with sync=true, one
// event per call, each call creating a new stream (as POST /v1/stakeholders does), from 1, 8 and
// 64 concurrent appenders. Group commit should gather the waiting appends into one synced write,
// so at 64 appenders the rate approaches a synced batch of many events (rocksdb_ceiling's
// raw_batch100).
//
//   append_<n>   events/s with n appenders, for each n of --threads
#include <sstream>
#include <string>
#include <vector>

#include "bench/bench_support.hpp"
#include "engine/event_store.hpp"

namespace dialogue::bench {
namespace {

double AppendRate(const std::string& dir, int threads, double seconds) {
  engine::RocksDbOptions options;
  options.path = FreshDir(dir, "append" + std::to_string(threads));
  options.sync = true;
  auto store = engine::OpenRocksDbEventStore(options);
  if (!store) Flags::Die("cannot open the store: " + store.error().message);
  engine::EventStore& log = **store;
  const double rate = RunTimed(threads, seconds, [&](int thread, uint64_t i) {
    const uint64_t n = (uint64_t{static_cast<unsigned>(thread)} << 32) | i;
    engine::AppendRequest request;
    engine::StreamWrite& write = request.writes.emplace_back();
    write.stream = Cat("stakeholder-b", std::to_string(thread), "-", std::to_string(i));
    write.expected = engine::ExpectedVersion::NoStream();
    engine::ProposedEvent& event = write.events.emplace_back();
    event.type = "StakeholderRegistered";
    event.data = EventPayload(n, 200);  // ~300 B with the metadata
    event.metadata.occurred_at = "2026-03-10T09:30:00Z";
    event.metadata.actor = "sec-ana";
    event.metadata.role = "secretariat";
    event.metadata.correlation_id = Cat("c", std::to_string(n));
    auto result = log.Append(request);
    if (!result) Note("append failed: " + result.error().message);
    return result.has_value();
  });
  Note("append with " + std::to_string(threads) + " appenders: head " +
       std::to_string(log.Head().position));
  return rate;
}

}  // namespace
}  // namespace dialogue::bench

int main(int argc, char** argv) {
  using namespace dialogue::bench;
  Flags flags(argc, argv);
  const std::string dir = flags.String("dir", "/tmp/dialogue-bench");
  const double seconds = flags.Double("seconds", 3);
  const std::string thread_list = flags.String("threads", "1,8,64");
  flags.Require();

  std::stringstream list(thread_list);
  for (std::string item; std::getline(list, item, ',');) {
    const int threads = std::stoi(item);
    if (threads < 1) Flags::Die("--threads takes positive counts");
    Report("append_" + std::to_string(threads), AppendRate(dir, threads, seconds));
  }
  return 0;
}
