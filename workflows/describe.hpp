// Plain-English one-line accounts of events, for the audit trail
// (GET /v1/streams/{stream}/history: "sec-ana recorded, for ngo-a, confirmation of attendance at
// briefing b1 with written comments"). Pure functions; thread-safe.
#pragma once

#include <string>

#include "engine/event.hpp"
#include "workflows/events.hpp"

namespace dialogue::workflows {

// One sentence, without a final period, naming who acted (and for whom) and what happened.
// Events that do not decode still get a sentence naming their type.
std::string Describe(const engine::RecordedEvent& recorded);

// The same for an event already decoded, with its metadata.
std::string Describe(const Event& event, const engine::EventMetadata& metadata);

}  // namespace dialogue::workflows
