// LogSyncWatch: a RocksDB FileSystem wrapper that the RocksDB store puts beneath its database, to
// learn two things about the write-ahead log that RocksDB does not tell: how many log files it
// has created, and the instant a sync of a log reaches the file, on the thread that syncs it.
//
// Why: RocksDB (Debian's build keeps its assertions) aborts when DB::SyncWAL meets a log whose
// append has failed. The store's syncer therefore lets no log write run from the moment it
// checks for a failed write until SyncWAL has checked the log itself, which it does just before
// the file's sync; the rest of the sync then overlaps the next writes. docs/storage.md,
// "Pipelined commit".
#pragma once

#include <rocksdb/file_system.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace dialogue::engine {

class LogSyncWatch final : public rocksdb::FileSystemWrapper {
 public:
  explicit LogSyncWatch(const std::shared_ptr<rocksdb::FileSystem>& target)
      : FileSystemWrapper(target) {}

  static const char* kClassName() { return "DialogueLogSyncWatch"; }
  const char* Name() const override { return kClassName(); }

  // Write-ahead log files created (or recycled) so far.
  uint64_t logs_created() const { return logs_created_.load(std::memory_order_acquire); }

  // While alive, a sync (Sync or Fsync) of a write-ahead log file on the constructing thread
  // first calls `starting`. Other threads' syncs are not seen. Not nestable.
  class OnSyncStart {
   public:
    explicit OnSyncStart(std::function<void()> starting);
    ~OnSyncStart();
    OnSyncStart(const OnSyncStart&) = delete;
    OnSyncStart& operator=(const OnSyncStart&) = delete;

   private:
    std::function<void()> starting_;
  };

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReopenWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                       std::unique_ptr<rocksdb::FSWritableFile>* result,
                                       rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReuseWritableFile(const std::string& name, const std::string& old_name,
                                      const rocksdb::FileOptions& options,
                                      std::unique_ptr<rocksdb::FSWritableFile>* result,
                                      rocksdb::IODebugContext* dbg) override;

 private:
  rocksdb::IOStatus Watch(const std::string& name, rocksdb::IOStatus opened,
                          std::unique_ptr<rocksdb::FSWritableFile>* result, bool created);

  std::atomic<uint64_t> logs_created_{0};
};

}  // namespace dialogue::engine
