// StateStore: the derived-state space kept beside the log, for read models' snapshots and
// checkpoints (a relay's position). A key-value space, not the log: not part of the hash chain
// or the tree, and written atomically per call but not synced, since derived data can always be
// rebuilt from the log. It works while the log is in fail-stop. An EventStore hands out its own
// (EventStore::state()); the RocksDB one keeps it in a column family of the same database.
//
// Thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/result.hpp"

namespace dialogue::engine {

class StateStore {
 public:
  virtual ~StateStore() = default;
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  // Puts and deletes applied in one atomic write.
  struct Batch {
    std::vector<std::pair<std::string, std::string>> puts;
    std::vector<std::string> deletes;
  };
  [[nodiscard]] virtual Status Write(const Batch& batch) = 0;
  [[nodiscard]] virtual Result<std::optional<std::string>> Read(std::string_view key) const = 0;
  // Every key starting with prefix, in key order.
  [[nodiscard]] virtual Result<std::vector<std::pair<std::string, std::string>>> Scan(
      std::string_view prefix) const = 0;
  // The same entries as Scan, each handed to `visit` in key order as views valid only during
  // the call, never all held at once (a snapshot of a long log is larger than its states). Stops
  // early, with success, when `visit` answers false. The default implementation uses Scan.
  using Visitor = std::function<bool(std::string_view key, std::string_view value)>;
  [[nodiscard]] virtual Status Visit(std::string_view prefix, const Visitor& visit) const {
    ASSIGN_OR_RETURN(auto entries, Scan(prefix));
    for (const auto& [key, value] : entries) {
      if (!visit(key, value)) break;
    }
    return {};
  }
  // Removes every key (for a rebuild).
  [[nodiscard]] virtual Status Clear() = 0;

 protected:
  StateStore() = default;
};

}  // namespace dialogue::engine
