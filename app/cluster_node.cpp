#include "app/cluster_node.hpp"

#include <atomic>
#include <mutex>
#include <thread>
#include <utility>

#include "app/nats_link.hpp"
#include "app/stop_signal.hpp"

namespace dialogue::app {
namespace {

constexpr auto kTick = std::chrono::milliseconds(20);
// A follower competes for the lease only when its copy is at most this far behind the stream:
// one that must copy much more first would leave the cluster without a writer meanwhile.
constexpr uint64_t kMaxLagToLead = 1000;

}  // namespace

std::string_view Name(ClusterRole role) {
  switch (role) {
    case ClusterRole::kFollowing:
      return "following";
    case ClusterRole::kCatchingUp:
      return "catching_up";
    case ClusterRole::kLeading:
      return "leading";
    case ClusterRole::kSteppedDown:
      return "stepped_down";
  }
  return "unknown";
}

struct ClusterNode::Impl {
  Impl(engine::EventStore& s, ClusterOptions o) : store(s), options(std::move(o)) {}

  void Run();
  // The position of the stream's last message (0 for an empty or missing stream), asked now.
  engine::Result<uint64_t> StreamLast();
  // Stops following and starts relaying; false when the relay cannot start (the follower is
  // gone by then: the caller steps down).
  bool Lead();
  void StepDown(bool diverged, const std::string& why);
  void Note(const std::string& what) {
    if (options.note) options.note(what);
  }
  bool Sleep(std::chrono::milliseconds wait) { return stop.Sleep(wait); }

  engine::EventStore& store;
  const ClusterOptions options;
  std::unique_ptr<Lease> lease;    // for the node's whole life
  std::unique_ptr<NatsLink> link;  // the node thread's, to ask where the stream ends

  std::atomic<ClusterRole> role{ClusterRole::kFollowing};
  // The parts that come and go. Guarded by mu: replaced only on the node's thread, and read
  // elsewhere under mu.
  mutable std::mutex mu;
  std::unique_ptr<Follower> follower;
  std::unique_ptr<Relay> relay;
  RelayStatus last_relay;    // guarded by mu: the relay's status when it stopped
  std::string stepped_down;  // guarded by mu

  StopSignal stop;
  std::thread thread;
};

engine::Result<uint64_t> ClusterNode::Impl::StreamLast() {
  auto end = ReadStreamEnd(link->js(), options.stream, options.origin);
  if (!end && end.error().code == engine::ErrorCode::kNotFound) return uint64_t{0};
  if (!end) return engine::Fail(end.error());
  return end->position;
}

bool ClusterNode::Impl::Lead() {
  std::unique_ptr<Follower> stopped;
  {
    std::lock_guard lock(mu);
    stopped = std::move(follower);
  }
  stopped.reset();  // joins its thread: every append it made is durable
  RelayOptions relay_options;
  relay_options.servers = options.servers;
  relay_options.stream = options.stream;
  relay_options.replicas = options.replicas;
  relay_options.origin = options.origin;
  relay_options.note = options.note;
  relay_options.may_publish = [lease = lease.get()] { return lease->Held(); };
  auto started = Relay::Start(store, std::move(relay_options));
  if (!started) {
    Note("cluster: cannot start the relay: " + started.error().message);
    return false;
  }
  {
    std::lock_guard lock(mu);
    relay = std::move(*started);
  }
  role.store(ClusterRole::kLeading);
  Note("cluster: " + options.node_url + " leads from position " +
       std::to_string(store.HeadPosition()));
  if (options.on_leading) options.on_leading();
  return true;
}

void ClusterNode::Impl::StepDown(bool diverged, const std::string& why) {
  std::unique_ptr<Follower> stopped_follower;
  std::unique_ptr<Relay> stopped_relay;
  {
    std::lock_guard lock(mu);
    role.store(ClusterRole::kSteppedDown);
    stopped_follower = std::move(follower);
    stopped_relay = std::move(relay);
    if (stopped_relay) last_relay = stopped_relay->Status();
    stepped_down = why;
  }
  stopped_relay.reset();  // fails the commands still waiting for the stream
  stopped_follower.reset();
  lease->Stop();
  Note("cluster: " + options.node_url + " steps down: " + why);
  if (options.on_stepped_down) options.on_stepped_down(diverged, why);
}

void ClusterNode::Impl::Run() {
  while (Sleep(kTick)) {
    switch (role.load()) {
      case ClusterRole::kFollowing:
      case ClusterRole::kCatchingUp: {
        FollowerStatus followed;
        {
          std::lock_guard lock(mu);
          followed = follower->Status();
        }
        if (followed.diverged) return StepDown(/*diverged=*/true, followed.last_error);
        if (!lease->Held()) {
          if (role.load() == ClusterRole::kCatchingUp) {
            role.store(ClusterRole::kFollowing);
            Note("cluster: lost the lease while catching up");
          }
          break;
        }
        if (role.load() == ClusterRole::kFollowing) {
          role.store(ClusterRole::kCatchingUp);
          Note("cluster: " + options.node_url + " won the lease; catching up with the stream");
        }
        // The stream as it is now, after the lease was won: the last leader stopped publishing
        // when its lease lapsed, half a TTL before this node could win it.
        auto last = StreamLast();
        if (!last) break;
        // An empty stream is filled from this log; else the copy must hold the stream's end.
        const bool caught_up =
            *last == 0 || (followed.in_step && followed.applied >= *last && followed.applied > 0);
        if (caught_up && !Lead()) return StepDown(/*diverged=*/false, "the relay did not start");
        break;
      }
      case ClusterRole::kLeading: {
        if (!lease->Held()) return StepDown(/*diverged=*/false, "the lease was lost");
        RelayStatus relayed;
        {
          std::lock_guard lock(mu);
          relayed = relay->Status();
        }
        if (relayed.fenced) return StepDown(/*diverged=*/false, relayed.last_error);
        break;
      }
      case ClusterRole::kSteppedDown:
        return;
    }
  }
}

engine::Result<std::unique_ptr<ClusterNode>> ClusterNode::Start(engine::EventStore& store,
                                                                ClusterOptions options) {
  if (options.node_url.empty()) {
    return engine::Fail(engine::Error::InvalidArgument("a cluster node needs its own URL"));
  }
  auto impl = std::make_unique<Impl>(store, std::move(options));
  const ClusterOptions& o = impl->options;
  FollowerOptions follower_options;
  follower_options.servers = o.servers;
  follower_options.stream = o.stream;
  follower_options.origin = o.origin;
  follower_options.note = o.note;
  ASSIGN_OR_RETURN(impl->follower, Follower::Start(store, std::move(follower_options)));
  LeaseOptions lease_options;
  lease_options.servers = o.servers;
  lease_options.bucket = o.bucket;
  lease_options.holder = o.node_url;
  lease_options.ttl = o.lease_ttl;
  lease_options.replicas = o.replicas;
  lease_options.note = o.note;
  lease_options.may_take = [raw = impl.get()] {
    std::lock_guard lock(raw->mu);
    if (raw->follower == nullptr) return false;
    const FollowerStatus followed = raw->follower->Status();
    // An empty or missing stream (stream_last 0) is filled by whoever leads first.
    return !followed.diverged && (followed.in_step || followed.stream_last == 0) &&
           followed.stream_last <= followed.applied + kMaxLagToLead;
  };
  ASSIGN_OR_RETURN(impl->lease, Lease::Start(std::move(lease_options)));
  ASSIGN_OR_RETURN(impl->link, NatsLink::Open(o.servers, o.lease_ttl, 1));
  Impl* raw = impl.get();
  raw->thread = std::thread([raw] { raw->Run(); });
  return std::unique_ptr<ClusterNode>(new ClusterNode(std::move(impl)));
}

ClusterNode::ClusterNode(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ClusterNode::~ClusterNode() {
  impl_->stop.Stop();
  if (impl_->thread.joinable()) impl_->thread.join();
  std::unique_ptr<Relay> relay;
  std::unique_ptr<Follower> follower;
  {
    std::lock_guard lock(impl_->mu);
    relay = std::move(impl_->relay);
    follower = std::move(impl_->follower);
  }
  relay.reset();  // before the lease is given up: nothing is published after
  follower.reset();
  impl_->lease->Stop();
}

bool ClusterNode::Leading() const {
  return impl_->role.load() == ClusterRole::kLeading && impl_->lease->Held();
}

std::string ClusterNode::LeaderUrl() const {
  if (Leading()) return impl_->options.node_url;
  std::string leader = impl_->lease->Status().leader;
  return leader == impl_->options.node_url ? std::string() : leader;
}

void ClusterNode::AwaitReplicated(uint64_t position, std::function<void(bool)> done) {
  std::lock_guard lock(impl_->mu);
  if (impl_->relay == nullptr) return done(false);
  impl_->relay->AwaitAcknowledged(position, std::move(done));
}

ClusterStatus ClusterNode::Status() const {
  ClusterStatus status;
  status.role = impl_->role.load();
  status.lease = impl_->lease->Status();
  std::lock_guard lock(impl_->mu);
  if (impl_->follower) status.follower = impl_->follower->Status();
  status.relay = impl_->relay ? impl_->relay->Status() : impl_->last_relay;
  status.stepped_down = impl_->stepped_down;
  return status;
}

}  // namespace dialogue::app
