// The in-memory EventStore: the RocksDB store's semantics (docs/storage.md) without durability.
// One mutex serializes writers and readers; the plan and the checks are the RocksDB store's own.
#include <map>
#include <mutex>
#include <unordered_map>

#include "engine/append_plan.hpp"
#include "engine/canonical.hpp"
#include "engine/commit_signal.hpp"
#include "engine/event_store.hpp"
#include "engine/time.hpp"

namespace dialogue::engine {
namespace {

class MemoryEventStore final : public EventStore, private CommittedView {
 public:
  explicit MemoryEventStore(const Clock* clock)
      : clock_(clock != nullptr ? clock : &system_clock_), signal_({0, kGenesisHash}) {}

  Result<AppendResult> Append(const AppendRequest& request) override {
    ASSIGN_OR_RETURN(const AppendRequest canonical, CanonicalizeRequest(request));
    uint64_t new_head = 0;
    Result<AppendResult> result;
    {
      std::lock_guard lock(mu_);
      AppendPlan plan(*this, signal_.Head(), FormatNow());
      result = plan.Add(canonical);
      if (!result) return result;
      new_head = Apply(plan);
      plan.HandOver(*result);
    }
    if (new_head != 0) signal_.NotifyListeners(new_head);
    return result;
  }

  Status AppendVerbatim(const RecordedEvent& event) override {
    return AppendVerbatimWithKey(event, nullptr);
  }

  void AppendVerbatimAsync(RecordedEvent event, std::optional<IdempotencyEntry> key,
                           VerbatimCallback done) override {
    done(AppendVerbatimWithKey(event, key ? &*key : nullptr));
  }

  Result<std::vector<IdempotencyEntry>> IdempotencyEntries(uint64_t after,
                                                           uint64_t through) const override {
    std::lock_guard lock(mu_);
    std::vector<IdempotencyEntry> out;
    for (auto it = key_positions_.upper_bound(after);
         it != key_positions_.end() && it->first <= through; ++it) {
      const codec::IdempotencyRecord& record = idempotency_.at(it->second);
      out.push_back({it->second, record.fingerprint, record.result});
    }
    return out;
  }

  Result<std::vector<RecordedEvent>> ReadStream(std::string_view stream, uint64_t after_version,
                                                size_t limit) const override {
    std::lock_guard lock(mu_);
    std::vector<RecordedEvent> out;
    auto it = streams_.find(std::string(stream));
    if (it == streams_.end()) return out;
    const std::vector<uint64_t>& positions = it->second;
    for (uint64_t v = after_version; v < positions.size() && out.size() < limit; ++v) {
      out.push_back(events_[positions[v] - 1]);
    }
    return out;
  }

  Result<std::vector<RecordedEvent>> ReadAll(uint64_t after_position, size_t limit) const override {
    std::lock_guard lock(mu_);
    std::vector<RecordedEvent> out;
    for (uint64_t p = after_position; p < events_.size() && out.size() < limit; ++p) {
      out.push_back(events_[p]);
    }
    return out;
  }

  Result<uint64_t> StreamVersion(std::string_view stream) const override {
    std::lock_guard lock(mu_);
    auto it = streams_.find(std::string(stream));
    return it == streams_.end() ? 0 : it->second.size();
  }

  Result<std::optional<std::pair<std::string, AppendResult>>> LookupIdempotencyKey(
      std::string_view key) const override {
    std::lock_guard lock(mu_);
    auto it = idempotency_.find(std::string(key));
    if (it == idempotency_.end()) return std::nullopt;
    return std::make_pair(it->second.fingerprint, it->second.result);
  }

  LedgerHead Head() const override { return signal_.Head(); }
  uint64_t HeadPosition() const override { return signal_.HeadPosition(); }

  Result<VerifyReport> Verify() const override {
    std::lock_guard lock(mu_);
    VerifyReport report;
    ChainChecker checker;
    for (size_t i = 0; i < events_.size(); ++i) {
      const RecordedEvent& e = events_[i];
      std::optional<std::string> problem = checker.Check(i + 1, e);
      if (!problem) {
        auto it = streams_.find(e.stream);
        if (it == streams_.end() || it->second.size() < e.version ||
            it->second[e.version - 1] != e.position) {
          problem = "stream index does not map '" + e.stream + "' version " +
                    std::to_string(e.version) + " to this position";
        }
      }
      if (problem) {
        report.ok = false;
        report.first_bad_position = i + 1;
        report.problem = std::move(*problem);
        break;
      }
    }
    report.head = checker.head();
    return report;
  }

  Result<merkle::Hash> TreeNode(unsigned level, uint64_t index) const override {
    std::lock_guard lock(mu_);
    if (level >= tree_.size() || index >= tree_[level].size()) {
      return Fail(Error::NotFound("Merkle tree node (" + std::to_string(level) + ", " +
                                  std::to_string(index) + ") is not within the head"));
    }
    return tree_[level][index];
  }

  uint64_t WaitForCommit(uint64_t after_position,
                         std::chrono::milliseconds timeout) const override {
    return signal_.WaitForCommit(after_position, timeout);
  }
  uint64_t AddCommitListener(CommitListener listener) override {
    return signal_.AddListener(std::move(listener));
  }
  void RemoveCommitListener(uint64_t id) override { signal_.RemoveListener(id); }
  bool failed() const override { return false; }

  StateStore& state() override { return state_space_; }
  const StateStore& state() const override { return state_space_; }

 private:
  Status AppendVerbatimWithKey(const RecordedEvent& event, const IdempotencyEntry* key) {
    RETURN_IF_ERROR(CheckRecordedEvent(event));
    uint64_t new_head = 0;
    {
      std::lock_guard lock(mu_);
      AppendPlan plan(*this, signal_.Head(), FormatNow());
      RETURN_IF_ERROR(plan.AddVerbatim(event, key));
      new_head = Apply(plan);
    }
    signal_.NotifyListeners(new_head);
    return {};
  }

  // CommittedView, called under mu_ by the plan.
  Result<uint64_t> CommittedStreamVersion(const std::string& stream, ExpectedVersion) override {
    auto it = streams_.find(stream);
    return it == streams_.end() ? 0 : it->second.size();
  }
  Result<std::optional<codec::IdempotencyRecord>> CommittedIdempotency(
      const std::string& key) override {
    auto it = idempotency_.find(key);
    if (it == idempotency_.end()) return std::nullopt;
    return it->second;
  }

  std::string FormatNow() const { return FormatRfc3339(clock_->Now()); }

  // Commits plan; returns the new head position, or 0 when the head did not move. REQUIRES: mu_.
  uint64_t Apply(const AppendPlan& plan) {
    for (const auto& [key, record] : plan.keys()) {
      idempotency_[key] = record;
      if (record.result.last_position != 0) key_positions_[record.result.last_position] = key;
    }
    if (plan.events().empty()) return 0;
    for (const RecordedEvent& e : plan.events()) {
      streams_[e.stream].push_back(e.position);
      events_.push_back(e);
      range_.Append(merkle::LeafHash(*codec::HashFromHex(e.hash)),
                    [this](const merkle::CompactRange::Node& node) {
                      if (tree_.size() <= node.level) tree_.resize(node.level + 1);
                      tree_[node.level].push_back(node.hash);
                    });
    }
    signal_.SetHead(plan.head());
    return plan.head().position;
  }

  SystemClock system_clock_;
  const Clock* clock_;
  CommitSignal signal_;

  mutable std::mutex mu_;
  std::vector<RecordedEvent> events_;                                      // guarded by mu_
  std::unordered_map<std::string, std::vector<uint64_t>> streams_;         // guarded by mu_
  std::unordered_map<std::string, codec::IdempotencyRecord> idempotency_;  // guarded by mu_
  std::map<uint64_t, std::string> key_positions_;  // guarded by mu_: last position -> key
  merkle::CompactRange range_;                     // guarded by mu_
  std::vector<std::vector<merkle::Hash>> tree_;    // guarded by mu_: every node, by level

  // The derived-state space: a map beside the log.
  class MemoryState final : public StateStore {
   public:
    Status Write(const Batch& batch) override {
      std::lock_guard lock(mu_);
      for (const auto& [key, value] : batch.puts) entries_[key] = value;
      for (const std::string& key : batch.deletes) entries_.erase(key);
      return {};
    }

    Result<std::optional<std::string>> Read(std::string_view key) const override {
      std::lock_guard lock(mu_);
      auto it = entries_.find(key);
      if (it == entries_.end()) return std::nullopt;
      return it->second;
    }

    Result<std::vector<std::pair<std::string, std::string>>> Scan(
        std::string_view prefix) const override {
      std::lock_guard lock(mu_);
      std::vector<std::pair<std::string, std::string>> out;
      for (auto it = entries_.lower_bound(prefix);
           it != entries_.end() && std::string_view(it->first).starts_with(prefix); ++it) {
        out.emplace_back(it->first, it->second);
      }
      return out;
    }

    Status Clear() override {
      std::lock_guard lock(mu_);
      entries_.clear();
      return {};
    }

   private:
    mutable std::mutex mu_;
    std::map<std::string, std::string, std::less<>> entries_;  // guarded by mu_
  };
  MemoryState state_space_;
};

}  // namespace

std::unique_ptr<EventStore> NewInMemoryEventStore(const Clock* clock) {
  return std::make_unique<MemoryEventStore>(clock);
}

}  // namespace dialogue::engine
