#include "app/follower.hpp"

#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <utility>

#include "app/nats_link.hpp"
#include "app/stop_signal.hpp"
#include "engine/event_json.hpp"

namespace dialogue::app {
namespace {

constexpr auto kNextWait = std::chrono::milliseconds(200);
constexpr auto kFirstRetry = std::chrono::milliseconds(50);
constexpr auto kLastRetry = std::chrono::milliseconds(2000);
// Events handed to the store and not yet durable, at most: they share its syncs.
constexpr size_t kMaxInFlight = 4096;

// The event a relay's message carries (its CloudEvent's data), or why not.
engine::Result<engine::RecordedEvent> EventOf(natsMsg* msg, std::string_view origin) {
  const nlohmann::json cloud = nlohmann::json::parse(
      natsMsg_GetData(msg), natsMsg_GetData(msg) + natsMsg_GetDataLength(msg), nullptr, false);
  if (!cloud.is_object() || cloud.value("specversion", "") != "1.0" ||
      cloud.value("source", "") != origin || !cloud.contains("data")) {
    return engine::Fail(
        engine::Error::InvalidArgument("not a CloudEvent of the log " + std::string(origin)));
  }
  return engine::EventFromJson(cloud["data"]);
}

}  // namespace

struct Follower::Impl {
  Impl(engine::EventStore& s, FollowerOptions o) : store(s), options(std::move(o)) {}
  ~Impl() {
    if (subscription != nullptr) natsSubscription_Destroy(subscription);
  }

  void Run();
  // Subscribes (an ordered consumer) from the stream's message of position head + 1.
  bool Resync();
  // Takes the next message, if one comes within kNextWait; false on a failure.
  bool Step();
  // Stops reading (the next step resubscribes from the head once the appends in flight end).
  void Failed(const std::string& what);
  // Failed, and the copy cannot follow this stream (FollowerStatus::diverged). Returns false.
  bool Diverged(const std::string& what) {
    {
      std::lock_guard lock(status_mu);
      status.diverged = true;
    }
    Failed(what);
    return false;
  }
  void Note(const std::string& what) {
    if (options.note) options.note(what);
  }
  bool Sleep(std::chrono::milliseconds wait) { return stop.Sleep(wait); }
  bool Stopping() const { return stop.Stopping(); }
  void Unsubscribe() {
    // Interest removed first, then the object: destroying an ordered consumer's subscription
    // that is still active could leave the connection's reader blocked on its lock, so that
    // closing the connection never returned (tests/app/follower_test.cpp, through a NATS restart).
    if (subscription != nullptr) {
      natsSubscription_Unsubscribe(subscription);
      natsSubscription_Destroy(subscription);
    }
    subscription = nullptr;
    in_step = false;
  }

  engine::EventStore& store;
  const FollowerOptions options;
  std::unique_ptr<NatsLink> link;
  natsSubscription* subscription = nullptr;  // the relay thread's

  bool in_step = false;    // the follower thread's
  bool connected = false;  // as last looked at
  uint64_t submitted = 0;  // the follower thread's: the last position handed to the store

  // Appends in flight (AppendVerbatimAsync), completed on the store's thread.
  std::mutex flight_mu;
  std::condition_variable flight_cv;
  size_t in_flight = 0;      // guarded by flight_mu
  std::string flight_error;  // guarded by flight_mu: the first refusal
  // Waits for every append in flight; the first refusal among them, if any.
  std::string Drain() {
    std::unique_lock lock(flight_mu);
    flight_cv.wait(lock, [this] { return in_flight == 0; });
    return std::exchange(flight_error, std::string());
  }

  mutable std::mutex status_mu;
  FollowerStatus status;  // guarded by status_mu, but for `connected` and `applied`, read live

  StopSignal stop;
  std::thread thread;
};

void Follower::Impl::Failed(const std::string& what) {
  bool again = false;
  {
    std::lock_guard lock(status_mu);
    ++status.failures;
    again = status.last_error == what;
    status.last_error = what;
    status.in_step = false;
  }
  Unsubscribe();
  if (!again) Note("follower: " + what);  // a failure that repeats is told once
}

bool Follower::Impl::Resync() {
  if (std::string refused = Drain(); !refused.empty()) {
    Failed(refused);
    return false;
  }
  auto end = ReadStreamEnd(link->js(), options.stream, options.origin);
  if (!end) {
    Failed(end.error().message);
    return false;
  }
  const uint64_t last_sequence = end->sequence;
  const uint64_t last_position = end->position;
  const uint64_t head = store.HeadPosition();
  {
    std::lock_guard lock(status_mu);
    status.stream_last = last_position;
  }
  if (last_position < head) {
    const std::string what = "the stream " + options.stream + " ends at position " +
                             std::to_string(last_position) + ", before this copy's head " +
                             std::to_string(head);
    // An empty stream may yet be filled from this very log (a cluster's first leader).
    if (last_position > 0) return Diverged(what);
    Failed(what);
    return false;
  }
  // The relay writes position p at sequence p + offset, the same offset throughout: a message
  // at a sequence below its position was not written by it.
  if (last_sequence < last_position) {
    Failed("the stream " + options.stream + " holds position " + std::to_string(last_position) +
           " at sequence " + std::to_string(last_sequence) + ": not as the relay writes it");
    return false;
  }
  const uint64_t offset = last_sequence - last_position;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s = NATS_OK;
  // The stream's event at the head must be this copy's head: else the copy's tail was another
  // writer's (a deposed leader's, never acknowledged).
  if (head > 0) {
    natsMsg* at_head = nullptr;
    s = js_GetMsg(&at_head, link->js(), options.stream.c_str(), head + offset, nullptr, &code);
    if (s != NATS_OK) {
      Failed("reading the stream's message for position " + std::to_string(head) + ": " + Text(s));
      return false;
    }
    const bool same =
        PositionOf(at_head, options.origin) == head && EventHashOf(at_head) == store.Head().hash;
    natsMsg_Destroy(at_head);
    if (!same) {
      return Diverged("the stream's event at position " + std::to_string(head) +
                      " is not this copy's head");
    }
  }
  jsSubOptions subscribe;
  jsSubOptions_Init(&subscribe);
  subscribe.Stream = options.stream.c_str();
  subscribe.Ordered = true;
  subscribe.Config.DeliverPolicy = js_DeliverByStartSequence;
  subscribe.Config.OptStartSeq = head + 1 + offset;
  s = js_SubscribeSync(&subscription, link->js(), "dialogue.>", nullptr, &subscribe, &code);
  if (s != NATS_OK) {
    subscription = nullptr;
    Failed("subscribing to the stream " + options.stream + ": " + Text(s));
    return false;
  }
  in_step = true;
  submitted = head;
  {
    std::lock_guard lock(status_mu);
    status.in_step = true;
  }
  Note("follower: at position " + std::to_string(head) + "; the stream " + options.stream +
       " holds up to " + std::to_string(last_position) + "; reading from sequence " +
       std::to_string(head + 1 + offset));
  return true;
}

bool Follower::Impl::Step() {
  {
    std::lock_guard lock(flight_mu);
    if (!flight_error.empty()) {
      const std::string refused = std::exchange(flight_error, std::string());
      Failed(refused);
      return false;
    }
  }
  natsMsg* msg = nullptr;
  const natsStatus s = natsSubscription_NextMsg(&msg, subscription, kNextWait.count());
  if (s == NATS_TIMEOUT) return true;  // nothing new
  if (s != NATS_OK) {
    Failed("reading the stream: " + Text(s));
    return false;
  }
  const uint64_t position = PositionOf(msg, options.origin);
  auto event = EventOf(msg, options.origin);
  auto key = IdempotencyOf(msg);
  natsMsg_Destroy(msg);
  if (position != 0 && position <= submitted) return true;  // an ordered consumer's restart
  if (!key) {
    Failed("the stream's message for position " + std::to_string(position) + " carries " +
           key.error().message);
    return false;
  }
  if (position != submitted + 1 || !event || event->position != position) {
    Failed(
        "the stream's message for position " + std::to_string(submitted + 1) + " is " +
        (event ? "position " + std::to_string(position) : "unreadable: " + event.error().message));
    return false;
  }
  {
    std::unique_lock lock(flight_mu);
    flight_cv.wait(lock, [this] { return in_flight < kMaxInFlight; });
    ++in_flight;
  }
  // The store plans them in the order handed over, and syncs many at once.
  store.AppendVerbatimAsync(
      std::move(*event), std::move(*key), [this, position](engine::Status appended) {
        std::lock_guard lock(flight_mu);
        if (!appended && flight_error.empty()) {
          flight_error = "position " + std::to_string(position) +
                         " does not continue this copy's log: " + appended.error().message;
        }
        --in_flight;
        flight_cv.notify_all();
      });
  submitted = position;
  std::lock_guard lock(status_mu);
  if (position > status.stream_last) status.stream_last = position;
  return true;
}

void Follower::Impl::Run() {
  auto retry = kFirstRetry;
  while (!Stopping()) {
    if (const bool up = link->Connected(); up != connected) {
      connected = up;
      Note(up ? "follower: connected to NATS" : "follower: lost its NATS connection");
    }
    if (!in_step && !Resync()) {
      if (!Sleep(retry)) break;
      retry = std::min(retry * 2, kLastRetry);
      continue;
    }
    if (!Step()) {
      if (!Sleep(retry)) break;
      retry = std::min(retry * 2, kLastRetry);
      continue;
    }
    retry = kFirstRetry;
  }
  Unsubscribe();
  Drain();  // no completion may outlive the follower
}

engine::Result<std::unique_ptr<Follower>> Follower::Start(engine::EventStore& store,
                                                          FollowerOptions options) {
  if (options.servers.empty()) {
    return engine::Fail(engine::Error::InvalidArgument("the follower needs a NATS server's URL"));
  }
  if (options.stream.empty() || options.origin.empty()) {
    return engine::Fail(
        engine::Error::InvalidArgument("the follower needs the stream and the log's origin"));
  }
  auto impl = std::make_unique<Impl>(store, std::move(options));
  auto link = NatsLink::Open(impl->options.servers, impl->options.wait, 1);
  if (!link) return engine::Fail(link.error());
  impl->link = std::move(*link);
  Impl* raw = impl.get();
  raw->thread = std::thread([raw] { raw->Run(); });
  return std::unique_ptr<Follower>(new Follower(std::move(impl)));
}

Follower::Follower(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Follower::~Follower() {
  impl_->stop.Stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

FollowerStatus Follower::Status() const {
  FollowerStatus copy;
  {
    std::lock_guard lock(impl_->status_mu);
    copy = impl_->status;
  }
  copy.connected = impl_->link->Connected();
  copy.applied = impl_->store.HeadPosition();
  return copy;
}

}  // namespace dialogue::app
