// Online backups of a RocksDB store, and their restore (docs/operations.md, "Backups").
//
// A backup is a folder:
//
//   BACKUP/store/                 a RocksDB checkpoint of the store: a consistent copy of every
//                                 column family at one point, its unchanged table files hard
//                                 links into the store's when on the same file system (a backup
//                                 of a large store costs little more than what changed)
//   BACKUP/dialogue-backup.json   {"backup_format":1,"head_position":…,"head_hash":"…",
//                                  "created_at":"…"}: the head of the copy, read by opening it
//
// CreateBackup works while a server writes to the store: it reads the store as a RocksDB
// secondary instance (which takes no lock), so the copy holds every event acknowledged before it
// began, and perhaps some after. It is built beside BACKUP (in BACKUP.partial) and renamed into
// place only once complete and synced: a backup interrupted at any moment, by SIGKILL or a power
// cut, leaves no folder that ReadBackup or RestoreBackup accepts.
//
// The ledger's signing key (DATA/ledger-signing.key) is not copied: it is a secret, kept apart.
// Thread-safe: the functions share no state.
#pragma once

#include <cstdint>
#include <string>

#include "engine/clock.hpp"
#include "engine/result.hpp"

namespace dialogue::engine {

struct BackupInfo {
  std::string path;            // the backup's folder
  uint64_t head_position = 0;  // the last event in the copy (0: an empty log)
  std::string head_hash;       // its hash (64 zeros for an empty log)
  std::string created_at;      // RFC 3339, when the copy was taken
};

// The name of the manifest in a backup folder.
inline constexpr char kBackupManifest[] = "dialogue-backup.json";

// Copies the store in `data_dir` into the new backup folder `to` (absent, or an empty folder).
// kNotFound when data_dir holds no store; kAlreadyExists when `to` holds anything; kIOError.
[[nodiscard]] Result<BackupInfo> CreateBackup(const std::string& data_dir, const std::string& to,
                                              TimePoint now);

// A complete backup's manifest. kNotFound when `from` is no complete backup (an interrupted one
// included); kCorruption when its manifest does not read.
[[nodiscard]] Result<BackupInfo> ReadBackup(const std::string& from);

// Copies backup `from` into `data_dir` (absent, or an empty folder), syncs it, opens it and
// checks that its head is the manifest's: a restore that would not serve the backup's log fails.
// kAlreadyExists when data_dir holds anything; kCorruption when the copy's head differs.
[[nodiscard]] Result<BackupInfo> RestoreBackup(const std::string& from,
                                               const std::string& data_dir);

}  // namespace dialogue::engine
