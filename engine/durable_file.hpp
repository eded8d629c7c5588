// Small file helpers for what must survive a crash: a new file written and synced, and the folder
// that holds a renamed file synced (a rename is durable only once its folder is). POSIX only.
#pragma once

#include <sys/types.h>
#include <string>
#include <string_view>

#include "engine/result.hpp"

namespace dialogue::engine {

// Creates `path` (which must not exist) with `mode` and writes `text`, synced when `sync`.
[[nodiscard]] Status WriteNewFile(const std::string& path, std::string_view text, mode_t mode,
                                  bool sync);

// Syncs the file at `path` (its bytes and size).
[[nodiscard]] Status SyncFile(const std::string& path);

// Syncs the folder `folder` itself (its entries: files created, renamed or removed in it).
[[nodiscard]] Status SyncFolder(const std::string& folder);

// Syncs the folder that holds `path`.
[[nodiscard]] Status SyncFolderOf(const std::string& path);

}  // namespace dialogue::engine
