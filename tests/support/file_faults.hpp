// FileFaults: a test double (dialogue::testing; production never links it) that makes RocksDB's
// own writes to the write-ahead log fail, beneath the store (OpenRocksDbEventStoreWithFaults:
// an Env passed in RocksDbOptions::env). The store sees the failure exactly as it would see
// a failing disk: from rocksdb::DB::Write. It also models a power cut (CopyDurable).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "engine/event_store.hpp"

namespace dialogue::engine {

// Thread-safe: a test arms and disarms it while the store's threads write.
class FileFaults {
 public:
  enum class Fault {
    kNone,
    kFailLogAppend,  // an append to the write-ahead log fails and writes nothing
    kTornLogAppend,  // an append to the write-ahead log writes half of its bytes, then fails
    kFailLogSync,    // appends go through; syncing the write-ahead log fails
  };

  // From now on, every write-ahead log operation the fault names fails, until Arm(kNone).
  void Arm(Fault fault) { fault_.store(fault); }
  Fault armed() const { return fault_.load(); }

  // How many operations failed because of this object.
  uint64_t injected() const { return injected_.load(); }
  void CountInjected() { injected_.fetch_add(1); }

  // Power loss. The file system remembers, for every file it writes, how many bytes had been
  // written when it was last synced (Sync or Fsync; not RangeSync, which syncs no metadata).
  // CopyDurable copies the store at `from` to the empty or missing folder `to` as a power cut at
  // that instant would leave it, the way RocksDB's and SQLite's test file systems model one:
  // each file this file system wrote keeps only its synced bytes, a file it never synced is
  // absent, files it did not write are copied whole. Directory syncs are not modelled (a
  // created, synced file survives): the model is the page cache lost, not the disk's ordering.
  // Renames and deletes are applied to the record; the store may keep running meanwhile.
  Status CopyDurable(const std::string& from, const std::string& to);

  // A gate on the write-ahead log's syncs, to hold a sync in flight. While the gate is closed a
  // sync waits for a permit (one per sync) or for the gate to open. Open at first.
  void CloseSyncGate();
  void PermitSyncs(int n);
  void OpenSyncGate();
  // Waits until `n` syncs wait at the gate, at most `timeout`; false on timeout.
  bool AwaitSyncsWaiting(int n, std::chrono::milliseconds timeout);
  void PassSyncGate();  // called by the file system before each log sync

  // Called by the file system (tests/support/fault_file_system.cpp). It creates, renames and
  // deletes files holding LockFiles(), and records each change before it lets go, so that a copy
  // never sees a file it has no record of.
  std::unique_lock<std::mutex> LockFiles() { return std::unique_lock(files_mu_); }
  void RecordSync(const std::string& path, uint64_t bytes);  // takes the lock itself
  // REQUIRES: LockFiles() held.
  void RecordCreated(const std::string& path);
  void RecordRename(const std::string& from, const std::string& to);
  void RecordDelete(const std::string& path);

 private:
  std::atomic<Fault> fault_{Fault::kNone};
  std::atomic<uint64_t> injected_{0};
  // Files written through the file system: their synced length, -1 never synced. Guarded by
  // files_mu_, which CopyDurable holds throughout, so that no sync, rename or delete is recorded
  // half-way through a copy.
  std::mutex files_mu_;
  std::map<std::string, int64_t> synced_;

  std::mutex gate_mu_;
  std::condition_variable gate_cv_;
  bool gate_closed_ = false;  // guarded by gate_mu_
  int permits_ = 0;           // guarded by gate_mu_
  int waiting_ = 0;           // guarded by gate_mu_
};

// OpenRocksDbEventStore, over a file system whose write-ahead log obeys faults.
[[nodiscard]] Result<std::unique_ptr<EventStore>> OpenRocksDbEventStoreWithFaults(
    const RocksDbOptions& options, std::shared_ptr<FileFaults> faults);

}  // namespace dialogue::engine
