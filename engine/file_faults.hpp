// FileFaults: a test seam that makes RocksDB's own writes to the write-ahead log fail, beneath
// the store (OpenRocksDbEventStoreWithFaults). The store sees the failure exactly as it would see
// a failing disk: from rocksdb::DB::Write.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

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

 private:
  std::atomic<Fault> fault_{Fault::kNone};
  std::atomic<uint64_t> injected_{0};
};

// OpenRocksDbEventStore, over a file system whose write-ahead log obeys faults.
[[nodiscard]] Result<std::unique_ptr<EventStore>> OpenRocksDbEventStoreWithFaults(
    const RocksDbOptions& options, std::shared_ptr<FileFaults> faults);

}  // namespace dialogue::engine
