// AppendPlan is the part of group commit both stores share: several requests planned on top of
// the committed log in one group. These cases pin what one request in a group sees of the ones
// planned before it, deterministically (the threaded store tests cannot force a grouping).
#include "engine/append_plan.hpp"

#include <catch2/catch.hpp>

#include <map>

#include "engine/hash_chain.hpp"
#include "tests/engine/test_support.hpp"

namespace dialogue::engine {
namespace {

using testing::Event;
using testing::WithKey;
using testing::Write;

class FakeView final : public CommittedView {
 public:
  Result<uint64_t> CommittedStreamVersion(const std::string& stream, ExpectedVersion) override {
    auto it = versions.find(stream);
    return it == versions.end() ? 0 : it->second;
  }
  Result<std::optional<codec::IdempotencyRecord>> CommittedIdempotency(
      const std::string& key) override {
    auto it = keys.find(key);
    if (it == keys.end()) return std::nullopt;
    return it->second;
  }
  std::map<std::string, uint64_t> versions;
  std::map<std::string, codec::IdempotencyRecord> keys;
};

const LedgerHead kHead{10, std::string(64, 'c')};
constexpr char kNow[] = "2026-03-10T09:30:00Z";

TEST_CASE("Requests in one group build on each other's positions and versions", "[plan]") {
  FakeView view;
  view.versions["s"] = 4;
  AppendPlan plan(view, kHead, kNow);
  auto first = plan.Add(Write("s", ExpectedVersion::Exactly(4), {Event("A"), Event("B")}));
  REQUIRE(first);
  CHECK(first->first_position == 11);
  CHECK(first->last_position == 12);
  auto stale = plan.Add(Write("s", ExpectedVersion::Exactly(4), {Event("C")}));
  REQUIRE_FALSE(stale);
  CHECK(stale.error().code == ErrorCode::kVersionConflict);
  auto second = plan.Add(Write("s", ExpectedVersion::Exactly(6), {Event("C")}));
  REQUIRE(second);
  CHECK(second->first_position == 13);
  CHECK(second->versions.at(0).version == 7);

  REQUIRE(plan.events().size() == 3);
  CHECK(plan.events()[0].prev_hash == kHead.hash);
  CHECK(plan.events()[2].prev_hash == plan.events()[1].hash);
  for (const RecordedEvent& e : plan.events()) {
    CHECK(e.hash == ComputeEventHash(e));
    CHECK(e.metadata.recorded_at == kNow);
  }
  CHECK(plan.head().position == 13);
  CHECK(plan.head().hash == plan.events()[2].hash);
  CHECK(plan.stream_versions().at("s") == 7);
}

TEST_CASE("A request that fails in a group leaves the plan as it was", "[plan]") {
  FakeView view;
  AppendPlan plan(view, kHead, kNow);
  REQUIRE(plan.Add(Write("a", ExpectedVersion::Any(), {Event("A")})));
  AppendRequest failing;
  failing.writes.push_back({"b", ExpectedVersion::Any(), {Event("B")}});
  failing.writes.push_back({"a", ExpectedVersion::NoStream(), {Event("C")}});
  failing.idempotency = IdempotencyKey{"k", "f"};
  REQUIRE_FALSE(plan.Add(failing));
  CHECK(plan.events().size() == 1);
  CHECK(plan.head().position == 11);
  CHECK(plan.stream_versions().count("b") == 0);
  CHECK(plan.keys().empty());
  auto next = plan.Add(Write("b", ExpectedVersion::NoStream(), {Event("B")}));
  REQUIRE(next);
  CHECK(next->first_position == 12);
}

TEST_CASE("An idempotency key used earlier in the same group is replayed or refused", "[plan]") {
  FakeView view;
  AppendPlan plan(view, kHead, kNow);
  const AppendRequest request = WithKey(Write("a", ExpectedVersion::Any(), {Event("A")}), "k", "f");
  auto first = plan.Add(request);
  REQUIRE(first);
  auto again = plan.Add(request);
  REQUIRE(again);
  CHECK(again->replayed);
  CHECK(again->first_position == first->first_position);
  auto other = plan.Add(WithKey(Write("a", ExpectedVersion::Any(), {Event("B")}), "k", "g"));
  REQUIRE_FALSE(other);
  CHECK(other.error().code == ErrorCode::kIdempotencyKeyReused);
  CHECK(plan.events().size() == 1);
  CHECK(plan.keys().size() == 1);
}

TEST_CASE("A committed idempotency key is replayed without planning anything", "[plan]") {
  FakeView view;
  view.keys["k"] = {"f", {3, 4, {{"a", 2}}, false, {}}};
  AppendPlan plan(view, kHead, kNow);
  auto replay = plan.Add(WithKey(Write("a", ExpectedVersion::NoStream(), {Event("A")}), "k", "f"));
  REQUIRE(replay);
  CHECK(replay->replayed);
  CHECK(replay->last_position == 4);
  CHECK(plan.empty());
}

}  // namespace
}  // namespace dialogue::engine
