// Prometheus metrics of the server (prometheus-cpp core): requests by route and status, request
// latency, and the ledger head position. Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace prometheus {
class Registry;
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

  // The registry, for other parts of the server to add their own families.
  prometheus::Registry& registry();

  // Everything in the Prometheus text exposition format (version 0.0.4).
  std::string Serialize();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

inline constexpr char kPrometheusContentType[] = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace dialogue::api
