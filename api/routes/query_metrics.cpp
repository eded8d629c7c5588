// The read models' gauges, set at each /metrics scrape: the position they reflect and how far
// they trail the head of the log (events committed but not yet folded).
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "api/routes/routes.hpp"

namespace dialogue::api {

void RefreshReadModelMetrics(ApiContext& context) {
  // The position first, then the head: the head only grows, so the lag is never negative.
  const uint64_t position = context.read_models.position();
  const uint64_t head = context.store.HeadPosition();
  prometheus::Registry& registry = context.metrics.registry();
  // The registry merges families of the same name and type: these find the gauges made at the
  // first scrape.
  prometheus::BuildGauge()
      .Name("dialogue_read_model_position")
      .Help("Position of the last event folded into the read models")
      .Register(registry)
      .Add({})
      .Set(static_cast<double>(position));
  prometheus::BuildGauge()
      .Name("dialogue_read_model_lag_events")
      .Help("Events committed to the log but not yet folded into the read models")
      .Register(registry)
      .Add({})
      .Set(static_cast<double>(head > position ? head - position : 0));
}

}  // namespace dialogue::api
