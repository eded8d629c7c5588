// Follower: a copy of the log filled from the JetStream stream the relay writes (docs/relay.md,
// "Following"). One thread reads the stream from the message after the local head, with an
// ordered consumer, and appends each event verbatim: the local store takes it only as the next
// link of its own hash chain (position head + 1, the stream's next version, prev_hash the head's
// hash, the hash recomputed), so a follower holds the leader's log exactly, or stops.
//
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/event_store.hpp"
#include "engine/result.hpp"

namespace dialogue::app {

struct FollowerOptions {
  std::vector<std::string> servers;  // nats://HOST:PORT, at least one
  std::string stream = "DIALOGUE";
  std::string origin;  // the leader's log: messages of another origin stop the follower
  std::chrono::milliseconds wait{5000};
  // Told of each change (connected, resumed at, a refusal), for the server's log. May be empty.
  std::function<void(const std::string&)> note;
};

struct FollowerStatus {
  uint64_t applied = 0;      // the local head
  uint64_t stream_last = 0;  // the stream's last position, as last learnt
  bool connected = false;
  bool in_step = false;  // reading the stream after the local head
  // The stream and this copy disagree: the stream holds events but ends before the copy's head,
  // or holds another event at the copy's head. Such a copy cannot follow; a cluster node sets it
  // aside and starts again (docs/cluster.md).
  bool diverged = false;
  uint64_t failures = 0;
  std::string last_error;
};

class Follower {
 public:
  // Starts the follower's thread; connecting is retried in the background. kInvalidArgument for
  // bad options. The store must be written by nothing else.
  [[nodiscard]] static engine::Result<std::unique_ptr<Follower>> Start(engine::EventStore& store,
                                                                       FollowerOptions options);
  ~Follower();
  Follower(const Follower&) = delete;
  Follower& operator=(const Follower&) = delete;

  FollowerStatus Status() const;

  struct Impl;

 private:
  explicit Follower(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace dialogue::app
