// The store's figures in /metrics, made at each scrape from EventStore::Stats (no state kept here:
// the histograms are the store's own counts since it opened).
#include <prometheus/metric_family.h>

#include <filesystem>
#include <limits>
#include <string>
#include <system_error>
#include <vector>

#include "api/ops/metrics.hpp"
#include "app/cluster_node.hpp"
#include "app/follower.hpp"
#include "app/relay.hpp"

namespace dialogue::api {
namespace {

prometheus::MetricFamily Gauge(std::string name, std::string help, double value) {
  prometheus::MetricFamily family;
  family.name = std::move(name);
  family.help = std::move(help);
  family.type = prometheus::MetricType::Gauge;
  prometheus::ClientMetric metric;
  metric.gauge.value = value;
  family.metric.push_back(metric);
  return family;
}

// A histogram from per-bucket counts (the last one above every bound) and their sum.
template <class Bounds, class Counts>
prometheus::MetricFamily Histogram(std::string name, std::string help, const Bounds& bounds,
                                   const Counts& counts, double sum) {
  prometheus::MetricFamily family;
  family.name = std::move(name);
  family.help = std::move(help);
  family.type = prometheus::MetricType::Histogram;
  prometheus::ClientMetric metric;
  uint64_t cumulative = 0;
  for (size_t i = 0; i < bounds.size(); ++i) {
    cumulative += counts[i];
    metric.histogram.bucket.push_back({cumulative, bounds[i]});
  }
  cumulative += counts[bounds.size()];
  metric.histogram.bucket.push_back({cumulative, std::numeric_limits<double>::infinity()});
  metric.histogram.sample_count = cumulative;
  metric.histogram.sample_sum = sum;
  family.metric.push_back(metric);
  return family;
}

prometheus::MetricFamily Counter(std::string name, std::string help, double value) {
  prometheus::MetricFamily family;
  family.name = std::move(name);
  family.help = std::move(help);
  family.type = prometheus::MetricType::Counter;
  prometheus::ClientMetric metric;
  metric.counter.value = value;
  family.metric.push_back(metric);
  return family;
}

}  // namespace

namespace {

std::vector<prometheus::MetricFamily> RelayFamilies(const app::RelayStatus& status, uint64_t head) {
  std::vector<prometheus::MetricFamily> families;
  families.push_back(Gauge("dialogue_relay_acknowledged_position",
                           "The last position the JetStream stream holds, as the relay knows",
                           static_cast<double>(status.acknowledged)));
  families.push_back(
      Gauge("dialogue_relay_lag_events", "Committed events the JetStream stream does not hold yet",
            static_cast<double>(head > status.acknowledged ? head - status.acknowledged : 0)));
  families.push_back(Gauge("dialogue_relay_connected", "1 while connected to a NATS server",
                           status.connected ? 1 : 0));
  families.push_back(Gauge("dialogue_relay_in_step",
                           "1 once the stream said where it stands and holds this log's events",
                           status.in_step ? 1 : 0));
  families.push_back(Gauge("dialogue_relay_fenced",
                           "1 once the stream was found to hold another writer's events",
                           status.fenced ? 1 : 0));
  families.push_back(
      Counter("dialogue_relay_published_total",
              "Events this relay sent that the JetStream stream holds, since the start",
              static_cast<double>(status.published)));
  families.push_back(Counter("dialogue_relay_resyncs_total",
                             "Times the relay asked the stream where it stands after a start, a "
                             "failure or a lost connection",
                             static_cast<double>(status.resyncs)));
  families.push_back(Counter("dialogue_relay_failures_total",
                             "Failed publishes, acknowledgement timeouts and refused resyncs",
                             static_cast<double>(status.failures)));
  return families;
}

std::vector<prometheus::MetricFamily> FollowerFamilies(const app::FollowerStatus& status) {
  std::vector<prometheus::MetricFamily> families;
  families.push_back(Gauge(
      "dialogue_follower_lag_events",
      "Events the JetStream stream holds that this copy has not applied",
      static_cast<double>(status.stream_last > status.applied ? status.stream_last - status.applied
                                                              : 0)));
  families.push_back(Gauge("dialogue_follower_connected", "1 while connected to a NATS server",
                           status.connected ? 1 : 0));
  families.push_back(Gauge("dialogue_follower_in_step",
                           "1 while reading the stream after this copy's head; 0 when stopped "
                           "on a message that does not continue it, or unreachable",
                           status.in_step ? 1 : 0));
  families.push_back(Gauge("dialogue_follower_diverged",
                           "1 once this copy was found to hold what the stream does not",
                           status.diverged ? 1 : 0));
  families.push_back(Counter("dialogue_follower_failures_total",
                             "Refused messages, lost subscriptions and unreachable streams",
                             static_cast<double>(status.failures)));
  return families;
}

}  // namespace

void AddRelayMetrics(Metrics& metrics, const app::Relay& relay, const engine::EventStore& store) {
  metrics.AddCollector(
      [&relay, &store] { return RelayFamilies(relay.Status(), store.HeadPosition()); });
}

void AddFollowerMetrics(Metrics& metrics, const app::Follower& follower) {
  metrics.AddCollector([&follower] { return FollowerFamilies(follower.Status()); });
}

void AddClusterMetrics(Metrics& metrics, const app::ClusterNode& node,
                       const engine::EventStore& store) {
  metrics.AddCollector([&node, &store] {
    const app::ClusterStatus status = node.Status();
    std::vector<prometheus::MetricFamily> families =
        status.role == app::ClusterRole::kLeading || status.role == app::ClusterRole::kSteppedDown
            ? RelayFamilies(status.relay, store.HeadPosition())
            : FollowerFamilies(status.follower);
    families.push_back(Gauge("dialogue_cluster_leading", "1 while this node leads (takes commands)",
                             node.Leading() ? 1 : 0));
    families.push_back(Gauge("dialogue_cluster_stepped_down",
                             "1 once this node stepped down (it is stopping to rejoin)",
                             status.role == app::ClusterRole::kSteppedDown ? 1 : 0));
    families.push_back(Counter("dialogue_cluster_lease_won_total",
                               "Times this node won the leader's lease",
                               static_cast<double>(status.lease.won)));
    families.push_back(Counter("dialogue_cluster_lease_lost_total",
                               "Times this node lost the leader's lease",
                               static_cast<double>(status.lease.lost)));
    return families;
  });
}

void AddStoreMetrics(Metrics& metrics, const engine::EventStore& store, std::string data_dir) {
  metrics.AddCollector([&store, data_dir = std::move(data_dir)] {
    const engine::StoreStats stats = store.Stats();
    using S = engine::StoreStats;
    std::vector<prometheus::MetricFamily> families;
    families.push_back(Histogram("dialogue_commit_duration_seconds",
                                 "Time of one group commit's write and sync (fdatasync)",
                                 S::kSyncBounds, stats.sync_counts, stats.sync_seconds));
    families.push_back(Histogram("dialogue_commit_group_events",
                                 "Events one group commit wrote with one sync", S::kGroupBounds,
                                 stats.group_counts, static_cast<double>(stats.events)));
    families.push_back(Gauge("dialogue_store_live_data_bytes",
                             "RocksDB's estimate of the live data's size",
                             static_cast<double>(stats.live_data_bytes)));
    families.push_back(Gauge("dialogue_store_pending_compaction_bytes",
                             "RocksDB's estimate of the bytes compaction has still to rewrite",
                             static_cast<double>(stats.pending_compaction_bytes)));
    families.push_back(Gauge("dialogue_store_memtable_bytes", "Bytes in RocksDB's memtables",
                             static_cast<double>(stats.memtable_bytes)));
    families.push_back(Gauge("dialogue_store_write_stopped",
                             "1 while RocksDB stops writes (a write stall), else 0",
                             stats.write_stopped ? 1 : 0));
    families.push_back(Gauge("dialogue_store_delayed_write_rate_bytes",
                             "The rate RocksDB slows writes to (bytes per second; 0: not slowed)",
                             static_cast<double>(stats.delayed_write_rate)));
    families.push_back(Gauge("dialogue_store_background_errors",
                             "RocksDB's background errors (flushes, compactions) since it opened",
                             static_cast<double>(stats.background_errors)));
    if (!data_dir.empty()) {
      std::error_code ec;
      const std::filesystem::space_info space = std::filesystem::space(data_dir, ec);
      if (!ec) {
        families.push_back(Gauge("dialogue_disk_free_bytes",
                                 "Bytes free to the server on the file system of its store",
                                 static_cast<double>(space.available)));
      }
    }
    return families;
  });
}

}  // namespace dialogue::api
