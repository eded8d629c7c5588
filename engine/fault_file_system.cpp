// A rocksdb::FileSystemWrapper whose write-ahead log files fail on demand (FileFaults).
#include "engine/fault_file_system.hpp"

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <string>
#include <utility>

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

class FaultWritableFile final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FaultWritableFile(std::unique_ptr<rocksdb::FSWritableFile> file,
                    std::shared_ptr<FileFaults> faults)
      : FSWritableFileOwnerWrapper(std::move(file)), faults_(std::move(faults)) {}

  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) override {
    switch (faults_->armed()) {
      case Fault::kFailLogAppend:
        return Injected(*faults_, "append to the write-ahead log");
      case Fault::kTornLogAppend: {
        // Half of the bytes reach the file: a torn record, as a crash in mid-write leaves.
        rocksdb::IOStatus s =
            target()->Append(rocksdb::Slice(data.data(), data.size() / 2), options, dbg);
        s.PermitUncheckedError();
        return Injected(*faults_, "torn append to the write-ahead log");
      }
      case Fault::kNone:
      case Fault::kFailLogSync:
        break;
    }
    return target()->Append(data, options, dbg);
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           const rocksdb::DataVerificationInfo& /*verification_info*/,
                           rocksdb::IODebugContext* dbg) override {
    return Append(data, options, dbg);
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset,
                                     const rocksdb::IOOptions& options,
                                     rocksdb::IODebugContext* dbg) override {
    if (faults_->armed() == Fault::kFailLogAppend || faults_->armed() == Fault::kTornLogAppend) {
      return Injected(*faults_, "positioned append to the write-ahead log");
    }
    return target()->PositionedAppend(data, offset, options, dbg);
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset,
                                     const rocksdb::IOOptions& options,
                                     const rocksdb::DataVerificationInfo& /*verification_info*/,
                                     rocksdb::IODebugContext* dbg) override {
    return PositionedAppend(data, offset, options, dbg);
  }
  rocksdb::IOStatus Sync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override {
    if (faults_->armed() == Fault::kFailLogSync) return Injected(*faults_, "sync");
    return target()->Sync(options, dbg);
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                          rocksdb::IODebugContext* dbg) override {
    if (faults_->armed() == Fault::kFailLogSync) return Injected(*faults_, "fsync");
    return target()->Fsync(options, dbg);
  }
  rocksdb::IOStatus RangeSync(uint64_t offset, uint64_t nbytes, const rocksdb::IOOptions& options,
                              rocksdb::IODebugContext* dbg) override {
    if (faults_->armed() == Fault::kFailLogSync) return Injected(*faults_, "range sync");
    return target()->RangeSync(offset, nbytes, options, dbg);
  }

 private:
  std::shared_ptr<FileFaults> faults_;
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
    return Wrap(name, target()->NewWritableFile(name, options, result, dbg), result);
  }
  rocksdb::IOStatus ReopenWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                       std::unique_ptr<rocksdb::FSWritableFile>* result,
                                       rocksdb::IODebugContext* dbg) override {
    return Wrap(name, target()->ReopenWritableFile(name, options, result, dbg), result);
  }
  rocksdb::IOStatus ReuseWritableFile(const std::string& name, const std::string& old_name,
                                      const rocksdb::FileOptions& options,
                                      std::unique_ptr<rocksdb::FSWritableFile>* result,
                                      rocksdb::IODebugContext* dbg) override {
    return Wrap(name, target()->ReuseWritableFile(name, old_name, options, result, dbg), result);
  }

 private:
  rocksdb::IOStatus Wrap(const std::string& name, rocksdb::IOStatus opened,
                         std::unique_ptr<rocksdb::FSWritableFile>* result) {
    if (opened.ok() && IsWriteAheadLog(name)) {
      *result = std::make_unique<FaultWritableFile>(std::move(*result), faults_);
    }
    return opened;
  }

  std::shared_ptr<FileFaults> faults_;
};

}  // namespace

std::unique_ptr<rocksdb::Env> NewFaultInjectingEnv(std::shared_ptr<FileFaults> faults) {
  return rocksdb::NewCompositeEnv(
      std::make_shared<FaultFileSystem>(rocksdb::FileSystem::Default(), std::move(faults)));
}

}  // namespace dialogue::engine
