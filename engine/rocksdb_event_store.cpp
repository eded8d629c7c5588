// The RocksDB EventStore. Formats and behaviour: docs/storage.md.
//
// Appends are group-committed, as in LevelDB's DBImpl::Write and RocksDB's WriteThread: a caller
// that finds no leader leads; the others push their Writer onto a lock-free stack and sleep. The
// leader plans its group on top of everything planned before it and writes one WriteBatch. When
// nobody else waits, it writes the batch synced, publishes the new head and wakes its group, as
// LevelDB's leader does. When writers wait behind it, the commit is pipelined: the leader writes
// its batch unsynced, queues the group for the store's syncer thread and hands the lead on at
// once, so that the next group is planned and written while this one's sync is in flight; the
// syncer makes every group queued meanwhile durable with one SyncWAL, then publishes their heads
// and wakes them. Either way a group's writers learn its result only after its bytes are synced,
// and readers see no event beyond the published head. No lock is taken on the way in, and each
// waiting writer is woken once per role (a futex of its own), so that many appenders cost a
// wake-up each rather than a fight over one mutex. An asynchronous writer (AppendAsync) has no
// thread to wake: the lead goes to the store's committer thread instead, and a completion is
// called rather than a thread woken: docs/storage.md, "Appends: group commit".
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <unordered_map>

#include "engine/append_plan.hpp"
#include "engine/canonical.hpp"
#include "engine/codec.hpp"
#include "engine/commit_signal.hpp"
#include "engine/event_store.hpp"
#include "engine/handoff.hpp"
#include "engine/log_sync_watch.hpp"
#include "engine/merkle.hpp"
#include "engine/time.hpp"

namespace dialogue::engine {
namespace {

constexpr char kFailStopMessage[] = "store is in fail-stop after a failed write; restart required";
constexpr size_t kMaxGroupRequests = 1000;
constexpr size_t kMaxGroupBytes = size_t{1} << 20;
// Groups written unsynced and waiting for the syncer, at most (a leader waits for room).
constexpr size_t kMaxQueuedGroups = 16;
constexpr size_t kPipelineFrom = 16;
// The leader's cache of stream versions (about 100 B each) is dropped when it reaches this.
constexpr size_t kMaxCachedVersions = 100000;
constexpr char kHeadKey[] = "head";
constexpr char kFormatKey[] = "format";
// Format 2 is format 1 with the Merkle tree; a format 1 store gets its tree built at open.
constexpr char kFormatVersion[] = "2";
constexpr char kFormatWithoutTree[] = "1";
// A format 1 store's tree is built in writes of this many events' nodes.
constexpr uint64_t kTreeBuildBatch = 16384;
// The lowest level of the tree's stored nodes: a node below covers at most 2^(this - 1) events
// and is computed from their hashes (one short scan), so that an append writes a tree node for
// one event in 2^this rather than for every event (docs/storage.md, "Merkle tree").
constexpr unsigned kLowestStoredLevel = 4;
// The events whose leaves hold the unstored nodes of one stored node.
constexpr uint64_t kLeafBlock = uint64_t{1} << kLowestStoredLevel;
// Stored nodes kept in memory once read (they never change), at most this many (~80 bytes each);
// the cache is dropped whole when full. A log of 16M events has this many stored nodes.
constexpr size_t kMaxCachedNodes = size_t{1} << 20;

// Column family order in handles_.
enum Family : size_t {
  kDefault,
  kEvents,
  kStreams,
  kIdempotency,
  kMeta,
  kState,
  kTree,
  kKeyPositions,  // the last position of each append made with an idempotency key: the key
  kFamilyCount
};
constexpr const char* kFamilyNames[kFamilyCount] = {
    "default", "events", "streams", "idempotency", "meta", "state", "tree", "key_positions"};

Error FromRocks(const rocksdb::Status& s, std::string_view what) {
  std::string message = "rocksdb " + std::string(what) + ": " + s.ToString();
  if (s.IsCorruption()) return Error::Corruption(std::move(message));
  return Error::IOError(std::move(message));
}

size_t RequestBytes(const AppendRequest& request) {
  size_t bytes = 0;
  for (const StreamWrite& write : request.writes) {
    bytes += write.stream.size();
    for (const ProposedEvent& e : write.events) bytes += e.type.size() + e.data.size() + 256;
  }
  return bytes;
}

class RocksDbEventStore final : public EventStore, private CommittedView {
 public:
  static Result<std::unique_ptr<EventStore>> Open(const RocksDbOptions& options);

  // REQUIRES: no call on the store is in flight, and every AppendAsync's completion was called.
  ~RocksDbEventStore() override {
    if (committer_.joinable()) {
      {
        std::lock_guard lock(committer_mu_);
        committer_stopping_ = true;
      }
      committer_wake_.notify_one();
      committer_.join();
      // The committer queued its last group before it returned; the syncer syncs what is queued
      // before it returns.
      {
        std::lock_guard lock(sync_mu_);
        syncer_stopping_ = true;
      }
      sync_wake_.notify_one();
      syncer_.join();
      {
        std::lock_guard lock(completer_mu_);
        completer_stopping_ = true;
      }
      completer_wake_.notify_one();
      completer_.join();
    }
    // Flushing the memtables spares the next open a replay of the write-ahead log. After a
    // failed write the files are left as they are.
    if (db_ != nullptr && !failed_.load()) {
      db_->Flush(rocksdb::FlushOptions(), handles_).PermitUncheckedError();
    }
    for (rocksdb::ColumnFamilyHandle* handle : handles_) {
      if (handle != nullptr) db_->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
    }
    if (db_ != nullptr) db_->Close().PermitUncheckedError();
  }

  Result<AppendResult> Append(const AppendRequest& request) override {
    ASSIGN_OR_RETURN(const AppendRequest canonical, CanonicalizeRequest(request));
    Writer writer;
    writer.request = &canonical;
    writer.bytes = RequestBytes(canonical);
    Submit(writer);
    return std::move(writer.result);
  }

  void AppendAsync(AppendRequest request, AppendCallback done) override {
    Result<AppendRequest> canonical = CanonicalizeRequest(std::move(request));
    if (!canonical) return done(Fail(canonical.error()));
    if (failed_.load()) return done(Fail(Error::Unavailable(kFailStopMessage)));
    StartThreads();
    auto writer = std::make_unique<Writer>();
    writer->owned = *std::move(canonical);
    writer->request = &writer->owned;
    writer->bytes = RequestBytes(writer->owned);
    writer->done = std::move(done);
    SubmitAsync(writer.release());  // deleted once its completion is called
  }

  Status AppendVerbatim(const RecordedEvent& event) override {
    RETURN_IF_ERROR(CheckRecordedEvent(event));
    Writer writer;
    writer.verbatim = &event;
    writer.bytes = event.data.size() + 256;
    Submit(writer);
    if (!writer.result) return Fail(writer.result.error());
    return {};
  }

  void AppendVerbatimAsync(RecordedEvent event, std::optional<IdempotencyEntry> key,
                           VerbatimCallback done) override {
    if (Status checked = CheckRecordedEvent(event); !checked) return done(checked);
    if (failed_.load()) return done(Fail(Error::Unavailable(kFailStopMessage)));
    StartThreads();
    auto writer = std::make_unique<Writer>();
    writer->owned_verbatim = std::move(event);
    writer->verbatim = &writer->owned_verbatim;
    writer->verbatim_key = std::move(key);
    writer->bytes = writer->owned_verbatim.data.size() + 256;
    writer->done = [done = std::move(done)](Result<AppendResult> result) {
      done(result ? Status() : Status(Fail(result.error())));
    };
    SubmitAsync(writer.release());  // deleted once its completion is called
  }

  Result<std::vector<RecordedEvent>> ReadStream(std::string_view stream, uint64_t after_version,
                                                size_t limit) const override {
    std::vector<RecordedEvent> out;
    if (limit == 0 || after_version == UINT64_MAX) return out;
    const uint64_t visible = Visible();  // read before the snapshot: it holds at least this much
    rocksdb::ManagedSnapshot snapshot(db_.get());
    rocksdb::ReadOptions read_options;
    read_options.snapshot = snapshot.snapshot();
    const std::string prefix = codec::StreamPrefix(stream);
    std::vector<std::string> position_keys;
    {
      std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options, handles_[kStreams]));
      for (it->Seek(codec::StreamKey(stream, after_version + 1));
           it->Valid() && it->key().starts_with(prefix) && position_keys.size() < limit;
           it->Next()) {
        // A stream's versions follow positions: the first one past the head ends it.
        auto position =
            codec::DecodeU64Key(std::string_view(it->value().data(), it->value().size()));
        if (position && *position > visible) break;
        position_keys.push_back(it->value().ToString());
      }
      if (!it->status().ok()) return Fail(FromRocks(it->status(), "reading a stream"));
    }
    out.reserve(position_keys.size());
    std::string value;
    for (const std::string& key : position_keys) {
      rocksdb::Status s = db_->Get(read_options, handles_[kEvents], key, &value);
      if (!s.ok()) {
        if (s.IsNotFound()) {
          return Fail(
              Error::Corruption("stream '" + std::string(stream) + "' indexes a missing event"));
        }
        return Fail(FromRocks(s, "reading an event"));
      }
      ASSIGN_OR_RETURN(RecordedEvent event, codec::DecodeEvent(value));
      out.push_back(std::move(event));
    }
    return out;
  }

  Result<std::vector<RecordedEvent>> ReadAll(uint64_t after_position, size_t limit) const override {
    std::vector<RecordedEvent> out;
    if (limit == 0 || after_position >= Visible()) return out;
    limit = std::min<uint64_t>(limit, Visible() - after_position);
    out.reserve(std::min<size_t>(limit, 1024));
    rocksdb::ReadOptions read_options;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options, handles_[kEvents]));
    for (it->Seek(codec::U64Key(after_position + 1)); it->Valid() && out.size() < limit;
         it->Next()) {
      const rocksdb::Slice value = it->value();
      ASSIGN_OR_RETURN(RecordedEvent event,
                       codec::DecodeEvent(std::string_view(value.data(), value.size())));
      out.push_back(std::move(event));
    }
    if (!it->status().ok()) return Fail(FromRocks(it->status(), "reading the log"));
    return out;
  }

  Result<size_t> ScanAll(uint64_t after_position, size_t limit,
                         const EventVisitor& visit) const override {
    size_t visited = 0;
    const uint64_t visible = Visible();
    if (limit == 0 || after_position >= visible) return visited;
    // Positions are gapless: the events up to the head are the next (head - after) keys.
    limit = std::min<uint64_t>(limit, visible - after_position);
    rocksdb::ReadOptions read_options;
    // A sequential scan, usually of a page of a replay (1000 events are ~150 KB compressed): a
    // 1 MB readahead read and copied several times what each call used.
    read_options.readahead_size = 256 << 10;
    read_options.fill_cache = false;  // each block is read once
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options, handles_[kEvents]));
    RecordedEventView view;
    std::array<char, 64> hash_hex;
    for (it->Seek(codec::U64Key(after_position + 1)); it->Valid() && visited < limit; it->Next()) {
      const rocksdb::Slice value = it->value();
      RETURN_IF_ERROR(
          codec::DecodeEventView(std::string_view(value.data(), value.size()), view, hash_hex));
      visit(view);
      ++visited;
    }
    if (!it->status().ok()) return Fail(FromRocks(it->status(), "reading the log"));
    return visited;
  }

  Result<uint64_t> StreamVersion(std::string_view stream) const override {
    const uint64_t visible = Visible();
    ASSIGN_OR_RETURN(uint64_t version, ReadStreamVersion(stream, nullptr));
    // Rarely more than one step back: only groups written and not yet synced are past the head.
    while (version > 0) {
      rocksdb::PinnableSlice value;
      rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), handles_[kStreams],
                                   codec::StreamKey(stream, version), &value);
      if (!s.ok()) return Fail(FromRocks(s, "reading a stream version"));
      auto position = codec::DecodeU64Key(std::string_view(value.data(), value.size()));
      if (!position) return Fail(Error::Corruption("malformed stream index entry"));
      if (*position <= visible) break;
      --version;
    }
    return version;
  }

  Result<std::optional<std::pair<std::string, AppendResult>>> LookupIdempotencyKey(
      std::string_view key) const override {
    const uint64_t visible = Visible();
    ASSIGN_OR_RETURN(std::optional<codec::IdempotencyRecord> record, ReadIdempotency(key));
    // A key written with a group not yet synced is not yet there for a caller: its append
    // replays it once the group is durable.
    if (!record || record->result.last_position > visible) return std::nullopt;
    return std::make_pair(std::move(record->fingerprint), std::move(record->result));
  }

  Result<std::vector<IdempotencyEntry>> IdempotencyEntries(uint64_t after,
                                                           uint64_t through) const override {
    std::vector<IdempotencyEntry> out;
    through = std::min(through, Visible());
    if (after >= through) return out;
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions(), handles_[kKeyPositions]));
    const std::string end = codec::U64Key(through);
    for (it->Seek(codec::U64Key(after + 1)); it->Valid() && it->key().compare(end) <= 0;
         it->Next()) {
      const std::string key = it->value().ToString();
      ASSIGN_OR_RETURN(std::optional<codec::IdempotencyRecord> record, ReadIdempotency(key));
      if (!record)
        return Fail(Error::Corruption("idempotency key '" + key + "' is indexed but gone"));
      out.push_back({key, std::move(record->fingerprint), std::move(record->result)});
    }
    if (!it->status().ok()) return Fail(FromRocks(it->status(), "reading the keys' positions"));
    return out;
  }

  LedgerHead Head() const override { return signal_.Head(); }
  uint64_t HeadPosition() const override { return signal_.HeadPosition(); }

  Result<VerifyReport> Verify() const override;

  Result<merkle::Hash> TreeNode(unsigned level, uint64_t index) const override {
    return NewTreeReader()(level, index);
  }
  merkle::NodeReader NewTreeReader() const override {
    return MakeTreeReader(signal_.HeadPosition());
  }

  uint64_t WaitForCommit(uint64_t after_position,
                         std::chrono::milliseconds timeout) const override {
    return signal_.WaitForCommit(after_position, timeout);
  }
  uint64_t AddCommitListener(CommitListener listener) override {
    return signal_.AddListener(std::move(listener));
  }
  void RemoveCommitListener(uint64_t id) override { signal_.RemoveListener(id); }
  bool failed() const override { return failed_.load(); }

  StateStore& state() override { return state_space_; }
  const StateStore& state() const override { return state_space_; }

  // The derived-state space: the "state" column family, written through the store's own
  // WriteLog (so a failing file system fails it too) but never synced.
  class DerivedState final : public StateStore {
   public:
    explicit DerivedState(RocksDbEventStore& store) : store_(store) {}

    Status Write(const Batch& write) override {
      rocksdb::WriteBatch batch;
      for (const auto& [key, value] : write.puts) {
        rocksdb::Status s = batch.Put(store_.handles_[kState], key, value);
        if (!s.ok()) return Fail(FromRocks(s, "batching state"));
      }
      for (const std::string& key : write.deletes) {
        rocksdb::Status s = batch.Delete(store_.handles_[kState], key);
        if (!s.ok()) return Fail(FromRocks(s, "batching state"));
      }
      rocksdb::Status s = store_.WriteLog(rocksdb::WriteOptions(), &batch);
      if (!s.ok()) return Fail(FromRocks(s, "writing state"));
      return {};
    }

    Result<std::optional<std::string>> Read(std::string_view key) const override {
      std::string value;
      rocksdb::Status s =
          store_.db_->Get(rocksdb::ReadOptions(), store_.handles_[kState], key, &value);
      if (s.IsNotFound()) return std::nullopt;
      if (!s.ok()) return Fail(FromRocks(s, "reading state"));
      return value;
    }

    Result<std::vector<std::pair<std::string, std::string>>> Scan(
        std::string_view prefix) const override {
      std::vector<std::pair<std::string, std::string>> out;
      std::unique_ptr<rocksdb::Iterator> it(
          store_.db_->NewIterator(rocksdb::ReadOptions(), store_.handles_[kState]));
      for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
        out.emplace_back(it->key().ToString(), it->value().ToString());
      }
      if (!it->status().ok()) return Fail(FromRocks(it->status(), "scanning state"));
      return out;
    }

    Status Visit(std::string_view prefix, const Visitor& visit) const override {
      rocksdb::ReadOptions read_options;
      read_options.readahead_size = 1 << 20;  // a sequential scan
      read_options.fill_cache = false;        // read once, at start-up
      std::unique_ptr<rocksdb::Iterator> it(
          store_.db_->NewIterator(read_options, store_.handles_[kState]));
      for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
        const rocksdb::Slice key = it->key();
        const rocksdb::Slice value = it->value();
        if (!visit(std::string_view(key.data(), key.size()),
                   std::string_view(value.data(), value.size()))) {
          break;
        }
      }
      if (!it->status().ok()) return Fail(FromRocks(it->status(), "scanning state"));
      return {};
    }

    Status Clear() override {
      std::string last_key;
      {
        std::unique_ptr<rocksdb::Iterator> it(
            store_.db_->NewIterator(rocksdb::ReadOptions(), store_.handles_[kState]));
        it->SeekToLast();
        if (!it->status().ok()) return Fail(FromRocks(it->status(), "scanning state"));
        if (!it->Valid()) return {};
        last_key = it->key().ToString();
      }
      last_key.push_back('\0');  // the smallest key after the last one: the range end is exclusive
      rocksdb::WriteBatch batch;
      rocksdb::Status s = batch.DeleteRange(store_.handles_[kState], rocksdb::Slice(), last_key);
      if (s.ok()) s = store_.WriteLog(rocksdb::WriteOptions(), &batch);
      if (!s.ok()) return Fail(FromRocks(s, "clearing state"));
      return {};
    }

   private:
    RocksDbEventStore& store_;
  };

 private:
  // What a waiting writer is woken with.
  enum : uint32_t { kDone = 1, kLead = 2 };

  struct Writer {
    const AppendRequest* request = nullptr;   // either this
    const RecordedEvent* verbatim = nullptr;  // or this
    size_t bytes = 0;
    Result<AppendResult> result;  // set by the leader that commits this writer
    // On the pending stack: the writer pushed before this one (the bottom one links to
    // &busy_). Once taken by a leader: the next writer in arrival order, nullptr at the end.
    Writer* next = nullptr;
    Handoff woken;  // kDone: result is set; kLead: lead the writers from this one on
    // An asynchronous writer: no thread waits on `woken`; the committer thread leads in its
    // place, and `done` is called instead of a wake-up. Heap-allocated, owning its request.
    AppendCallback done;
    AppendRequest owned;
    RecordedEvent owned_verbatim;                  // an asynchronous AppendVerbatim's
    std::optional<IdempotencyEntry> verbatim_key;  // and the key of the append it ends
  };

  RocksDbEventStore(const RocksDbOptions& options, LedgerHead head)
      : options_(options),
        clock_(options.clock != nullptr ? options.clock : &system_clock_),
        signal_(std::move(head)) {}

  // A group planned by a leader.
  struct Planned {
    std::vector<Writer*> writers;  // in arrival order, their results set by the plan
    rocksdb::WriteBatch batch;     // empty: nothing to write (refusals, replays, fail-stop)
    LedgerHead head;               // the head once written
    size_t events = 0;
    std::string cause;  // not empty: planning or writing failed this way; the store fails with it
  };

  // Starts the committer, syncer and completer threads, once.
  void StartThreads() {
    std::call_once(threads_started_, [this] {
      completer_ = std::thread([this] { CompleteCommitted(); });
      syncer_ = std::thread([this] { SyncQueued(); });
      committer_ = std::thread([this] { Commit(); });
    });
  }
  // Pushes writer onto the pending stack, or takes the lead for it when there is no leader
  // (true).
  bool Enqueue(Writer* writer);
  // Returns once a leader (maybe this thread) has committed writer.
  void Submit(Writer& writer);
  // Queues an asynchronous writer (taking it over) and returns at once.
  void SubmitAsync(Writer* writer);
  // Hands the lead to writer: wakes its thread, or the committer for an asynchronous one.
  void HandLead(Writer* writer);
  // The committer thread: leads from the asynchronous writers handed to it, until the store
  // closes. It runs no caller's code.
  void Commit();
  // The syncer thread: syncs the groups written unsynced and queued, until the store closes and
  // the queue is empty.
  void SyncQueued();
  // The completer thread: completes the asynchronous writers of committed groups and calls the
  // commit listeners, in commit order. Apart from the committer and the syncer, so that a
  // completion or listener that appends (and waits) never waits on the thread it runs on.
  void CompleteCommitted();
  // Commits the writers from first on (in arrival order, first being this thread's own) as one
  // group, hands the lead on, and returns once the group is committed. Called by a blocking
  // leader only.
  void Lead(Writer* first);
  // Plans one group on top of every group planned before it. Called by the leader only.
  std::unique_ptr<Planned> PlanGroup(std::vector<Writer*> writers);
  // The published head's position: what readers may see (the store may hold events written after
  // it, not yet synced).
  uint64_t Visible() const { return signal_.HeadPosition(); }
  // Writes a planned group: synced and completed here when nobody waits (others_waiting false)
  // and no group is in the sync stage (true: done); else unsynced and queued for the syncer
  // (false: its writers are completed by the syncer). own: the writer whose thread this is, not
  // woken (nullptr: the committer's). Called by the leader only, before it hands the lead on.
  // notify: set to the head a blocking leader is to tell the listeners of (FinishGroup).
  bool WriteGroup(std::unique_ptr<Planned> planned, bool others_waiting, const Writer* own,
                  uint64_t* notify);
  // Ends a group whose bytes are synced (cause empty) or failed: publishes its head and completes
  // its writers: a blocking one is woken here, an asynchronous one goes to the completer. The
  // commit listeners go to the completer too, except for a blocking leader's own group (own set):
  // then the head for it to tell them once it has handed the lead on is returned (else 0).
  uint64_t FinishGroup(Planned& planned, const std::string& cause, const Writer* own);
  // The writers from first on (in arrival order) that one group takes, appended to group; returns
  // the first writer left out, or nullptr.
  static Writer* TakeGroup(Writer* first, std::vector<Writer*>& group);
  // Called by the leader only: the writers that queued since it took the lead, in arrival order,
  // the lead staying taken; or nullptr, the lead released.
  Writer* TakePending();
  // Called by the leader only: whether writers queued since it took the lead (a peek).
  bool OthersPending() const { return pending_.load(std::memory_order_acquire) != &busy_; }
  // Counts a group of `events` written (and synced) in `took`.
  void CountGroup(size_t events, std::chrono::steady_clock::duration took) {
    const double seconds = std::chrono::duration<double>(took).count();
    const auto bucket = [](const auto& bounds, double value) {
      return static_cast<size_t>(std::lower_bound(bounds.begin(), bounds.end(), value) -
                                 bounds.begin());
    };
    groups_.fetch_add(1, std::memory_order_relaxed);
    group_events_.fetch_add(events, std::memory_order_relaxed);
    sync_counts_[bucket(StoreStats::kSyncBounds, seconds)].fetch_add(1, std::memory_order_relaxed);
    sync_micros_.fetch_add(
        static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(took).count()),
        std::memory_order_relaxed);
    group_counts_[bucket(StoreStats::kGroupBounds, static_cast<double>(events))].fetch_add(
        1, std::memory_order_relaxed);
  }

 public:
  StoreStats Stats() const override {
    StoreStats stats;
    stats.groups = groups_.load(std::memory_order_relaxed);
    stats.events = group_events_.load(std::memory_order_relaxed);
    for (size_t i = 0; i < sync_counts_.size(); ++i) stats.sync_counts[i] = sync_counts_[i].load();
    for (size_t i = 0; i < group_counts_.size(); ++i) {
      stats.group_counts[i] = group_counts_[i].load();
    }
    stats.sync_seconds = static_cast<double>(sync_micros_.load()) / 1e6;
    const auto property = [this](const std::string& name) {
      uint64_t value = 0;
      return db_->GetIntProperty(name, &value) ? value : 0;
    };
    const auto summed = [this](const std::string& name) {
      uint64_t value = 0;
      return db_->GetAggregatedIntProperty(name, &value) ? value : 0;
    };
    stats.live_data_bytes = summed("rocksdb.estimate-live-data-size");
    stats.pending_compaction_bytes = summed("rocksdb.estimate-pending-compaction-bytes");
    stats.memtable_bytes = summed("rocksdb.cur-size-all-mem-tables");
    stats.write_stopped = property("rocksdb.is-write-stopped") != 0;
    stats.delayed_write_rate = property("rocksdb.actual-delayed-write-rate");
    stats.background_errors = property("rocksdb.background-errors");
    return stats;
  }

 private:
  // CommittedView: called by the leader only.
  // "Committed" for a plan means written before it: a group written but not yet synced counts,
  // since a failed sync fails every group written after it. These read past the published head.
  Result<uint64_t> CommittedStreamVersion(const std::string& stream,
                                          ExpectedVersion expected) override {
    if (auto it = version_cache_.find(stream); it != version_cache_.end()) return it->second;
    // A seek costs an iterator over every memtable and level; confirming the writer's belief
    // takes one or two point reads, which the bloom filters mostly answer. Creating a stream,
    // what most appends do, is one read of a key that is not there.
    std::optional<uint64_t> version;
    if (expected.kind != ExpectedVersion::Kind::kAny) {
      const uint64_t believed =
          expected.kind == ExpectedVersion::Kind::kExact ? expected.version : 0;
      ASSIGN_OR_RETURN(const bool next_exists, StreamHasVersion(stream, believed + 1));
      if (!next_exists) {
        if (believed == 0) {
          version = 0;
        } else {
          ASSIGN_OR_RETURN(const bool believed_exists, StreamHasVersion(stream, believed));
          if (believed_exists) version = believed;
        }
      }
    }
    if (!version) {
      ASSIGN_OR_RETURN(version, ReadStreamVersion(stream, nullptr));
    }
    CacheVersion(stream, *version);
    return *version;
  }
  // The cache is only a cache: every plan refreshes the streams it writes, so dropping it all
  // when it grows large loses nothing but reads.
  void CacheVersion(const std::string& stream, uint64_t version) {
    if (version_cache_.size() >= kMaxCachedVersions) version_cache_.clear();
    version_cache_[stream] = version;
  }
  Result<std::optional<codec::IdempotencyRecord>> CommittedIdempotency(
      const std::string& key) override {
    return ReadIdempotency(key);
  }

  Result<uint64_t> ReadStreamVersion(std::string_view stream,
                                     const rocksdb::Snapshot* snapshot) const {
    rocksdb::ReadOptions read_options;
    read_options.snapshot = snapshot;
    const std::string prefix = codec::StreamPrefix(stream);
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options, handles_[kStreams]));
    it->SeekForPrev(codec::StreamKey(stream, UINT64_MAX));
    if (!it->status().ok()) return Fail(FromRocks(it->status(), "reading a stream version"));
    if (!it->Valid() || !it->key().starts_with(prefix)) return 0;
    const rocksdb::Slice key = it->key();
    auto version = codec::DecodeU64Key(
        std::string_view(key.data() + prefix.size(), key.size() - prefix.size()));
    if (!version) return Fail(Error::Corruption("malformed streams key"));
    return *version;
  }

  // Whether the stream index holds (stream, version). Versions have no gaps, so this tells
  // whether the stream reached version.
  Result<bool> StreamHasVersion(std::string_view stream, uint64_t version) const {
    rocksdb::PinnableSlice value;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), handles_[kStreams],
                                 codec::StreamKey(stream, version), &value);
    if (s.IsNotFound()) return false;
    if (!s.ok()) return Fail(FromRocks(s, "reading a stream version"));
    return true;
  }

  // A stored node (level >= kLowestStoredLevel), from the node cache or the tree family.
  Result<merkle::Hash> ReadStoredNode(unsigned level, uint64_t index) const {
    // (level, index) in one word: a stored node's index is below 2^(64 - level) <= 2^60.
    const uint64_t cache_key = (uint64_t{level} << 58) ^ index;
    {
      std::shared_lock lock(node_cache_mu_);
      if (auto it = node_cache_.find(cache_key); it != node_cache_.end()) return it->second;
    }
    rocksdb::PinnableSlice value;
    rocksdb::Status s =
        db_->Get(rocksdb::ReadOptions(), handles_[kTree], codec::TreeKey(level, index), &value);
    if (!s.ok()) return Fail(FromRocks(s, "reading a node of the Merkle tree"));
    auto hash = merkle::FromBytes(std::string_view(value.data(), value.size()));
    if (!hash) return Fail(Error::Corruption("malformed Merkle tree node"));
    std::unique_lock lock(node_cache_mu_);
    if (node_cache_.size() >= kMaxCachedNodes) node_cache_.clear();
    node_cache_.emplace(cache_key, *hash);
    return *hash;
  }

  // The leaf hashes of the events at positions first + 1 .. first + count, by one scan.
  Status ReadLeaves(uint64_t first, uint64_t count, merkle::Hash* out) const {
    uint64_t read = 0;
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions(), handles_[kEvents]));
    for (it->Seek(codec::U64Key(first + 1)); it->Valid() && read < count; it->Next(), ++read) {
      auto hash = codec::EventHashBytes(std::string_view(it->value().data(), it->value().size()));
      if (!hash) {
        return Fail(
            Error::Corruption("malformed event at position " + std::to_string(first + read + 1)));
      }
      out[read] = merkle::LeafHash(*hash);
    }
    if (!it->status().ok()) return Fail(FromRocks(it->status(), "reading the Merkle tree"));
    if (read != count) return Fail(Error::Corruption("the log ends inside the Merkle tree"));
    return {};
  }

  // A reader of the tree of `head` events. A node below the stored levels is computed from the
  // leaves of the block of 2^kLowestStoredLevel events that holds it, read once per reader: a
  // proof's low siblings all lie in one or two such blocks.
  merkle::NodeReader MakeTreeReader(uint64_t head) const {
    struct Block {
      uint64_t index = UINT64_MAX;
      merkle::Hash leaves[kLeafBlock];
    };
    auto block = std::make_shared<Block>();
    return [this, head, block](unsigned level, uint64_t index) -> Result<merkle::Hash> {
      if (level > 63 || index >= (head >> level)) {
        return Fail(Error::NotFound("Merkle tree node (" + std::to_string(level) + ", " +
                                    std::to_string(index) + ") is not within the head"));
      }
      if (level >= kLowestStoredLevel) return ReadStoredNode(level, index);
      const uint64_t first = index << level;
      const uint64_t block_index = first / kLeafBlock;
      if (block->index != block_index) {
        const uint64_t count = std::min(kLeafBlock, head - block_index * kLeafBlock);
        block->index = UINT64_MAX;
        RETURN_IF_ERROR(ReadLeaves(block_index * kLeafBlock, count, block->leaves));
        block->index = block_index;
      }
      merkle::Hash nodes[kLeafBlock];
      const uint64_t width = uint64_t{1} << level;
      std::copy_n(block->leaves + (first - block_index * kLeafBlock), width, nodes);
      for (uint64_t n = width; n > 1; n /= 2) {
        for (uint64_t i = 0; i < n / 2; ++i)
          nodes[i] = merkle::NodeHash(nodes[2 * i], nodes[2 * i + 1]);
      }
      return nodes[0];
    };
  }

  // The tree of the first `head` events folded from the events themselves (O(head)); with
  // write_nodes, its stored nodes written as it goes and the store marked format 2 at the end
  // (building a format 1 store's tree: a crash on the way leaves format 1, and the next open
  // builds the same nodes again).
  Result<merkle::CompactRange> FoldTree(uint64_t head, bool write_nodes);

  // Every write to the database goes through here. A write that fails puts the store in
  // fail-stop before the lock is let go: RocksDB refuses every later write after a failed log
  // write, and the syncer must not sync that log (log_mu_).
  rocksdb::Status WriteLog(const rocksdb::WriteOptions& write_options, rocksdb::WriteBatch* batch) {
    std::lock_guard hold(log_mu_);
    rocksdb::Status s = db_->Write(write_options, batch);
    if (!s.ok()) failed_.store(true);
    return s;
  }

  Result<std::optional<codec::IdempotencyRecord>> ReadIdempotency(std::string_view key) const {
    std::string value;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), handles_[kIdempotency], key, &value);
    if (s.IsNotFound()) return std::nullopt;
    if (!s.ok()) return Fail(FromRocks(s, "reading an idempotency key"));
    ASSIGN_OR_RETURN(codec::IdempotencyRecord record, codec::DecodeIdempotency(value));
    return record;
  }

  const RocksDbOptions options_;
  SystemClock system_clock_;
  const Clock* clock_;
  std::shared_ptr<rocksdb::Env> env_;  // RocksDbOptions::env, or null; outlives db_
  // The file system beneath db_ (over env_'s, or the default one), and the Env that holds it.
  std::shared_ptr<LogSyncWatch> log_watch_;
  std::unique_ptr<rocksdb::Env> watched_env_;
  // The syncer's: log_watch_->logs_created() when the last successful SyncWAL began (at open, the
  // count then: RocksDB opens with one live log).
  uint64_t logs_at_last_sync_ = 0;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // by Family
  DerivedState state_space_{*this};
  CommitSignal signal_;
  std::atomic<bool> failed_{false};
  // Held by every write to the database (WriteLog), and by the syncer from its check of failed_
  // until its SyncWAL reaches the live log's file (SyncQueued): RocksDB aborts when SyncWAL
  // meets a log whose append failed, and a write that fails sets failed_ before it lets go.
  std::mutex log_mu_;
  // The commit path's counts (StoreStats), written by the leader of each group.
  std::atomic<uint64_t> groups_{0};
  std::atomic<uint64_t> group_events_{0};
  std::array<std::atomic<uint64_t>, StoreStats::kSyncBounds.size() + 1> sync_counts_{};
  std::atomic<uint64_t> sync_micros_{0};
  std::array<std::atomic<uint64_t>, StoreStats::kGroupBounds.size() + 1> group_counts_{};

  // nullptr: no leader. &busy_: a leader and nobody waiting. Otherwise the newest waiting
  // writer, the top of a stack that ends at &busy_.
  std::atomic<Writer*> pending_{nullptr};
  Writer busy_;  // a sentinel, never a real writer

  // Owned by the current leader (handed over with the lead, through pending_ or a Handoff).
  // They describe the log as written, synced or not: the published head may be behind.
  LedgerHead written_head_;
  std::unordered_map<std::string, uint64_t> version_cache_;
  merkle::CompactRange tree_;  // the written tree's right edge

  // The sync stage: groups written unsynced, in plan order, and the syncer thread that makes
  // them durable.
  std::mutex sync_mu_;
  std::condition_variable sync_wake_;                // the syncer: groups to sync, or stop
  std::condition_variable sync_space_;               // a leader: room in the queue
  std::deque<std::unique_ptr<Planned>> sync_queue_;  // guarded by sync_mu_
  bool syncing_ = false;          // guarded by sync_mu_: groups taken, unfinished
  bool syncer_stopping_ = false;  // guarded by sync_mu_
  std::thread syncer_;

  // Stored tree nodes read so far: complete nodes never change, so a hit is always right.
  mutable std::shared_mutex node_cache_mu_;
  mutable std::unordered_map<uint64_t, merkle::Hash> node_cache_;  // guarded by node_cache_mu_

  // The committer, writer and completer threads, started by the first append. The committer
  // sleeps while no asynchronous writer holds the lead.
  std::once_flag threads_started_;
  std::thread committer_;
  std::mutex committer_mu_;
  std::condition_variable committer_wake_;
  Writer* committer_lead_ = nullptr;  // guarded by committer_mu_: lead from this writer on
  bool committer_stopping_ = false;   // guarded by committer_mu_

  // The groups written, for the completer thread.
  struct Committed {
    std::vector<Writer*> group;  // its asynchronous writers
    uint64_t new_head = 0;       // 0: the head did not move
  };
  std::thread completer_;
  std::mutex completer_mu_;
  std::condition_variable completer_wake_;
  std::deque<Committed> committed_;  // guarded by completer_mu_
  bool completer_stopping_ = false;  // guarded by completer_mu_
};

Result<std::unique_ptr<EventStore>> RocksDbEventStore::Open(const RocksDbOptions& options) {
  if (options.path.empty()) return Fail(Error::InvalidArgument("store path is empty"));
  rocksdb::Options db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  // Beneath RocksDB, the watch on its write-ahead log (engine/log_sync_watch.hpp).
  auto log_watch = std::make_shared<LogSyncWatch>(options.env ? options.env->GetFileSystem()
                                                              : rocksdb::FileSystem::Default());
  std::unique_ptr<rocksdb::Env> watched_env = rocksdb::NewCompositeEnv(log_watch);
  db_options.env = watched_env.get();
  // The stream index and the idempotency keys are read by point (does this stream have a
  // version n? was this key used?), mostly for keys that are not there: bloom filters answer
  // those without reading a block. So are the tree's nodes, each in one file of several: the
  // filters spare a proof the others. Files written before carry no filter and are read as
  // before.
  rocksdb::BlockBasedTableOptions point_read_table;
  point_read_table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (size_t f = 0; f < kFamilyCount; ++f) {
    rocksdb::ColumnFamilyOptions family_options(db_options);
    if (f == kStreams || f == kIdempotency || f == kTree) {
      family_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(point_read_table));
      // The same for the memtables, which hold the newest keys: without a filter, asking for
      // a stream that does not exist yet (every new stream's append) searched the whole
      // skiplist, a sixth of the committer's time at 64 appenders (docs/performance.md).
      family_options.memtable_whole_key_filtering = true;
      family_options.memtable_prefix_bloom_size_ratio = 0.02;
    }
    families.emplace_back(kFamilyNames[f], family_options);
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw_db = nullptr;
  rocksdb::Status s =
      rocksdb::DB::Open(rocksdb::DBOptions(db_options), options.path, families, &handles, &raw_db);
  if (!s.ok()) return Fail(FromRocks(s, "opening " + options.path));

  // The store owns db and handles from here on, so that every early return closes them.
  std::unique_ptr<RocksDbEventStore> store(
      new RocksDbEventStore(options, LedgerHead{0, kGenesisHash}));
  store->env_ = options.env;
  store->logs_at_last_sync_ = log_watch->logs_created();
  store->log_watch_ = std::move(log_watch);
  store->watched_env_ = std::move(watched_env);
  store->db_.reset(raw_db);
  store->handles_ = std::move(handles);
  rocksdb::DB& db = *store->db_;
  const auto& h = store->handles_;

  std::string value;
  std::string format = kFormatVersion;
  s = db.Get(rocksdb::ReadOptions(), h[kMeta], kFormatKey, &format);
  if (s.IsNotFound()) {
    // A store written without the tree (a benchmark's) says so: opened with it, it builds it.
    format = options.merkle_tree ? kFormatVersion : kFormatWithoutTree;
    s = db.Put(rocksdb::WriteOptions(), h[kMeta], kFormatKey, format);
    if (!s.ok()) return Fail(FromRocks(s, "writing the format version"));
  } else if (!s.ok()) {
    return Fail(FromRocks(s, "reading the format version"));
  } else if (format != kFormatVersion && format != kFormatWithoutTree) {
    return Fail(Error::Corruption("storage format '" + format + "' in " + options.path +
                                  " is not one this version of dialogue reads (1 or 2): a newer "
                                  "dialogue wrote it"));
  }

  LedgerHead head{0, kGenesisHash};
  s = db.Get(rocksdb::ReadOptions(), h[kMeta], kHeadKey, &value);
  if (s.ok()) {
    ASSIGN_OR_RETURN(head, codec::DecodeHead(value));
  } else if (!s.IsNotFound()) {
    return Fail(FromRocks(s, "reading the head"));
  }
  uint64_t last_position = 0;
  {
    std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(rocksdb::ReadOptions(), h[kEvents]));
    it->SeekToLast();
    if (!it->status().ok()) return Fail(FromRocks(it->status(), "reading the last event"));
    if (it->Valid()) {
      auto position = codec::DecodeU64Key(std::string_view(it->key().data(), it->key().size()));
      if (!position) return Fail(Error::Corruption("malformed events key"));
      last_position = *position;
    }
  }
  if (last_position != head.position) {
    return Fail(Error::Corruption("meta/head names position " + std::to_string(head.position) +
                                  " but the last event is at " + std::to_string(last_position)));
  }
  if (!options.merkle_tree) {
    // No tree kept (benchmarks only).
  } else if (format == kFormatWithoutTree) {
    ASSIGN_OR_RETURN(store->tree_, store->FoldTree(head.position, /*write_nodes=*/true));
  } else {
    auto edge = merkle::CompactRange::Load(head.position, store->MakeTreeReader(head.position));
    // A damaged tree (a node lost or altered below RocksDB) must not keep the log from opening:
    // its edge comes from the events then, and Verify reports the damage.
    if (!edge) {
      ASSIGN_OR_RETURN(edge, store->FoldTree(head.position, /*write_nodes=*/false));
    }
    store->tree_ = *std::move(edge);
  }
  store->written_head_ = head;
  store->signal_.SetHead(std::move(head));
  return std::unique_ptr<EventStore>(std::move(store));
}

bool RocksDbEventStore::Enqueue(Writer* writer) {
  Writer* top = pending_.load(std::memory_order_acquire);
  for (;;) {
    if (top == nullptr) {
      // No leader: the lead is this writer's.
      if (pending_.compare_exchange_weak(top, &busy_, std::memory_order_acq_rel,
                                         std::memory_order_acquire)) {
        writer->next = nullptr;
        return true;
      }
    } else {
      writer->next = top;
      // Once pushed, the writer is the leaders': an asynchronous one may be completed and gone
      // at once.
      if (pending_.compare_exchange_weak(top, writer, std::memory_order_acq_rel,
                                         std::memory_order_acquire)) {
        return false;
      }
    }
  }
}

void RocksDbEventStore::Submit(Writer& writer) {
  StartThreads();
  if (Enqueue(&writer) || writer.woken.Wait() == kLead) Lead(&writer);
}

void RocksDbEventStore::SubmitAsync(Writer* writer) {
  if (Enqueue(writer)) HandLead(writer);  // the committer takes the lead
}

void RocksDbEventStore::HandLead(Writer* writer) {
  if (!writer->done) {
    writer->woken.Post(kLead);
    return;
  }
  {
    std::lock_guard lock(committer_mu_);
    committer_lead_ = writer;
  }
  committer_wake_.notify_one();
}

void RocksDbEventStore::Commit() {
  for (;;) {
    Writer* first = nullptr;
    {
      std::unique_lock lock(committer_mu_);
      committer_wake_.wait(lock,
                           [this] { return committer_lead_ != nullptr || committer_stopping_; });
      if (committer_lead_ == nullptr) return;
      first = std::exchange(committer_lead_, nullptr);
    }
    // Leads group after group while the writers next in line are asynchronous too.
    while (first != nullptr) {
      std::vector<Writer*> group;
      Writer* rest = TakeGroup(first, group);
      const bool others_waiting = rest != nullptr || OthersPending();
      uint64_t unused = 0;  // the committer's listeners are called by the completer
      WriteGroup(PlanGroup(std::move(group)), others_waiting, nullptr, &unused);
      if (rest == nullptr) rest = TakePending();
      first = nullptr;
      if (rest != nullptr) {
        if (rest->done) {
          first = rest;
        } else {
          rest->woken.Post(kLead);
        }
      }
    }
  }
}

void RocksDbEventStore::SyncQueued() {
  std::deque<std::unique_ptr<Planned>> taken;
  for (;;) {
    {
      std::unique_lock lock(sync_mu_);
      sync_wake_.wait(lock, [this] { return !sync_queue_.empty() || syncer_stopping_; });
      if (sync_queue_.empty()) return;
      taken.swap(sync_queue_);
      syncing_ = true;
    }
    sync_space_.notify_all();
    // Never a sync after a failed write: Debian's RocksDB keeps its assertions, and it aborts
    // when a log that failed an append is synced. The groups written before the failure are
    // then failed, though their bytes may be on disk: their outcome is unknown, never acknowledged.
    std::unique_lock hold(log_mu_);  // no log write in flight, and none starts (below)
    std::string cause = failed_.load() ? "an earlier write failed" : std::string();
    if (cause.empty() && options_.sync) {
      const auto started = std::chrono::steady_clock::now();
      // SyncWAL checks each log for a failed append just before it syncs the file. When no log
      // was created since the last SyncWAL began, there is one log to sync, the live one: once
      // SyncWAL reaches its file, writes may go on beside the sync, since a failure now cannot
      // meet that check. Otherwise (RocksDB switched logs when a memtable filled) this sync may
      // take two logs in turn, and the writes wait for the whole of it.
      const uint64_t logs = log_watch_->logs_created();
      const bool one_log = logs == logs_at_last_sync_;
      LogSyncWatch::OnSyncStart release([&] {
        if (one_log && hold.owns_lock() && log_watch_->logs_created() == logs) hold.unlock();
      });
      rocksdb::Status s = db_->SyncWAL();
      if (!s.ok()) {
        cause = s.ToString();
        failed_.store(true);  // before the writes go on
      } else {
        logs_at_last_sync_ = logs;  // every log created before this sync began is synced
        size_t events = 0;
        for (const auto& planned : taken) events += planned->events;
        CountGroup(events, std::chrono::steady_clock::now() - started);
      }
    }
    if (!cause.empty()) failed_.store(true);
    if (hold.owns_lock()) hold.unlock();
    for (auto& planned : taken) FinishGroup(*planned, cause, nullptr);
    taken.clear();
    {
      std::lock_guard lock(sync_mu_);
      syncing_ = false;
    }
    sync_space_.notify_all();
  }
}

void RocksDbEventStore::CompleteCommitted() {
  std::deque<Committed> batch;
  for (;;) {
    {
      std::unique_lock lock(completer_mu_);
      completer_wake_.wait(lock, [this] { return !committed_.empty() || completer_stopping_; });
      if (committed_.empty()) return;
      batch.swap(committed_);
    }
    for (Committed& committed : batch) {
      for (Writer* w : committed.group) {
        std::unique_ptr<Writer> owned(w);  // asynchronous: owned by the store until now
        owned->done(std::move(owned->result));
      }
      if (committed.new_head != 0) signal_.NotifyListeners(committed.new_head);
    }
    batch.clear();
  }
}

RocksDbEventStore::Writer* RocksDbEventStore::TakePending() {
  Writer* top = pending_.load(std::memory_order_acquire);
  for (;;) {
    Writer* const replacement = top == &busy_ ? nullptr : &busy_;
    if (pending_.compare_exchange_weak(top, replacement, std::memory_order_acq_rel,
                                       std::memory_order_acquire)) {
      break;
    }
  }
  // The stack holds the newest first: reverse it into arrival order.
  Writer* first = nullptr;
  while (top != &busy_) {
    Writer* const older = top->next;
    top->next = first;
    first = top;
    top = older;
  }
  return first;
}

RocksDbEventStore::Writer* RocksDbEventStore::TakeGroup(Writer* first,
                                                        std::vector<Writer*>& group) {
  size_t bytes = 0;
  Writer* rest = first;
  while (rest != nullptr && (group.empty() || (group.size() < kMaxGroupRequests &&
                                               bytes + rest->bytes <= kMaxGroupBytes))) {
    group.push_back(rest);
    bytes += rest->bytes;
    rest = rest->next;
  }
  return rest;
}

void RocksDbEventStore::Lead(Writer* first) {
  std::vector<Writer*> group;
  Writer* rest = TakeGroup(first, group);
  std::unique_ptr<Planned> planned = PlanGroup(std::move(group));
  // From here on the syncer may post kDone to this writer.
  first->woken.Reset();
  uint64_t notify = 0;
  const bool done =
      WriteGroup(std::move(planned), rest != nullptr || OthersPending(), first, &notify);
  // The next leader plans the next group while this one is synced.
  if (rest == nullptr) rest = TakePending();
  if (rest != nullptr) HandLead(rest);
  if (!done) first->woken.Wait();
  if (notify != 0) signal_.NotifyListeners(notify);
}

std::unique_ptr<RocksDbEventStore::Planned> RocksDbEventStore::PlanGroup(
    std::vector<Writer*> writers) {
  auto planned = std::make_unique<Planned>();
  planned->writers = std::move(writers);
  if (failed_.load()) {
    for (Writer* w : planned->writers) w->result = Fail(Error::Unavailable(kFailStopMessage));
    return planned;
  }
  AppendPlan plan(*this, written_head_, FormatRfc3339(clock_->Now()));
  for (Writer* w : planned->writers) {
    if (w->request != nullptr) {
      w->result = plan.Add(*w->request);
      continue;
    }
    Status added = plan.AddVerbatim(*w->verbatim, w->verbatim_key ? &*w->verbatim_key : nullptr);
    if (!added) {
      w->result = Fail(added.error());
      continue;
    }
    w->result = AppendResult{w->verbatim->position,
                             w->verbatim->position,
                             {{w->verbatim->stream, w->verbatim->version}},
                             false,
                             {}};
  }
  if (plan.empty()) return planned;

  rocksdb::WriteBatch& batch = planned->batch;
  rocksdb::Status s;
  merkle::CompactRange tree = tree_;
  // Leaves are the events' own hashes, and the lowest levels are computed from them: only the
  // nodes from kLowestStoredLevel up are stored.
  const auto put_node = [&](const merkle::CompactRange::Node& node) {
    if (node.level >= kLowestStoredLevel && s.ok()) {
      s = batch.Put(handles_[kTree], codec::TreeKey(node.level, node.index),
                    rocksdb::Slice(reinterpret_cast<const char*>(node.hash.data()), 32));
    }
  };
  for (const RecordedEvent& e : plan.events()) {
    const std::string position_key = codec::U64Key(e.position);
    const std::string value = codec::EncodeEvent(e);
    if (s.ok()) s = batch.Put(handles_[kEvents], position_key, value);
    if (s.ok())
      s = batch.Put(handles_[kStreams], codec::StreamKey(e.stream, e.version), position_key);
    // The leaf from the event's hash as just encoded (the envelope's last 32 bytes).
    if (options_.merkle_tree)
      tree.Append(merkle::LeafHash(*codec::EventHashBytes(value)), put_node);
  }
  for (const auto& [key, record] : plan.keys()) {
    if (s.ok()) s = batch.Put(handles_[kIdempotency], key, codec::EncodeIdempotency(record));
    if (s.ok() && record.result.last_position != 0) {
      s = batch.Put(handles_[kKeyPositions], codec::U64Key(record.result.last_position), key);
    }
  }
  if (s.ok() && !plan.events().empty()) {
    s = batch.Put(handles_[kMeta], kHeadKey, codec::EncodeHead(plan.head()));
  }
  if (!s.ok()) {
    // Nothing planned after this can be written either.
    failed_.store(true);
    planned->cause = s.ToString();
    return planned;
  }
  // The next plan builds on this one, which its leader writes before it hands the lead on (a
  // failed write fails every later group, so nothing is planned on a write that did not happen).
  for (const auto& [stream, version] : plan.stream_versions()) CacheVersion(stream, version);
  planned->events = plan.events().size();
  if (planned->events > 0) {
    tree_ = std::move(tree);
    written_head_ = plan.head();
    planned->head = plan.head();
  }
  // Encoded into the batch: the events go to their callers with the results.
  for (Writer* w : planned->writers) {
    if (w->request != nullptr && w->result) plan.HandOver(*w->result);
  }
  return planned;
}

bool RocksDbEventStore::WriteGroup(std::unique_ptr<Planned> planned, bool others_waiting,
                                   const Writer* own, uint64_t* notify) {
  *notify = 0;
  bool stage_idle = false;
  {
    std::lock_guard lock(sync_mu_);
    stage_idle = sync_queue_.empty() && !syncing_;
  }
  // Only leaders queue groups, and this thread leads: an idle stage stays idle until it returns.
  const bool pipelined = others_waiting || !stage_idle || planned->writers.size() >= kPipelineFrom;
  std::string cause = std::move(planned->cause);
  if (cause.empty() && failed_.load()) cause = "an earlier write failed";
  if (cause.empty() && planned->batch.Count() > 0) {
    rocksdb::WriteOptions write_options;
    write_options.sync = options_.sync && !pipelined;
    const auto started = std::chrono::steady_clock::now();
    rocksdb::Status s = WriteLog(write_options, &planned->batch);
    if (!s.ok()) {
      cause = s.ToString();
    } else if (!pipelined) {
      CountGroup(planned->events, std::chrono::steady_clock::now() - started);
    }
  }
  if (!cause.empty()) failed_.store(true);
  if (!pipelined) {
    *notify = FinishGroup(*planned, cause, own);
    return true;
  }
  // A failed group still goes through the stage: the groups before it are failed there too, and
  // every group completes in plan order.
  planned->cause = std::move(cause);
  {
    std::unique_lock lock(sync_mu_);
    // Bounds the bytes written but not yet acknowledged; the syncer takes the whole queue at once.
    sync_space_.wait(lock, [this] { return sync_queue_.size() < kMaxQueuedGroups; });
    sync_queue_.push_back(std::move(planned));
  }
  sync_wake_.notify_one();
  return false;
}

uint64_t RocksDbEventStore::FinishGroup(Planned& planned, const std::string& cause,
                                        const Writer* own) {
  const std::string& why = planned.cause.empty() ? cause : planned.cause;
  uint64_t new_head = 0;
  if (!why.empty()) {
    for (Writer* w : planned.writers) {
      if (w->result) {
        w->result = Fail(Error::Unavailable(std::string(kFailStopMessage) + " (" + why + ")"));
      }
    }
  } else if (planned.events > 0) {
    signal_.SetHead(planned.head);
    new_head = planned.head.position;
  }
  // A blocking writer is woken here; an asynchronous one is completed on the completer thread,
  // since its completion may append and wait for this stage.
  std::erase_if(planned.writers, [own](Writer* w) {
    if (w->done) return false;
    if (w != own) w->woken.Post(kDone);  // w may be gone as soon as this returns
    return true;
  });
  // A blocking leader that committed its own group calls the listeners itself once it has handed
  // the lead on, as LevelDB's leader would: a listener has run before that caller's Append
  // returns.
  const uint64_t notify_here = own != nullptr ? std::exchange(new_head, 0) : 0;
  if (!planned.writers.empty() || new_head != 0) {
    bool was_empty = false;
    {
      std::lock_guard lock(completer_mu_);
      was_empty = committed_.empty();
      committed_.push_back({std::move(planned.writers), new_head});
    }
    if (was_empty) completer_wake_.notify_one();
  }
  return notify_here;
}

Result<merkle::CompactRange> RocksDbEventStore::FoldTree(uint64_t head, bool write_nodes) {
  merkle::CompactRange tree;
  rocksdb::WriteBatch batch;
  rocksdb::Status s;
  const auto put_node = [&](const merkle::CompactRange::Node& node) {
    if (write_nodes && node.level >= kLowestStoredLevel && s.ok()) {
      s = batch.Put(handles_[kTree], codec::TreeKey(node.level, node.index),
                    rocksdb::Slice(reinterpret_cast<const char*>(node.hash.data()), 32));
    }
  };
  rocksdb::ReadOptions read_options;
  read_options.readahead_size = 1 << 20;
  read_options.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options, handles_[kEvents]));
  for (it->SeekToFirst(); it->Valid() && tree.size() < head; it->Next()) {
    auto hash = codec::EventHashBytes(std::string_view(it->value().data(), it->value().size()));
    if (!hash) {
      return Fail(
          Error::Corruption("malformed event at position " + std::to_string(tree.size() + 1)));
    }
    tree.Append(merkle::LeafHash(*hash), put_node);
    if (write_nodes && tree.size() % kTreeBuildBatch == 0) {
      if (s.ok()) s = WriteLog(rocksdb::WriteOptions(), &batch);
      if (!s.ok()) return Fail(FromRocks(s, "building the Merkle tree"));
      batch.Clear();
    }
  }
  if (!it->status().ok()) return Fail(FromRocks(it->status(), "reading the log"));
  if (tree.size() != head) return Fail(Error::Corruption("the log has gaps"));
  if (!write_nodes) return tree;
  if (s.ok()) s = batch.Put(handles_[kMeta], kFormatKey, kFormatVersion);
  rocksdb::WriteOptions synced;
  synced.sync = true;
  if (s.ok()) s = WriteLog(synced, &batch);
  if (!s.ok()) return Fail(FromRocks(s, "building the Merkle tree"));
  return tree;
}

// Two sequential passes over one snapshot: the events in position order (the chain), then the
// stream index in key order, matched against a small digest of each event's (stream, version)
// kept from the first pass. The first bad position of either pass is reported.
Result<VerifyReport> RocksDbEventStore::Verify() const {
  rocksdb::ManagedSnapshot snapshot(db_.get());
  rocksdb::ReadOptions read_options;
  read_options.snapshot = snapshot.snapshot();
  read_options.fill_cache = false;

  ChainChecker checker;
  std::optional<uint64_t> bad_position;
  std::string problem;
  auto found = [&](uint64_t position, std::string what) {
    if (!bad_position || position < *bad_position) {
      bad_position = position;
      problem = std::move(what);
    }
  };
  auto index_digest = [](std::string_view stream_key) {
    return std::hash<std::string_view>{}(stream_key);
  };

  // Pass 1: the chain, up to the first bad event. Beside it the Merkle tree: its interior nodes,
  // in key order, are exactly the ones the events complete, in the order they complete them.
  std::vector<size_t> digests;  // by position - 1, for the events that checked out
  merkle::CompactRange tree;
  std::unique_ptr<rocksdb::Iterator> nodes(db_->NewIterator(read_options, handles_[kTree]));
  nodes->SeekToFirst();
  std::optional<std::string> tree_problem;
  const auto check_node = [&](const merkle::CompactRange::Node& node) {
    if (node.level < kLowestStoredLevel || tree_problem) return;
    const std::string where =
        " (level " + std::to_string(node.level) + ", index " + std::to_string(node.index) + ")";
    if (!nodes->Valid() || nodes->key() != codec::TreeKey(node.level, node.index)) {
      tree_problem = "the Merkle tree lacks the node" + where + " this event completes";
    } else if (nodes->value() != rocksdb::Slice(merkle::AsBytes(node.hash))) {
      tree_problem = "the Merkle tree's node" + where + " does not match the events";
    } else {
      nodes->Next();
    }
  };
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options, handles_[kEvents]));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const uint64_t expected = checker.head().position + 1;
    auto position = codec::DecodeU64Key(std::string_view(it->key().data(), it->key().size()));
    if (!position) {
      found(expected, "malformed events key");
      break;
    }
    auto event = codec::DecodeEvent(std::string_view(it->value().data(), it->value().size()));
    if (!event) {
      found(std::min(*position, expected), event.error().message);
      break;
    }
    if (auto wrong = checker.Check(*position, *event)) {
      found(std::min(*position, expected), std::move(*wrong));
      break;
    }
    digests.push_back(index_digest(codec::StreamKey(event->stream, event->version)));
    if (options_.merkle_tree) {
      tree.Append(merkle::LeafHash(*codec::HashFromHex(event->hash)), check_node);
      if (tree_problem) {
        found(*position, std::move(*tree_problem));
        break;
      }
    }
  }
  if (!it->status().ok()) return Fail(FromRocks(it->status(), "reading the log"));
  if (!nodes->status().ok()) return Fail(FromRocks(nodes->status(), "reading the Merkle tree"));
  const uint64_t checked = checker.head().position;
  if (!bad_position && options_.merkle_tree && nodes->Valid()) {
    found(checked + 1, "the Merkle tree has nodes beyond the last event");
  }

  // Pass 2: every index entry names a checked event, and every checked event has its entry.
  std::vector<bool> indexed(digests.size(), false);
  it.reset(db_->NewIterator(read_options, handles_[kStreams]));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const std::string_view key(it->key().data(), it->key().size());
    const size_t nul = key.find('\0');
    auto decoded_version =
        nul == std::string_view::npos ? std::nullopt : codec::DecodeU64Key(key.substr(nul + 1));
    auto position = codec::DecodeU64Key(std::string_view(it->value().data(), it->value().size()));
    if (!decoded_version || !position) {
      found(checked + 1, "malformed stream index entry");
      continue;
    }
    // A plain value: g++ 12 -O3 warns (maybe-uninitialized) on the optional read further down.
    const uint64_t version = decoded_version.value_or(0);
    const std::string stream(key.substr(0, nul));
    if (*position == 0 || *position > checked) {
      if (!bad_position) {
        found(std::max<uint64_t>(*position, 1), "stream index has an extra entry for '" + stream +
                                                    "' version " + std::to_string(version));
      }
      continue;
    }
    if (digests[*position - 1] != index_digest(key)) {
      found(*position, "stream index maps '" + stream + "' version " + std::to_string(version) +
                           " to this position, which holds another event");
      continue;
    }
    indexed[*position - 1] = true;
  }
  if (!it->status().ok()) return Fail(FromRocks(it->status(), "reading the stream index"));
  for (uint64_t p = 1; p <= checked; ++p) {
    if (!indexed[p - 1]) {
      found(p, "stream index has no entry for this event");
      break;
    }
  }

  // The head record names the last event.
  if (!bad_position) {
    std::string head_value;
    rocksdb::Status s = db_->Get(read_options, handles_[kMeta], kHeadKey, &head_value);
    LedgerHead stored{0, kGenesisHash};
    if (s.ok()) {
      auto decoded = codec::DecodeHead(head_value);
      if (!decoded) {
        found(std::max<uint64_t>(checked, 1), decoded.error().message);
      } else {
        stored = *decoded;
      }
    } else if (!s.IsNotFound()) {
      return Fail(FromRocks(s, "reading the head"));
    }
    if (!bad_position && (stored.position != checked || stored.hash != checker.head().hash)) {
      found(std::max<uint64_t>({stored.position, checked, 1}),
            "meta/head (position " + std::to_string(stored.position) +
                ") does not name the last event (position " + std::to_string(checked) + ")");
    }
  }

  VerifyReport report;
  report.ok = !bad_position;
  report.first_bad_position = bad_position;
  report.problem = std::move(problem);
  report.head = checker.head();
  if (bad_position && *bad_position <= checked) {
    // The chain was fine up to there; the last good event is the one before.
    if (*bad_position == 1) {
      report.head = {0, kGenesisHash};
    } else {
      auto previous = ReadAll(*bad_position - 2, 1);
      if (previous && !previous->empty())
        report.head = {previous->front().position, previous->front().hash};
    }
  }
  return report;
}

}  // namespace

Result<std::unique_ptr<EventStore>> OpenRocksDbEventStore(const RocksDbOptions& options) {
  return RocksDbEventStore::Open(options);
}

}  // namespace dialogue::engine
