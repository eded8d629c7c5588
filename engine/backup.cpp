#include "engine/backup.hpp"

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/utilities/checkpoint.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <system_error>
#include <vector>

#include "engine/durable_file.hpp"
#include "engine/event_store.hpp"
#include "engine/time.hpp"

namespace dialogue::engine {
namespace {

namespace fs = std::filesystem;

constexpr int kBackupFormat = 1;
constexpr char kStoreFolder[] = "store";

Error FromRocks(const std::string& what, const rocksdb::Status& s) {
  return Error::IOError(what + ": " + s.ToString());
}

// Absent, or an empty folder.
Status RequireEmpty(const std::string& path, const std::string& what) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return {};
  if (!fs::is_directory(path, ec) || !fs::is_empty(path, ec)) {
    return Fail(Error::AlreadyExists(what + " " + path + " is not empty: refusing to write there"));
  }
  return {};
}

// Reads the store as a secondary instance and writes a checkpoint of it at `checkpoint` (which
// must not exist). `scratch` holds the secondary's own files.
Status CheckpointOf(const std::string& data_dir, const std::string& scratch,
                    const std::string& checkpoint) {
  rocksdb::Options options;
  options.max_open_files = -1;  // a secondary keeps every table open: the primary may delete them
  std::vector<std::string> names;
  rocksdb::Status s = rocksdb::DB::ListColumnFamilies(options, data_dir, &names);
  if (!s.ok()) return Fail(FromRocks("cannot read the store at " + data_dir, s));
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const auto& name : names) families.emplace_back(name, rocksdb::ColumnFamilyOptions(options));
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  s = rocksdb::DB::OpenAsSecondary(options, data_dir, scratch, families, &handles, &raw);
  if (!s.ok()) return Fail(FromRocks("cannot open the store at " + data_dir + " to copy it", s));
  std::unique_ptr<rocksdb::DB> db(raw);
  const auto close = [&] {
    for (auto* handle : handles) db->DestroyColumnFamilyHandle(handle);
    db.reset();
  };
  s = db->TryCatchUpWithPrimary();
  rocksdb::Checkpoint* raw_checkpoint = nullptr;
  if (s.ok()) s = rocksdb::Checkpoint::Create(db.get(), &raw_checkpoint);
  std::unique_ptr<rocksdb::Checkpoint> maker(raw_checkpoint);
  // A secondary cannot flush: the checkpoint copies the write-ahead logs instead (a record being
  // written as they are copied is cut off when the copy is opened, as after a crash; every
  // acknowledged event was synced before).
  if (s.ok()) s = maker->CreateCheckpoint(checkpoint, std::numeric_limits<uint64_t>::max());
  maker.reset();
  close();
  if (!s.ok()) return Fail(FromRocks("cannot copy the store at " + data_dir, s));
  return {};
}

// The head of the store at `path`, opened (which also proves it opens).
Result<LedgerHead> HeadOf(const std::string& path) {
  RocksDbOptions options;
  options.path = path;
  ASSIGN_OR_RETURN(std::unique_ptr<EventStore> store, OpenRocksDbEventStore(options));
  return store->Head();
}

std::string ManifestText(const BackupInfo& info) {
  nlohmann::json manifest = {{"backup_format", kBackupFormat},
                             {"head_position", info.head_position},
                             {"head_hash", info.head_hash},
                             {"created_at", info.created_at}};
  return manifest.dump() + "\n";
}

// Copies every file of `from` into the new folder `to`, each synced, then the folder.
Status CopyFolder(const std::string& from, const std::string& to) {
  std::error_code ec;
  fs::create_directories(to, ec);
  if (ec) return Fail(Error::IOError("cannot create " + to + ": " + ec.message()));
  for (const auto& entry : fs::directory_iterator(from, ec)) {
    if (!entry.is_regular_file()) continue;
    const std::string target = (fs::path(to) / entry.path().filename()).string();
    fs::copy_file(entry.path(), target, fs::copy_options::none, ec);
    if (ec) {
      return Fail(Error::IOError("cannot copy " + entry.path().string() + ": " + ec.message()));
    }
    RETURN_IF_ERROR(SyncFile(target));
  }
  if (ec) return Fail(Error::IOError("cannot list " + from + ": " + ec.message()));
  return SyncFolder(to);
}

}  // namespace

Result<BackupInfo> CreateBackup(const std::string& data_dir, const std::string& to, TimePoint now) {
  std::error_code ec;
  if (!fs::is_directory(data_dir, ec) || !fs::exists(fs::path(data_dir) / "CURRENT", ec)) {
    return Fail(Error::NotFound("no store at " + data_dir));
  }
  RETURN_IF_ERROR(RequireEmpty(to, "backup folder"));
  const std::string target = fs::path(to).lexically_normal().string();
  const std::string partial =
      (target.ends_with("/") ? target.substr(0, target.size() - 1) : target) + ".partial";
  fs::remove_all(partial, ec);  // what an interrupted backup left
  fs::create_directories(partial, ec);
  if (ec) return Fail(Error::IOError("cannot create " + partial + ": " + ec.message()));
  const std::string scratch = (fs::path(partial) / "secondary").string();
  const std::string store = (fs::path(partial) / kStoreFolder).string();
  RETURN_IF_ERROR(CheckpointOf(data_dir, scratch, store));
  fs::remove_all(scratch, ec);

  ASSIGN_OR_RETURN(LedgerHead head, HeadOf(store));
  RETURN_IF_ERROR(SyncFolder(store));
  BackupInfo info;
  info.path = to;
  info.head_position = head.position;
  info.head_hash = head.hash;
  info.created_at = FormatRfc3339(now);
  RETURN_IF_ERROR(WriteNewFile((fs::path(partial) / kBackupManifest).string(), ManifestText(info),
                               0644, /*sync=*/true));
  RETURN_IF_ERROR(SyncFolder(partial));
  // Complete: into place in one rename (an empty `to` is replaced), made durable.
  if (fs::exists(to, ec)) fs::remove(to, ec);
  fs::rename(partial, to, ec);
  if (ec)
    return Fail(Error::IOError("cannot rename " + partial + " to " + to + ": " + ec.message()));
  RETURN_IF_ERROR(SyncFolderOf(target));
  return info;
}

Result<BackupInfo> ReadBackup(const std::string& from) {
  const fs::path manifest_path = fs::path(from) / kBackupManifest;
  std::error_code ec;
  if (!fs::is_regular_file(manifest_path, ec) ||
      !fs::is_directory(fs::path(from) / kStoreFolder, ec)) {
    return Fail(Error::NotFound(from + " is not a complete backup (no " + kBackupManifest +
                                " beside its store): an interrupted backup is never restored"));
  }
  std::ifstream in(manifest_path);
  const nlohmann::json manifest = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!manifest.is_object() || !manifest.contains("backup_format") ||
      !manifest["backup_format"].is_number_integer() ||
      !manifest.value("head_position", nlohmann::json()).is_number_unsigned() ||
      !manifest.value("head_hash", nlohmann::json()).is_string() ||
      !manifest.value("created_at", nlohmann::json()).is_string()) {
    return Fail(Error::Corruption("the manifest of backup " + from + " does not read"));
  }
  if (manifest["backup_format"].get<int>() > kBackupFormat) {
    return Fail(Error::InvalidArgument(
        "backup " + from + " has format " + std::to_string(manifest["backup_format"].get<int>()) +
        ", newer than this binary reads (" + std::to_string(kBackupFormat) +
        "): restore it with a newer dialogue"));
  }
  BackupInfo info;
  info.path = from;
  info.head_position = manifest["head_position"].get<uint64_t>();
  info.head_hash = manifest["head_hash"].get<std::string>();
  info.created_at = manifest["created_at"].get<std::string>();
  return info;
}

Result<BackupInfo> RestoreBackup(const std::string& from, const std::string& data_dir) {
  ASSIGN_OR_RETURN(BackupInfo info, ReadBackup(from));
  RETURN_IF_ERROR(RequireEmpty(data_dir, "data folder"));
  RETURN_IF_ERROR(CopyFolder((fs::path(from) / kStoreFolder).string(), data_dir));
  RETURN_IF_ERROR(SyncFolderOf(fs::path(data_dir).lexically_normal().string()));
  ASSIGN_OR_RETURN(LedgerHead head, HeadOf(data_dir));
  if (head.position != info.head_position || head.hash != info.head_hash) {
    return Fail(Error::Corruption(
        "the restored store's head is position " + std::to_string(head.position) + " " + head.hash +
        ", not the backup's " + std::to_string(info.head_position) + " " + info.head_hash));
  }
  return info;
}

}  // namespace dialogue::engine
