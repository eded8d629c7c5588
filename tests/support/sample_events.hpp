// Sample events for tests that need a log with something in it: shared by the engine's and the
// API's tests (header-only, part of dialogue::testing).
#pragma once

#include <stdexcept>
#include <string>

#include "engine/event_store.hpp"

namespace dialogue::testing {

// Appends n events to stream, one per call, with an actor and a note on the odd ones. Their data
// is JSON with a non-ASCII string, a nested object and a fraction (canonicalisation's cases).
inline void AppendEvents(engine::EventStore& store, const std::string& stream, int n) {
  for (int i = 0; i < n; ++i) {
    engine::ProposedEvent event;
    event.type = "TestEventRecorded";
    event.data = R"({"i":)" + std::to_string(i) +
                 R"(,"text":"Viet Nam \u00e9","nested":{"b":1,"a":[1,2.5]}})";
    event.metadata.occurred_at = "2026-03-10T09:30:00Z";
    event.metadata.actor = "sec-ana";
    event.metadata.role = "secretariat";
    if (i % 2 == 1) {
      event.metadata.note = "note " + std::to_string(i);
      event.metadata.on_behalf_of = "ngo-a-rep";
    }
    event.metadata.correlation_id = "c-" + std::to_string(i);
    engine::AppendRequest request;
    request.writes.push_back({stream, engine::ExpectedVersion::Any(), {event}});
    auto result = store.Append(request);
    if (!result) throw std::runtime_error("append failed: " + result.error().message);
  }
}

}  // namespace dialogue::testing
