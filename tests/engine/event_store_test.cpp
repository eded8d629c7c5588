// The EventStore suite: every case runs against the in-memory and the RocksDB store, which must
// behave the same (docs/storage.md).
#include "engine/event_store.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "engine/hash_chain.hpp"
#include "tests/engine/test_support.hpp"

namespace dialogue::engine {
namespace {

using testing::Event;
using testing::StoreUnderTest;
using testing::WithKey;
using testing::Write;

#define EACH_STORE() const std::string kind = GENERATE(as<std::string>{}, "memory", "rocksdb")

std::vector<RecordedEvent> ReadEverything(EventStore& store) {
  auto all = store.ReadAll(0, SIZE_MAX);
  REQUIRE(all);
  return *all;
}

// Each caller's results of one-event appends, made one after another: every result takes one
// position of 1..total, each caller's in increasing order, and every position is taken once.
void CheckPositionsTakenOnce(const std::vector<std::vector<AppendResult>>& per_caller,
                             uint64_t total) {
  std::vector<int> seen(total + 1, 0);
  for (const auto& results : per_caller) {
    uint64_t previous = 0;
    for (const AppendResult& r : results) {
      REQUIRE(r.first_position == r.last_position);
      REQUIRE(r.first_position >= 1);
      REQUIRE(r.first_position <= total);
      ++seen[r.first_position];
      CHECK(r.first_position > previous);  // one caller's appends commit in its order
      previous = r.first_position;
    }
  }
  CHECK(std::count(seen.begin() + 1, seen.end(), 1) == static_cast<long>(total));
}

// Each result carries the events it appended exactly as the log holds them.
void CheckEventsAsStored(const std::vector<std::vector<AppendResult>>& per_caller,
                         const std::vector<RecordedEvent>& log) {
  for (const auto& results : per_caller) {
    for (const AppendResult& r : results) {
      REQUIRE(r.events.size() == r.last_position - r.first_position + 1);
      for (const RecordedEvent& e : r.events) {
        REQUIRE(e.position >= 1);
        REQUIRE(e.position <= log.size());
        CHECK(e == log[e.position - 1]);
      }
      CHECK(r.events.front().position == r.first_position);
    }
  }
}

TEST_CASE("Appends number positions and stream versions from 1 without gaps", "[store]") {
  EACH_STORE();
  StoreUnderTest store(kind);
  CHECK(store->Head().position == 0);
  CHECK(store->Head().hash == kGenesisHash);

  auto first = store->Append(Write("briefing-b1", ExpectedVersion::NoStream(),
                                   {Event("BriefingRequested"), Event("BriefingConvened")}));
  REQUIRE(first);
  CHECK(first->first_position == 1);
  CHECK(first->last_position == 2);
  CHECK_FALSE(first->replayed);
  REQUIRE(first->versions.size() == 1);
  CHECK(first->versions[0].stream == "briefing-b1");
  CHECK(first->versions[0].version == 2);

  AppendRequest two_streams;
  two_streams.writes.push_back({"briefing-b1", ExpectedVersion::Exactly(2), {Event("A")}});
  two_streams.writes.push_back({"referral-r1", ExpectedVersion::NoStream(), {Event("B")}});
  auto second = store->Append(two_streams);
  REQUIRE(second);
  CHECK(second->first_position == 3);
  CHECK(second->last_position == 4);
  REQUIRE(second->versions.size() == 2);
  CHECK(second->versions[0].version == 3);
  CHECK(second->versions[1].stream == "referral-r1");
  CHECK(second->versions[1].version == 1);

  CHECK(store->Head().position == 4);
  CHECK(store->StreamVersion("briefing-b1").value() == 3);
  CHECK(store->StreamVersion("referral-r1").value() == 1);
  CHECK(store->StreamVersion("nobody").value() == 0);

  const auto events = ReadEverything(*store);
  REQUIRE(events.size() == 4);
  for (size_t i = 0; i < events.size(); ++i) CHECK(events[i].position == i + 1);
  CHECK(events[2].stream == "briefing-b1");
  CHECK(events[2].version == 3);
  CHECK(events[3].stream == "referral-r1");
  // Each result holds its events as stored: a caller need not read them back.
  CheckEventsAsStored({{*first, *second}}, events);
}

TEST_CASE("Events are stored with canonical data, the store's recorded_at and a hash chain",
          "[store]") {
  EACH_STORE();
  StoreUnderTest store(kind);
  store.clock().Set(testing::T("2026-03-10T09:30:00.123456Z"));
  ProposedEvent e = Event("StakeholderRegistered", R"({ "name": "Ünïcode NGO", "id": "ngo-1",
      "nested": {"z": 1, "a": [true, null, 2.5]} })");
  e.metadata.recorded_at = "1999-01-01T00:00:00Z";  // ignored: the store sets it
  e.metadata.on_behalf_of = "pres";
  e.metadata.note = "late entry";
  e.metadata.correlation_id = "req-7";
  REQUIRE(store->Append(Write("stakeholder-ngo-1", ExpectedVersion::Any(), {e})));
  store.clock().Advance(std::chrono::seconds(1));
  REQUIRE(store->Append(Write("stakeholder-ngo-1", ExpectedVersion::Any(), {Event("X")})));

  const auto events = ReadEverything(*store);
  REQUIRE(events.size() == 2);
  CHECK(events[0].data ==
        R"({"id":"ngo-1","name":"Ünïcode NGO","nested":{"a":[true,null,2.5],"z":1}})");
  CHECK(events[0].metadata.recorded_at == "2026-03-10T09:30:00.123456Z");
  CHECK(events[1].metadata.recorded_at == "2026-03-10T09:30:01.123456Z");
  CHECK(events[0].metadata.occurred_at == "2026-03-10T09:00:00Z");
  CHECK(events[0].metadata.actor == "sec-ana");
  CHECK(events[0].metadata.on_behalf_of == "pres");
  CHECK(events[0].metadata.note == "late entry");
  CHECK(events[0].metadata.correlation_id == "req-7");

  CHECK(events[0].prev_hash == kGenesisHash);
  CHECK(events[0].hash == ComputeEventHash(events[0]));
  CHECK(events[1].prev_hash == events[0].hash);
  CHECK(events[1].hash == ComputeEventHash(events[1]));
  CHECK(events[0].hash != events[1].hash);
  CHECK(store->Head().hash == events[1].hash);
}

TEST_CASE("Malformed appends are refused as invalid arguments and append nothing", "[store]") {
  EACH_STORE();
  StoreUnderTest store(kind);
  auto refused = [&](const AppendRequest& request) {
    auto result = store->Append(request);
    REQUIRE_FALSE(result);
    CHECK(result.error().code == ErrorCode::kInvalidArgument);
  };
  SECTION("no writes") { refused(AppendRequest{}); }
  SECTION("empty stream name") { refused(Write("", ExpectedVersion::Any(), {Event("A")})); }
  SECTION("stream name with a NUL byte") {
    refused(Write(std::string("a\0b", 3), ExpectedVersion::Any(), {Event("A")}));
  }
  SECTION("empty event type") { refused(Write("s", ExpectedVersion::Any(), {Event("")})); }
  SECTION("data that is not JSON") {
    refused(Write("s", ExpectedVersion::Any(), {Event("A", "{nope")}));
  }
  SECTION("data that is a JSON array") {
    refused(Write("s", ExpectedVersion::Any(), {Event("A", "[1,2]")}));
  }
  SECTION("data that is a JSON string") {
    refused(Write("s", ExpectedVersion::Any(), {Event("A", R"("text")")}));
  }
  SECTION("occurred_at that is not RFC 3339") {
    ProposedEvent e = Event("A");
    e.metadata.occurred_at = "10 March 2026";
    refused(Write("s", ExpectedVersion::Any(), {e}));
  }
  SECTION("one bad event among good ones") {
    AppendRequest request;
    request.writes.push_back({"s1", ExpectedVersion::Any(), {Event("A")}});
    request.writes.push_back({"s2", ExpectedVersion::Any(), {Event("B"), Event("C", "3")}});
    refused(request);
  }
  CHECK(store->Head().position == 0);
  CHECK(ReadEverything(*store).empty());
}

TEST_CASE("An expected version that does not hold is a version conflict", "[store]") {
  EACH_STORE();
  StoreUnderTest store(kind);
  REQUIRE(store->Append(Write("meeting-m1", ExpectedVersion::NoStream(), {Event("A")})));

  SECTION("NoStream on an existing stream") {
    auto result = store->Append(Write("meeting-m1", ExpectedVersion::NoStream(), {Event("B")}));
    REQUIRE_FALSE(result);
    CHECK(result.error().code == ErrorCode::kVersionConflict);
    CHECK(result.error().message ==
          "expected stream 'meeting-m1' not to exist, but it is at version 1");
  }
  SECTION("Exactly a version the stream is not at") {
    auto result = store->Append(Write("meeting-m1", ExpectedVersion::Exactly(3), {Event("B")}));
    REQUIRE_FALSE(result);
    CHECK(result.error().code == ErrorCode::kVersionConflict);
    CHECK(result.error().message ==
          "expected stream 'meeting-m1' at version 3, but it is at version 1");
  }
  SECTION("Exactly on a stream that does not exist") {
    auto result = store->Append(Write("meeting-m2", ExpectedVersion::Exactly(1), {Event("B")}));
    REQUIRE_FALSE(result);
    CHECK(result.error().code == ErrorCode::kVersionConflict);
  }
  CHECK(store->Head().position == 1);
  CHECK(store->StreamVersion("meeting-m1").value() == 1);

  SECTION("the right version appends") {
    REQUIRE(store->Append(Write("meeting-m1", ExpectedVersion::Exactly(1), {Event("B")})));
    CHECK(store->StreamVersion("meeting-m1").value() == 2);
  }
}

TEST_CASE("A multi-stream append with one conflicting write appends nothing", "[store]") {
  EACH_STORE();
  StoreUnderTest store(kind);
  REQUIRE(store->Append(Write("briefing-b1", ExpectedVersion::Any(), {Event("A")})));
  const LedgerHead before = store->Head();

  AppendRequest request;
  request.writes.push_back({"briefing-b1", ExpectedVersion::Exactly(1), {Event("B"), Event("C")}});
  request.writes.push_back({"referral-r1", ExpectedVersion::NoStream(), {Event("D")}});
  request.writes.push_back({"briefing-b1", ExpectedVersion::Exactly(1), {Event("E")}});  // at 3 now
  auto result = store->Append(request);
  REQUIRE_FALSE(result);
  CHECK(result.error().code == ErrorCode::kVersionConflict);

  CHECK(store->Head().position == before.position);
  CHECK(store->Head().hash == before.hash);
  CHECK(store->StreamVersion("briefing-b1").value() == 1);
  CHECK(store->StreamVersion("referral-r1").value() == 0);
  CHECK(ReadEverything(*store).size() == 1);

  // The next append takes the next position: nothing was reserved by the failed one.
  auto next = store->Append(Write("referral-r1", ExpectedVersion::NoStream(), {Event("D")}));
  REQUIRE(next);
  CHECK(next->first_position == 2);
  CHECK(store->Verify().value().ok);
}

TEST_CASE("A write without events asserts a version and appends nothing", "[store]") {
  EACH_STORE();
  StoreUnderTest store(kind);
  REQUIRE(store->Append(Write("s1", ExpectedVersion::Any(), {Event("A")})));

  AppendRequest request;
  request.writes.push_back({"s1", ExpectedVersion::Exactly(1), {}});
  request.writes.push_back({"s2", ExpectedVersion::Any(), {Event("B")}});
  auto ok = store->Append(request);
  REQUIRE(ok);
  CHECK(ok->first_position == 2);
  REQUIRE(ok->versions.size() == 2);
  CHECK(ok->versions[0].version == 1);

  auto only_assert = store->Append(Write("s1", ExpectedVersion::Exactly(1), {}));
  REQUIRE(only_assert);
  CHECK(only_assert->first_position == 0);
  CHECK(only_assert->last_position == 0);
  CHECK(store->Head().position == 2);

  auto stale = store->Append(Write("s1", ExpectedVersion::Exactly(0), {}));
  REQUIRE_FALSE(stale);
  CHECK(stale.error().code == ErrorCode::kVersionConflict);
}

TEST_CASE("An idempotent retry returns the first result and appends nothing", "[store]") {
  EACH_STORE();
  StoreUnderTest store(kind);
  const AppendRequest request =
      WithKey(Write("briefing-b1", ExpectedVersion::NoStream(), {Event("A"), Event("B")}), "key-1",
              "fingerprint-1");
  auto first = store->Append(request);
  REQUIRE(first);
  CHECK_FALSE(first->replayed);
  const LedgerHead head = store->Head();

  // The retry would conflict (NoStream) if it were applied again: it is answered from the key.
  auto retry = store->Append(request);
  REQUIRE(retry);
  CHECK(retry->replayed);
  CHECK(retry->first_position == first->first_position);
  CHECK(retry->last_position == first->last_position);
  CHECK(first->events.size() == 2);
  CHECK(retry->events.empty());  // replayed: read them by position
  REQUIRE(retry->versions.size() == 1);
  CHECK(retry->versions[0].stream == "briefing-b1");
  CHECK(retry->versions[0].version == 2);
  CHECK(store->Head().position == head.position);
  CHECK(store->Head().hash == head.hash);

  auto lookup = store->LookupIdempotencyKey("key-1");
  REQUIRE(lookup);
  REQUIRE(lookup->has_value());
  CHECK((*lookup)->first == "fingerprint-1");
  CHECK((*lookup)->second.last_position == 2);
  CHECK_FALSE((*lookup)->second.replayed);
  CHECK_FALSE(store->LookupIdempotencyKey("key-2").value().has_value());

  SECTION("the same key with another fingerprint is refused") {
    auto reused = store->Append(WithKey(Write("briefing-b2", ExpectedVersion::Any(), {Event("C")}),
                                        "key-1", "fingerprint-2"));
    REQUIRE_FALSE(reused);
    CHECK(reused.error().code == ErrorCode::kIdempotencyKeyReused);
    CHECK(store->Head().position == head.position);
  }
  SECTION("a request that failed does not keep its key") {
    auto conflict = store->Append(WithKey(
        Write("briefing-b1", ExpectedVersion::NoStream(), {Event("C")}), "key-3", "fingerprint-3"));
    REQUIRE_FALSE(conflict);
    CHECK_FALSE(store->LookupIdempotencyKey("key-3").value().has_value());
    auto later = store->Append(WithKey(Write("briefing-b3", ExpectedVersion::Any(), {Event("C")}),
                                       "key-3", "fingerprint-4"));
    REQUIRE(later);
    CHECK_FALSE(later->replayed);
  }
}

TEST_CASE("Concurrent appends with one idempotency key append exactly once", "[store][threads]") {
  EACH_STORE();
  StoreUnderTest store(kind);
  constexpr int kThreads = 8;
  const AppendRequest request =
      WithKey(Write("contribution-request-c1", ExpectedVersion::Any(), {Event("A")}), "same-key",
              "same-fingerprint");
  std::atomic<int> appended{0};
  std::atomic<int> replayed{0};
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      auto result = store->Append(request);
      if (!result) {
        ++failed;
      } else if (result->replayed) {
        ++replayed;
      } else {
        ++appended;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(appended == 1);
  CHECK(replayed == kThreads - 1);
  CHECK(failed == 0);
  CHECK(store->Head().position == 1);
}

// 16 writers x 1,000 synced appends over a few hundred streams: every position once, no gaps,
// each stream's versions gapless in position order, and the chain verifies.
TEST_CASE("Concurrent appends get every position exactly once and gapless stream versions",
          "[store][threads]") {
  EACH_STORE();
  StoreUnderTest store(kind, /*sync=*/true);
  constexpr int kThreads = 16;
  constexpr int kAppendsPerThread = 1000;
  constexpr int kStreams = 300;
  std::vector<std::vector<AppendResult>> results(kThreads);
  std::vector<std::thread> threads;
  std::atomic<int> errors{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kAppendsPerThread; ++i) {
        const std::string stream = "stream-" + std::to_string((t * 7919 + i * 31) % kStreams);
        auto result =
            store->Append(Write(stream, ExpectedVersion::Any(),
                                {Event("Appended", R"({"thread":)" + std::to_string(t) +
                                                       R"(,"i":)" + std::to_string(i) + "}")}));
        if (!result) {
          ++errors;
          continue;
        }
        results[t].push_back(*result);
      }
    });
  }
  for (auto& t : threads) t.join();
  REQUIRE(errors == 0);

  constexpr uint64_t kTotal = kThreads * kAppendsPerThread;
  CheckPositionsTakenOnce(results, kTotal);
  CHECK(store->Head().position == kTotal);

  const auto events = ReadEverything(*store);
  REQUIRE(events.size() == kTotal);
  std::map<std::string, uint64_t> versions;
  for (size_t i = 0; i < events.size(); ++i) {
    REQUIRE(events[i].position == i + 1);
    REQUIRE(events[i].version == ++versions[events[i].stream]);
  }
  for (const auto& [stream, version] : versions) {
    CHECK(store->StreamVersion(stream).value() == version);
    auto stream_events = store->ReadStream(stream, 0, SIZE_MAX);
    REQUIRE(stream_events);
    REQUIRE(stream_events->size() == version);
    for (size_t v = 0; v < stream_events->size(); ++v) {
      REQUIRE((*stream_events)[v].version == v + 1);
      if (v > 0) REQUIRE((*stream_events)[v].position > (*stream_events)[v - 1].position);
    }
  }
  auto report = store->Verify();
  REQUIRE(report);
  CHECK(report->ok);
  CHECK(report->head.position == kTotal);
}

TEST_CASE("A request that fails its checks does not fail the requests committed with it",
          "[store][threads]") {
  EACH_STORE();
  StoreUnderTest store(kind);
  constexpr int kThreads = 8;
  constexpr int kRounds = 50;
  std::atomic<int> good_failed{0};
  std::atomic<int> bad_succeeded{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string own = "own-" + std::to_string(t);
      for (int i = 0; i < kRounds; ++i) {
        // A write on the thread's own stream at its exact version must succeed...
        auto good = store->Append(Write(own, ExpectedVersion::Exactly(i), {Event("Good")}));
        if (!good) ++good_failed;
        // ...and one expecting a version the shared stream never has must fail.
        auto bad =
            store->Append(Write("shared", ExpectedVersion::Exactly(1'000'000), {Event("Bad")}));
        if (bad) ++bad_succeeded;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(good_failed == 0);
  CHECK(bad_succeeded == 0);
  CHECK(store->Head().position == kThreads * kRounds);
  CHECK(store->Verify().value().ok);
}

TEST_CASE("ReadAll and ReadStream page with after and limit", "[store]") {
  EACH_STORE();
  StoreUnderTest store(kind);
  for (int i = 0; i < 10; ++i) {
    REQUIRE(store->Append(Write(i % 2 == 0 ? "even" : "odd", ExpectedVersion::Any(),
                                {Event("E", R"({"i":)" + std::to_string(i) + "}")})));
  }
  auto page = store->ReadAll(3, 4);
  REQUIRE(page);
  REQUIRE(page->size() == 4);
  CHECK(page->front().position == 4);
  CHECK(page->back().position == 7);
  CHECK(store->ReadAll(10, 5).value().empty());
  CHECK(store->ReadAll(8, 100).value().size() == 2);
  CHECK(store->ReadAll(0, 0).value().empty());

  auto odd = store->ReadStream("odd", 2, 2);
  REQUIRE(odd);
  REQUIRE(odd->size() == 2);
  CHECK((*odd)[0].version == 3);
  CHECK((*odd)[0].position == 6);
  CHECK((*odd)[0].data == R"({"i":5})");
  CHECK((*odd)[1].version == 4);
  CHECK(store->ReadStream("odd", 5, 10).value().empty());
  CHECK(store->ReadStream("nobody", 0, 10).value().empty());
  // A stream whose name is a prefix of another's reads only its own events.
  REQUIRE(store->Append(Write("od", ExpectedVersion::Any(), {Event("E")})));
  CHECK(store->ReadStream("od", 0, 100).value().size() == 1);
  CHECK(store->ReadStream("odd", 0, 100).value().size() == 5);
}

TEST_CASE("ScanAll visits exactly what ReadAll returns, in place", "[store]") {
  EACH_STORE();
  StoreUnderTest store(kind);
  for (int i = 0; i < 10; ++i) {
    REQUIRE(store->Append(
        Write(i % 2 == 0 ? "even" : "odd", ExpectedVersion::Any(),
              {Event(i % 3 == 0 ? "Three" : "E", R"({"i":)" + std::to_string(i) + "}")})));
  }
  auto scan = [&store](uint64_t after, size_t limit) {
    std::vector<RecordedEvent> seen;
    auto visited = store->ScanAll(after, limit, [&seen](const RecordedEventView& view) {
      RecordedEvent e;
      e.position = view.position;
      e.stream = view.stream;
      e.version = view.version;
      e.type = view.type;
      e.data = view.data;
      e.hash = view.hash;
      seen.push_back(std::move(e));
    });
    REQUIRE(visited);
    CHECK(*visited == seen.size());
    return seen;
  };
  for (auto [after, limit] : std::vector<std::pair<uint64_t, size_t>>{
           {0, SIZE_MAX}, {3, 4}, {8, 100}, {10, 5}, {0, 0}, {UINT64_MAX, 3}}) {
    const std::vector<RecordedEvent> expected = store->ReadAll(after, limit).value();
    const std::vector<RecordedEvent> seen = scan(after, limit);
    REQUIRE(seen.size() == expected.size());
    for (size_t i = 0; i < seen.size(); ++i) {
      CHECK(seen[i].position == expected[i].position);
      CHECK(seen[i].stream == expected[i].stream);
      CHECK(seen[i].version == expected[i].version);
      CHECK(seen[i].type == expected[i].type);
      CHECK(seen[i].data == expected[i].data);
      CHECK(seen[i].hash == expected[i].hash);
    }
  }
  CHECK(scan(0, SIZE_MAX).size() == 10);
}

// Completions of AppendAsync, gathered until a count of them arrived. Each is filed under its
// caller and the index of the request among the caller's (completions of different groups may
// be called on different threads, so their order of arrival proves nothing).
class Completions {
 public:
  void Add(int caller, int index, Result<AppendResult> result) {
    std::lock_guard lock(mu_);
    results_[caller].emplace(index, std::move(result));
    ++count_;
    arrived_.notify_all();
  }
  // Waits (at most a minute) for n completions in all; false if they did not come.
  bool WaitFor(size_t n) {
    std::unique_lock lock(mu_);
    return arrived_.wait_for(lock, std::chrono::minutes(1), [&] { return count_ >= n; });
  }
  size_t count() {
    std::lock_guard lock(mu_);
    return count_;
  }
  // The caller's results in the order of its requests.
  std::vector<Result<AppendResult>> Of(int caller) {
    std::lock_guard lock(mu_);
    std::vector<Result<AppendResult>> out;
    for (auto& [index, result] : results_[caller]) out.push_back(result);
    return out;
  }

 private:
  std::mutex mu_;
  std::condition_variable arrived_;
  std::map<int, std::map<int, Result<AppendResult>>> results_;
  size_t count_ = 0;
};

// Blocking and asynchronous appenders on the same streams: each completion is called once, every
// position is taken once, each caller's appends commit in the order it made them, and a
// malformed request is refused through its completion.
TEST_CASE("Asynchronous appends beside blocking ones complete once each, in order",
          "[store][threads]") {
  EACH_STORE();
  StoreUnderTest store(kind, /*sync=*/true);
  constexpr int kBlocking = 4;
  constexpr int kAsync = 2;
  constexpr int kEach = 300;
  Completions completions;
  std::vector<std::vector<AppendResult>> blocking(kBlocking);
  std::vector<std::thread> threads;
  for (int t = 0; t < kBlocking + kAsync; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        AppendRequest request = Write("stream-" + std::to_string((t * 13 + i) % 7),
                                      ExpectedVersion::Any(), {Event("Appended")});
        if (t < kBlocking) {
          auto result = store->Append(request);
          if (result) blocking[t].push_back(*result);
          continue;
        }
        store->AppendAsync(std::move(request), [&completions, t, i](Result<AppendResult> result) {
          completions.Add(t, i, std::move(result));
        });
      }
    });
  }
  for (auto& t : threads) t.join();
  REQUIRE(completions.WaitFor(kAsync * kEach));

  constexpr uint64_t kTotal = (kBlocking + kAsync) * kEach;
  std::vector<std::vector<AppendResult>> per_caller = blocking;
  for (int t = kBlocking; t < kBlocking + kAsync; ++t) {
    std::vector<AppendResult>& appended = per_caller.emplace_back();
    for (const Result<AppendResult>& r : completions.Of(t)) {
      REQUIRE(r);
      appended.push_back(*r);
    }
  }
  for (const auto& results : per_caller) REQUIRE(results.size() == kEach);
  CheckPositionsTakenOnce(per_caller, kTotal);
  CheckEventsAsStored(per_caller, ReadEverything(*store));
  CHECK(store->Head().position == kTotal);
  CHECK(store->Verify().value().ok);

  // Refused before it is queued: the completion still tells.
  store->AppendAsync(AppendRequest{}, [&](Result<AppendResult> result) {
    completions.Add(-1, 0, std::move(result));
  });
  REQUIRE(completions.WaitFor(kAsync * kEach + 1));
  const auto refused = completions.Of(-1);
  REQUIRE(refused.size() == 1);
  REQUIRE_FALSE(refused[0]);
  CHECK(refused[0].error().code == ErrorCode::kInvalidArgument);
  CHECK(store->Head().position == kTotal);
}

// Each completion makes the next append, expecting the version the previous one reached: the
// committed version is visible to the very next request, even one made from a completion.
TEST_CASE("A completion may make the next asynchronous append", "[store][threads]") {
  EACH_STORE();
  StoreUnderTest store(kind, /*sync=*/true);
  constexpr uint64_t kChain = 200;
  Completions completions;
  std::function<void(uint64_t)> append = [&](uint64_t version) {
    store->AppendAsync(WithKey(Write("chain",
                                     version == 0 ? ExpectedVersion::NoStream()
                                                  : ExpectedVersion::Exactly(version),
                                     {Event("Linked")}),
                               "link-" + std::to_string(version), "f"),
                       [&, version](Result<AppendResult> result) {
                         const bool ok = result.has_value();
                         completions.Add(0, static_cast<int>(version), std::move(result));
                         if (ok && version + 1 < kChain) append(version + 1);
                       });
  };
  append(0);
  REQUIRE(completions.WaitFor(kChain));
  const auto results = completions.Of(0);
  REQUIRE(results.size() == kChain);
  for (uint64_t i = 0; i < kChain; ++i) {
    INFO("link " << i);
    REQUIRE(results[i]);
    CHECK(results[i]->versions.at(0).version == i + 1);
    CHECK(results[i]->first_position == i + 1);
  }
  CHECK(store->StreamVersion("chain").value() == kChain);
  // The same key again is a replay, through the completion too.
  store->AppendAsync(
      WithKey(Write("chain", ExpectedVersion::NoStream(), {Event("Linked")}), "link-0", "f"),
      [&](Result<AppendResult> result) { completions.Add(1, 0, std::move(result)); });
  REQUIRE(completions.WaitFor(kChain + 1));
  const auto replay = completions.Of(1);
  REQUIRE(replay.size() == 1);
  REQUIRE(replay[0]);
  CHECK(replay[0]->replayed);
  CHECK(replay[0]->first_position == 1);
  CHECK(store->Head().position == kChain);
}

TEST_CASE("WaitForCommit wakes on a commit from another thread and listeners hear of it",
          "[store][threads]") {
  EACH_STORE();
  StoreUnderTest store(kind);
  std::mutex heard_mu;
  std::vector<uint64_t> heard;
  const uint64_t id = store->AddCommitListener([&](uint64_t head) {
    std::lock_guard lock(heard_mu);
    heard.push_back(head);
  });

  CHECK(store->WaitForCommit(0, std::chrono::milliseconds(1)) == 0);  // nothing yet: times out

  bool appended = false;  // written by the writer thread, read after join
  std::thread writer([&] {
    appended =
        store->Append(Write("s", ExpectedVersion::Any(), {Event("A"), Event("B")})).has_value();
  });
  // Generous bound: it returns as soon as the commit lands.
  const uint64_t head = store->WaitForCommit(0, std::chrono::minutes(1));
  writer.join();
  REQUIRE(appended);
  CHECK(head == 2);
  {
    std::lock_guard lock(heard_mu);
    CHECK(heard == std::vector<uint64_t>{2});
  }
  CHECK(store->WaitForCommit(1, std::chrono::milliseconds(0)) == 2);  // already beyond

  store->RemoveCommitListener(id);
  REQUIRE(store->Append(Write("s", ExpectedVersion::Any(), {Event("C")})));
  std::lock_guard lock(heard_mu);
  CHECK(heard.size() == 1);
}

TEST_CASE("A commit listener may append without deadlocking", "[store]") {
  EACH_STORE();
  StoreUnderTest store(kind);
  std::atomic<bool> done{false};
  store->AddCommitListener([&](uint64_t head) {
    if (head == 1 && !done.exchange(true)) {
      REQUIRE(store->Append(Write("timer", ExpectedVersion::Any(), {Event("Closed")})));
    }
  });
  REQUIRE(store->Append(Write("s", ExpectedVersion::Any(), {Event("A")})));
  CHECK(store->Head().position == 2);
}

// The same with asynchronous appends queued: the thread that calls the listeners and the
// completions must not be the one whose lead the blocking append waits for.
TEST_CASE("Listeners and completions may append, blocking, while asynchronous appends queue",
          "[store][threads]") {
  EACH_STORE();
  StoreUnderTest store(kind, /*sync=*/true);
  constexpr int kAsync = 60;
  constexpr int kFromListener = 3;
  std::atomic<int> listener_appends{0};
  std::atomic<int> listener_appended{0};
  std::atomic<int> nested_failures{0};
  store->AddCommitListener([&](uint64_t) {
    const int n = listener_appends.fetch_add(1);
    if (n >= kFromListener) return;
    if (!store->Append(Write("listener-" + std::to_string(n), ExpectedVersion::NoStream(),
                             {Event("Nested")}))) {
      ++nested_failures;
    }
    ++listener_appended;
  });
  Completions completions;
  for (int i = 0; i < kAsync; ++i) {
    store->AppendAsync(
        Write("async-" + std::to_string(i), ExpectedVersion::NoStream(), {Event("A")}),
        [&, i](Result<AppendResult> result) {
          if (i % 10 == 0 &&
              !store->Append(Write("completion-" + std::to_string(i), ExpectedVersion::NoStream(),
                                   {Event("Nested")}))) {
            ++nested_failures;
          }
          completions.Add(0, i, std::move(result));
        });
  }
  REQUIRE(completions.WaitFor(kAsync));
  // The listeners of the last groups may still be appending.
  for (int waited = 0; listener_appended < kFromListener && waited < 60000; ++waited) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  REQUIRE(listener_appended == kFromListener);
  for (const auto& result : completions.Of(0)) CHECK(result.has_value());
  CHECK(nested_failures == 0);
  CHECK(store->Head().position == kAsync + kFromListener + kAsync / 10);
  CHECK(store->Verify().value().ok);
}

TEST_CASE("Derived state is written, read, scanned by prefix and cleared", "[store][state]") {
  EACH_STORE();
  StoreUnderTest store(kind);
  StateStore::Batch write;
  write.puts = {{"briefing/b1", "v1"},
                {"briefing/b2", "v2"},
                {"checkpoint", "7"},
                {"briefings", "x"},
                {std::string("bin\0ary", 7), "z"}};
  REQUIRE(store->state().Write(write));
  CHECK(store->state().Read("briefing/b1").value() == std::optional<std::string>("v1"));
  CHECK_FALSE(store->state().Read("briefing/b3").value().has_value());
  CHECK(store->state().Read(std::string("bin\0ary", 7)).value() == std::optional<std::string>("z"));

  auto scan = store->state().Scan("briefing/");
  REQUIRE(scan);
  REQUIRE(scan->size() == 2);
  CHECK((*scan)[0] == std::make_pair(std::string("briefing/b1"), std::string("v1")));
  CHECK((*scan)[1] == std::make_pair(std::string("briefing/b2"), std::string("v2")));
  CHECK(store->state().Scan("").value().size() == 5);

  // Visit sees what Scan returns, in key order, and stops when told to.
  for (std::string prefix : {"briefing/", "", "nothing/"}) {
    std::vector<std::pair<std::string, std::string>> visited;
    REQUIRE(store->state().Visit(prefix, [&visited](std::string_view key, std::string_view value) {
      visited.emplace_back(key, value);
      return true;
    }));
    CHECK(visited == store->state().Scan(prefix).value());
  }
  int calls = 0;
  REQUIRE(store->state().Visit("", [&calls](std::string_view, std::string_view) {
    ++calls;
    return calls < 2;
  }));
  CHECK(calls == 2);

  StateStore::Batch update;
  update.puts = {{"briefing/b1", "v1b"}};
  update.deletes = {"briefing/b2", "not-there"};
  REQUIRE(store->state().Write(update));
  CHECK(store->state().Read("briefing/b1").value() == std::optional<std::string>("v1b"));
  CHECK(store->state().Scan("briefing/").value().size() == 1);

  REQUIRE(store->state().Clear());
  CHECK(store->state().Scan("").value().empty());
  CHECK_FALSE(store->state().Read("checkpoint").value().has_value());
  REQUIRE(store->state().Clear());  // clearing an empty space is fine

  StateStore::Batch again;
  again.puts = {{"checkpoint", "9"}};
  REQUIRE(store->state().Write(again));
  CHECK(store->state().Read("checkpoint").value() == std::optional<std::string>("9"));
  CHECK(store->Head().position == 0);  // derived state is not part of the log
}

TEST_CASE("AppendVerbatim copies a log exactly and refuses forged events", "[store][import]") {
  EACH_STORE();
  StoreUnderTest source("memory");
  for (int i = 0; i < 5; ++i) {
    source.clock().Advance(std::chrono::microseconds(1500));
    REQUIRE(source->Append(Write(i % 2 == 0 ? "a" : "b", ExpectedVersion::Any(),
                                 {Event("E", R"({"i":)" + std::to_string(i) + "}")})));
  }
  const auto events = ReadEverything(*source);
  StoreUnderTest target(kind);
  target.clock().Set(testing::T("2030-01-01T00:00:00Z"));  // must not matter

  auto refused = [&](const RecordedEvent& e) {
    auto status = target->AppendVerbatim(e);
    REQUIRE_FALSE(status);
    CHECK(status.error().code == ErrorCode::kInvalidArgument);
  };
  SECTION("a correct copy") {
    for (const RecordedEvent& e : events) REQUIRE(target->AppendVerbatim(e));
    CHECK(ReadEverything(*target) == events);
    CHECK(target->Head().hash == source->Head().hash);
    CHECK(target->StreamVersion("a").value() == 3);
    CHECK(target->Verify().value().ok);
    // Ordinary appends continue the chain.
    REQUIRE(target->Append(Write("a", ExpectedVersion::Exactly(3), {Event("F")})));
    CHECK(target->Verify().value().ok);
  }
  SECTION("data changed but hash kept") {
    RecordedEvent forged = events[0];
    forged.data = R"({"i":99})";
    refused(forged);
  }
  SECTION("hash recomputed over changed data but not chained") {
    REQUIRE(target->AppendVerbatim(events[0]));
    RecordedEvent forged = events[1];
    forged.prev_hash = std::string(64, 'a');
    forged.hash = ComputeEventHash(forged);
    refused(forged);
  }
  SECTION("not the next position") { refused(events[1]); }
  SECTION("not the stream's next version") {
    RecordedEvent forged = events[0];
    forged.version = 2;
    forged.hash = ComputeEventHash(forged);
    refused(forged);
  }
  SECTION("data not canonical") {
    RecordedEvent forged = events[0];
    forged.data = R"({ "i": 0 })";
    forged.hash = ComputeEventHash(forged);
    refused(forged);
  }
  SECTION("recorded_at missing") {
    RecordedEvent forged = events[0];
    forged.metadata.recorded_at.clear();
    forged.hash = ComputeEventHash(forged);
    refused(forged);
  }
  CHECK(target->Verify().value().ok);
}

TEST_CASE("AppendVerbatimAsync copies a log with every event in flight, and stops at a forgery",
          "[store][import]") {
  EACH_STORE();
  StoreUnderTest source("memory");
  for (int i = 0; i < 300; ++i) {
    REQUIRE(source->Append(Write("s" + std::to_string(i % 7), ExpectedVersion::Any(),
                                 {Event("E", R"({"i":)" + std::to_string(i) + "}")})));
  }
  auto events = ReadEverything(*source);
  const bool forge = GENERATE(false, true);
  INFO((forge ? "event 151 forged" : "a true copy"));
  if (forge) events[150].data = R"({"i":999})";  // hash kept: it no longer matches
  StoreUnderTest target(kind);
  std::mutex mu;
  std::condition_variable all_done;
  std::vector<std::optional<Status>> results(events.size());  // guarded by mu
  size_t finished = 0;                                        // guarded by mu
  for (size_t i = 0; i < events.size(); ++i) {
    target->AppendVerbatimAsync(events[i], [&, i](Status status) {
      std::lock_guard lock(mu);
      results[i] = std::move(status);
      ++finished;
      all_done.notify_all();
    });
  }
  {
    std::unique_lock lock(mu);
    REQUIRE(all_done.wait_for(lock, std::chrono::seconds(30),
                              [&] { return finished == events.size(); }));
  }
  for (size_t i = 0; i < events.size(); ++i) {
    INFO("event " << i + 1);
    CHECK(results[i]->has_value() == (!forge || i < 150));
  }
  const uint64_t expected_head = forge ? 150 : 300;
  CHECK(target->Head().position == expected_head);
  const auto copied = ReadEverything(*target);
  CHECK(copied == std::vector<RecordedEvent>(events.begin(), events.begin() + expected_head));
  CHECK(target->Verify().value().ok);
}

}  // namespace
}  // namespace dialogue::engine

namespace dialogue::engine {
namespace {

TEST_CASE("A copy of the log keeps the idempotency keys of the appends it copies",
          "[store][import]") {
  EACH_STORE();
  StoreUnderTest source(kind);
  for (int i = 0; i < 20; ++i) {
    AppendRequest request = Write("s" + std::to_string(i % 3), ExpectedVersion::Any(),
                                  {Event("E", R"({"i":)" + std::to_string(i) + "}")});
    if (i % 2 == 0) {
      request.writes.push_back(
          {"t" + std::to_string(i), ExpectedVersion::NoStream(), {Event("F", R"({"t":1})")}});
    }
    if (i % 4 != 3) request.idempotency = IdempotencyKey{"key-" + std::to_string(i), "fp"};
    REQUIRE(source->Append(request));
  }
  const auto entries = source->IdempotencyEntries(0, source->Head().position).value();
  REQUIRE(entries.size() == 15);
  CHECK(entries.front().key == "key-0");
  CHECK(entries.front().result.first_position == 1);
  CHECK(entries.front().result.last_position == 2);
  CHECK(entries.front().result.versions.size() == 2);
  // A range holds the keys of the appends that end in it.
  CHECK(source->IdempotencyEntries(1, 2).value().size() == 1);
  CHECK(source->IdempotencyEntries(2, 3).value().size() == 1);  // key-1's append is position 3
  CHECK(source->IdempotencyEntries(5, 6).value().empty());      // append 3 (position 6) has none
  const auto all = ReadEverything(*source);

  StoreUnderTest target(kind);
  size_t next = 0;
  for (const RecordedEvent& event : all) {
    std::optional<IdempotencyEntry> key;
    if (next < entries.size() && entries[next].result.last_position == event.position) {
      key = entries[next++];
    }
    std::optional<Status> result;
    target->AppendVerbatimAsync(event, key, [&](Status status) { result = std::move(status); });
    while (!result) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    REQUIRE(result->has_value());
  }
  CHECK(target->IdempotencyEntries(0, target->Head().position).value().size() == entries.size());
  for (const IdempotencyEntry& entry : entries) {
    const auto found = target->LookupIdempotencyKey(entry.key).value();
    REQUIRE(found);
    CHECK(found->first == entry.fingerprint);
    CHECK(found->second.first_position == entry.result.first_position);
    CHECK(found->second.last_position == entry.result.last_position);
    CHECK(found->second.versions.size() == entry.result.versions.size());
  }
  // A key that does not end at the event is refused, with the event.
  AppendRequest more = Write("s0", ExpectedVersion::Any(), {Event("E", R"({"i":99})")});
  REQUIRE(source->Append(more));
  const RecordedEvent last = source->ReadAll(source->Head().position - 1, 1).value().at(0);
  IdempotencyEntry wrong = entries.front();
  std::optional<Status> refused;
  target->AppendVerbatimAsync(last, wrong, [&](Status status) { refused = std::move(status); });
  while (!refused) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  CHECK_FALSE(refused->has_value());
  CHECK(target->Head().position == all.size());
}

}  // namespace
}  // namespace dialogue::engine
