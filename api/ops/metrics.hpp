// Prometheus metrics of the server (prometheus-cpp core): requests by route and status, request
// latency, and the ledger head position. Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/event_store.hpp"

namespace dialogue::app {
class ClusterNode;
class Follower;
class Relay;
}  // namespace dialogue::app

namespace prometheus {
class Registry;
struct MetricFamily;
}  // namespace prometheus

namespace dialogue::api {

class Metrics {
 public:
  // head_position is read at each scrape (for the gauge dialogue_ledger_head_position).
  explicit Metrics(std::function<uint64_t()> head_position);
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // route is the matched pattern ("/v1/streams/{stream}/events") or "unmatched", never the raw
  // path, so that the label set stays small.
  void ObserveRequest(std::string_view method, std::string_view route, int status, double seconds);

  // A connection or request the server refused before any handler saw it
  // (dialogue_http_refused_total{reason}); reasons are ServerOptions::on_refusal's.
  void CountRefusal(std::string_view reason);

  // A piece of work handed to the worker pool (what may block: as_of folds, the log's pages,
  // proofs, backups), with the seconds it waited for a worker
  // (dialogue_http_offload_wait_seconds: its count is the work offloaded).
  void ObserveOffload(double queued_seconds);

  // The registry, for other parts of the server to add their own families.
  prometheus::Registry& registry();

  // Families made at each scrape by someone else (the store's figures), after the registry's.
  // collector must outlive the Metrics and be thread-safe.
  void AddCollector(std::function<std::vector<prometheus::MetricFamily>()> collector);

  // Everything in the Prometheus text exposition format (version 0.0.4).
  std::string Serialize();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The store at each scrape (docs/operations.md, "What to alert on"): the commit path
// (dialogue_commit_duration_seconds and dialogue_commit_group_events, histograms), RocksDB's
// figures (dialogue_store_live_data_bytes, _pending_compaction_bytes, _memtable_bytes,
// _write_stopped, _delayed_write_rate_bytes, _background_errors) and the free space of the file
// system holding data_dir (dialogue_disk_free_bytes; left out when data_dir is "").
void AddStoreMetrics(Metrics& metrics, const engine::EventStore& store, std::string data_dir);
// The relay to NATS JetStream's figures (dialogue_relay_*), read at each scrape. The relay and
// the store must outlive the metrics' use.
void AddRelayMetrics(Metrics& metrics, const app::Relay& relay, const engine::EventStore& store);
// A read replica's figures (dialogue_follower_*): how far behind the stream its copy is.
void AddFollowerMetrics(Metrics& metrics, const app::Follower& follower);
// A cluster node's (dialogue_cluster_*: leading, the lease won and lost), with its relay's while
// it leads and its follower's while it follows, under the names above.
void AddClusterMetrics(Metrics& metrics, const app::ClusterNode& node,
                       const engine::EventStore& store);

inline constexpr char kPrometheusContentType[] = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace dialogue::api
