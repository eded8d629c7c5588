// The canonical hash of a recorded event, as defined in docs/storage.md ("Hash chain"). Both
// stores, Verify and the import/export tools use this one function. Thread-safe.
#pragma once

#include <string>

#include "engine/event.hpp"

namespace dialogue::engine {

// Lower-case hex SHA-256 over the canonical encoding of event (every field but event.hash).
// Returns the empty string when event.prev_hash is not 64 lower-case hex digits.
std::string ComputeEventHash(const RecordedEvent& event);

}  // namespace dialogue::engine
