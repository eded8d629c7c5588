// What only the RocksDB store has: durability across reopen, detection of bytes edited on disk,
// fail-stop after a failed write, synced group commit.
#include <rocksdb/db.h>

#include <catch2/catch.hpp>

#include <atomic>
#include <future>
#include <map>
#include <thread>

#include "engine/codec.hpp"
#include "engine/event_store.hpp"
#include "tests/engine/raw_db.hpp"
#include "tests/engine/test_support.hpp"
#include "tests/support/file_faults.hpp"
#include "tests/support/manual_clock.hpp"

namespace dialogue::engine {
namespace {

using testing::Event;
using testing::RawDb;
using testing::StoreUnderTest;
using testing::TempDir;
using testing::WithKey;
using testing::Write;

void AppendNumbered(EventStore& store, int count) {
  for (int i = 0; i < count; ++i) {
    REQUIRE(store.Append(Write(i % 3 == 0 ? "briefing-b1" : "referral-r" + std::to_string(i % 2),
                               ExpectedVersion::Any(),
                               {Event("Numbered", R"({"n":)" + std::to_string(100 + i) + "}")})));
  }
}

TEST_CASE("Reopening keeps the log, the head, stream versions and idempotency keys", "[rocksdb]") {
  StoreUnderTest store("rocksdb");
  AppendNumbered(*store, 7);
  auto keyed = store->Append(
      WithKey(Write("briefing-b1", ExpectedVersion::Any(), {Event("Keyed")}), "k1", "f1"));
  REQUIRE(keyed);
  const LedgerHead head = store->Head();
  const auto events = store->ReadAll(0, 100).value();
  const uint64_t b1_version = store->StreamVersion("briefing-b1").value();

  store.Reopen();
  CHECK(store->Head().position == head.position);
  CHECK(store->Head().hash == head.hash);
  CHECK(store->ReadAll(0, 100).value() == events);
  CHECK(store->StreamVersion("briefing-b1").value() == b1_version);
  auto lookup = store->LookupIdempotencyKey("k1").value();
  REQUIRE(lookup.has_value());
  CHECK(lookup->first == "f1");
  CHECK(lookup->second.last_position == keyed->last_position);
  auto retry = store->Append(
      WithKey(Write("briefing-b1", ExpectedVersion::Any(), {Event("Keyed")}), "k1", "f1"));
  REQUIRE(retry);
  CHECK(retry->replayed);
  CHECK(retry->last_position == keyed->last_position);
  REQUIRE(retry->versions.size() == 1);
  CHECK(retry->versions[0].version == b1_version);
  CHECK(store->Head().position == head.position);

  // Versions continue where they were (the writer's cache starts empty after reopen).
  auto next =
      store->Append(Write("briefing-b1", ExpectedVersion::Exactly(b1_version), {Event("After")}));
  REQUIRE(next);
  CHECK(next->first_position == head.position + 1);
  CHECK(next->versions[0].version == b1_version + 1);
  auto report = store->Verify();
  REQUIRE(report);
  CHECK(report->ok);
  CHECK(report->head.position == head.position + 1);
}

// After a reopen the writer's cache of versions is empty, so each expectation below is checked
// against the stream index itself: by point reads when it confirms the writer's belief, by a
// seek when it does not.
TEST_CASE("After reopen, each expected version is checked against the stream index", "[rocksdb]") {
  StoreUnderTest store("rocksdb");
  for (int i = 0; i < 3; ++i) {
    REQUIRE(store->Append(Write("s-three", ExpectedVersion::Any(), {Event("E")})));
  }
  auto expect_conflict = [&](ExpectedVersion expected, const std::string& message) {
    store.Reopen();
    auto result = store->Append(Write("s-three", expected, {Event("X")}));
    REQUIRE_FALSE(result);
    CHECK(result.error().code == ErrorCode::kVersionConflict);
    CHECK(result.error().message == message);
  };
  expect_conflict(ExpectedVersion::NoStream(),
                  "expected stream 's-three' not to exist, but it is at version 3");
  expect_conflict(ExpectedVersion::Exactly(2),
                  "expected stream 's-three' at version 2, but it is at version 3");
  expect_conflict(ExpectedVersion::Exactly(5),
                  "expected stream 's-three' at version 5, but it is at version 3");
  expect_conflict(ExpectedVersion::Exactly(0),
                  "expected stream 's-three' at version 0, but it is at version 3");

  store.Reopen();
  auto right = store->Append(Write("s-three", ExpectedVersion::Exactly(3), {Event("Fourth")}));
  REQUIRE(right);
  CHECK(right->versions[0].version == 4);
  store.Reopen();
  auto any = store->Append(Write("s-three", ExpectedVersion::Any(), {Event("Fifth")}));
  REQUIRE(any);
  CHECK(any->versions[0].version == 5);
  store.Reopen();
  auto fresh = store->Append(Write("s-new", ExpectedVersion::NoStream(), {Event("First")}));
  REQUIRE(fresh);
  CHECK(fresh->versions[0].version == 1);
  CHECK(store->Verify().value().ok);
}

TEST_CASE("An event value edited directly in RocksDB is reported by Verify at its position",
          "[rocksdb][verify]") {
  StoreUnderTest store("rocksdb");
  AppendNumbered(*store, 6);
  REQUIRE(store->Verify().value().ok);
  store.Close();
  {
    RawDb raw(store.path());
    const std::string key = codec::U64Key(4);
    std::string value;
    REQUIRE(raw->Get(rocksdb::ReadOptions(), raw.family("events"), key, &value).ok());
    const size_t at = value.find(R"({"n":103})");
    REQUIRE(at != std::string::npos);
    value.replace(at, 9, R"({"n":903})");  // same length: the envelope still decodes
    REQUIRE(raw->Put(rocksdb::WriteOptions(), raw.family("events"), key, value).ok());
  }
  store.Reopen();
  auto report = store->Verify();
  REQUIRE(report);
  CHECK_FALSE(report->ok);
  REQUIRE(report->first_bad_position.has_value());
  CHECK(*report->first_bad_position == 4);
  CHECK(report->problem == "hash does not match the event's contents");
  CHECK(report->head.position == 3);  // the last event that checked out
  CHECK(store->ReadAll(3, 1).value().at(0).data == R"({"n":903})");
}

TEST_CASE("Verify reports a broken stream index and a truncated envelope", "[rocksdb][verify]") {
  StoreUnderTest store("rocksdb");
  AppendNumbered(*store, 6);
  const RecordedEvent fifth = store->ReadAll(4, 1).value().at(0);
  store.Close();
  SECTION("an index entry is missing") {
    {
      RawDb raw(store.path());
      REQUIRE(raw->Delete(rocksdb::WriteOptions(), raw.family("streams"),
                          codec::StreamKey(fifth.stream, fifth.version))
                  .ok());
    }
    store.Reopen();
    auto report = store->Verify().value();
    CHECK_FALSE(report.ok);
    CHECK(report.first_bad_position == std::optional<uint64_t>(5));
  }
  SECTION("an index entry too many") {
    {
      RawDb raw(store.path());
      REQUIRE(raw->Put(rocksdb::WriteOptions(), raw.family("streams"),
                       codec::StreamKey(fifth.stream, 99), codec::U64Key(5))
                  .ok());
    }
    store.Reopen();
    auto report = store->Verify().value();
    CHECK_FALSE(report.ok);
    CHECK(report.first_bad_position == std::optional<uint64_t>(5));
    CHECK(report.problem.find("version 99") != std::string::npos);
  }
  SECTION("an index entry beyond the log") {
    {
      RawDb raw(store.path());
      REQUIRE(raw->Put(rocksdb::WriteOptions(), raw.family("streams"), codec::StreamKey("ghost", 1),
                       codec::U64Key(7))
                  .ok());
    }
    store.Reopen();
    auto report = store->Verify().value();
    CHECK_FALSE(report.ok);
    CHECK(report.first_bad_position == std::optional<uint64_t>(7));
    CHECK(report.problem.find("extra entry") != std::string::npos);
    CHECK(report.head.position == 6);
  }
  SECTION("an envelope cut short") {
    {
      RawDb raw(store.path());
      std::string value;
      REQUIRE(
          raw->Get(rocksdb::ReadOptions(), raw.family("events"), codec::U64Key(5), &value).ok());
      value.resize(value.size() - 1);
      REQUIRE(
          raw->Put(rocksdb::WriteOptions(), raw.family("events"), codec::U64Key(5), value).ok());
    }
    store.Reopen();
    auto report = store->Verify().value();
    CHECK_FALSE(report.ok);
    CHECK(report.first_bad_position == std::optional<uint64_t>(5));
    auto read = store->ReadAll(0, 100);
    REQUIRE_FALSE(read);
    CHECK(read.error().code == ErrorCode::kCorruption);
  }
}

TEST_CASE("Opening refuses a head that disagrees with the log", "[rocksdb]") {
  StoreUnderTest store("rocksdb");
  AppendNumbered(*store, 2);
  store.Close();
  {
    RawDb raw(store.path());
    REQUIRE(raw->Delete(rocksdb::WriteOptions(), raw.family("events"), codec::U64Key(2)).ok());
  }
  auto opened = OpenRocksDbEventStore(store.Options());
  REQUIRE_FALSE(opened);
  CHECK(opened.error().code == ErrorCode::kCorruption);
}

TEST_CASE("A failed write puts the store in fail-stop and leaves nothing behind", "[rocksdb]") {
  TempDir dir;
  ManualClock clock(testing::T("2026-03-10T09:30:00Z"));
  const RocksDbOptions options{dir.path(), true, &clock, {}};
  auto faults = std::make_shared<FileFaults>();
  {
    auto store = std::move(OpenRocksDbEventStoreWithFaults(options, faults).value());
    REQUIRE(store->Append(WithKey(Write("s1", ExpectedVersion::Any(), {Event("A")}), "k1", "f")));
    const LedgerHead head = store->Head();
    CHECK_FALSE(store->failed());

    faults->Arm(FileFaults::Fault::kFailLogAppend);
    auto failed = store->Append(
        WithKey(Write("s1", ExpectedVersion::Any(), {Event("B"), Event("C")}), "k2", "f"));
    REQUIRE_FALSE(failed);
    CHECK(failed.error().code == ErrorCode::kUnavailable);
    CHECK(failed.error().message.starts_with(
        "store is in fail-stop after a failed write; restart required"));
    CHECK(store->failed());

    // Nothing more is tried: a write would meet the armed fault again.
    const uint64_t injected = faults->injected();
    auto later = store->Append(Write("s2", ExpectedVersion::Any(), {Event("D")}));
    REQUIRE_FALSE(later);
    CHECK(later.error().code == ErrorCode::kUnavailable);
    CHECK(faults->injected() == injected);
    faults->Arm(FileFaults::Fault::kNone);  // even once the fault is gone, the store stays stopped
    CHECK(store->Append(Write("s2", ExpectedVersion::Any(), {Event("D")})).error().code ==
          ErrorCode::kUnavailable);
    auto verbatim = store->AppendVerbatim(store->ReadAll(0, 1).value().at(0));
    REQUIRE_FALSE(verbatim);
    CHECK(verbatim.error().code == ErrorCode::kUnavailable);

    // Reads go on, and show nothing of the failed batch.
    CHECK(store->Head().position == head.position);
    CHECK(store->Head().hash == head.hash);
    CHECK(store->StreamVersion("s1").value() == 1);
    CHECK(store->ReadAll(0, 100).value().size() == 1);
    CHECK_FALSE(store->LookupIdempotencyKey("k2").value().has_value());
    CHECK(store->Verify().value().ok);
    // RocksDB has stopped writing too after its failed log write: derived state is refused with
    // an error (never half-written) until the restart.
    StateStore::Batch state;
    state.puts = {{"checkpoint", "1"}};
    CHECK_FALSE(store->state().Write(state));
  }
  auto reopened = std::move(OpenRocksDbEventStore(options).value());
  CHECK_FALSE(reopened->failed());
  CHECK(reopened->Head().position == 1);
  CHECK(reopened->StreamVersion("s1").value() == 1);
  CHECK_FALSE(reopened->LookupIdempotencyKey("k2").value().has_value());
  CHECK(reopened->LookupIdempotencyKey("k1").value().has_value());
  CHECK(reopened->Verify().value().ok);
  auto next = reopened->Append(Write("s1", ExpectedVersion::Exactly(1), {Event("B")}));
  REQUIRE(next);
  CHECK(next->first_position == 2);
}

// An asynchronous append acknowledged is on disk (the store reopened has it); one refused by a
// failed write leaves nothing and stops the store, and later ones are refused at once.
TEST_CASE("Asynchronous appends are durable when completed and refused in fail-stop",
          "[rocksdb][threads]") {
  TempDir dir;
  const RocksDbOptions options{dir.path(), true, nullptr, {}};
  auto faults = std::make_shared<FileFaults>();
  std::promise<Result<AppendResult>> first;
  std::promise<Result<AppendResult>> failed;
  std::promise<Result<AppendResult>> later;
  {
    auto store = std::move(OpenRocksDbEventStoreWithFaults(options, faults).value());
    store->AppendAsync(Write("s1", ExpectedVersion::NoStream(), {Event("A")}),
                       [&](Result<AppendResult> r) { first.set_value(std::move(r)); });
    auto acknowledged = first.get_future().get();
    REQUIRE(acknowledged);
    CHECK(acknowledged->first_position == 1);

    faults->Arm(FileFaults::Fault::kFailLogAppend);
    store->AppendAsync(Write("s1", ExpectedVersion::Exactly(1), {Event("B")}),
                       [&](Result<AppendResult> r) { failed.set_value(std::move(r)); });
    auto refused = failed.get_future().get();
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == ErrorCode::kUnavailable);
    CHECK(store->failed());

    faults->Arm(FileFaults::Fault::kNone);
    store->AppendAsync(Write("s2", ExpectedVersion::Any(), {Event("C")}),
                       [&](Result<AppendResult> r) { later.set_value(std::move(r)); });
    auto stopped = later.get_future().get();
    REQUIRE_FALSE(stopped);
    CHECK(stopped.error().code == ErrorCode::kUnavailable);
    CHECK(store->Head().position == 1);
  }
  auto reopened = std::move(OpenRocksDbEventStore(options).value());
  CHECK(reopened->Head().position == 1);
  CHECK(reopened->StreamVersion("s1").value() == 1);
  CHECK(reopened->Verify().value().ok);
}

TEST_CASE("Synced concurrent appends commit every position once", "[rocksdb][threads]") {
  StoreUnderTest store("rocksdb", /*sync=*/true);
  constexpr int kThreads = 8;
  constexpr int kAppends = 100;
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kAppends; ++i) {
        if (!store->Append(
                Write("s-" + std::to_string((t + i) % 5), ExpectedVersion::Any(), {Event("E")}))) {
          ++errors;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(errors == 0);
  CHECK(store->Head().position == kThreads * kAppends);
  store.Reopen();
  CHECK(store->Head().position == kThreads * kAppends);
  auto report = store->Verify().value();
  CHECK(report.ok);
  CHECK(report.head.position == kThreads * kAppends);
}

// The first batch's sync waits until every writer has started, so that the others queue behind it
// and are likely to commit as one group. Whether or not they do, the results must be the same.
TEST_CASE("Writers queued behind a batch commit with their own results", "[rocksdb][threads]") {
  TempDir dir;
  constexpr int kThreads = 12;
  std::atomic<int> started{0};
  auto faults = std::make_shared<FileFaults>();
  auto store = std::move(
      OpenRocksDbEventStoreWithFaults(RocksDbOptions{dir.path(), true, nullptr, {}}, faults)
          .value());
  faults->CloseSyncGate();
  const AppendRequest keyed =
      WithKey(Write("keyed", ExpectedVersion::Any(), {Event("K")}), "same-key", "f");
  std::vector<Result<AppendResult>> results(kThreads);
  bool opener_ok = false;  // read after join
  std::thread opener([&] {
    ++started;
    opener_ok = store->Append(Write("opener", ExpectedVersion::Any(), {Event("O")})).has_value();
  });
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      ++started;
      switch (t % 3) {
        case 0:  // all with one key: exactly one appends
          results[t] = store->Append(keyed);
          break;
        case 1:  // each on its own new stream: all succeed
          results[t] = store->Append(
              Write("own-" + std::to_string(t), ExpectedVersion::NoStream(), {Event("A")}));
          break;
        default:  // a version never reached: each fails alone
          results[t] = store->Append(Write("opener", ExpectedVersion::Exactly(99), {Event("X")}));
      }
    });
  }
  // Every writer has started, and the first batch's sync is held: let it go.
  while (started.load() < kThreads + 1) std::this_thread::yield();
  CHECK(faults->AwaitSyncsWaiting(1, std::chrono::seconds(10)));
  faults->OpenSyncGate();
  opener.join();
  for (auto& t : threads) t.join();
  REQUIRE(opener_ok);

  int keyed_appended = 0;
  for (int t = 0; t < kThreads; ++t) {
    INFO("writer " << t);
    if (t % 3 == 2) {
      REQUIRE_FALSE(results[t]);
      CHECK(results[t].error().code == ErrorCode::kVersionConflict);
      continue;
    }
    REQUIRE(results[t]);
    if (t % 3 == 0 && !results[t]->replayed) ++keyed_appended;
  }
  CHECK(keyed_appended == 1);
  CHECK(store->Head().position == 1 + 1 + kThreads / 3);
  CHECK(store->Verify().value().ok);
}

TEST_CASE("Derived state survives reopen but is not part of the log", "[rocksdb][state]") {
  StoreUnderTest store("rocksdb");
  StateStore::Batch write;
  write.puts = {{"view/a", "1"}};
  REQUIRE(store->state().Write(write));
  store.Reopen();
  CHECK(store->state().Read("view/a").value() == std::optional<std::string>("1"));
  CHECK(store->Head().position == 0);
  CHECK(store->Verify().value().ok);
}

}  // namespace
}  // namespace dialogue::engine
