#include "engine/log_sync_watch.hpp"

#include <utility>

namespace dialogue::engine {
namespace {

// The syncing thread's callback, set by OnSyncStart.
thread_local std::function<void()>* t_on_sync_start = nullptr;

// RocksDB names its write-ahead logs <number>.log; its info log is "LOG".
bool IsWriteAheadLog(const std::string& name) {
  return name.size() > 4 && name.compare(name.size() - 4, 4, ".log") == 0;
}

void SyncStarting() {
  if (t_on_sync_start != nullptr) (*t_on_sync_start)();
}

class WatchedLog final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  explicit WatchedLog(std::unique_ptr<rocksdb::FSWritableFile> file)
      : FSWritableFileOwnerWrapper(std::move(file)) {}

  rocksdb::IOStatus Sync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override {
    SyncStarting();
    return target()->Sync(options, dbg);
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                          rocksdb::IODebugContext* dbg) override {
    SyncStarting();
    return target()->Fsync(options, dbg);
  }
};

}  // namespace

LogSyncWatch::OnSyncStart::OnSyncStart(std::function<void()> starting)
    : starting_(std::move(starting)) {
  t_on_sync_start = &starting_;
}

LogSyncWatch::OnSyncStart::~OnSyncStart() { t_on_sync_start = nullptr; }

rocksdb::IOStatus LogSyncWatch::NewWritableFile(const std::string& name,
                                                const rocksdb::FileOptions& options,
                                                std::unique_ptr<rocksdb::FSWritableFile>* result,
                                                rocksdb::IODebugContext* dbg) {
  return Watch(name, target()->NewWritableFile(name, options, result, dbg), result, true);
}

rocksdb::IOStatus LogSyncWatch::ReopenWritableFile(const std::string& name,
                                                   const rocksdb::FileOptions& options,
                                                   std::unique_ptr<rocksdb::FSWritableFile>* result,
                                                   rocksdb::IODebugContext* dbg) {
  return Watch(name, target()->ReopenWritableFile(name, options, result, dbg), result, false);
}

rocksdb::IOStatus LogSyncWatch::ReuseWritableFile(const std::string& name,
                                                  const std::string& old_name,
                                                  const rocksdb::FileOptions& options,
                                                  std::unique_ptr<rocksdb::FSWritableFile>* result,
                                                  rocksdb::IODebugContext* dbg) {
  return Watch(name, target()->ReuseWritableFile(name, old_name, options, result, dbg), result,
               true);
}

rocksdb::IOStatus LogSyncWatch::Watch(const std::string& name, rocksdb::IOStatus opened,
                                      std::unique_ptr<rocksdb::FSWritableFile>* result,
                                      bool created) {
  if (!opened.ok() || !IsWriteAheadLog(name)) return opened;
  // Counted before the file is handed to RocksDB, hence before any write can go to it.
  if (created) logs_created_.fetch_add(1, std::memory_order_acq_rel);
  *result = std::make_unique<WatchedLog>(std::move(*result));
  return opened;
}

}  // namespace dialogue::engine
