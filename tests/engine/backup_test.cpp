// Online backups (engine/backup.hpp): taken while the store is written, restored, verified; an
// interrupted backup is never taken for a complete one.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "engine/backup.hpp"
#include "tests/engine/test_support.hpp"

namespace dialogue::engine {
namespace {

using testing::Event;
using testing::StoreUnderTest;
using testing::T;
using testing::TempDir;
using testing::Write;

namespace fs = std::filesystem;

void AppendEvents(EventStore& store, const std::string& stream, int count) {
  for (int i = 0; i < count; ++i) {
    REQUIRE(store.Append(Write(stream, ExpectedVersion::Any(), {Event("Noted")})));
  }
}

// Opens a restored store and checks its whole chain.
LedgerHead VerifiedHead(const std::string& path) {
  RocksDbOptions options;
  options.path = path;
  auto store = OpenRocksDbEventStore(options);
  REQUIRE(store);
  auto report = (*store)->Verify();
  REQUIRE(report);
  CHECK(report->ok);
  return (*store)->Head();
}

TEST_CASE("A backup of a store restores to the same log", "[backup]") {
  StoreUnderTest store("rocksdb");
  AppendEvents(*store, "s-1", 40);
  const LedgerHead head = store->Head();
  TempDir dir;
  const std::string backup = dir.Path("backup-1");

  auto made = CreateBackup(store.path(), backup, T("2026-12-06T10:00:00Z"));
  REQUIRE(made);
  CHECK(made->head_position == head.position);
  CHECK(made->head_hash == head.hash);
  CHECK(made->created_at == "2026-12-06T10:00:00Z");
  CHECK_FALSE(fs::exists(backup + ".partial"));
  auto read = ReadBackup(backup);
  REQUIRE(read);
  CHECK(read->head_position == head.position);

  const std::string restored = dir.Path("restored");
  auto done = RestoreBackup(backup, restored);
  REQUIRE(done);
  const LedgerHead again = VerifiedHead(restored);
  CHECK(again.position == head.position);
  CHECK(again.hash == head.hash);

  SECTION("refusals: a backup folder or a data folder that holds anything") {
    CHECK(CreateBackup(store.path(), backup, T("2026-12-06T10:00:00Z")).error().code ==
          ErrorCode::kAlreadyExists);
    CHECK(RestoreBackup(backup, restored).error().code == ErrorCode::kAlreadyExists);
    CHECK(
        CreateBackup(dir.Path("nothing"), dir.Path("b2"), T("2026-12-06T10:00:00Z")).error().code ==
        ErrorCode::kNotFound);
  }
  SECTION("a newer backup format is refused with a message saying so") {
    fs::remove(fs::path(backup) / kBackupManifest);
    std::ofstream(fs::path(backup) / kBackupManifest)
        << R"({"backup_format":9,"head_position":40,"head_hash":"x","created_at":"y"})";
    auto refused = ReadBackup(backup);
    REQUIRE_FALSE(refused);
    CHECK_THAT(refused.error().message, Catch::Contains("newer"));
  }
}

TEST_CASE("An interrupted backup is never restored", "[backup]") {
  StoreUnderTest store("rocksdb");
  AppendEvents(*store, "s-1", 5);
  TempDir dir;
  const std::string backup = dir.Path("backup-1");
  // What a backup killed before its last step leaves: the copy, without its manifest, beside
  // the folder it was to become (or even in its place).
  REQUIRE(CreateBackup(store.path(), dir.Path("whole"), T("2026-12-06T10:00:00Z")));
  fs::create_directories(backup + ".partial");
  fs::copy(dir.Path("whole") + "/store", backup + ".partial/store", fs::copy_options::recursive);
  CHECK(ReadBackup(backup).error().code == ErrorCode::kNotFound);
  CHECK(RestoreBackup(backup, dir.Path("r1")).error().code == ErrorCode::kNotFound);
  fs::create_directories(backup);
  fs::copy(dir.Path("whole") + "/store", backup + "/store", fs::copy_options::recursive);
  CHECK(ReadBackup(backup).error().code == ErrorCode::kNotFound);
  CHECK_FALSE(fs::exists(dir.Path("r1")));
  // The next backup to the same place clears what was left and completes.
  fs::remove_all(backup);
  REQUIRE(CreateBackup(store.path(), backup, T("2026-12-06T10:00:00Z")));
  CHECK_FALSE(fs::exists(backup + ".partial"));
  REQUIRE(RestoreBackup(backup, dir.Path("r2")));
}

// Backups every 200 ms while 8 writers append (the short form: six of them): each restored store
// verifies, holds every event acknowledged before its backup began, and is a prefix of the live
// log.
TEST_CASE("Backups taken under 8 writers restore to a verified prefix of the live log",
          "[backup][concurrent]") {
  StoreUnderTest store("rocksdb");
  TempDir dir;
  constexpr int kWriters = 8;
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> acknowledged{0};  // the highest position acknowledged so far
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      while (!stop) {
        auto appended = store->Append(
            Write("writer-" + std::to_string(w), ExpectedVersion::Any(), {Event("Noted")}));
        if (!appended) return;
        uint64_t seen = acknowledged;
        while (appended->last_position > seen &&
               !acknowledged.compare_exchange_weak(seen, appended->last_position)) {
        }
      }
    });
  }
  struct Taken {
    uint64_t acknowledged_before = 0;
    BackupInfo info;
  };
  std::vector<Taken> taken;
  for (int i = 0; i < 6; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    Taken t;
    t.acknowledged_before = acknowledged;
    auto made =
        CreateBackup(store.path(), dir.Path("b" + std::to_string(i)), T("2026-12-06T10:00:00Z"));
    REQUIRE(made);
    t.info = *made;
    taken.push_back(t);
  }
  stop = true;
  for (auto& writer : writers) writer.join();

  for (size_t i = 0; i < taken.size(); ++i) {
    const Taken& t = taken[i];
    INFO("backup " << i << " head " << t.info.head_position << ", acknowledged before "
                   << t.acknowledged_before);
    CHECK(t.info.head_position >= t.acknowledged_before);
    const std::string restored = dir.Path("r" + std::to_string(i));
    REQUIRE(RestoreBackup(t.info.path, restored));
    const LedgerHead head = VerifiedHead(restored);
    CHECK(head.position == t.info.head_position);
    // A prefix of the live log: the live event at its head has its hash (the chain covers the
    // rest).
    if (head.position > 0) {
      auto live = store->ReadAll(head.position - 1, 1);
      REQUIRE(live);
      REQUIRE(live->size() == 1);
      CHECK(live->front().hash == head.hash);
    }
  }
}

}  // namespace
}  // namespace dialogue::engine
