// The verifiable history in process: inclusion and consistency proofs per second on a store of
// --events events (the replay benchmark's log when --store names it, else one made here), and the
// Merkle tree's disk cost per event from RocksDB's own file sizes.
//
//   proof_inclusion_per_s     EventStore::InclusionProof(random position, head), one thread
//   proof_consistency_per_s   EventStore::ConsistencyProof(random size, head), one thread
//   tree_bytes_per_event      the `tree` family's SST bytes / events (after a flush)
//   events_bytes_per_event    the `events` family's, for scale
#include <rocksdb/db.h>

#include <random>
#include <string>
#include <vector>

#include "bench/bench_support.hpp"
#include "engine/event_store.hpp"

namespace dialogue::bench {
namespace {

// Appends `events` events in requests of 1000, unsynced (building, not measuring).
void Fill(engine::EventStore& log, uint64_t events) {
  uint64_t n = 0;
  while (n < events) {
    engine::AppendRequest request;
    engine::StreamWrite& write = request.writes.emplace_back();
    write.stream = Cat("stakeholder-l", std::to_string(n));
    write.expected = engine::ExpectedVersion::NoStream();
    for (int i = 0; i < 1000 && n < events; ++i, ++n) {
      engine::ProposedEvent& event = write.events.emplace_back();
      event.type = "StakeholderRegistered";
      event.data = EventPayload(n, 200);
      event.metadata.occurred_at = "2026-03-10T09:30:00Z";
      event.metadata.actor = "sec-ana";
      event.metadata.role = "secretariat";
    }
    if (auto appended = log.Append(request); !appended) {
      Flags::Die("cannot fill the store: " + appended.error().message);
    }
  }
}

// The SST bytes of one column family of the (closed) store at path.
uint64_t FamilyBytes(const std::string& path, const std::string& family) {
  std::vector<std::string> names;
  if (!rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names).ok()) {
    Flags::Die("cannot list the column families of " + path);
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const std::string& name : names) families.emplace_back(name, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  if (!rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(), path, families, &handles, &db).ok()) {
    Flags::Die("cannot open " + path + " read-only");
  }
  uint64_t bytes = 0;
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == family) db->GetIntProperty(handles[i], "rocksdb.total-sst-files-size", &bytes);
  }
  for (auto* handle : handles) db->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
  delete db;
  return bytes;
}

}  // namespace
}  // namespace dialogue::bench

int main(int argc, char** argv) {
  using namespace dialogue;
  using namespace dialogue::bench;
  Flags flags(argc, argv);
  const std::string dir = flags.String("dir", "/tmp/dialogue-bench");
  const std::string store_path = flags.String("store", "");
  const uint64_t events = flags.Uint("events", 1000000);
  const double seconds = flags.Double("seconds", 3);
  flags.Require();

  const std::string path = store_path.empty() ? FreshDir(dir, "ledger") : store_path;
  uint64_t head = 0;
  {
    engine::RocksDbOptions options;
    options.path = path;
    options.sync = false;
    auto opened = engine::OpenRocksDbEventStore(options);
    if (!opened) Flags::Die("cannot open the store: " + opened.error().message);
    engine::EventStore& log = **opened;
    if (log.Head().position == 0) {
      Stopwatch fill;
      Fill(log, events);
      Note("filled " + std::to_string(log.Head().position) + " events in " +
           std::to_string(fill.Seconds()) + " s");
    }
    head = log.Head().position;
    Note("proofs on a log of " + std::to_string(head) + " events");

    std::mt19937_64 random(42);
    const double inclusion = RunTimed(1, seconds, [&](int, uint64_t) {
      const uint64_t position = 1 + random() % head;
      return log.InclusionProof(position, head).has_value();
    });
    Report("proof_inclusion_per_s", inclusion);
    const double consistency = RunTimed(1, seconds, [&](int, uint64_t) {
      const uint64_t from = 1 + random() % head;
      return log.ConsistencyProof(from, head).has_value();
    });
    Report("proof_consistency_per_s", consistency);
  }  // closed: the memtables are flushed, so the families' sizes are their files'
  Report("tree_bytes_per_event",
         static_cast<double>(FamilyBytes(path, "tree")) / static_cast<double>(head));
  Report("events_bytes_per_event",
         static_cast<double>(FamilyBytes(path, "events")) / static_cast<double>(head));
  return 0;
}
