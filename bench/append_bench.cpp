// The engine's durable append: OpenRocksDbEventStore with sync=true, one event per call, each
// call creating a new stream (as POST /v1/stakeholders does), from 1, 8 and 64 concurrent
// appenders. Group commit should gather the waiting appends into one synced write, so at 64
// appenders the rate approaches a synced batch of many events (rocksdb_ceiling's raw_batch100).
//
// Two ways of being n appenders, both measured:
//   append_<n>           n appenders with one AppendAsync each in flight: a request and a
//                        completion, the next request made when the completion arrives, all of
//                        them driven by two threads (as a server's io threads would);
//   append_<n>_threads   n threads each blocking in Append.
// With --tree 0 the store writes no Merkle tree (a switch for this benchmark only), and the keys
// end in _tree_off: what the tree costs the append path. --tree-pairs N measures that cost on a
// shared, noisy machine: N runs with the tree and N without, alternating, each figure the median
// of its N (append_<n>_tree_on, append_<n>_tree_off).
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_support.hpp"
#include "engine/event_store.hpp"

namespace dialogue::bench {
namespace {

engine::AppendRequest NewStakeholder(uint64_t caller, uint64_t i) {
  const uint64_t n = (caller << 32) | i;
  engine::AppendRequest request;
  engine::StreamWrite& write = request.writes.emplace_back();
  write.stream = Cat("stakeholder-b", std::to_string(caller), "-", std::to_string(i));
  write.expected = engine::ExpectedVersion::NoStream();
  engine::ProposedEvent& event = write.events.emplace_back();
  event.type = "StakeholderRegistered";
  event.data = EventPayload(n, 200);  // ~300 B with the metadata
  event.metadata.occurred_at = "2026-03-10T09:30:00Z";
  event.metadata.actor = "sec-ana";
  event.metadata.role = "secretariat";
  event.metadata.correlation_id = Cat("c", std::to_string(n));
  return request;
}

// Whether appends write the Merkle tree (--tree 0 measures what the tree costs).
bool g_tree = true;

std::unique_ptr<engine::EventStore> OpenFresh(const std::string& dir, const std::string& name) {
  engine::RocksDbOptions options;
  options.path = FreshDir(dir, name);
  options.sync = true;
  options.merkle_tree = g_tree;
  auto store = engine::OpenRocksDbEventStore(options);
  if (!store) Flags::Die("cannot open the store: " + store.error().message);
  return std::move(*store);
}

double ThreadRate(const std::string& dir, int threads, double seconds) {
  auto log = OpenFresh(dir, "threads" + std::to_string(threads));
  const double rate = RunTimed(threads, seconds, [&](int thread, uint64_t i) {
    auto result = log->Append(NewStakeholder(static_cast<unsigned>(thread), i));
    if (!result) Note("append failed: " + result.error().message);
    return result.has_value();
  });
  Note("append with " + std::to_string(threads) + " blocking appenders: head " +
       std::to_string(log->Head().position));
  return rate;
}

// One driver thread and the appenders it drives: it makes each one's next request when the
// completion of its last arrives (completions run on the store's committer and only queue).
class Driver {
 public:
  Driver(engine::EventStore& log, std::vector<uint64_t> callers)
      : log_(log), callers_(std::move(callers)), next_(callers_.size(), 0) {}

  // Runs until stop, then waits for the appends in flight; returns the appends completed.
  uint64_t Run(const std::atomic<bool>& stop) {
    for (size_t slot = 0; slot < callers_.size(); ++slot) Send(slot);
    size_t in_flight = callers_.size();
    uint64_t completed = 0;
    std::vector<size_t> ready;
    while (in_flight > 0) {
      {
        std::unique_lock lock(mu_);
        arrived_.wait(lock, [&] { return !done_.empty(); });
        ready.swap(done_);
      }
      in_flight -= ready.size();
      completed += ready.size();
      if (!stop.load(std::memory_order_relaxed)) {
        for (size_t slot : ready) Send(slot);
        in_flight += ready.size();
      }
      ready.clear();
    }
    return completed;
  }

 private:
  void Send(size_t slot) {
    log_.AppendAsync(NewStakeholder(callers_[slot], next_[slot]++),
                     [this, slot](engine::Result<engine::AppendResult> result) {
                       if (!result) Flags::Die("append failed: " + result.error().message);
                       // Notified under the lock: once the last completion is in, the
                       // driver may return and be gone.
                       std::lock_guard lock(mu_);
                       if (done_.empty()) arrived_.notify_one();
                       done_.push_back(slot);
                     });
  }

  engine::EventStore& log_;
  const std::vector<uint64_t> callers_;
  std::vector<uint64_t> next_;  // by slot: the caller's next request number
  std::mutex mu_;
  std::condition_variable arrived_;
  std::vector<size_t> done_;  // guarded by mu_: slots whose append completed
};

double AsyncRate(const std::string& dir, int appenders, int drivers, double seconds) {
  auto log = OpenFresh(dir, "async" + std::to_string(appenders));
  drivers = std::min(drivers, appenders);
  std::vector<std::unique_ptr<Driver>> pool;
  for (int d = 0; d < drivers; ++d) {
    std::vector<uint64_t> callers;
    for (int a = d; a < appenders; a += drivers) callers.push_back(static_cast<uint64_t>(a));
    pool.push_back(std::make_unique<Driver>(*log, std::move(callers)));
  }
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> completed{0};
  std::vector<std::thread> threads;
  Stopwatch watch;
  for (auto& driver : pool) {
    threads.emplace_back([&, d = driver.get()] { completed.fetch_add(d->Run(stop)); });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop.store(true);
  for (auto& t : threads) t.join();
  const double elapsed = watch.Seconds();
  Note("append with " + std::to_string(appenders) + " asynchronous appenders: head " +
       std::to_string(log->Head().position));
  if (log->Head().position != completed.load()) Flags::Die("completions and head disagree");
  return static_cast<double>(completed.load()) / elapsed;
}

}  // namespace
}  // namespace dialogue::bench

int main(int argc, char** argv) {
  using namespace dialogue::bench;
  Flags flags(argc, argv);
  const std::string dir = flags.String("dir", "/tmp/dialogue-bench");
  const double seconds = flags.Double("seconds", 3);
  const std::string list_text = flags.String("appenders", "1,8,64");
  const int drivers = static_cast<int>(flags.Uint("drivers", 2));
  const std::string modes = flags.String("modes", "async,threads");
  g_tree = flags.Uint("tree", 1) != 0;
  const uint64_t tree_pairs = flags.Uint("tree-pairs", 0);
  flags.Require();
  if (drivers < 1) Flags::Die("--drivers must be positive");
  const bool async = modes.find("async") != std::string::npos;
  const bool threads = modes.find("threads") != std::string::npos;

  std::stringstream list(list_text);
  for (std::string item; std::getline(list, item, ',');) {
    const int n = std::stoi(item);
    if (n < 1) Flags::Die("--appenders takes positive counts");
    if (tree_pairs > 0) {
      std::vector<double> on, off;
      for (uint64_t i = 0; i < tree_pairs; ++i) {
        for (bool tree : {true, false}) {
          g_tree = tree;
          (tree ? on : off).push_back(AsyncRate(dir, n, drivers, seconds));
        }
      }
      const auto median = [](std::vector<double> v) {
        std::sort(v.begin(), v.end());
        return v[v.size() / 2];
      };
      Report("append_" + std::to_string(n) + "_tree_on", median(on));
      Report("append_" + std::to_string(n) + "_tree_off", median(off));
      continue;
    }
    const std::string key = "append_" + std::to_string(n) + (g_tree ? "" : "_tree_off");
    if (async) Report(key, AsyncRate(dir, n, drivers, seconds));
    if (threads) Report(key + "_threads", ThreadRate(dir, n, seconds));
  }
  return 0;
}
