// Power loss (issue 17, item 5). kill -9 never loses the page cache, so the crash loop cannot show
// that an acknowledged append was synced. Here the fault file system remembers how much of every
// file each sync made durable, and at a random instant copies the store as a power cut would leave
// it (FileFaults::CopyDurable): unsynced bytes gone, never-synced files gone. The copy is opened
// as the next life of the store. Every append acknowledged before the cut must be there whole;
// the chain must verify; nothing may be half there (each append writes a pair of events).
//
// Seeded and randomised: appender threads (so that both ways of committing run: alone, synced;
// pipelined, unsynced then SyncWAL), cut points, and three lives per round, so that the recovery
// of one life (its flush of the recovered log into a table file, a new MANIFEST) is itself cut in
// the next. DIALOGUE_POWER_CUT_ROUNDS sets the rounds (CI: 40, 120 cut points); the long form is
// documented in docs/reliability.md.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tests/engine/test_support.hpp"
#include "tests/support/file_faults.hpp"

namespace dialogue::engine {
namespace {

using testing::Event;
using testing::TempDir;
using testing::WithKey;
using testing::Write;

struct Acknowledged {
  std::string stream;
  uint64_t first_position = 0;
  uint64_t version = 0;  // the stream's version after the append (its second event)
  std::string key;
};

int Rounds() {
  if (const char* rounds = std::getenv("DIALOGUE_POWER_CUT_ROUNDS")) return std::atoi(rounds);
  return 40;
}

// One life: appenders on `dir` until `cut_after` appends are acknowledged (or they run out), then
// the power cut, copied to `next`. Returns the appends acknowledged before the cut.
std::vector<Acknowledged> Live(const std::string& dir, const std::string& next, int threads,
                               uint64_t cut_after, uint64_t life, std::mt19937_64& random) {
  auto faults = std::make_shared<FileFaults>();
  auto opened = OpenRocksDbEventStoreWithFaults(RocksDbOptions{dir, true, nullptr, {}}, faults);
  if (!opened) FAIL("cannot open " << dir << ": " << opened.error().message);
  auto store = std::move(*opened);
  std::mutex mu;
  std::vector<Acknowledged> acknowledged;  // guarded by mu
  bool cut = false;                        // guarded by mu
  std::atomic<bool> stop{false};
  std::vector<std::thread> appenders;
  const uint64_t keyed_every = 2 + random() % 4;
  for (int t = 0; t < threads; ++t) {
    appenders.emplace_back([&, t] {
      for (uint64_t i = 0; !stop.load(); ++i) {
        const std::string stream =
            "l" + std::to_string(life) + "t" + std::to_string(t) + "s" + std::to_string(i % 3);
        AppendRequest request =
            Write(stream, ExpectedVersion::Any(),
                  {Event("First", R"({"i":)" + std::to_string(i) + "}"), Event("Second")});
        std::string key;
        if (i % keyed_every == 0) {
          key = "k-" + stream + "-" + std::to_string(i);
          request = WithKey(std::move(request), key, "f");
        }
        auto appended = store->Append(request);
        if (!appended) {
          FAIL_CHECK("append failed before the cut: " << appended.error().message);
          return;
        }
        std::lock_guard lock(mu);
        if (cut) return;  // acknowledged after the power was gone: nobody heard it
        acknowledged.push_back(
            {stream, appended->first_position, appended->versions.front().version, std::move(key)});
        if (acknowledged.size() >= cut_after) stop.store(true);
      }
    });
  }
  // The cut comes when enough appends were acknowledged, or after a short while.
  for (int waited = 0; !stop.load() && waited < 2000; ++waited) {
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  std::vector<Acknowledged> heard;
  {
    std::lock_guard lock(mu);
    cut = true;
    heard = acknowledged;
  }
  // Everything acknowledged so far had its sync recorded before it was acknowledged.
  REQUIRE(faults->CopyDurable(dir, next));
  stop.store(true);
  for (auto& appender : appenders) appender.join();
  store.reset();
  return heard;
}

TEST_CASE("After a power cut at a random instant every acknowledged append is there, whole",
          "[rocksdb][powerloss]") {
  const int rounds = Rounds();
  const uint64_t seed = 20261206;
  std::mt19937_64 random(seed);
  INFO("seed " << seed);
  for (int round = 0; round < rounds; ++round) {
    TempDir root;
    std::filesystem::create_directories(root.path());
    std::string dir = root.path() + "/life0";
    std::vector<Acknowledged> all;
    for (uint64_t life = 1; life <= 3; ++life) {
      const int threads = 1 + static_cast<int>(random() % 6);
      const uint64_t cut_after = random() % 120;
      const std::string next = root.path() + "/life" + std::to_string(life);
      INFO("round " << round << ", life " << life << ", " << threads << " appenders, cut after "
                    << cut_after);
      std::vector<Acknowledged> heard = Live(dir, next, threads, cut_after, life, random);
      all.insert(all.end(), heard.begin(), heard.end());
      dir = next;

      // The next life opens on what survived.
      auto opened = OpenRocksDbEventStore(RocksDbOptions{dir, true, nullptr, {}});
      if (!opened) FAIL("cannot open what survived: " << opened.error().message);
      auto store = std::move(*opened);
      const auto report = store->Verify().value();
      INFO(report.problem);
      REQUIRE(report.ok);
      const LedgerHead head = store->Head();
      REQUIRE(head.position % 2 == 0);  // never one event of a pair without the other
      auto events = store->ReadAll(0, head.position).value();
      REQUIRE(events.size() == head.position);
      for (size_t i = 0; i < events.size(); i += 2) {
        CHECK(events[i].type == "First");
        CHECK(events[i + 1].type == "Second");
        CHECK(events[i + 1].stream == events[i].stream);
        CHECK(events[i + 1].version == events[i].version + 1);
      }
      for (const Acknowledged& a : all) {
        REQUIRE(a.first_position + 1 <= head.position);
        const RecordedEvent& second = events[a.first_position];  // position first + 1
        CHECK(second.stream == a.stream);
        CHECK(second.version == a.version);
        if (!a.key.empty()) {
          auto key = store->LookupIdempotencyKey(a.key).value();
          REQUIRE(key.has_value());
          CHECK(key->second.first_position == a.first_position);
        }
      }
    }
  }
}

}  // namespace
}  // namespace dialogue::engine
