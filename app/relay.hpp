// Relay: every committed event, in position order, to a NATS JetStream stream as a CloudEvents
// 1.0 event in structured mode, exactly once (docs/relay.md).
//
// One thread reads the log after the last position the stream holds and publishes up to
// `window` events at a time asynchronously (pipelined), each with
//   - subject     dialogue.<stream kind>.<Type>     (dialogue.briefing.AttendanceConfirmed)
//   - Nats-Msg-Id <origin>:<position>               (JetStream drops a re-publish in its window)
//   - Nats-Expected-Last-Sequence                    (the stream refuses a publish out of turn,
//                                                    past the window too)
// and waits for their acknowledgements. After each batch, and whenever it starts, reconnects or
// meets any failure, it asks the stream for its last message and resumes after the position that
// message carries: the stream, not the relay, is the record of what was published. (No callback
// of the NATS library's points into the relay: it polls the connection's state.) A checkpoint (the
// last acknowledged position) is also kept with the log's derived state, for the lag shown before
// the stream answers. Publishing never delays a command.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/event.hpp"
#include "engine/event_store.hpp"
#include "engine/result.hpp"

namespace dialogue::app {

struct RelayOptions {
  std::vector<std::string> servers;  // nats://HOST:PORT, at least one
  std::string stream = "DIALOGUE";   // created when missing (file storage, no delete or purge)
  int replicas = 1;                  // of a stream the relay creates: 1 to 5
  std::string origin;                // the log's name: the CloudEvents source, the Msg-Id prefix
  size_t window = 2048;              // publishes awaiting their acknowledgement, at most
  std::chrono::milliseconds ack_wait{5000};
  // Asked before each batch: while it answers false, nothing is published (a cluster node that
  // no longer holds the leader's lease). Called on the relay's thread. May be empty.
  std::function<bool()> may_publish;
  // Told of each change of the relay's condition (connected, lost, resumed at, an error), for
  // the server's log. May be empty. Called on the relay's thread.
  std::function<void(const std::string&)> note;
};

struct RelayStatus {
  uint64_t acknowledged = 0;  // the last position the stream holds, as last learnt
  bool connected = false;     // to a NATS server, now
  bool in_step = false;       // the stream was asked where it stands, and answered with this log
  uint64_t published = 0;     // events this relay sent that the stream holds
  uint64_t resyncs = 0;       // times it asked the stream where it stands after a start, a
                              // failure or a lost connection
  uint64_t failures = 0;      // failed publishes, timeouts and refused resyncs
  // The stream holds what this log does not (a position beyond its head, or another event at a
  // position it has): another writer's. The relay then publishes nothing more, for good.
  bool fenced = false;
  std::string last_error;
};

// The subject of an event: "dialogue." + its stream's kind ("other" for a stream no workflow
// writes) + "." + its type.
std::string RelaySubject(const engine::RecordedEvent& event);
// The CloudEvents structured-mode JSON of an event: specversion "1.0", id (the position, as a
// string), source (origin), type ("org.dialogue." + the type), subject (the Dialogue stream),
// time (occurred_at, else recorded_at), datacontenttype "application/json", data (the event as
// engine/event_json.hpp writes it: the whole envelope, hashes included).
std::string CloudEventJson(const engine::RecordedEvent& event, std::string_view origin);

class Relay {
 public:
  // Starts the relay's thread. Connecting is retried in the background: an unreachable server
  // is not an error here. kInvalidArgument for bad options.
  [[nodiscard]] static engine::Result<std::unique_ptr<Relay>> Start(engine::EventStore& store,
                                                                    RelayOptions options);
  // Stops the thread. Publishes still unacknowledged are abandoned: the next start learns from
  // the stream whether they landed.
  ~Relay();
  Relay(const Relay&) = delete;
  Relay& operator=(const Relay&) = delete;

  RelayStatus Status() const;

  // Calls done(true) once the stream holds every position up to `position` (at once, on the
  // caller's thread, when it already does), or done(false) when it never will by this relay: it
  // was fenced or stopped. Otherwise called on the relay's thread; `done` must be quick.
  void AwaitAcknowledged(uint64_t position, std::function<void(bool)> done);

  struct Impl;

 private:
  explicit Relay(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace dialogue::app
