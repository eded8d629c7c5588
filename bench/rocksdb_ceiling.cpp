// The raw RocksDB ceiling: what the disk and RocksDB give without Dialogue on top, measured in
// the same run as the engine's figures so that their ratios mean something on a noisy machine.
//
//   raw_batch100  events/s, one writer, a synced WriteBatch of 100 events (~300 B each) per write
//   raw_put_64    events/s, 64 threads, one synced Put per event (RocksDB's own group commit)
//   raw_scan      events/s, one iterator over --scan-events events in key order
#include <rocksdb/db.h>
#include <rocksdb/iterator.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include <memory>
#include <string>

#include "bench/bench_support.hpp"

namespace dialogue::bench {
namespace {

std::string Key(uint64_t n) {
  std::string key(8, '\0');
  for (int i = 7; i >= 0; --i) {
    key[i] = static_cast<char>(n & 0xff);
    n >>= 8;
  }
  return key;
}

std::unique_ptr<rocksdb::DB> Open(const std::string& path) {
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, path, &raw);
  if (!s.ok()) Flags::Die("cannot open " + path + ": " + s.ToString());
  return std::unique_ptr<rocksdb::DB>(raw);
}

double Batch100(const std::string& dir, double seconds) {
  auto db = Open(FreshDir(dir, "batch100"));
  rocksdb::WriteOptions sync;
  sync.sync = true;
  const double batches = RunTimed(1, seconds, [&](int, uint64_t i) {
    rocksdb::WriteBatch batch;
    for (uint64_t k = 0; k < 100; ++k) {
      const uint64_t n = i * 100 + k + 1;
      batch.Put(Key(n), EventPayload(n));
    }
    return db->Write(sync, &batch).ok();
  });
  return batches * 100;
}

double Put64(const std::string& dir, double seconds) {
  auto db = Open(FreshDir(dir, "put64"));
  rocksdb::WriteOptions sync;
  sync.sync = true;
  return RunTimed(64, seconds, [&](int thread, uint64_t i) {
    const uint64_t n = (uint64_t{static_cast<unsigned>(thread)} << 40) | (i + 1);
    return db->Put(sync, Key(n), EventPayload(n)).ok();
  });
}

double Scan(const std::string& dir, uint64_t events) {
  const std::string path = FreshDir(dir, "scan");
  {
    auto db = Open(path);
    rocksdb::WriteOptions unsynced;
    for (uint64_t n = 1; n <= events;) {
      rocksdb::WriteBatch batch;
      for (int k = 0; k < 1000 && n <= events; ++k, ++n) batch.Put(Key(n), EventPayload(n));
      if (!db->Write(unsynced, &batch).ok()) Flags::Die("filling the scan store failed");
    }
    if (!db->Flush(rocksdb::FlushOptions()).ok()) Flags::Die("flush failed");
  }
  auto db = Open(path);  // reopened, as a restarting server would find it
  Stopwatch watch;
  uint64_t seen = 0;
  size_t bytes = 0;
  rocksdb::ReadOptions read_options;
  read_options.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(read_options));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    // Copy the value out, as any reader that decodes it must.
    std::string value(it->value().data(), it->value().size());
    bytes += value.size();
    ++seen;
  }
  const double elapsed = watch.Seconds();
  if (!it->status().ok() || seen != events) Flags::Die("the scan did not see every event");
  Note("raw scan: " + std::to_string(seen) + " events, " + std::to_string(bytes >> 20) + " MiB");
  return static_cast<double>(seen) / elapsed;
}

}  // namespace
}  // namespace dialogue::bench

int main(int argc, char** argv) {
  using namespace dialogue::bench;
  Flags flags(argc, argv);
  const std::string dir = flags.String("dir", "/tmp/dialogue-bench");
  const double seconds = flags.Double("seconds", 3);
  const uint64_t scan_events = flags.Uint("scan-events", 1'000'000);
  flags.Require();

  Report("raw_batch100", Batch100(dir, seconds));
  Report("raw_put_64", Put64(dir, seconds));
  Report("raw_scan", Scan(dir, scan_events));
  return 0;
}
