// EventStore: the append-only, hash-chained log every Dialogue state is derived from.
//
// Implementations are thread-safe. Appends are atomic per call (all the writes of one call, on
// one or several streams, commit together or not at all) and durable when they return success.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/clock.hpp"
#include "engine/event.hpp"
#include "engine/merkle.hpp"
#include "engine/result.hpp"
#include "engine/state_store.hpp"

namespace rocksdb {
class Env;
}  // namespace rocksdb

namespace dialogue::engine {

// What a writer expects a stream's version to be before its events are appended.
struct ExpectedVersion {
  enum class Kind { kAny, kNoStream, kExact };
  Kind kind = Kind::kAny;
  uint64_t version = 0;  // for kExact

  static ExpectedVersion Any() { return {Kind::kAny, 0}; }
  static ExpectedVersion NoStream() { return {Kind::kNoStream, 0}; }
  static ExpectedVersion Exactly(uint64_t v) { return {Kind::kExact, v}; }
};

struct StreamWrite {
  std::string stream;
  ExpectedVersion expected;
  std::vector<ProposedEvent> events;  // may be empty only to assert a version
};

// An idempotency key and a fingerprint of the request it came with (for example a SHA-256 of the
// method, path and body). Stored in the same batch as the events.
struct IdempotencyKey {
  std::string key;
  std::string fingerprint;
};

struct AppendRequest {
  std::vector<StreamWrite> writes;
  std::optional<IdempotencyKey> idempotency;
};

struct StreamVersion {
  std::string stream;
  uint64_t version = 0;
};

struct AppendResult {
  uint64_t first_position = 0;  // 0 when nothing was appended
  uint64_t last_position = 0;
  std::vector<StreamVersion> versions;  // each written stream's version after the append, in order
  bool replayed = false;                // true: an idempotent retry; nothing was appended now
  // The events appended, as stored (first_position to last_position), so that a caller that
  // echoes them need not read them back. Empty for a replay (read those by position) and
  // wherever an AppendResult is kept rather than returned (an idempotency key's record).
  std::vector<RecordedEvent> events;
};

// An idempotency key as the store keeps it, with the append it came with: what a copy of the
// log must hold to answer a retry as the original did (docs/cluster.md).
struct IdempotencyEntry {
  std::string key;
  std::string fingerprint;
  AppendResult result;  // replayed is false
};

struct LedgerHead {
  uint64_t position = 0;  // 0 for an empty log
  std::string hash;       // kGenesisHash for an empty log
};

// What an operator watches of a store (docs/operations.md, "What to alert on"). The commit
// path's figures are counted since the store was opened; the storage engine's are read when
// asked. Zero where a store has no such figure (the in-memory store has none of the engine's).
struct StoreStats {
  // Upper bounds (seconds) of the buckets of one group's write and sync.
  static constexpr std::array<double, 12> kSyncBounds = {0.0005, 0.001, 0.002, 0.005, 0.01, 0.02,
                                                         0.05,   0.1,   0.25,  0.5,   1,    2.5};
  // Upper bounds of the buckets of the events one group holds.
  static constexpr std::array<double, 11> kGroupBounds = {1,  2,   4,   8,   16,  32,
                                                          64, 128, 256, 512, 1024};
  uint64_t groups = 0;  // groups written (each one write and, when synced, one sync)
  uint64_t events = 0;  // the events they held
  // Counts per bucket (not cumulative); the last entry counts what is above every bound.
  std::array<uint64_t, kSyncBounds.size() + 1> sync_counts{};
  double sync_seconds = 0;  // the sum
  std::array<uint64_t, kGroupBounds.size() + 1> group_counts{};
  // The storage engine's own (RocksDB's properties).
  uint64_t live_data_bytes = 0;           // estimate-live-data-size
  uint64_t pending_compaction_bytes = 0;  // estimate-pending-compaction-bytes
  uint64_t memtable_bytes = 0;            // cur-size-all-mem-tables
  bool write_stopped = false;             // is-write-stopped
  uint64_t delayed_write_rate = 0;        // actual-delayed-write-rate: > 0 while writes are slowed
  uint64_t background_errors = 0;         // background-errors
};

struct VerifyReport {
  bool ok = true;
  LedgerHead head;  // the last position checked and its hash
  std::optional<uint64_t> first_bad_position;
  std::string problem;  // what was wrong at first_bad_position
};

class EventStore {
 public:
  virtual ~EventStore() = default;
  EventStore(const EventStore&) = delete;
  EventStore& operator=(const EventStore&) = delete;

  // Appends atomically and durably. Errors: kVersionConflict, kIdempotencyKeyReused,
  // kInvalidArgument (no writes, an empty stream name or type, data that is not a JSON object),
  // kUnavailable (fail-stop), kIOError.
  // An idempotent retry (same key and fingerprint) returns the original result with replayed=true.
  [[nodiscard]] virtual Result<AppendResult> Append(const AppendRequest& request) = 0;

  // Append without waiting: `done` is called exactly once with what Append would have returned,
  // once the events are durable (or refused). It is called on a thread of the store's (its
  // completer, in commit order, beside the commit listeners), or on a caller of Append that led
  // the group the request joined, or on the caller's own thread before AppendAsync returns when
  // the request is refused before it is queued (malformed, fail-stop) or the store has no
  // committer (the in-memory store). It should be quick (the completions of later groups wait for
  // it) and must not throw; it may append, even blocking. The way to have many appends in flight
  // without a thread parked on each (docs/storage.md, "Appends: group commit").
  using AppendCallback = std::function<void(Result<AppendResult> result)>;
  virtual void AppendAsync(AppendRequest request, AppendCallback done) { done(Append(request)); }

  // Appends one already-recorded event exactly as given (its recorded_at and hash kept), for
  // `dialogue import` into an empty store. Accepted only when event.position is the head + 1,
  // event.version the stream's next version, event.prev_hash the head hash, event.data canonical
  // and event.hash recomputes (docs/storage.md). Errors: kInvalidArgument, kUnavailable, kIOError.
  [[nodiscard]] virtual Status AppendVerbatim(const RecordedEvent& event) = 0;

  // AppendVerbatim without waiting, as AppendAsync is to Append: `done` is called (as AppendAsync's
  // is) once the event is durable or refused. Events submitted one after another from one thread
  // are planned in that order, so many may be in flight, each the head + 1 of the one before, and
  // share syncs (group commit). A refused one fails the ones after it that no longer follow.
  // `key`, when given, is the idempotency key of the append this event ends (key->result's
  // last_position is event.position), recorded in the same write. Default: refuses a key.
  using VerbatimCallback = std::function<void(Status status)>;
  virtual void AppendVerbatimAsync(RecordedEvent event, std::optional<IdempotencyEntry> key,
                                   VerbatimCallback done) {
    if (key) return done(Fail(Error::InvalidArgument("this store records no copied key")));
    done(AppendVerbatim(event));
  }
  void AppendVerbatimAsync(RecordedEvent event, VerbatimCallback done) {
    AppendVerbatimAsync(std::move(event), std::nullopt, std::move(done));
  }

  // The idempotency keys of the appends that ended at positions after..through (each at most
  // once, in position order), for a copy of the log. Default: none.
  [[nodiscard]] virtual Result<std::vector<IdempotencyEntry>> IdempotencyEntries(
      uint64_t after, uint64_t through) const {
    (void)after;
    (void)through;
    return std::vector<IdempotencyEntry>{};
  }

  // Events of one stream with version > after_version, at most limit of them, in version order.
  [[nodiscard]] virtual Result<std::vector<RecordedEvent>> ReadStream(std::string_view stream,
                                                                      uint64_t after_version,
                                                                      size_t limit) const = 0;

  // Events with position > after_position, at most limit of them, in position order.
  [[nodiscard]] virtual Result<std::vector<RecordedEvent>> ReadAll(uint64_t after_position,
                                                                   size_t limit) const = 0;

  // The events ReadAll(after_position, limit) would return, each handed to `visit` in position
  // order as a view into the store's own buffers (no copy, no metadata): the fast path for folds
  // that replay the log. Returns how many were visited. The default implementation reads them
  // with ReadAll.
  using EventVisitor = std::function<void(const RecordedEventView& event)>;
  [[nodiscard]] virtual Result<size_t> ScanAll(uint64_t after_position, size_t limit,
                                               const EventVisitor& visit) const {
    ASSIGN_OR_RETURN(std::vector<RecordedEvent> events, ReadAll(after_position, limit));
    for (const RecordedEvent& e : events) {
      visit(RecordedEventView{e.position, e.stream, e.version, e.type, e.data, e.hash});
    }
    return events.size();
  }

  // The current version of a stream; 0 when it does not exist.
  [[nodiscard]] virtual Result<uint64_t> StreamVersion(std::string_view stream) const = 0;

  // The original result stored for an idempotency key, if the key is known.
  [[nodiscard]] virtual Result<std::optional<std::pair<std::string, AppendResult>>>
  LookupIdempotencyKey(std::string_view key) const = 0;

  virtual LedgerHead Head() const = 0;
  // Head().position, for the many callers that need no hash: both stores answer it without a
  // lock or a copy (every request asks it). The default asks Head().
  virtual uint64_t HeadPosition() const { return Head().position; }

  // Walks the whole log, recomputing every hash and checking positions, versions and links, and
  // that the stored Merkle tree is the one the events make.
  [[nodiscard]] virtual Result<VerifyReport> Verify() const = 0;

  // The log as an RFC 9162 Merkle tree (docs/storage.md, "Merkle tree"; engine/merkle.hpp): leaf
  // i is the event at position i + 1, its leaf data the 32 raw bytes of the event's hash. The
  // tree is written with the events it covers, in the same atomic write.
  // The hash of the perfect subtree (level, index). Errors: kNotFound unless the subtree lies
  // within the head; kCorruption, kIOError.
  [[nodiscard]] virtual Result<merkle::Hash> TreeNode(unsigned level, uint64_t index) const = 0;
  // A reader of the tree's nodes (as TreeNode) for one computation, a root or a proof, within
  // the head as it is now: it may keep what it read for its next calls, since nodes never
  // change. Not thread-safe; the store outlives it. Default: TreeNode for every node.
  virtual merkle::NodeReader NewTreeReader() const {
    return [this](unsigned level, uint64_t index) { return TreeNode(level, index); };
  }
  // The root of the tree of the first `size` events, in O(log size) node reads.
  // Errors: kInvalidArgument when size is beyond the head.
  [[nodiscard]] Result<merkle::Hash> TreeRoot(uint64_t size) const;
  // The inclusion proof of the event at `position` in the tree of `size` events, leaf to root;
  // the event's leaf hash into *leaf when given. Errors: kInvalidArgument unless
  // 1 <= position <= size <= head.
  [[nodiscard]] Result<std::vector<merkle::Hash>> InclusionProof(
      uint64_t position, uint64_t size, merkle::Hash* leaf = nullptr) const;
  // The consistency proof from the tree of `from` events to the tree of `to` events (empty when
  // they are equal). Errors: kInvalidArgument unless 1 <= from <= to <= head.
  [[nodiscard]] Result<std::vector<merkle::Hash>> ConsistencyProof(uint64_t from,
                                                                   uint64_t to) const;

  // Blocks until the head is beyond after_position or the timeout passes; returns the head
  // position then. Used by subscribers and timers to learn of new commits.
  virtual uint64_t WaitForCommit(uint64_t after_position,
                                 std::chrono::milliseconds timeout) const = 0;

  // Registers a callback invoked (on the committing thread, outside the store's locks) with the
  // new head position after each commit. Returns an id for RemoveCommitListener.
  // Listeners must be thread-safe: commits of different threads may call them concurrently, so
  // the positions one listener sees are not necessarily increasing (read Head() for the truth).
  // A listener may call anything on the store, Append included. After RemoveCommitListener
  // returns, a call already under way on another thread may still finish.
  using CommitListener = std::function<void(uint64_t head_position)>;
  virtual uint64_t AddCommitListener(CommitListener listener) = 0;
  virtual void RemoveCommitListener(uint64_t id) = 0;

  // True once a write or sync failed; every later Append answers kUnavailable.
  virtual bool failed() const = 0;

  // The commit path's counts and the storage engine's figures (StoreStats). Thread-safe.
  virtual StoreStats Stats() const { return {}; }

  // The derived-state space kept beside the log (engine/state_store.hpp): apart from the log's
  // interface, but in the same database. The store outlives it.
  virtual StateStore& state() = 0;
  virtual const StateStore& state() const = 0;

 protected:
  EventStore() = default;
};

struct RocksDbOptions {
  std::string path;
  bool sync = true;              // fsync every commit; only benchmarks of the ceiling turn it off
  const Clock* clock = nullptr;  // for recorded_at; nullptr: the system clock
  // The file system the database runs on is this Env's; nullptr: RocksDB's default. (Threads
  // and clock are always the default Env's: the store puts its own wrapper over the file system,
  // engine/log_sync_watch.hpp.) Tests pass one whose file system fails or loses writes on demand
  // (tests/support/file_faults.hpp). The store keeps it alive.
  std::shared_ptr<rocksdb::Env> env = nullptr;
  // Write the Merkle tree's nodes with the events. Only the benchmark that measures the tree's
  // cost turns it off: a new store made without it is marked format 1, so that opening it with
  // the tree builds it.
  bool merkle_tree = true;
};

// Opens (creating if missing) a RocksDB-backed store.
[[nodiscard]] Result<std::unique_ptr<EventStore>> OpenRocksDbEventStore(
    const RocksDbOptions& options);

// An in-memory store with the same semantics, for tests of the upper layers.
[[nodiscard]] std::unique_ptr<EventStore> NewInMemoryEventStore(const Clock* clock = nullptr);

}  // namespace dialogue::engine
