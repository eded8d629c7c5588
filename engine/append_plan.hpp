// Private to the engine: what both stores share of the write path and of Verify, so that the
// in-memory store has exactly the RocksDB store's semantics.
//
// AppendPlan turns a group of requests into events on top of the committed log, one request at a
// time: a request that fails its checks leaves the plan as it was. Nothing is committed here; the
// store writes the plan's events, index entries, idempotency records and head atomically, then
// applies the plan's stream versions to its cache. Not thread-safe: used by the single writer.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/codec.hpp"
#include "engine/event_store.hpp"

namespace dialogue::engine {

// The committed state a plan builds on. Called only by the store's current writer.
class CommittedView {
 public:
  virtual ~CommittedView() = default;
  // The stream's committed version. expected is what the writer believes it to be: a view may
  // confirm a belief more cheaply than it finds the version (two point reads rather than a seek),
  // but it answers the committed version whatever the belief.
  virtual Result<uint64_t> CommittedStreamVersion(const std::string& stream,
                                                  ExpectedVersion expected) = 0;
  virtual Result<std::optional<codec::IdempotencyRecord>> CommittedIdempotency(
      const std::string& key) = 0;
};

class AppendPlan {
 public:
  AppendPlan(CommittedView& view, LedgerHead head, std::string recorded_at);

  // REQUIRES: request passed CanonicalizeRequest.
  Result<AppendResult> Add(const AppendRequest& request);
  // REQUIRES: event passed CheckRecordedEvent. `key`, when not null, is the idempotency key of
  // the append the event ends: recorded with it.
  Status AddVerbatim(const RecordedEvent& event, const IdempotencyEntry* key = nullptr);

  // Moves the events of result (as Add returned it for a new append) out of the plan into
  // result.events. REQUIRES: the plan's events are written (or copied) already; they are gone from
  // events() afterwards.
  void HandOver(AppendResult& result);

  bool empty() const { return events_.empty() && keys_.empty(); }
  const std::vector<RecordedEvent>& events() const { return events_; }
  // The new version of every stream the plan writes to.
  const std::map<std::string, uint64_t>& stream_versions() const { return versions_; }
  const std::vector<std::pair<std::string, codec::IdempotencyRecord>>& keys() const {
    return keys_;
  }
  const LedgerHead& head() const { return head_; }

 private:
  Result<uint64_t> CurrentVersion(const std::string& stream, ExpectedVersion expected) const;

  CommittedView& view_;
  const uint64_t first_position_;  // of events_[0]
  LedgerHead head_;
  std::string recorded_at_;
  std::vector<RecordedEvent> events_;
  std::map<std::string, uint64_t> versions_;
  std::vector<std::pair<std::string, codec::IdempotencyRecord>> keys_;
};

// Checks a log event by event in position order (Verify). Not thread-safe.
class ChainChecker {
 public:
  // Returns what is wrong with event (read under key_position), or nullopt when it follows on.
  std::optional<std::string> Check(uint64_t key_position, const RecordedEvent& event);
  // The last event that checked out.
  const LedgerHead& head() const { return head_; }
  uint64_t StreamVersion(const std::string& stream) const;

 private:
  LedgerHead head_{0, kGenesisHash};
  std::unordered_map<std::string, uint64_t> versions_;
};

// The conflict message for a write whose expectation does not hold, or nullopt when it holds.
std::optional<Error> CheckExpectedVersion(const std::string& stream, ExpectedVersion expected,
                                          uint64_t current);

}  // namespace dialogue::engine
