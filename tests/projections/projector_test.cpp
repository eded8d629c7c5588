// The projector: every commit folded as it happens, without a reader asking; its observers told
// each move of the position. Waits are on the models' position with a generous bound, never
// sleeps that decide the outcome.
#include "projections/projector.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <utility>
#include <vector>

#include "tests/projections/test_support.hpp"

namespace dialogue::projections {
namespace {

using testing::AppendLifecycle;
using testing::FoldLog;
using testing::RequireEqualsFreshFold;
using testing::StoreUnderTest;
namespace wf = workflows;

uint64_t Register(engine::EventStore& store, const char* id) {
  return testing::AppendEvents(
      store,
      {wf::StakeholderRegistered{
          id, "An NGO", wf::StakeholderCategory::kNgo, wf::EcosocStatus::kSpecial, {}}},
      testing::SecretariatMetadata("2026-06-01T09:00:00Z"));
}

constexpr std::chrono::seconds kPatience{60};  // only a broken projector waits this long

// The positions the observers were told, in order, and a wait for one of them.
struct Told {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<uint64_t> positions;

  void Add(uint64_t position) {
    {
      std::lock_guard lock(mu);
      positions.push_back(position);
    }
    cv.notify_all();
  }
  bool WaitFor(uint64_t position) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, kPatience,
                       [&] { return !positions.empty() && positions.back() >= position; });
  }
  std::vector<uint64_t> Copy() {
    std::lock_guard lock(mu);
    return positions;
  }
};

// Under ThreadSanitizer (scripts/tsan.sh) the RocksDB store is left out: Debian's RocksDB is not
// instrumented, and its memtable's lock-free reads alongside an append look like races.
#if defined(__SANITIZE_THREAD__)
#define DIALOGUE_PROJECTOR_STORES "memory"
#else
#define DIALOGUE_PROJECTOR_STORES "memory", "rocksdb"
#endif

TEST_CASE("The projector folds commits no reader asked for", "[projector]") {
  const std::string kind = GENERATE(DIALOGUE_PROJECTOR_STORES);
  StoreUnderTest store(kind);
  ReadModels models(*store);
  REQUIRE(models.Open());
  Told told;
  Projector projector(*store, models);
  projector.AddObserver([&told](uint64_t position) { told.Add(position); });
  projector.Start();

  // Appended straight to the store, as a replica's copies are: nothing calls CatchUp or Apply.
  const uint64_t end = AppendLifecycle(*store).end;
  REQUIRE(told.WaitFor(end));
  CHECK(models.position() == end);
  RequireEqualsFreshFold(models, FoldLog(*store));

  // Each position told is one the models reached, in increasing order, the last the head.
  const std::vector<uint64_t> positions = told.Copy();
  for (size_t i = 1; i < positions.size(); ++i) CHECK(positions[i - 1] < positions[i]);
  CHECK(positions.back() == end);
  projector.Stop();
  CHECK(projector.failures() == 0);
}

TEST_CASE("An observer removed is not called again; a fold by another is still told",
          "[projector]") {
  StoreUnderTest store("memory");
  ReadModels models(*store);
  REQUIRE(models.Open());
  Told kept;
  std::atomic<int> removed_calls{0};
  Projector projector(*store, models);
  projector.AddObserver([&kept](uint64_t position) { kept.Add(position); });
  const uint64_t removed =
      projector.AddObserver([&removed_calls](uint64_t) { removed_calls.fetch_add(1); });
  projector.Start();
  const uint64_t first = Register(*store, "ngo-a");  // straight to the store
  REQUIRE(kept.WaitFor(first));
  projector.RemoveObserver(removed);
  const int calls = removed_calls.load();
  CHECK(calls >= 1);

  // Folded by a reader first: the projector finds nothing to fold, and still tells the move.
  const uint64_t second = Register(*store, "ngo-b");
  REQUIRE(models.CatchUp());
  REQUIRE(kept.WaitFor(second));
  projector.Stop();  // joins the thread: no call is under way
  CHECK(removed_calls.load() == calls);
  CHECK(models.Stakeholder("ngo-b").has_value());
}

// What an Await callback saw: whether it was folded, and the models' position then.
struct Resumed {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::pair<bool, uint64_t>> calls;

  std::function<void(bool)> Callback(const ReadModels& models) {
    return [this, &models](bool folded) {
      {
        std::lock_guard lock(mu);
        calls.emplace_back(folded, models.position());
      }
      cv.notify_all();
    };
  }
  bool WaitForCalls(size_t n) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, kPatience, [&] { return calls.size() >= n; });
  }
  std::vector<std::pair<bool, uint64_t>> Copy() {
    std::lock_guard lock(mu);
    return calls;
  }
};

TEST_CASE("A reader awaiting a position is called once the models have folded it", "[projector]") {
  StoreUnderTest store("memory");
  ReadModels models(*store);
  REQUIRE(models.Open());
  Projector projector(*store, models);

  SECTION("not running: at once, folded only if the models are there already") {
    const uint64_t first = Register(*store, "ngo-a");
    Resumed resumed;
    projector.Await(0, resumed.Callback(models));
    projector.Await(first, resumed.Callback(models));  // behind, and no one will fold it
    CHECK(resumed.Copy() == std::vector<std::pair<bool, uint64_t>>{{true, 0}, {false, 0}});
  }

  SECTION("held while the projector is busy; called after the fold that reaches it") {
    // The first observer call blocks the projector's thread until the test lets it go.
    std::mutex gate_mu;
    std::condition_variable gate_cv;
    bool entered = false;
    bool release = false;
    projector.AddObserver([&](uint64_t) {
      std::unique_lock lock(gate_mu);
      entered = true;
      gate_cv.notify_all();
      gate_cv.wait(lock, [&] { return release; });
    });
    projector.Start();
    const uint64_t first = Register(*store, "ngo-a");
    {
      std::unique_lock lock(gate_mu);
      REQUIRE(gate_cv.wait_for(lock, kPatience, [&] { return entered; }));
    }
    const uint64_t second = Register(*store, "ngo-b");
    REQUIRE(models.position() == first);  // the projector is held in its observer
    Resumed resumed;
    projector.Await(first, resumed.Callback(models));       // there already: at once
    projector.Await(second, resumed.Callback(models));      // held
    projector.Await(second + 1, resumed.Callback(models));  // never reached
    CHECK(resumed.Copy() == std::vector<std::pair<bool, uint64_t>>{{true, first}});
    {
      std::lock_guard lock(gate_mu);
      release = true;
    }
    gate_cv.notify_all();
    REQUIRE(resumed.WaitForCalls(2));
    auto calls = resumed.Copy();
    CHECK(calls[1].first);
    CHECK(calls[1].second >= second);
    CHECK(models.Stakeholder("ngo-b").has_value());
    // Stopping answers what is still held: not folded.
    projector.Stop();
    calls = resumed.Copy();
    REQUIRE(calls.size() == 3);
    CHECK_FALSE(calls[2].first);
    // Stopped: at once again.
    projector.Await(second + 1, resumed.Callback(models));
    CHECK(resumed.Copy().size() == 4);
  }
}

}  // namespace
}  // namespace dialogue::projections
