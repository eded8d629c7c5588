// SubscriptionHub: the live side of GET /v1/subscribe (docs/subscriptions.md).
//
// Each subscription first catches up from the store, page by page, then follows live. The hub
// reads every newly committed range ONCE from the store (woken by a commit listener), renders
// each event's SSE record once, and offers the batch to the live subscribers — in the shape of
// Beast's chat-multi example: a guarded set of weak subscriber handles, copied under the lock and
// written to outside it.
//
// No gap, no repeat: a subscriber tracks the last position it has passed (sent, or filtered
// out). It joins the live set only under the hub's lock and only when that position has reached
// the last position the hub has offered; from then on every batch is contiguous with it, and a
// batch's events at or before it are skipped.
//
// A slow consumer never slows writers or the others: writing never blocks (the sink queues), and
// a live subscriber whose unsent bytes exceed buffer_bytes leaves live mode and waits for its
// queue to drain, then reads from the store at its own pace from the last position it passed,
// and joins live again. It is never disconnected for being slow and never skips an event. The
// same happens, for every subscriber that has bytes queued, while the unsent bytes of all streams
// together are over total_buffer_bytes: memory is bounded per subscriber and in total.
//
// Filters decide what is sent, never which positions are passed.
//
// Thread-safe. The hub owns one fan-out thread and catch_up_threads catch-up threads.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "api/http/http_types.hpp"
#include "engine/event_store.hpp"
#include "engine/result.hpp"

namespace prometheus {
class Registry;
}  // namespace prometheus

namespace dialogue::api {

struct SubscriptionOptions {
  // Open subscriptions beyond this are refused (kUnavailable: 503).
  size_t max_subscribers = 1000;
  // Open subscriptions of one owner (an actor) beyond this are refused likewise, so that one
  // integration cannot take every slot from the others.
  size_t max_per_owner = 100;
  // Unsent bytes beyond which a subscriber stops taking live batches and goes back to the store
  // once its queue has drained to half of this. Keep it well under the server's
  // max_stream_backlog, which closes a stream outright.
  size_t buffer_bytes = 1024 * 1024;
  // Unsent bytes of every stream together (StreamSink::total_queued_bytes) at which subscribers
  // that already have bytes queued take no more: a subscriber whose queue is empty still gets one
  // event at a time, so readers keep moving while stalled ones hold no more memory. The total
  // stays under this plus one event per subscriber; keep it well under the server's
  // max_streams_backlog.
  size_t total_buffer_bytes = 64 * 1024 * 1024;
  // A ": keep-alive" comment goes to every quiet subscription at this interval. API.md asks for
  // one "at least every 15 s": 10 s leaves room for scheduling and fan-out rounds.
  std::chrono::milliseconds keep_alive{10'000};
  // The "retry:" hint that opens each stream.
  std::chrono::milliseconds retry{3'000};
  size_t catch_up_page = 256;  // events a catching-up subscriber reads per step
  size_t live_page = 1000;     // events the fan-out reads per step
  int catch_up_threads = 2;
  // The least time between two fan-out rounds. A commit after a quiet spell goes out at once;
  // under a stream of commits each round takes what committed meanwhile, so that a subscriber
  // costs one write per round rather than one per commit.
  std::chrono::milliseconds fanout_interval{10};
};

// Which events are sent (the positions passed are all of them).
struct SubscriptionFilter {
  std::string stream_prefix;       // empty: every stream
  std::vector<std::string> types;  // empty: every type
  bool Matches(std::string_view stream, std::string_view type) const;
  bool everything() const { return stream_prefix.empty() && types.empty(); }
};

struct SubscriptionStats {
  size_t open = 0;               // subscriptions holding a slot
  size_t live = 0;               // of which following live now
  uint64_t fallbacks = 0;        // times a live subscriber fell behind and went back to the store
  uint64_t offered_through = 0;  // the last position offered to live subscribers
  // The unsent bytes of every stream together (StreamSink::total_queued_bytes) as last seen, and
  // the most seen since the hub started.
  size_t queued_bytes = 0;
  size_t peak_queued_bytes = 0;
};

// The state the hub shares with its threads and subscriptions (api/http/subscription_hub.cpp).
struct SubscriptionHubCore;

class SubscriptionHub {
 public:
  // `store` must outlive the hub and every subscription it returned. `registry` (optional) gets
  // the gauges dialogue_subscriptions_open and the counter
  // dialogue_subscription_fallbacks_total.
  explicit SubscriptionHub(engine::EventStore& store, SubscriptionOptions options = {},
                           prometheus::Registry* registry = nullptr);
  // Shutdown(), then joins the hub's threads.
  ~SubscriptionHub();
  SubscriptionHub(const SubscriptionHub&) = delete;
  SubscriptionHub& operator=(const SubscriptionHub&) = delete;

  // Starts following the log from its current head. REQUIRES: called once.
  void Start();

  // A subscription to the events after position `after` that match `filter`, as the body of a
  // streaming response, for `owner` (the subscribing actor; "" counts against no owner's quota).
  // It holds one of max_subscribers slots, and one of its owner's max_per_owner, until released.
  // kUnavailable when every slot (or every one of the owner's) is taken, or the hub is shutting
  // down.
  [[nodiscard]] engine::Result<std::shared_ptr<StreamingBody>> Subscribe(
      uint64_t after, SubscriptionFilter filter, const std::string& owner = "");

  // Ends every subscription cleanly (each stream ends after what it has queued) and refuses new
  // ones. Does not block; idempotent. Meant for ServerOptions::on_stopping.
  void Shutdown();

  SubscriptionStats stats() const;
  const SubscriptionOptions& options() const;

 private:
  std::shared_ptr<SubscriptionHubCore> core_;
  std::vector<std::thread> threads_;
  uint64_t listener_id_ = 0;
  bool started_ = false;
};

}  // namespace dialogue::api
