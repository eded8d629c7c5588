// Leadership: what the command path asks of a node's place among several (docs/cluster.md).
// A single server has none (it always leads); a read replica (`serve --follow`) never leads; a
// cluster node (app/cluster_node.hpp) leads while it holds the lease.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace dialogue::app {

class Leadership {
 public:
  virtual ~Leadership() = default;
  // True while this node takes commands. Thread-safe.
  virtual bool Leading() const = 0;
  // The leader's URL, as this node knows it; "" when it does not. Thread-safe.
  virtual std::string LeaderUrl() const = 0;
  // Calls done(true) once the events up to `position` (durable here) are held where a command
  // must find them before it is acknowledged, or done(false) when this node can no longer see
  // to it. May call done at once on the caller's thread; else on a thread of the node's, and
  // then `done` must be quick.
  virtual void AwaitReplicated(uint64_t position, std::function<void(bool)> done) = 0;
};

// A read replica: never leads, and names the leader it was told of.
class ReadReplica final : public Leadership {
 public:
  explicit ReadReplica(std::string leader_url) : leader_url_(std::move(leader_url)) {}
  bool Leading() const override { return false; }
  std::string LeaderUrl() const override { return leader_url_; }
  void AwaitReplicated(uint64_t, std::function<void(bool)> done) override { done(false); }

 private:
  const std::string leader_url_;
};

}  // namespace dialogue::app
