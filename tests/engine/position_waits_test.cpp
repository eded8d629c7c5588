// PositionWaits (engine/position_waits.hpp): callbacks when the log reaches a position, or at a
// deadline, holding no thread per waiter.
#include "engine/position_waits.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/engine/test_support.hpp"

namespace dialogue::engine {
namespace {

using namespace std::chrono_literals;
using testing::Event;
using testing::Write;

// The head a waiter was answered with, and on which thread.
struct Answered {
  std::promise<uint64_t> head;
  std::future<uint64_t> future = head.get_future();
  std::thread::id thread;
};

void AppendOne(EventStore& store, const std::string& stream) {
  REQUIRE(store.Append(Write(stream, ExpectedVersion::Any(), {Event("Happened")})));
}

std::function<void(uint64_t)> Into(Answered& answered) {
  return [&answered](uint64_t head) {
    answered.thread = std::this_thread::get_id();
    answered.head.set_value(head);
  };
}

TEST_CASE("A wait is answered at once, by a commit, or at its deadline", "[position_waits]") {
  auto store = NewInMemoryEventStore();
  AppendOne(*store, "s-1");
  PositionWaits waits(*store);
  const auto far = std::chrono::steady_clock::now() + 60s;

  SECTION("a position already held: at once, on the caller's thread") {
    Answered answered;
    waits.Wait(1, far, Into(answered));
    REQUIRE(answered.future.wait_for(0s) == std::future_status::ready);
    CHECK(answered.future.get() == 1);
    CHECK(answered.thread == std::this_thread::get_id());
    CHECK(waits.waiting() == 0);
  }
  SECTION("positions that arrive later: each when it arrives") {
    Answered third;
    Answered second;
    waits.Wait(3, far, Into(third));
    waits.Wait(2, far, Into(second));
    CHECK(waits.waiting() == 2);
    AppendOne(*store, "s-2");
    CHECK(second.future.get() == 2);
    CHECK(third.future.wait_for(20ms) == std::future_status::timeout);
    AppendOne(*store, "s-3");
    CHECK(third.future.get() == 3);
    CHECK(waits.waiting() == 0);
  }
  SECTION("a deadline that passes first: the head then, the earliest deadline first") {
    Answered later;
    Answered sooner;
    const auto now = std::chrono::steady_clock::now();
    waits.Wait(9, now + 400ms, Into(later));
    waits.Wait(9, now + 50ms, Into(sooner));
    CHECK(sooner.future.get() == 1);
    CHECK(later.future.wait_for(0s) == std::future_status::timeout);
    CHECK(later.future.get() == 1);
    CHECK(std::chrono::steady_clock::now() - now >= 400ms);
  }
}

TEST_CASE("Waits still waiting are answered when the waits end", "[position_waits]") {
  auto store = NewInMemoryEventStore();
  Answered answered;
  {
    PositionWaits waits(*store);
    waits.Wait(5, std::chrono::steady_clock::now() + 60s, Into(answered));
  }
  REQUIRE(answered.future.wait_for(0s) == std::future_status::ready);
  CHECK(answered.future.get() == 0);
  AppendOne(*store, "s-1");  // no listener left to call
}

TEST_CASE("Waits and commits on many threads: every waiter answered once, in time",
          "[position_waits]") {
  auto store = NewInMemoryEventStore();
  PositionWaits waits(*store);
  constexpr int kWaiters = 200;
  std::vector<std::unique_ptr<Answered>> answers;
  for (int i = 0; i < kWaiters; ++i) answers.push_back(std::make_unique<Answered>());
  std::thread writer([&store] {
    for (int i = 0; i < kWaiters; ++i) AppendOne(*store, "s-" + std::to_string(i % 7));
  });
  for (int i = 0; i < kWaiters; ++i) {
    waits.Wait(static_cast<uint64_t>(i + 1), std::chrono::steady_clock::now() + 60s,
               Into(*answers[i]));
  }
  writer.join();
  for (int i = 0; i < kWaiters; ++i) {
    REQUIRE(answers[i]->future.wait_for(10s) == std::future_status::ready);
    CHECK(answers[i]->future.get() >= static_cast<uint64_t>(i + 1));
  }
  CHECK(waits.waiting() == 0);
}

}  // namespace
}  // namespace dialogue::engine
