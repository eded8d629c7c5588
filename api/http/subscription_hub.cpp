#include "api/http/subscription_hub.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <unordered_map>
#include <utility>

#include "api/http/subscription_sse.hpp"
#include "api/ops/log.hpp"

namespace dialogue::api {
namespace {

using SteadyClock = std::chrono::steady_clock;

// After a failed read of the log, the fan-out waits this long before trying again.
constexpr std::chrono::milliseconds kReadRetryDelay{200};

// About the smallest SSE record (id, event and a short data line): a subscriber's first guess of
// its records' size, which sizes a catch-up page that has room for a share only.
constexpr size_t kSmallRecordBytes = 256;

// One event of a live batch, its record rendered once for every subscriber.
struct Frame {
  uint64_t position = 0;
  std::string stream;
  std::string type;
  std::string record;
};
struct Batch {
  std::vector<Frame> frames;  // contiguous positions
  std::string records;        // every frame's record, in order: what an unfiltered subscriber gets
};

class Subscriber;

}  // namespace

bool SubscriptionFilter::Matches(std::string_view stream, std::string_view type) const {
  if (!stream_prefix.empty() && stream.substr(0, stream_prefix.size()) != stream_prefix) {
    return false;
  }
  if (types.empty()) return true;
  return std::find(types.begin(), types.end(), type) != types.end();
}

// The state the hub's threads, its subscribers and the store's commit listener share. Lock
// order: mu before a subscriber's mutex; queue_mu is a leaf (nothing is locked under it).
struct SubscriptionHubCore {
  SubscriptionHubCore(engine::EventStore& s, SubscriptionOptions o)
      : store(s), options(std::move(o)) {}

  // False when shutting down: the subscriber is then to end itself.
  bool Register(uint64_t id, const std::shared_ptr<Subscriber>& subscriber);
  // Queues a subscriber for a catch-up step.
  void Enqueue(std::shared_ptr<Subscriber> subscriber);
  // Joins the live set when the subscriber has passed everything offered so far.
  bool TryGoLive(Subscriber& subscriber);
  // The live subscribers (and the others: they ignore what is offered), expired ones dropped.
  std::vector<std::shared_ptr<Subscriber>> Snapshot();
  void OnCommit(uint64_t head);

  void FanOutLoop();
  void CatchUpLoop();
  void SendKeepAlives();

  engine::EventStore& store;
  const SubscriptionOptions options;
  prometheus::Gauge* open_gauge = nullptr;
  prometheus::Counter* fallback_counter = nullptr;

  std::atomic<size_t> open{0};
  std::mutex owners_mu;
  std::unordered_map<std::string, size_t> owners;  // guarded by owners_mu: open ones by owner
  std::atomic<uint64_t> fallbacks{0};
  // The unsent bytes of every stream together, as a subscriber last saw them, and the most seen.
  std::atomic<size_t> queued_bytes{0};
  std::atomic<size_t> peak_queued_bytes{0};
  std::atomic<uint64_t> next_id{1};

  mutable std::mutex mu;
  std::condition_variable fanout_cv;
  bool stopping = false;         // guarded by mu
  uint64_t head_hint = 0;        // guarded by mu: the highest head the listener reported
  uint64_t offered_through = 0;  // guarded by mu: the last position offered to live subscribers
  std::unordered_map<uint64_t, std::weak_ptr<Subscriber>> subscribers;  // guarded by mu

  std::mutex queue_mu;
  std::condition_variable queue_cv;
  bool queue_stopping = false;                    // guarded by queue_mu
  std::deque<std::shared_ptr<Subscriber>> queue;  // guarded by queue_mu
};

namespace {

// One subscription: the body of one streaming response.
class Subscriber final : public StreamingBody, public std::enable_shared_from_this<Subscriber> {
 public:
  Subscriber(std::shared_ptr<SubscriptionHubCore> core, uint64_t after, SubscriptionFilter filter,
             std::string owner)
      : core_(std::move(core)),
        id_(core_->next_id++),
        filter_(std::move(filter)),
        owner_(std::move(owner)),
        sent_through_(after) {}

  ~Subscriber() override {
    core_->open--;
    if (core_->open_gauge != nullptr) core_->open_gauge->Decrement();
    if (!owner_.empty()) {
      std::lock_guard lock(core_->owners_mu);
      if (--core_->owners[owner_] == 0) core_->owners.erase(owner_);
    }
  }

  void Start(std::shared_ptr<StreamSink> sink) override {
    {
      std::lock_guard lock(mu_);
      if (mode_ != Mode::kNew) return;  // cancelled before it started
      sink_ = std::move(sink);
      if (!sink_->Write(SseRetryRecord(core_->options.retry))) {
        mode_ = Mode::kEnded;
        return;
      }
      mode_ = Mode::kCatchingUp;
    }
    if (!core_->Register(id_, shared_from_this())) return End();
    core_->Enqueue(shared_from_this());
  }

  void Cancel() override {
    std::lock_guard lock(mu_);
    mode_ = Mode::kEnded;
  }

  // Ends the stream cleanly after what it has queued.
  void End() {
    std::lock_guard lock(mu_);
    if (mode_ == Mode::kEnded) return;
    mode_ = Mode::kEnded;
    if (sink_) sink_->Close();
  }

  bool live() const {
    std::lock_guard lock(mu_);
    return mode_ == Mode::kLive;
  }

  // Fan-out thread: a batch contiguous with everything offered before it.
  void OfferLive(const Batch& batch) {
    bool parked = false;
    {
      std::lock_guard lock(mu_);
      if (mode_ != Mode::kLive || batch.frames.empty() ||
          batch.frames.back().position <= sent_through_) {
        return;
      }
      std::string chunk;
      uint64_t through = sent_through_;
      const Budget budget = BudgetNow();
      if (filter_.everything() && batch.frames.front().position > sent_through_ &&
          budget.Takes(batch.records.size())) {
        Send(batch.records, batch.frames.back().position);  // the common case: all of it
        return;
      }
      for (const Frame& frame : batch.frames) {
        if (frame.position <= sent_through_) continue;
        if (budget.Full(chunk.size())) {
          parked = true;
          drain_to_ = budget.limit / 2;
          break;
        }
        if (filter_.Matches(frame.stream, frame.type)) chunk += frame.record;
        through = frame.position;
      }
      if (!Send(std::move(chunk), through)) return;
      if (parked) mode_ = Mode::kParked;
    }
    if (parked) {
      core_->fallbacks++;
      if (core_->fallback_counter != nullptr) core_->fallback_counter->Increment();
      WaitForDrain();
    }
  }

  // A catch-up thread: one page from the store, then back in the queue, parked, or live.
  void CatchUpStep() {
    uint64_t after = 0;
    size_t page = core_->options.catch_up_page;
    {
      std::lock_guard lock(mu_);
      if (mode_ != Mode::kCatchingUp) return;
      after = sent_through_;  // only this thread moves it while catching up
      // Room for a share only (the total is at its bound): read about what fits, not a page
      // that would mostly be read again at the next step.
      const Budget budget = BudgetNow();
      if (budget.limit < core_->options.buffer_bytes) {
        const size_t room = budget.limit > budget.queued ? budget.limit - budget.queued : 0;
        page = std::clamp<size_t>(room / std::max<size_t>(record_bytes_, 1), 1, page);
      }
    }
    auto events = core_->store.ReadAll(after, page);
    if (!events) {
      // The client resumes from its last id when it reconnects.
      LogError("subscription: cannot read the log after " + std::to_string(after) + ": " +
               events.error().message);
      return End();
    }
    bool parked = false;
    {
      std::lock_guard lock(mu_);
      if (mode_ != Mode::kCatchingUp) return;
      std::string chunk;
      uint64_t through = sent_through_;
      const Budget budget = BudgetNow();
      size_t rendered = 0;
      for (const engine::RecordedEvent& event : *events) {
        if (budget.Full(chunk.size())) {
          parked = true;
          drain_to_ = budget.limit / 2;
          break;
        }
        if (filter_.Matches(event.stream, event.type)) {
          chunk += SseEventRecord(event);
          ++rendered;
        }
        through = event.position;
      }
      if (rendered > 0) record_bytes_ = (record_bytes_ + chunk.size() / rendered) / 2;
      if (!Send(std::move(chunk), through)) return;
      if (parked) mode_ = Mode::kParked;
    }
    if (parked) return WaitForDrain();
    if (events->size() < page && core_->TryGoLive(*this)) return;
    core_->Enqueue(shared_from_this());
  }

  // Fan-out thread: a comment, unless bytes are queued anyway.
  void KeepAlive() {
    std::lock_guard lock(mu_);
    if (mode_ == Mode::kNew || mode_ == Mode::kEnded || sink_->queued_bytes() != 0) return;
    if (!sink_->Write(std::string(kSseKeepAlive))) mode_ = Mode::kEnded;
  }

  // Under the hub's lock (TryGoLive): joins live when nothing offered is missing.
  bool GoLiveIfCaughtUp(uint64_t offered_through) {
    std::lock_guard lock(mu_);
    if (mode_ != Mode::kCatchingUp) return true;  // ended meanwhile: nothing more to do
    if (sent_through_ < offered_through) return false;
    mode_ = Mode::kLive;
    return true;
  }

 private:
  enum class Mode { kNew, kCatchingUp, kParked, kLive, kEnded };

  // What this subscriber may queue now: its own buffer_bytes, or, while every stream's unsent
  // bytes together are over total_buffer_bytes, its fair share of that total
  // (total_buffer_bytes / max_subscribers). Stalled subscribers then take nothing more, while
  // those that read keep moving a share at a time; an empty queue always takes one event. So
  // the total stays under about twice total_buffer_bytes (plus a chunk per catch-up thread).
  struct Budget {
    size_t queued = 0;
    size_t limit = 0;
    // True when a chunk of `pending` bytes (not yet written) must not grow.
    bool Full(size_t pending) const { return queued + pending > 0 && queued + pending >= limit; }
    // True when `bytes` more may go out at once.
    bool Takes(size_t bytes) const { return queued + bytes < limit; }
  };
  // REQUIRES: mu_ held.
  Budget BudgetNow() const {
    const SubscriptionOptions& options = core_->options;
    size_t limit = options.buffer_bytes;
    const size_t total = sink_->total_queued_bytes();
    core_->queued_bytes = total;
    size_t peak = core_->peak_queued_bytes;
    while (total > peak && !core_->peak_queued_bytes.compare_exchange_weak(peak, total)) {
    }
    if (total >= options.total_buffer_bytes) {
      limit = std::min(limit,
                       options.total_buffer_bytes / std::max<size_t>(1, options.max_subscribers));
    }
    return Budget{sink_->queued_bytes(), limit};
  }

  // REQUIRES: mu_ held. Writes the chunk (if any) and records the positions passed.
  bool Send(std::string chunk, uint64_t through) {
    if (!chunk.empty() && !sink_->Write(std::move(chunk))) {
      mode_ = Mode::kEnded;  // the client is gone or the server stopping
      return false;
    }
    sent_through_ = through;
    return true;
  }

  // Parked: back to catching up once half the buffer has drained.
  void WaitForDrain() {
    std::shared_ptr<StreamSink> sink;
    size_t drain_to = 0;
    {
      std::lock_guard lock(mu_);
      if (mode_ != Mode::kParked) return;
      sink = sink_;
      drain_to = drain_to_;
    }
    // Not under mu_: a sink may call back at once.
    // Half of what it may hold: under the total's pressure that is half its share, so that it
    // wakes with room for at least one event (never to find itself full again at once).
    sink->NotifyWhenDrained(drain_to, [weak = weak_from_this()] {
      if (auto self = weak.lock()) self->OnDrained();
    });
  }

  void OnDrained() {
    {
      std::lock_guard lock(mu_);
      if (mode_ != Mode::kParked) return;
      mode_ = Mode::kCatchingUp;
    }
    core_->Enqueue(shared_from_this());
  }

  const std::shared_ptr<SubscriptionHubCore> core_;
  const uint64_t id_;
  const SubscriptionFilter filter_;
  const std::string owner_;  // whose quota it counts against ("" none)

  mutable std::mutex mu_;
  Mode mode_ = Mode::kNew;            // guarded by mu_
  std::shared_ptr<StreamSink> sink_;  // guarded by mu_; set by Start
  uint64_t sent_through_;             // guarded by mu_: the last position passed
  size_t drain_to_ = 0;               // guarded by mu_: the queue size a parked one waits for
  size_t record_bytes_ = kSmallRecordBytes;  // guarded by mu_: about one record's size, lately
};

}  // namespace

bool SubscriptionHubCore::Register(uint64_t id, const std::shared_ptr<Subscriber>& subscriber) {
  std::lock_guard lock(mu);
  if (stopping) return false;
  subscribers.emplace(id, subscriber);
  return true;
}

void SubscriptionHubCore::Enqueue(std::shared_ptr<Subscriber> subscriber) {
  {
    std::lock_guard lock(queue_mu);
    if (queue_stopping) return;
    queue.push_back(std::move(subscriber));
  }
  queue_cv.notify_one();
}

bool SubscriptionHubCore::TryGoLive(Subscriber& subscriber) {
  std::lock_guard lock(mu);
  return subscriber.GoLiveIfCaughtUp(offered_through);
}

std::vector<std::shared_ptr<Subscriber>> SubscriptionHubCore::Snapshot() {
  std::vector<std::shared_ptr<Subscriber>> out;
  std::lock_guard lock(mu);
  out.reserve(subscribers.size());
  for (auto it = subscribers.begin(); it != subscribers.end();) {
    if (auto subscriber = it->second.lock()) {
      out.push_back(std::move(subscriber));
      ++it;
    } else {
      it = subscribers.erase(it);
    }
  }
  return out;
}

void SubscriptionHubCore::OnCommit(uint64_t head) {
  {
    std::lock_guard lock(mu);
    if (head <= head_hint) return;
    head_hint = head;
  }
  fanout_cv.notify_one();
}

void SubscriptionHubCore::FanOutLoop() {
  uint64_t offered = 0;
  {
    std::lock_guard lock(mu);
    offered = offered_through;
  }
  auto next_keep_alive = SteadyClock::now() + options.keep_alive;
  auto next_round = SteadyClock::now();
  for (;;) {
    {
      std::unique_lock lock(mu);
      fanout_cv.wait_until(lock, next_keep_alive, [&] { return stopping || head_hint > offered; });
      // Under a stream of commits, rounds are at least fanout_interval apart: each subscriber
      // then costs one write per round, whatever the commit rate.
      fanout_cv.wait_until(lock, next_round, [&] { return stopping; });
      if (stopping) return;
      // Nobody to offer to: pass over what was committed rather than read and format it. A
      // subscriber registered later catches up from the log to offered_through before it is live.
      if (subscribers.empty()) {
        offered = offered_through = std::max(offered_through, head_hint);
        next_keep_alive = SteadyClock::now() + options.keep_alive;  // else the wait would spin
        continue;
      }
    }
    next_round = SteadyClock::now() + options.fanout_interval;
    if (SteadyClock::now() >= next_keep_alive) {
      SendKeepAlives();
      next_keep_alive = SteadyClock::now() + options.keep_alive;
    }
    auto events = store.ReadAll(offered, options.live_page);
    if (!events || events->empty()) {
      if (!events) LogError("subscriptions: cannot read the log: " + events.error().message);
      // Nothing to read although a commit was reported: take the store's head as the truth.
      std::unique_lock lock(mu);
      head_hint = store.HeadPosition();
      fanout_cv.wait_for(lock, kReadRetryDelay, [&] { return stopping; });
      continue;
    }
    auto batch = std::make_shared<Batch>();
    batch->frames.reserve(events->size());
    for (const engine::RecordedEvent& event : *events) {
      batch->frames.push_back({event.position, event.stream, event.type, SseEventRecord(event)});
      batch->records += batch->frames.back().record;
    }
    offered = batch->frames.back().position;
    {
      std::lock_guard lock(mu);
      offered_through = offered;
    }
    // Subscribers that go live after this point have passed `offered` already.
    for (const auto& subscriber : Snapshot()) subscriber->OfferLive(*batch);
  }
}

void SubscriptionHubCore::SendKeepAlives() {
  for (const auto& subscriber : Snapshot()) subscriber->KeepAlive();
}

void SubscriptionHubCore::CatchUpLoop() {
  for (;;) {
    std::shared_ptr<Subscriber> subscriber;
    {
      std::unique_lock lock(queue_mu);
      queue_cv.wait(lock, [&] { return queue_stopping || !queue.empty(); });
      if (queue_stopping) return;
      subscriber = std::move(queue.front());
      queue.pop_front();
    }
    subscriber->CatchUpStep();
  }
}

// --- SubscriptionHub ----------------------------------------------------------------------------

SubscriptionHub::SubscriptionHub(engine::EventStore& store, SubscriptionOptions options,
                                 prometheus::Registry* registry)
    : core_(std::make_shared<SubscriptionHubCore>(store, std::move(options))) {
  if (registry != nullptr) {
    core_->open_gauge = &prometheus::BuildGauge()
                             .Name("dialogue_subscriptions_open")
                             .Help("Open subscriptions (GET /v1/subscribe)")
                             .Register(*registry)
                             .Add({});
    core_->fallback_counter =
        &prometheus::BuildCounter()
             .Name("dialogue_subscription_fallbacks_total")
             .Help("Times a live subscriber fell behind and went back to reading the store")
             .Register(*registry)
             .Add({});
  }
}

SubscriptionHub::~SubscriptionHub() {
  Shutdown();
  for (auto& thread : threads_) thread.join();
  if (started_) core_->store.RemoveCommitListener(listener_id_);
  // Break the cycle of queued subscribers holding the core.
  std::deque<std::shared_ptr<Subscriber>> queued;
  {
    std::lock_guard lock(core_->queue_mu);
    queued.swap(core_->queue);
  }
}

void SubscriptionHub::Start() {
  if (started_) return;
  started_ = true;
  // Listen first, then read the head: no commit falls between the two.
  listener_id_ = core_->store.AddCommitListener(
      [weak = std::weak_ptr<SubscriptionHubCore>(core_)](uint64_t head) {
        if (auto core = weak.lock()) core->OnCommit(head);
      });
  const uint64_t head = core_->store.HeadPosition();
  {
    std::lock_guard lock(core_->mu);
    core_->offered_through = head;
    core_->head_hint = std::max(core_->head_hint, head);
  }
  threads_.emplace_back([core = core_] { core->FanOutLoop(); });
  for (int i = 0; i < std::max(1, core_->options.catch_up_threads); ++i) {
    threads_.emplace_back([core = core_] { core->CatchUpLoop(); });
  }
}

engine::Result<std::shared_ptr<StreamingBody>> SubscriptionHub::Subscribe(
    uint64_t after, SubscriptionFilter filter, const std::string& owner) {
  {
    std::lock_guard lock(core_->mu);
    if (core_->stopping) {
      return engine::Fail(engine::Error::Unavailable("the server is shutting down"));
    }
  }
  if (core_->open.fetch_add(1) >= core_->options.max_subscribers) {
    core_->open--;
    return engine::Fail(engine::Error::Unavailable("this server serves at most " +
                                                   std::to_string(core_->options.max_subscribers) +
                                                   " subscriptions at once; try again later"));
  }
  if (!owner.empty()) {
    std::lock_guard lock(core_->owners_mu);
    size_t& held = core_->owners[owner];
    if (held >= core_->options.max_per_owner) {
      core_->open--;
      return engine::Fail(engine::Error::Unavailable(
          owner + " holds " + std::to_string(held) + " subscriptions already, the most one actor " +
          "may hold at once; close one, or try again later"));
    }
    ++held;
  }
  if (core_->open_gauge != nullptr) core_->open_gauge->Increment();
  return std::shared_ptr<StreamingBody>(
      std::make_shared<Subscriber>(core_, after, std::move(filter), owner));
}

void SubscriptionHub::Shutdown() {
  std::vector<std::shared_ptr<Subscriber>> open;
  {
    std::lock_guard lock(core_->mu);
    if (core_->stopping) return;
    core_->stopping = true;
    for (auto& [id, weak] : core_->subscribers) {
      if (auto subscriber = weak.lock()) open.push_back(std::move(subscriber));
    }
    core_->subscribers.clear();
  }
  core_->fanout_cv.notify_all();
  std::deque<std::shared_ptr<Subscriber>> queued;
  {
    std::lock_guard lock(core_->queue_mu);
    core_->queue_stopping = true;
    queued.swap(core_->queue);
  }
  core_->queue_cv.notify_all();
  for (const auto& subscriber : open) subscriber->End();
}

SubscriptionStats SubscriptionHub::stats() const {
  SubscriptionStats stats;
  stats.open = core_->open;
  stats.fallbacks = core_->fallbacks;
  stats.queued_bytes = core_->queued_bytes;
  stats.peak_queued_bytes = core_->peak_queued_bytes;
  for (const auto& subscriber : core_->Snapshot()) {
    if (subscriber->live()) ++stats.live;
  }
  std::lock_guard lock(core_->mu);
  stats.offered_through = core_->offered_through;
  return stats;
}

const SubscriptionOptions& SubscriptionHub::options() const { return core_->options; }

}  // namespace dialogue::api
