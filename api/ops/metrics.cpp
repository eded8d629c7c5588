#include "api/ops/metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/metric_family.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <algorithm>
#include <mutex>
#include <shared_mutex>
#include <sstream>
#include <string>
#include <unordered_map>

namespace dialogue::api {

struct Metrics::Impl {
  explicit Impl(std::function<uint64_t()> head)
      : head_position(std::move(head)),
        registry(std::make_shared<prometheus::Registry>()),
        requests(prometheus::BuildCounter()
                     .Name("dialogue_http_requests_total")
                     .Help("HTTP requests answered, by method, route pattern and status")
                     .Register(*registry)),
        latency(prometheus::BuildHistogram()
                    .Name("dialogue_http_request_duration_seconds")
                    .Help("Time from a complete request to its response, by method and route")
                    .Register(*registry)),
        refused(prometheus::BuildCounter()
                    .Name("dialogue_http_refused_total")
                    .Help("Connections and requests the server refused before routing, by reason")
                    .Register(*registry)),
        offload_wait(
            prometheus::BuildHistogram()
                .Name("dialogue_http_offload_wait_seconds")
                .Help("Time work that may block waited for a worker of the pool")
                .Register(*registry)
                .Add({}, prometheus::Histogram::BucketBoundaries{0.0001, 0.0005, 0.001, 0.005, 0.01,
                                                                 0.05, 0.1, 0.5, 1, 5})),
        head(prometheus::BuildGauge()
                 .Name("dialogue_ledger_head_position")
                 .Help("Position of the last event in the log")
                 .Register(*registry)
                 .Add({})) {}

  std::function<uint64_t()> head_position;
  std::shared_ptr<prometheus::Registry> registry;
  prometheus::Family<prometheus::Counter>& requests;
  prometheus::Family<prometheus::Histogram>& latency;
  prometheus::Family<prometheus::Counter>& refused;
  prometheus::Histogram& offload_wait;
  prometheus::Gauge& head;
  std::mutex collectors_mu;
  std::vector<std::function<std::vector<prometheus::MetricFamily>()>> collectors;  // guarded

  // A request's two series, found once per (method, route, status): Family::Add builds a whole
  // metric (a histogram's buckets) before it looks for an existing one, on every call. The
  // families never remove a series, so the pointers stay valid.
  struct RequestSeries {
    prometheus::Counter* requests;
    prometheus::Histogram* latency;
  };
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view key) const noexcept {
      return std::hash<std::string_view>{}(key);
    }
  };
  std::shared_mutex series_mu;
  std::unordered_map<std::string, RequestSeries, KeyHash, std::equal_to<>> series;  // guarded
};

Metrics::Metrics(std::function<uint64_t()> head_position)
    : impl_(std::make_unique<Impl>(std::move(head_position))) {}

Metrics::~Metrics() = default;

void Metrics::ObserveRequest(std::string_view method, std::string_view route, int status,
                             double seconds) {
  static const prometheus::Histogram::BucketBoundaries kBuckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  // "<method> <status> <route>", on the stack for the usual route.
  char buffer[128];
  std::string long_key;
  std::string_view key;
  const std::string status_text = std::to_string(status);
  const size_t size = method.size() + status_text.size() + route.size() + 2;
  if (size <= sizeof(buffer)) {
    char* end = buffer;
    for (std::string_view part : {method, std::string_view(" "), std::string_view(status_text),
                                  std::string_view(" "), route}) {
      end = std::copy(part.begin(), part.end(), end);
    }
    key = std::string_view(buffer, size);
  } else {
    long_key.append(method).append(" ").append(status_text).append(" ").append(route);
    key = long_key;
  }
  Impl::RequestSeries found{};
  {
    std::shared_lock lock(impl_->series_mu);
    if (auto it = impl_->series.find(key); it != impl_->series.end()) found = it->second;
  }
  if (found.requests == nullptr) {
    std::unique_lock lock(impl_->series_mu);
    auto [it, added] = impl_->series.try_emplace(std::string(key));
    if (added) {
      it->second.requests = &impl_->requests.Add({{"method", std::string(method)},
                                                  {"route", std::string(route)},
                                                  {"status", status_text}});
      it->second.latency = &impl_->latency.Add(
          {{"method", std::string(method)}, {"route", std::string(route)}}, kBuckets);
    }
    found = it->second;
  }
  found.requests->Increment();
  found.latency->Observe(seconds);
}

void Metrics::CountRefusal(std::string_view reason) {
  impl_->refused.Add({{"reason", std::string(reason)}}).Increment();
}

void Metrics::ObserveOffload(double queued_seconds) { impl_->offload_wait.Observe(queued_seconds); }

prometheus::Registry& Metrics::registry() { return *impl_->registry; }

void Metrics::AddCollector(std::function<std::vector<prometheus::MetricFamily>()> collector) {
  std::lock_guard lock(impl_->collectors_mu);
  impl_->collectors.push_back(std::move(collector));
}

std::string Metrics::Serialize() {
  if (impl_->head_position) impl_->head.Set(static_cast<double>(impl_->head_position()));
  std::vector<prometheus::MetricFamily> families = impl_->registry->Collect();
  {
    std::lock_guard lock(impl_->collectors_mu);
    for (const auto& collector : impl_->collectors) {
      for (auto& family : collector()) families.push_back(std::move(family));
    }
  }
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, families);
  return out.str();
}

}  // namespace dialogue::api
