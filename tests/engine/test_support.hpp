// Shared helpers of the engine tests: temporary directories, the stores under test, requests.
#pragma once

#include <memory>
#include <string>

#include "engine/clock.hpp"
#include "engine/event_store.hpp"
#include "engine/time.hpp"
#include "tests/support/manual_clock.hpp"
#include "tests/temp_dir.hpp"

namespace dialogue::engine::testing {

using dialogue::testing::TempDir;

inline TimePoint T(std::string_view text) { return ParseRfc3339(text).value(); }

// One of the two stores, with a manual clock; the RocksDB one can be closed and reopened.
class StoreUnderTest {
 public:
  explicit StoreUnderTest(std::string kind, bool sync = true)
      : kind_(std::move(kind)), sync_(sync), clock_(T("2026-03-10T09:30:00Z")) {
    Open();
  }

  bool durable() const { return kind_ == "rocksdb"; }
  const std::string& kind() const { return kind_; }
  EventStore& operator*() { return *store_; }
  EventStore* operator->() { return store_.get(); }
  ManualClock& clock() { return clock_; }
  std::string path() const { return dir_.path(); }

  // REQUIRES: durable().
  void Reopen() {
    store_.reset();
    Open();
  }
  void Close() { store_.reset(); }

  RocksDbOptions Options() const { return RocksDbOptions{dir_.path(), sync_, &clock_, {}}; }

 private:
  void Open() {
    if (kind_ == "memory") {
      store_ = NewInMemoryEventStore(&clock_);
    } else {
      auto opened = OpenRocksDbEventStore(Options());
      if (!opened) throw std::runtime_error(opened.error().message);
      store_ = std::move(*opened);
    }
  }

  std::string kind_;
  bool sync_;
  ManualClock clock_;
  TempDir dir_;
  std::unique_ptr<EventStore> store_;
};

inline ProposedEvent Event(std::string type, std::string data = "{}") {
  ProposedEvent e;
  e.type = std::move(type);
  e.data = std::move(data);
  e.metadata.occurred_at = "2026-03-10T09:00:00Z";
  e.metadata.actor = "sec-ana";
  e.metadata.role = "secretariat";
  return e;
}

inline AppendRequest Write(std::string stream, ExpectedVersion expected,
                           std::vector<ProposedEvent> events) {
  AppendRequest request;
  request.writes.push_back({std::move(stream), expected, std::move(events)});
  return request;
}

inline AppendRequest WithKey(AppendRequest request, std::string key, std::string fingerprint) {
  request.idempotency = IdempotencyKey{std::move(key), std::move(fingerprint)};
  return request;
}

}  // namespace dialogue::engine::testing
