// A rocksdb::FileSystemWrapper whose write-ahead log files fail on demand, and which records what
// of every file it writes was synced (FileFaults).
#include "tests/support/file_faults.hpp"

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

namespace dialogue::engine {
namespace {

using Fault = FileFaults::Fault;

bool IsWriteAheadLog(const std::string& name) {
  return name.size() > 4 && name.compare(name.size() - 4, 4, ".log") == 0;
}

rocksdb::IOStatus Injected(FileFaults& faults, const char* what) {
  faults.CountInjected();
  return rocksdb::IOStatus::IOError(std::string("injected fault: ") + what);
}

std::string Normal(const std::string& path) {
  return std::filesystem::path(path).lexically_normal().string();
}

// Every file the store writes: a write-ahead log obeys the armed fault; every file counts the
// bytes written and tells FileFaults how many a sync made durable.
class FaultWritableFile final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FaultWritableFile(std::unique_ptr<rocksdb::FSWritableFile> file,
                    std::shared_ptr<FileFaults> faults, std::string path, bool log,
                    uint64_t written)
      : FSWritableFileOwnerWrapper(std::move(file)),
        faults_(std::move(faults)),
        path_(std::move(path)),
        log_(log),
        written_(written) {}

  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = AppendOrFault(data, options, dbg);
    if (s.ok()) written_ += data.size();
    return s;
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           const rocksdb::DataVerificationInfo& /*verification_info*/,
                           rocksdb::IODebugContext* dbg) override {
    return Append(data, options, dbg);
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset,
                                     const rocksdb::IOOptions& options,
                                     rocksdb::IODebugContext* dbg) override {
    if (log_ &&
        (faults_->armed() == Fault::kFailLogAppend || faults_->armed() == Fault::kTornLogAppend)) {
      return Injected(*faults_, "positioned append to the write-ahead log");
    }
    rocksdb::IOStatus s = target()->PositionedAppend(data, offset, options, dbg);
    if (s.ok()) written_ = std::max<uint64_t>(written_, offset + data.size());
    return s;
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset,
                                     const rocksdb::IOOptions& options,
                                     const rocksdb::DataVerificationInfo& /*verification_info*/,
                                     rocksdb::IODebugContext* dbg) override {
    return PositionedAppend(data, offset, options, dbg);
  }
  rocksdb::IOStatus Sync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override {
    if (log_) faults_->PassSyncGate();
    if (log_ && faults_->armed() == Fault::kFailLogSync) return Injected(*faults_, "sync");
    const uint64_t written = written_;  // what this sync covers: it began after these bytes
    rocksdb::IOStatus s = target()->Sync(options, dbg);
    if (s.ok()) faults_->RecordSync(path_, written);
    return s;
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                          rocksdb::IODebugContext* dbg) override {
    if (log_) faults_->PassSyncGate();
    if (log_ && faults_->armed() == Fault::kFailLogSync) return Injected(*faults_, "fsync");
    const uint64_t written = written_;
    rocksdb::IOStatus s = target()->Fsync(options, dbg);
    if (s.ok()) faults_->RecordSync(path_, written);
    return s;
  }
  rocksdb::IOStatus RangeSync(uint64_t offset, uint64_t nbytes, const rocksdb::IOOptions& options,
                              rocksdb::IODebugContext* dbg) override {
    if (log_ && faults_->armed() == Fault::kFailLogSync) return Injected(*faults_, "range sync");
    return target()->RangeSync(offset, nbytes, options, dbg);
  }

 private:
  // The append, or the armed fault instead when this is a log.
  rocksdb::IOStatus AppendOrFault(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                                  rocksdb::IODebugContext* dbg) {
    switch (log_ ? faults_->armed() : Fault::kNone) {
      case Fault::kFailLogAppend:
        return Injected(*faults_, "append to the write-ahead log");
      case Fault::kTornLogAppend: {
        // Half of the bytes reach the file: a torn record, as a crash in mid-write leaves.
        rocksdb::IOStatus s =
            target()->Append(rocksdb::Slice(data.data(), data.size() / 2), options, dbg);
        if (s.ok()) written_ += data.size() / 2;
        return Injected(*faults_, "torn append to the write-ahead log");
      }
      case Fault::kNone:
      case Fault::kFailLogSync:
        break;
    }
    return target()->Append(data, options, dbg);
  }

  std::shared_ptr<FileFaults> faults_;
  const std::string path_;
  const bool log_;
  // Bytes written so far. RocksDB's WritableFileWriter serialises its calls on one file, and a
  // sync may run beside an append only for a log (SyncWAL): then the append's bytes are either
  // counted before the sync began or not covered by it, which the atomic keeps apart.
  std::atomic<uint64_t> written_;
};

class FaultFileSystem final : public rocksdb::FileSystemWrapper {
 public:
  FaultFileSystem(const std::shared_ptr<rocksdb::FileSystem>& target,
                  std::shared_ptr<FileFaults> faults)
      : FileSystemWrapper(target), faults_(std::move(faults)) {}

  static const char* kClassName() { return "DialogueFaultFileSystem"; }
  const char* Name() const override { return kClassName(); }

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override {
    auto lock = faults_->LockFiles();
    return Wrap(name, target()->NewWritableFile(name, options, result, dbg), result);
  }
  rocksdb::IOStatus ReopenWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                       std::unique_ptr<rocksdb::FSWritableFile>* result,
                                       rocksdb::IODebugContext* dbg) override {
    auto lock = faults_->LockFiles();
    return Wrap(name, target()->ReopenWritableFile(name, options, result, dbg), result,
                /*fresh=*/false);
  }
  rocksdb::IOStatus ReuseWritableFile(const std::string& name, const std::string& old_name,
                                      const rocksdb::FileOptions& options,
                                      std::unique_ptr<rocksdb::FSWritableFile>* result,
                                      rocksdb::IODebugContext* dbg) override {
    auto lock = faults_->LockFiles();
    return Wrap(name, target()->ReuseWritableFile(name, old_name, options, result, dbg), result);
  }
  rocksdb::IOStatus RenameFile(const std::string& from, const std::string& to,
                               const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override {
    auto lock = faults_->LockFiles();
    rocksdb::IOStatus s = target()->RenameFile(from, to, options, dbg);
    if (s.ok()) faults_->RecordRename(from, to);
    return s;
  }
  rocksdb::IOStatus DeleteFile(const std::string& name, const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override {
    auto lock = faults_->LockFiles();
    rocksdb::IOStatus s = target()->DeleteFile(name, options, dbg);
    if (s.ok()) faults_->RecordDelete(name);
    return s;
  }

 private:
  // A new file starts empty and unsynced; a reopened one with what it holds, counted as synced
  // unless this file system wrote it. REQUIRES: LockFiles() held.
  rocksdb::IOStatus Wrap(const std::string& name, rocksdb::IOStatus opened,
                         std::unique_ptr<rocksdb::FSWritableFile>* result, bool fresh = true) {
    if (!opened.ok()) return opened;
    uint64_t size = 0;
    if (fresh) {
      faults_->RecordCreated(name);
    } else {
      size = (*result)->GetFileSize(rocksdb::IOOptions(), nullptr);
    }
    *result = std::make_unique<FaultWritableFile>(std::move(*result), faults_, name,
                                                  IsWriteAheadLog(name), size);
    return opened;
  }

  std::shared_ptr<FileFaults> faults_;
};

}  // namespace

void FileFaults::CloseSyncGate() {
  std::lock_guard lock(gate_mu_);
  gate_closed_ = true;
  permits_ = 0;
}

void FileFaults::PermitSyncs(int n) {
  {
    std::lock_guard lock(gate_mu_);
    permits_ += n;
  }
  gate_cv_.notify_all();
}

void FileFaults::OpenSyncGate() {
  {
    std::lock_guard lock(gate_mu_);
    gate_closed_ = false;
  }
  gate_cv_.notify_all();
}

bool FileFaults::AwaitSyncsWaiting(int n, std::chrono::milliseconds timeout) {
  std::unique_lock lock(gate_mu_);
  return gate_cv_.wait_for(lock, timeout, [&] { return waiting_ >= n; });
}

void FileFaults::PassSyncGate() {
  std::unique_lock lock(gate_mu_);
  ++waiting_;
  gate_cv_.notify_all();
  gate_cv_.wait(lock, [this] { return !gate_closed_ || permits_ > 0; });
  if (gate_closed_) --permits_;
  --waiting_;
  gate_cv_.notify_all();
}

void FileFaults::RecordSync(const std::string& path, uint64_t bytes) {
  std::lock_guard lock(files_mu_);
  int64_t& synced = synced_[Normal(path)];
  synced = std::max(synced, static_cast<int64_t>(bytes));
}

void FileFaults::RecordCreated(const std::string& path) {
  synced_.insert_or_assign(Normal(path), -1);
}

void FileFaults::RecordRename(const std::string& from, const std::string& to) {
  auto it = synced_.find(Normal(from));
  if (it == synced_.end()) {
    synced_.erase(Normal(to));  // a file written before: the renamed one is whole
    return;
  }
  const int64_t synced = it->second;
  synced_.erase(it);
  synced_.insert_or_assign(Normal(to), synced);
}

void FileFaults::RecordDelete(const std::string& path) { synced_.erase(Normal(path)); }

Status FileFaults::CopyDurable(const std::string& from, const std::string& to) {
  namespace fs = std::filesystem;
  std::lock_guard lock(files_mu_);
  std::error_code ec;
  fs::create_directories(to, ec);
  if (ec) return Fail(Error::IOError("cannot create " + to + ": " + ec.message()));
  std::vector<char> buffer;
  for (const fs::directory_entry& entry : fs::directory_iterator(from, ec)) {
    if (!entry.is_regular_file() || entry.path().filename() == "LOCK") continue;
    const uint64_t size = entry.file_size();
    uint64_t keep = size;
    if (auto it = synced_.find(Normal(entry.path().string())); it != synced_.end()) {
      if (it->second < 0) continue;  // never synced: gone with the power
      keep = std::min<uint64_t>(size, static_cast<uint64_t>(it->second));
    }
    std::ifstream in(entry.path(), std::ios::binary);
    std::ofstream out(fs::path(to) / entry.path().filename(), std::ios::binary | std::ios::trunc);
    buffer.resize(keep);
    in.read(buffer.data(), static_cast<std::streamsize>(keep));
    out.write(buffer.data(), in.gcount());
    if (!in || !out) return Fail(Error::IOError("cannot copy " + entry.path().string()));
  }
  if (ec) return Fail(Error::IOError("cannot list " + from + ": " + ec.message()));
  return {};
}

Result<std::unique_ptr<EventStore>> OpenRocksDbEventStoreWithFaults(
    const RocksDbOptions& options, std::shared_ptr<FileFaults> faults) {
  RocksDbOptions with_faults = options;
  with_faults.env = rocksdb::NewCompositeEnv(
      std::make_shared<FaultFileSystem>(rocksdb::FileSystem::Default(), std::move(faults)));
  return OpenRocksDbEventStore(with_faults);
}

}  // namespace dialogue::engine
