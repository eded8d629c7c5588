// The SubscriptionHub without a network: subscriptions write into a fake sink whose queue the
// test fills and drains at will.
#include <atomic>
#include <catch2/catch.hpp>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "api/http/subscription_hub.hpp"
#include "api/http/subscription_sse.hpp"
#include "tests/api/subscription_test_support.hpp"

namespace dialogue::api {
namespace {

using testing::AppendOne;
using testing::ExpectedPositions;
using testing::kPatience;

// A sink that keeps what it is given. While stalled, everything written counts as queued (a
// client that stopped reading); Drain() sends it all and answers the drain request.
class FakeSink final : public StreamSink {
 public:
  // total: the unsent bytes of every sink sharing it (the server's count of all streams).
  explicit FakeSink(
      std::shared_ptr<std::atomic<size_t>> total = std::make_shared<std::atomic<size_t>>(0))
      : total_(std::move(total)) {}

  bool Write(std::string chunk) override {
    std::lock_guard lock(mu_);
    if (closed_) return false;
    if (stalled_) {
      queued_ += chunk.size();
      *total_ += chunk.size();
      max_queued_ = std::max(max_queued_, queued_);
    }
    parser_.Feed(chunk, messages_);
    text_ += chunk;
    ++writes_;
    cv_.notify_all();
    return true;
  }
  void Close() override {
    std::lock_guard lock(mu_);
    closed_ = true;
    cv_.notify_all();
  }
  bool closed() const override {
    std::lock_guard lock(mu_);
    return closed_;
  }
  size_t queued_bytes() const override {
    std::lock_guard lock(mu_);
    return queued_;
  }
  size_t total_queued_bytes() const override { return *total_; }
  size_t max_queued() const {
    std::lock_guard lock(mu_);
    return max_queued_;
  }
  void NotifyWhenDrained(size_t low_water, std::function<void()> callback) override {
    {
      std::lock_guard lock(mu_);
      if (queued_ > low_water) {
        drain_callback_ = std::move(callback);
        ++drain_requests_;
        cv_.notify_all();
        return;
      }
    }
    callback();
  }

  void Stall() {
    std::lock_guard lock(mu_);
    stalled_ = true;
  }
  // The client reads everything queued.
  void Drain() {
    std::function<void()> callback;
    {
      std::lock_guard lock(mu_);
      stalled_ = false;
      *total_ -= queued_;
      queued_ = 0;
      callback = std::move(drain_callback_);
      drain_callback_ = nullptr;
    }
    if (callback) callback();
  }

  // Waits (bounded) until pred holds over the messages received.
  bool WaitFor(const std::function<bool(const std::vector<SseMessage>&)>& pred) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kPatience, [&] { return pred(messages_); });
  }
  bool WaitForPositions(size_t count) {
    return WaitFor([count](const auto& messages) { return messages.size() >= count; });
  }
  bool WaitForDrainRequest() {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kPatience, [&] { return drain_requests_ > 0; });
  }
  bool WaitForClose() {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kPatience, [&] { return closed_; });
  }
  bool WaitForComment() {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kPatience, [&] { return parser_.comments() > 0; });
  }

  std::vector<uint64_t> Positions() const {
    std::lock_guard lock(mu_);
    std::vector<uint64_t> positions;
    for (const auto& message : messages_) positions.push_back(std::stoull(message.id));
    return positions;
  }
  std::vector<SseMessage> Messages() const {
    std::lock_guard lock(mu_);
    return messages_;
  }
  std::string Text() const {
    std::lock_guard lock(mu_);
    return text_;
  }
  std::optional<std::chrono::milliseconds> Retry() const {
    std::lock_guard lock(mu_);
    return parser_.retry();
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool closed_ = false;
  bool stalled_ = false;
  size_t queued_ = 0;
  size_t max_queued_ = 0;
  std::shared_ptr<std::atomic<size_t>> total_;
  std::function<void()> drain_callback_;
  int drain_requests_ = 0;
  uint64_t writes_ = 0;
  SseParser parser_;
  std::vector<SseMessage> messages_;
  std::string text_;
};

std::vector<uint64_t> Range(uint64_t first, uint64_t last) {
  std::vector<uint64_t> out;
  for (uint64_t p = first; p <= last; ++p) out.push_back(p);
  return out;
}

struct Fixture {
  explicit Fixture(SubscriptionOptions options = {}) : store(engine::NewInMemoryEventStore()) {
    hub = std::make_unique<SubscriptionHub>(*store, options);
  }
  void Fill(int n, const std::string& stream = "briefing-b1",
            const std::string& type = "BriefingRequested") {
    for (int i = 0; i < n; ++i) AppendOne(*store, stream, type);
  }
  std::shared_ptr<FakeSink> Open(uint64_t after, SubscriptionFilter filter = {}) {
    auto body = hub->Subscribe(after, std::move(filter));
    REQUIRE(body);
    bodies.push_back(*body);
    auto sink = std::make_shared<FakeSink>(total);
    (*body)->Start(sink);
    return sink;
  }
  std::unique_ptr<engine::EventStore> store;
  std::unique_ptr<SubscriptionHub> hub;
  std::vector<std::shared_ptr<StreamingBody>> bodies;
  std::shared_ptr<std::atomic<size_t>> total = std::make_shared<std::atomic<size_t>>(0);
};

TEST_CASE("A subscription catches up from its position, then follows live", "[subscription]") {
  Fixture f;
  f.Fill(10);
  f.hub->Start();
  auto sink = f.Open(3);
  REQUIRE(sink->WaitForPositions(7));
  CHECK(sink->Positions() == Range(4, 10));
  f.Fill(5);
  REQUIRE(sink->WaitForPositions(12));
  CHECK(sink->Positions() == Range(4, 15));
  CHECK(sink->Retry() == std::chrono::milliseconds(3000));
  CHECK(sink->Text().rfind("retry: 3000\n\n", 0) == 0);  // the hint comes first
}

TEST_CASE("Each record carries the position, the type and the event object on one line",
          "[subscription]") {
  Fixture f;
  f.hub->Start();
  auto sink = f.Open(0);
  AppendOne(*f.store, "meeting-m1", "MeetingScheduled", 10);
  REQUIRE(sink->WaitForPositions(1));
  const SseMessage message = sink->Messages().front();
  CHECK(message.id == "1");
  CHECK(message.event == "MeetingScheduled");
  CHECK(message.data.find('\n') == std::string::npos);
  const auto data = nlohmann::json::parse(message.data);
  CHECK(data["position"] == 1);
  CHECK(data["stream"] == "meeting-m1");
  CHECK(data["type"] == "MeetingScheduled");
  CHECK(data["data"]["payload"] == "xxxxxxxxxx");
  CHECK(data.contains("hash"));
}

TEST_CASE("Filters choose what is sent: a stream prefix, a list of types, or both",
          "[subscription]") {
  Fixture f;
  f.hub->Start();
  SubscriptionFilter by_stream{"briefing-", {}};
  SubscriptionFilter by_type{"", {"MeetingScheduled", "BriefingCancelled"}};
  SubscriptionFilter both{"briefing-", {"BriefingCancelled"}};
  auto s1 = f.Open(0, by_stream);
  auto s2 = f.Open(0, by_type);
  auto s3 = f.Open(0, both);
  AppendOne(*f.store, "briefing-b1", "BriefingRequested");  // 1: s1
  AppendOne(*f.store, "meeting-m1", "MeetingScheduled");    // 2: s2
  AppendOne(*f.store, "briefing-b1", "BriefingCancelled");  // 3: s1 s2 s3
  AppendOne(*f.store, "meeting-m2", "MeetingScheduled");    // 4: s2
  REQUIRE(s1->WaitForPositions(2));
  REQUIRE(s2->WaitForPositions(3));
  REQUIRE(s3->WaitForPositions(1));
  CHECK(s1->Positions() == std::vector<uint64_t>{1, 3});
  CHECK(s2->Positions() == std::vector<uint64_t>{2, 3, 4});
  CHECK(s3->Positions() == std::vector<uint64_t>{3});
}

TEST_CASE("Subscriptions started at any position under concurrent writers see no gap and no repeat",
          "[subscription]") {
  SubscriptionOptions options;
  options.catch_up_page = 7;  // many small steps: many chances to join live mid-stream
  Fixture f(options);
  f.Fill(50);
  f.hub->Start();
  constexpr int kWriters = 4;
  constexpr int kPerWriter = 300;
  constexpr uint64_t kTotal = 50 + kWriters * kPerWriter;
  std::vector<std::thread> writers;
  std::atomic<int> started{0};
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      ++started;
      for (int i = 0; i < kPerWriter; ++i) AppendOne(*f.store, "stream-" + std::to_string(w), "T");
    });
  }
  std::vector<std::pair<uint64_t, std::shared_ptr<FakeSink>>> sinks;
  for (uint64_t after : {0, 10, 49, 50}) sinks.emplace_back(after, f.Open(after));
  // More subscribers, each starting wherever the log is when it arrives.
  for (int i = 0; i < 4; ++i) {
    const uint64_t head = f.store->Head().position;
    sinks.emplace_back(head, f.Open(head));
  }
  for (auto& writer : writers) writer.join();
  for (auto& [after, sink] : sinks) {
    INFO("subscription after " << after);
    REQUIRE(sink->WaitForPositions(kTotal - after));
    CHECK(sink->Positions() == Range(after + 1, kTotal));
  }
}

TEST_CASE("A subscriber that falls behind reads from the store at its own pace, then rejoins live",
          "[subscription]") {
  SubscriptionOptions options;
  options.buffer_bytes = 4096;
  Fixture f(options);
  f.hub->Start();
  auto slow = f.Open(0);
  auto fast = f.Open(0);
  AppendOne(*f.store, "briefing-b1", "BriefingRequested", 100);
  REQUIRE(slow->WaitForPositions(1));
  slow->Stall();
  // The writers are not held up: they complete every append while the slow one reads nothing.
  constexpr int kAppends = 400;
  int appended = 0;
  for (int i = 0; i < kAppends; ++i) {
    AppendOne(*f.store, "briefing-b1", "BriefingRequested", 100);
    ++appended;
  }
  CHECK(appended == kAppends);
  // The other subscriber receives everything meanwhile.
  REQUIRE(fast->WaitForPositions(kAppends + 1));
  CHECK(fast->Positions() == Range(1, kAppends + 1));
  REQUIRE(slow->WaitForDrainRequest());
  CHECK(f.hub->stats().fallbacks >= 1);
  CHECK(slow->Positions().size() < kAppends + 1);
  // The client reads again: it gets everything, in order, once.
  slow->Drain();
  REQUIRE(slow->WaitForPositions(kAppends + 1));
  CHECK(slow->Positions() == Range(1, kAppends + 1));
  // And it follows live again.
  AppendOne(*f.store, "briefing-b1", "BriefingCancelled");
  REQUIRE(slow->WaitForPositions(kAppends + 2));
  CHECK(slow->Positions() == Range(1, kAppends + 2));
}

TEST_CASE("StalledSubscribersHoldBoundedMemoryInTotal", "[subscription][hostile]") {
  // 30 subscribers stop reading while large events stream in; one keeps reading. Each may hold
  // 64 KiB, all together 256 KiB: 30 x 64 KiB would be 1.9 MiB.
  SubscriptionOptions options;
  options.buffer_bytes = 64 * 1024;
  options.total_buffer_bytes = 256 * 1024;
  options.max_subscribers = 50;  // a share of 5 KiB each once the total is reached
  Fixture f(options);
  f.hub->Start();
  constexpr int kStalled = 30;
  std::vector<std::shared_ptr<FakeSink>> stalled;
  for (int i = 0; i < kStalled; ++i) stalled.push_back(f.Open(0));
  auto reader = f.Open(0);
  AppendOne(*f.store, "briefing-b1", "BriefingRequested", 100);
  for (auto& sink : stalled) {
    REQUIRE(sink->WaitForPositions(1));
    sink->Stall();
  }
  constexpr int kAppends = 150;
  constexpr size_t kPayload = 2000;  // a record is a little over 2 KiB
  size_t peak = 0;
  for (int i = 0; i < kAppends; ++i) {
    AppendOne(*f.store, "briefing-b1", "BriefingRequested", kPayload);
    peak = std::max<size_t>(peak, *f.total);
  }
  // The reader gets everything although the total is at its bound.
  REQUIRE(reader->WaitForPositions(kAppends + 1));
  CHECK(reader->Positions() == Range(1, kAppends + 1));
  for (auto& sink : stalled) REQUIRE(sink->WaitForDrainRequest());
  peak = std::max<size_t>(peak, *f.total);
  // Under twice the total, plus a chunk for each of the hub's threads (the fan-out and two
  // catch-up threads) and a record for each subscriber that crossed it.
  const size_t bound =
      2 * options.total_buffer_bytes + 3 * options.buffer_bytes + (kStalled + 1) * (kPayload + 200);
  INFO("peak " << peak << " bytes queued in all; bound " << bound);
  CHECK(peak <= bound);
  CHECK(peak < kStalled * options.buffer_bytes);  // what per-subscriber bounds alone allowed
  // Once they read again, each gets everything, in order, once.
  for (auto& sink : stalled) {
    sink->Drain();
    REQUIRE(sink->WaitForPositions(kAppends + 1));
    CHECK(sink->Positions() == Range(1, kAppends + 1));
  }
}

TEST_CASE("A subscriber catching up over a long log waits for its queue to drain",
          "[subscription]") {
  SubscriptionOptions options;
  options.buffer_bytes = 2048;
  options.catch_up_page = 5;
  Fixture f(options);
  f.Fill(200);
  f.hub->Start();
  auto sink = std::make_shared<FakeSink>();
  sink->Stall();
  auto body = f.hub->Subscribe(0, {});
  REQUIRE(body);
  (*body)->Start(sink);
  REQUIRE(sink->WaitForDrainRequest());
  const size_t before_drain = sink->Positions().size();
  CHECK(before_drain < 200);
  sink->Drain();
  REQUIRE(sink->WaitForPositions(200));
  CHECK(sink->Positions() == Range(1, 200));
}

TEST_CASE("No more subscriptions than the cap, a released slot is free again", "[subscription]") {
  SubscriptionOptions options;
  options.max_subscribers = 2;
  Fixture f(options);
  f.hub->Start();
  auto first = f.hub->Subscribe(0, {});
  auto second = f.hub->Subscribe(0, {});
  REQUIRE(first);
  REQUIRE(second);
  auto third = f.hub->Subscribe(0, {});
  REQUIRE_FALSE(third);
  CHECK(third.error().code == engine::ErrorCode::kUnavailable);
  CHECK(f.hub->stats().open == 2);
  first->reset();  // the connection ended
  CHECK(f.hub->stats().open == 1);
  CHECK(f.hub->Subscribe(0, {}));
}

TEST_CASE("OneIntegrationCannotTakeEverySubscription", "[subscription][hostile]") {
  SubscriptionOptions options;
  options.max_subscribers = 10;
  options.max_per_owner = 3;
  Fixture f(options);
  f.hub->Start();
  std::vector<std::shared_ptr<StreamingBody>> held;
  for (int i = 0; i < 3; ++i) held.push_back(f.hub->Subscribe(0, {}, "int-feed").value());
  auto refused = f.hub->Subscribe(0, {}, "int-feed");
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == engine::ErrorCode::kUnavailable);
  CHECK_THAT(refused.error().message, Catch::Contains("int-feed holds 3 subscriptions"));
  CHECK(f.hub->stats().open == 3);  // the refusal holds no slot
  // Another actor is not held back by that one's quota.
  auto auditor = f.hub->Subscribe(0, {}, "aud-bo");
  CHECK(auditor);
  held.pop_back();  // one of int-feed's connections ended: its quota has room again
  CHECK(f.hub->Subscribe(0, {}, "int-feed"));
}

TEST_CASE("Shutdown ends every subscription cleanly and refuses new ones", "[subscription]") {
  Fixture f;
  f.Fill(3);
  f.hub->Start();
  auto sink = f.Open(0);
  REQUIRE(sink->WaitForPositions(3));
  f.hub->Shutdown();
  CHECK(sink->WaitForClose());
  auto refused = f.hub->Subscribe(0, {});
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == engine::ErrorCode::kUnavailable);
}

TEST_CASE("A quiet subscription gets keep-alive comments", "[subscription]") {
  SubscriptionOptions options;
  options.keep_alive = std::chrono::milliseconds(20);  // configured short: nothing waits 15 s
  Fixture f(options);
  f.hub->Start();
  auto sink = f.Open(0);
  REQUIRE(sink->WaitForComment());
  CHECK(sink->Text().find(": keep-alive\n\n") != std::string::npos);
  CHECK(sink->Positions().empty());
}

TEST_CASE("A subscription cancelled before it starts never writes", "[subscription]") {
  Fixture f;
  f.Fill(2);
  f.hub->Start();
  auto body = f.hub->Subscribe(0, {});
  REQUIRE(body);
  (*body)->Cancel();
  auto sink = std::make_shared<FakeSink>();
  (*body)->Start(sink);
  CHECK(sink->Text().empty());
}

TEST_CASE("The filter matches a prefix of the stream and any listed type", "[subscription]") {
  SubscriptionFilter all;
  CHECK(all.Matches("briefing-b1", "BriefingRequested"));
  SubscriptionFilter prefix{"briefing-", {}};
  CHECK(prefix.Matches("briefing-b1", "X"));
  CHECK_FALSE(prefix.Matches("referral-b1.n1", "X"));
  CHECK_FALSE(prefix.Matches("brief", "X"));
  SubscriptionFilter types{"", {"A", "B"}};
  CHECK(types.Matches("s", "B"));
  CHECK_FALSE(types.Matches("s", "C"));
}

}  // namespace
}  // namespace dialogue::api
