// Lease: which node of a cluster is the leader (the one writer), decided in a NATS JetStream
// key-value bucket (docs/cluster.md). The bucket keeps one key, `leader`, whose value is the
// holder's name (its URL); the bucket's TTL expires a value that is not renewed.
//
// One thread per node:
//   - not holding: reads the key; when it is absent, expired, deleted or empty, writes its own
//     name with a compare-and-set (create, or update on the empty value's revision): of several
//     nodes trying at once, one wins;
//   - holding: renews every ttl / 6 with a compare-and-set on the revision it last wrote. A
//     renewal refused (someone else wrote) loses the lease at once; one that cannot reach NATS
//     loses it once ttl / 2 has passed since the last renewal that succeeded was sent, which is
//     before the bucket could expire the value (ttl after that renewal reached the server).
// Held() reads that deadline on the caller's clock, so a holder whose thread is stalled stops
// believing it holds the lease in time too. The lease alone does not fence a stalled writer: the
// stream's expected-sequence check does (docs/cluster.md, "What a 201 promises").
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/result.hpp"

namespace dialogue::app {

struct LeaseOptions {
  std::vector<std::string> servers;  // nats://HOST:PORT, at least one
  std::string bucket = "DIALOGUE_LEADER";
  std::string holder;  // this node's name, told to the others (its URL): not empty
  std::chrono::milliseconds ttl{3000};
  int replicas = 1;  // of a bucket the lease creates
  // Asked before each try to take a free lease: while it answers false, the node does not compete
  // (a copy too far behind to lead soon). Called on the lease's thread. May be empty.
  std::function<bool()> may_take;
  // Told when the lease is won or lost, and of errors, for the server's log. May be empty.
  std::function<void(const std::string&)> note;
};

struct LeaseStatus {
  bool held = false;
  std::string leader;     // the holder as last read ("" when none); this node's name when held
  uint64_t revision = 0;  // of the value last read or written
  uint64_t won = 0;       // times this node took the lease
  uint64_t lost = 0;      // times it lost it
  bool connected = false;
  std::string last_error;
};

class Lease {
 public:
  // Starts the lease's thread: it connects in the background. kInvalidArgument for bad options.
  [[nodiscard]] static engine::Result<std::unique_ptr<Lease>> Start(LeaseOptions options);
  // Stops the thread and, if the lease is held, gives it up (writes the empty value on its
  // revision), so that another node can take it without waiting for the TTL.
  ~Lease();
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;

  // True while the lease is held and its last renewal is recent enough (see above).
  bool Held() const;
  LeaseStatus Status() const;
  // Stops the thread, giving the lease up when held (as the destructor does). Held() is false
  // from then on.
  void Stop();
  // Stops renewing without giving the lease up: the others take it once the TTL expires it. For
  // tests of a holder that dies.
  void Abandon();

  struct Impl;

 private:
  explicit Lease(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace dialogue::app
