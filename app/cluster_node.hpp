// ClusterNode: one `dialogue serve --cluster` node among several over one JetStream stream, of
// which exactly one writes (docs/cluster.md). Every node starts as a follower (app/follower.hpp)
// and competes for the leader's lease (app/lease.hpp). The node that wins it
//   1. catches up: applies the stream up to its last message, as the stream is when asked after
//      the lease was won;
//   2. stops following and starts the relay (app/relay.hpp), which publishes only while the
//      lease is held, each event expecting the stream's sequence before it;
//   3. leads: takes commands, each answered once its events are durable here and held by the
//      stream (AwaitReplicated).
// It steps down, for good, when it loses the lease while leading, when its relay is fenced (the
// stream holds another writer's events), or when its copy has diverged from the stream; the
// server then stops, and starts again as a follower (a diverged copy set aside first).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "app/follower.hpp"
#include "app/leadership.hpp"
#include "app/lease.hpp"
#include "app/relay.hpp"
#include "engine/event_store.hpp"
#include "engine/result.hpp"

namespace dialogue::app {

struct ClusterOptions {
  std::vector<std::string> servers;  // the NATS cluster: nats://HOST:PORT, at least one
  std::string stream = "DIALOGUE";
  std::string bucket = "DIALOGUE_LEADER";  // the lease's
  int replicas = 1;                        // of the stream and the bucket, when created
  std::string origin;                      // the log's name: the same on every node
  std::string node_url;                    // this node's URL, named to clients in a 421
  std::chrono::milliseconds lease_ttl{3000};
  // Told of each change (won, caught up, leading, stepped down, and the parts' own notes).
  std::function<void(const std::string&)> note;
  // Called on the node's thread once it leads: start what only the writer runs (its timers).
  std::function<void()> on_leading;
  // Called once, on the node's thread, when the node steps down. `diverged`: the copy holds
  // what the stream does not, and must be set aside before the node follows again.
  std::function<void(bool diverged, const std::string& why)> on_stepped_down;
};

enum class ClusterRole { kFollowing, kCatchingUp, kLeading, kSteppedDown };
// "following", "catching_up", "leading", "stepped_down".
std::string_view Name(ClusterRole role);

struct ClusterStatus {
  ClusterRole role = ClusterRole::kFollowing;
  LeaseStatus lease;
  FollowerStatus follower;   // while following or catching up
  RelayStatus relay;         // while leading (and after, as it was)
  std::string stepped_down;  // why, once it has
};

class ClusterNode final : public Leadership {
 public:
  // Starts following and competing for the lease. kInvalidArgument for bad options. The store
  // must be written by nothing else until the node leads.
  [[nodiscard]] static engine::Result<std::unique_ptr<ClusterNode>> Start(engine::EventStore& store,
                                                                          ClusterOptions options);
  // Stops the relay or the follower, then gives the lease up.
  ~ClusterNode() override;
  ClusterNode(const ClusterNode&) = delete;
  ClusterNode& operator=(const ClusterNode&) = delete;

  bool Leading() const override;
  std::string LeaderUrl() const override;
  // Leading: once the relay has the stream hold `position`. Else done(false) at once.
  void AwaitReplicated(uint64_t position, std::function<void(bool)> done) override;

  ClusterStatus Status() const;

  struct Impl;

 private:
  explicit ClusterNode(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace dialogue::app
