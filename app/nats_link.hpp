// Private to app/: what the relay and the follower share of NATS. A connection that connects in
// the background and reconnects for ever, its JetStream context, and the Msg-Id every event
// carries (<origin>:<position>, docs/relay.md).
#pragma once

#include <nats/nats.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/event_store.hpp"
#include "engine/result.hpp"

namespace dialogue::app {

inline constexpr char kMsgIdHeader[] = "Nats-Msg-Id";
// On the message of an append's last event, when the append came with an idempotency key: the
// key, its fingerprint and the append's result, as JSON (docs/relay.md).
inline constexpr char kIdempotencyHeader[] = "Dialogue-Idempotency";

class NatsLink {
 public:
  // kInvalidArgument when the options are refused; an unreachable server is not an error (the
  // link connects when it can). max_pending: asynchronous publishes in flight at most.
  [[nodiscard]] static engine::Result<std::unique_ptr<NatsLink>> Open(
      const std::vector<std::string>& servers, std::chrono::milliseconds wait, int64_t max_pending);
  ~NatsLink();
  NatsLink(const NatsLink&) = delete;
  NatsLink& operator=(const NatsLink&) = delete;

  bool Connected() const;
  // Times the connection was made again since it opened: a change means whatever was in flight
  // on the old one (a publish's acknowledgement) will not come.
  uint64_t Reconnects() const;
  natsConnection* connection() const { return connection_; }
  jsCtx* js() const { return js_; }

 private:
  NatsLink() = default;
  natsOptions* options_ = nullptr;
  natsConnection* connection_ = nullptr;
  jsCtx* js_ = nullptr;
};

std::string MsgId(std::string_view origin, uint64_t position);
// The position of a Msg-Id MsgId wrote for this origin; 0 when it is not one.
uint64_t PositionOf(std::string_view msg_id, std::string_view origin);
// The position in a message's Msg-Id; 0 when it has none of this origin.
uint64_t PositionOf(natsMsg* msg, std::string_view origin);

std::string IdempotencyHeader(const engine::IdempotencyEntry& entry);
// The entry a message's Dialogue-Idempotency header carries: nullopt when it has none,
// kInvalidArgument when it is malformed.
engine::Result<std::optional<engine::IdempotencyEntry>> IdempotencyOf(natsMsg* msg);

// The hash of the event a relay's message carries (its CloudEvent's data.hash); "" when none.
std::string EventHashOf(natsMsg* msg);

// Where a stream ends: its last sequence and the event of the message there (0 and "" when the
// stream is empty).
struct StreamEnd {
  uint64_t sequence = 0;
  uint64_t position = 0;
  std::string hash;
};
// Asks the stream where it ends and reads its last message. kNotFound when there is no such
// stream; kUnavailable when NATS does not answer; kCorruption when the last message is not an
// event of the log `origin`.
[[nodiscard]] engine::Result<StreamEnd> ReadStreamEnd(jsCtx* js, const std::string& stream,
                                                      std::string_view origin);

inline std::string Text(natsStatus s) { return natsStatus_GetText(s); }
// "<what>: <status>", with " (JetStream error <code>)" when JetStream gave one.
inline std::string Failure(const std::string& what, natsStatus s, jsErrCode code) {
  return what + ": " + Text(s) +
         (code != 0 ? " (JetStream error " + std::to_string(code) + ")" : "");
}
// The library's last error on this thread, "" when none.
inline std::string LastError() {
  const char* text = nats_GetLastError(nullptr);
  return text == nullptr ? std::string() : std::string(text);
}

}  // namespace dialogue::app
