// The projector: every commit folded as it happens, without a reader asking; its observers told
// each move of the position. Waits are on the models' position with a generous bound, never
// sleeps that decide the outcome.
#include "projections/projector.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
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

TEST_CASE("The projector folds commits no reader asked for", "[projector]") {
  const std::string kind = GENERATE("memory", "rocksdb");
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

}  // namespace
}  // namespace dialogue::projections
