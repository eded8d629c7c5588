#include "app/relay.hpp"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

#include "app/nats_link.hpp"
#include "app/stop_signal.hpp"
#include "engine/event_json.hpp"
#include "workflows/events.hpp"

namespace dialogue::app {
namespace {

constexpr char kCheckpointPrefix[] = "relay/checkpoint/";
constexpr char kExpectedLastSequenceHeader[] = "Nats-Expected-Last-Sequence";
constexpr auto kIdleWait = std::chrono::milliseconds(200);
constexpr auto kFirstRetry = std::chrono::milliseconds(50);
constexpr auto kLastRetry = std::chrono::milliseconds(2000);
constexpr auto kCheckpointEvery = std::chrono::seconds(1);
constexpr auto kAckSlice = std::chrono::milliseconds(100);

// A subject token: what NATS allows, anything else as '_'.
std::string Token(std::string_view text) {
  std::string token(text);
  for (char& c : token) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '-' || c == '_';
    if (!plain) c = '_';
  }
  return token.empty() ? "_" : token;
}

}  // namespace

std::string RelaySubject(const engine::RecordedEvent& event) {
  const std::string_view kind = workflows::StreamKind(event.stream);
  return "dialogue." + (kind.empty() ? std::string("other") : Token(kind)) + "." +
         Token(event.type);
}

std::string CloudEventJson(const engine::RecordedEvent& event, std::string_view origin) {
  // Written straight to text (keys sorted, as nlohmann::json would): the event's data is copied
  // as stored, never parsed again.
  std::string out;
  out.reserve(event.data.size() + 640);
  out.append("{\"data\":");
  engine::AppendEventJson(out, event);
  out.append(",\"datacontenttype\":\"application/json\",\"id\":\"");
  out.append(std::to_string(event.position));
  out.append("\",\"source\":");
  engine::AppendJsonString(out, origin);
  out.append(",\"specversion\":\"1.0\",\"subject\":");
  engine::AppendJsonString(out, event.stream);
  out.append(",\"time\":");
  engine::AppendJsonString(out, event.metadata.occurred_at.empty() ? event.metadata.recorded_at
                                                                   : event.metadata.occurred_at);
  out.append(",\"type\":");
  engine::AppendJsonString(out, "org.dialogue." + event.type);
  out.push_back('}');
  return out;
}

struct Relay::Impl {
  Impl(engine::EventStore& s, RelayOptions o)
      : store(s), options(std::move(o)), checkpoint_key(kCheckpointPrefix + options.stream) {}

  void Run();
  // Asks the stream for its last message (creating the stream when missing); true when it
  // holds this log's events up to a position the log has.
  bool Resync();
  // Publishes `events` (the ones after `position`, in order) and waits for their
  // acknowledgements; moves `position` past those stored in turn. False on any failure.
  bool Publish(const std::vector<engine::RecordedEvent>& events);
  void Checkpoint(bool now);
  void Failed(const std::string& what);
  // Another writer's events are in the stream: publish nothing more.
  void Fenced(const std::string& what);
  // Settles the waiters up to `position` (true), or all of them (false) once fenced or stopped.
  void Settle(bool fail_all);
  void Note(const std::string& what) {
    if (options.note) options.note(what);
  }
  bool Sleep(std::chrono::milliseconds wait) { return stop.Sleep(wait); }
  bool Stopping() const { return stop.Stopping(); }

  bool Connected() const { return link->Connected(); }

  engine::EventStore& store;
  const RelayOptions options;
  const std::string checkpoint_key;
  std::unique_ptr<NatsLink> link;
  jsCtx* js = nullptr;  // link's

  // The relay thread's own.
  uint64_t position = 0;  // the last position the stream holds
  uint64_t sequence = 0;  // the stream's last sequence
  bool in_step = false;
  uint64_t sent_through = 0;  // the last position handed to the library
  uint64_t checkpointed = 0;
  std::chrono::steady_clock::time_point checkpointed_at{};

  bool connected = false;  // as last looked at

  mutable std::mutex status_mu;
  RelayStatus status;  // guarded by status_mu, but for `connected`, read live
  // AwaitAcknowledged's: by position. Guarded by status_mu.
  std::multimap<uint64_t, std::function<void(bool)>> waiters;

  StopSignal stop;
  std::thread thread;
};

void Relay::Impl::Failed(const std::string& what) {
  bool again = false;
  {
    std::lock_guard lock(status_mu);
    ++status.failures;
    again = status.last_error == what;
    status.last_error = what;
    status.in_step = false;
  }
  in_step = false;
  if (!again) Note("relay: " + what);  // a failure that repeats is told once
}

void Relay::Impl::Fenced(const std::string& what) {
  {
    std::lock_guard lock(status_mu);
    status.fenced = true;
  }
  Failed(what + "; another writer's events are in the stream: this relay publishes no more");
  Settle(/*fail_all=*/true);
}

void Relay::Impl::Settle(bool fail_all) {
  std::vector<std::function<void(bool)>> done;
  {
    std::lock_guard lock(status_mu);
    const auto end = fail_all ? waiters.end() : waiters.upper_bound(status.acknowledged);
    for (auto it = waiters.begin(); it != end; ++it) done.push_back(std::move(it->second));
    waiters.erase(waiters.begin(), end);
  }
  for (auto& call : done) call(!fail_all);
}

bool Relay::Impl::Resync() {
  if (!in_step) {
    std::lock_guard lock(status_mu);
    ++status.resyncs;
  }
  auto end = ReadStreamEnd(js, options.stream, options.origin);
  if (!end && end.error().code == engine::ErrorCode::kNotFound) {
    jsStreamConfig config;
    jsStreamConfig_Init(&config);
    const char* subjects[] = {"dialogue.>"};
    config.Name = options.stream.c_str();
    config.Subjects = subjects;
    config.SubjectsLen = 1;
    config.Storage = js_FileStorage;
    config.Replicas = options.replicas;
    config.DenyDelete = true;
    config.DenyPurge = true;
    jsErrCode code = static_cast<jsErrCode>(0);
    jsStreamInfo* info = nullptr;
    const natsStatus s = js_AddStream(&info, js, &config, nullptr, &code);
    jsStreamInfo_Destroy(info);
    if (s != NATS_OK) {
      Failed(Failure("creating the stream " + options.stream, s, code));
      return false;
    }
    Note("relay: created the JetStream stream " + options.stream);
    end = StreamEnd{};
  }
  if (!end) {
    Failed(end.error().message);
    return false;
  }
  const uint64_t last_sequence = end->sequence;
  const uint64_t last_position = end->position;
  if (last_position > 0) {
    // The same position is not enough: nodes of one cluster share the origin. The stream's last
    // event must be this log's own.
    auto mine = store.ReadAll(last_position - 1, 1);
    if (!mine) {
      Failed("reading the log: " + mine.error().message);
      return false;
    }
    if (mine->empty()) {
      Fenced("the stream " + options.stream + " holds position " + std::to_string(last_position) +
             ", beyond this log's head " + std::to_string(store.HeadPosition()));
      return false;
    }
    if (mine->front().hash != end->hash) {
      Fenced("the stream " + options.stream + "'s position " + std::to_string(last_position) +
             " is not this log's event there");
      return false;
    }
  }
  if (!in_step) {
    Note("relay: the stream " + options.stream + " holds positions up to " +
         std::to_string(last_position) + " (sequence " + std::to_string(last_sequence) +
         "); publishing from " + std::to_string(last_position + 1));
  }
  // What this relay sent and the stream now holds.
  const uint64_t taken = std::min(last_position, sent_through) > position
                             ? std::min(last_position, sent_through) - position
                             : 0;
  position = last_position;
  sequence = last_sequence;
  in_step = true;
  {
    std::lock_guard lock(status_mu);
    status.acknowledged = position;
    status.in_step = true;
    status.published += taken;
  }
  Settle(/*fail_all=*/false);
  return true;
}

bool Relay::Impl::Publish(const std::vector<engine::RecordedEvent>& events) {
  jsPubOptions publish_options;
  jsPubOptions_Init(&publish_options);
  publish_options.MaxWait = options.ack_wait.count();
  std::string failure;
  // The idempotency keys of the appends that end in this batch travel on their last messages.
  auto keys = store.IdempotencyEntries(events.front().position - 1, events.back().position);
  if (!keys) {
    Failed("reading the idempotency keys: " + keys.error().message);
    return false;
  }
  size_t next_key = 0;
  for (size_t i = 0; i < events.size() && failure.empty(); ++i) {
    const engine::RecordedEvent& event = events[i];
    const std::string subject = RelaySubject(event);
    const std::string body = CloudEventJson(event, options.origin);
    natsMsg* msg = nullptr;
    natsStatus s =
        natsMsg_Create(&msg, subject.c_str(), nullptr, body.data(), static_cast<int>(body.size()));
    if (s == NATS_OK) {
      s = natsMsgHeader_Set(msg, kMsgIdHeader, MsgId(options.origin, event.position).c_str());
    }
    if (s == NATS_OK) s = natsMsgHeader_Set(msg, "Content-Type", "application/cloudevents+json");
    if (s == NATS_OK && next_key < keys->size() &&
        (*keys)[next_key].result.last_position == event.position) {
      s = natsMsgHeader_Set(msg, kIdempotencyHeader,
                            IdempotencyHeader((*keys)[next_key++]).c_str());
    }
    // The stream refuses a message that does not come right after the last one it holds: no
    // event is stored twice, and none out of turn, whatever the duplicate window.
    if (s == NATS_OK && sequence + i > 0) {
      s = natsMsgHeader_Set(msg, kExpectedLastSequenceHeader, std::to_string(sequence + i).c_str());
    }
    if (s == NATS_OK) s = js_PublishMsgAsync(js, &msg, &publish_options);
    natsMsg_Destroy(msg);  // a no-op once the library owns it
    if (s != NATS_OK) {
      failure = "publishing position " + std::to_string(event.position) + ": " + Text(s);
    } else {
      sent_through = event.position;
    }
  }
  // Waits for the acknowledgements in slices, to give up at once when the connection drops (or
  // was made again to another server: the acknowledgements due on the old one never come) or the
  // relay stops, rather than at the end of ack_wait.
  const uint64_t reconnects = link->Reconnects();
  natsStatus completed = NATS_TIMEOUT;
  const auto deadline = std::chrono::steady_clock::now() + options.ack_wait;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    jsPubOptions wait_options;
    jsPubOptions_Init(&wait_options);
    wait_options.MaxWait = std::clamp<int64_t>(left.count(), 1, kAckSlice.count());
    completed = js_PublishAsyncComplete(js, &wait_options);
    if (completed != NATS_TIMEOUT || left <= kAckSlice || !Connected() ||
        link->Reconnects() != reconnects || Stopping()) {
      break;
    }
  }
  if (completed != NATS_OK) {
    // Abandon what is unacknowledged: its acknowledgement, if it comes, is dropped, and the
    // stream tells below whether it landed.
    natsMsgList pending{};
    if (js_PublishAsyncGetPendingList(&pending, js) == NATS_OK) natsMsgList_Destroy(&pending);
    if (failure.empty()) failure = "awaiting acknowledgements: " + Text(completed);
  }
  // The stream says how far it got: the acknowledgements carry no more than that, and a refused
  // publish has none. With each message expecting the sequence before it, the stream holds this
  // batch's events in turn up to its last message, and none after it.
  if (!failure.empty()) {
    Failed(failure);
    return false;
  }
  if (!Resync()) return false;
  if (position == events.back().position) return true;
  Failed("the stream holds position " + std::to_string(position) + ", not " +
         std::to_string(events.back().position) + ", after publishing up to it");
  return false;
}

void Relay::Impl::Checkpoint(bool now) {
  const auto at = std::chrono::steady_clock::now();
  if (position == checkpointed || (!now && at - checkpointed_at < kCheckpointEvery)) return;
  engine::StateStore::Batch write;
  write.puts.emplace_back(checkpoint_key, std::to_string(position));
  if (auto written = store.state().Write(write); !written) {
    Note("relay: cannot write its checkpoint: " + written.error().message);
    return;
  }
  checkpointed = position;
  checkpointed_at = at;
}

void Relay::Impl::Run() {
  auto retry = kFirstRetry;
  while (!Stopping()) {
    bool fenced = false;
    {
      std::lock_guard lock(status_mu);
      fenced = status.fenced;
    }
    if (fenced || (options.may_publish && !options.may_publish())) {
      in_step = false;  // when allowed again, ask the stream first
      Sleep(kIdleWait);
      continue;
    }
    if (const bool up = Connected(); up != connected) {
      connected = up;
      Note(up ? "relay: connected to NATS" : "relay: lost its NATS connection; reconnecting");
      in_step = false;  // whatever was in flight: ask the stream
    }
    if (!in_step && !Resync()) {
      if (!Sleep(retry)) break;
      retry = std::min(retry * 2, kLastRetry);
      continue;
    }
    auto events = store.ReadAll(position, options.window);
    if (!events) {
      Failed("reading the log: " + events.error().message);
      if (!Sleep(retry)) break;
      continue;
    }
    if (events->empty()) {
      Checkpoint(true);
      store.WaitForCommit(position, kIdleWait);
      continue;
    }
    if (!Publish(*events)) {
      if (!Sleep(retry)) break;
      retry = std::min(retry * 2, kLastRetry);
      continue;
    }
    retry = kFirstRetry;
    Checkpoint(false);
  }
  Checkpoint(true);
  Settle(/*fail_all=*/true);
}

engine::Result<std::unique_ptr<Relay>> Relay::Start(engine::EventStore& store,
                                                    RelayOptions options) {
  if (options.servers.empty()) {
    return engine::Fail(engine::Error::InvalidArgument("the relay needs a NATS server's URL"));
  }
  if (options.stream.empty() || options.stream.find_first_of(" \t.*>/\\") != std::string::npos) {
    return engine::Fail(engine::Error::InvalidArgument(
        "a JetStream stream name has no space, '.', '*', '>', '/' or '\\'"));
  }
  if (options.replicas < 1 || options.replicas > 5) {
    return engine::Fail(engine::Error::InvalidArgument("stream replicas are 1 to 5"));
  }
  if (options.origin.empty() || options.window == 0) {
    return engine::Fail(engine::Error::InvalidArgument("the relay needs an origin and a window"));
  }
  auto impl = std::make_unique<Impl>(store, std::move(options));
  // Until the stream answers, the lag is measured from the checkpoint.
  if (auto saved = store.state().Read(impl->checkpoint_key); saved && saved->has_value()) {
    uint64_t at = 0;
    const std::string& text = **saved;
    if (std::from_chars(text.data(), text.data() + text.size(), at).ec == std::errc()) {
      impl->status.acknowledged = at;
      impl->checkpointed = at;
      impl->position = at;
    }
  }
  auto link = NatsLink::Open(impl->options.servers, impl->options.ack_wait,
                             static_cast<int64_t>(impl->options.window));
  if (!link) return engine::Fail(link.error());
  impl->link = std::move(*link);
  impl->js = impl->link->js();
  Impl* raw = impl.get();
  raw->thread = std::thread([raw] { raw->Run(); });
  return std::unique_ptr<Relay>(new Relay(std::move(impl)));
}

Relay::Relay(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Relay::~Relay() {
  impl_->stop.Stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

void Relay::AwaitAcknowledged(uint64_t position, std::function<void(bool)> done) {
  {
    std::lock_guard lock(impl_->status_mu);
    if (!impl_->status.fenced && impl_->status.acknowledged < position) {
      // Checked under status_mu: the thread settles every waiter once stopped, after this.
      if (!impl_->stop.Stopping()) {
        impl_->waiters.emplace(position, std::move(done));
        return;
      }
    }
  }
  const bool held = Status().acknowledged >= position;
  done(held);
}

RelayStatus Relay::Status() const {
  RelayStatus copy;
  {
    std::lock_guard lock(impl_->status_mu);
    copy = impl_->status;
  }
  copy.connected = impl_->link->Connected();
  return copy;
}

}  // namespace dialogue::app
