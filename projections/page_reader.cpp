#include "projections/page_reader.hpp"

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

#include "projections/routing.hpp"

namespace dialogue::projections::detail {

namespace wf = workflows;

void AddToPage(DecodedPage& page, const engine::RecordedEventView& recorded) {
  PageEvent& item = page.events.emplace_back();
  item.version = recorded.version;
  auto event = wf::DecodeEvent(recorded.type, recorded.data);
  if (event) {
    // An event on another stream than its own would fold into the wrong entity.
    const detail::Route route = detail::RouteOf(*event);
    if (detail::IsStreamOf(recorded.stream, route.kind, route.id)) {
      item.event.emplace(std::move(*event));
    }
  }
  page.last_position = recorded.position;
  page.last_hash.assign(recorded.hash);
}

engine::Result<DecodedPage> ReadPage(const engine::EventStore& store, uint64_t after) {
  DecodedPage page;
  page.events.reserve(kPageSize);
  ASSIGN_OR_RETURN([[maybe_unused]] size_t read,
                   store.ScanAll(after, kPageSize, [&page](const engine::RecordedEventView& e) {
                     AddToPage(page, e);
                   }));
  return page;
}

namespace {

// Reads and decodes the pages of the log after `after` on helper threads, ahead of the thread that
// folds them, which takes them in order with Next(). Positions have no gaps (docs/storage.md), so
// page k starts after position after + k * kPageSize and the readers need not wait for each other.
// Each reader takes a run of kPagesPerScan pages at a time and reads it with one scan: a new
// iterator per page cost a seek and a fresh readahead buffer (faulted in) every 1,000 events.
// The first page shorter than kPageSize is the end (the head when it was read).
class PageReader {
 public:
  PageReader(const engine::EventStore& store, uint64_t after, int readers)
      : store_(store), after_(after) {
    for (int i = 0; i < readers; ++i) threads_.emplace_back([this] { Work(); });
  }
  ~PageReader() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    for (auto& thread : threads_) thread.join();
  }
  PageReader(const PageReader&) = delete;
  PageReader& operator=(const PageReader&) = delete;

  // The next page, in order. REQUIRES: no earlier page was short or an error.
  engine::Result<DecodedPage> Next() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return ready_.contains(next_take_); });
    auto node = ready_.extract(next_take_);
    ++next_take_;
    lock.unlock();
    cv_.notify_all();
    return std::move(node.mapped());
  }

 private:
  // Pages one scan reads.
  static constexpr uint64_t kPagesPerScan = 4;
  // A scan starts only within this many pages of the one being folded.
  static constexpr uint64_t kWindow = 8;

  void Work() {
    std::unique_lock lock(mu_);
    while (true) {
      cv_.wait(lock, [this] {
        return stop_ || last_ <= next_claim_ || next_claim_ < next_take_ + kWindow;
      });
      if (stop_ || last_ <= next_claim_) return;
      const uint64_t first = next_claim_;
      next_claim_ += kPagesPerScan;
      lock.unlock();
      ReadPages(first);
      lock.lock();
    }
  }

  // Reads pages first .. first + kPagesPerScan - 1 with one scan of the log, handing each over as
  // soon as it is full: one iterator, one seek and one readahead buffer for all of them.
  void ReadPages(uint64_t first) {
    uint64_t index = first;
    auto publish = [this, &index](engine::Result<DecodedPage> page) {
      std::lock_guard lock(mu_);
      if (!page || page->size() < kPageSize) last_ = std::min(last_, index);
      ready_.emplace(index++, std::move(page));
      cv_.notify_all();
    };
    DecodedPage page;
    page.events.reserve(kPageSize);
    auto scanned = store_.ScanAll(after_ + first * kPageSize, kPagesPerScan * kPageSize,
                                  [&](const engine::RecordedEventView& e) {
                                    AddToPage(page, e);
                                    if (page.size() < kPageSize) return;
                                    publish(std::move(page));
                                    page = DecodedPage();
                                    page.events.reserve(kPageSize);
                                  });
    if (!scanned) {
      publish(Fail(scanned.error()));
    } else if (*scanned < kPagesPerScan * kPageSize) {
      publish(std::move(page));  // short, perhaps empty: the end of the log
    }
  }

  const engine::EventStore& store_;
  const uint64_t after_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<uint64_t, engine::Result<DecodedPage>> ready_;  // GUARDED_BY(mu_)
  uint64_t next_claim_ = 0;                                // GUARDED_BY(mu_)
  uint64_t next_take_ = 0;                                 // GUARDED_BY(mu_)
  uint64_t last_ = UINT64_MAX;  // GUARDED_BY(mu_): the index of the first short page seen
  bool stop_ = false;           // GUARDED_BY(mu_)
  std::vector<std::thread> threads_;
};

// Helper threads reading and decoding ahead while the log is long (2 cores: the fold overlaps the
// reads and decodes of the next pages).
constexpr int kReaderThreads = 2;

}  // namespace

engine::Result<uint64_t> ReadAndFold(const engine::EventStore& store, uint64_t after,
                                     const std::function<void(const DecodedPage&)>& fold) {
  ASSIGN_OR_RETURN(DecodedPage first, ReadPage(store, after));
  if (first.events.empty()) return after;
  after = first.last_position;
  const bool more = first.size() == kPageSize;
  if (!more) {
    fold(first);
    return after;
  }
  PageReader reader(store, after, kReaderThreads);
  fold(first);
  while (true) {
    ASSIGN_OR_RETURN(DecodedPage page, reader.Next());
    if (page.events.empty()) break;
    after = page.last_position;
    fold(page);
    if (page.size() < kPageSize) break;
  }
  return after;
}

}  // namespace dialogue::projections::detail
