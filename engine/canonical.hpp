// Private to the engine: the checks every append passes before it joins the write queue, and the
// canonical form of event data (docs/storage.md, "Canonical data"). Thread-safe (pure functions).
#pragma once

#include <string>
#include <string_view>

#include "engine/event_store.hpp"
#include "engine/result.hpp"

namespace dialogue::engine {

// The canonical text of a JSON object: kInvalidArgument unless text parses to an object.
[[nodiscard]] Result<std::string> CanonicalizeData(std::string_view text);

// request with every event's data canonical (data marked ProposedEvent::canonical is taken as it
// is), after checking what needs no store state:
// at least one write, stream names non-empty without NUL bytes, event types non-empty, data a JSON
// object, occurred_at empty or RFC 3339. kInvalidArgument otherwise.
[[nodiscard]] Result<AppendRequest> CanonicalizeRequest(AppendRequest request);

// The same checks for an already-recorded event (AppendVerbatim), plus: data already canonical,
// recorded_at RFC 3339. Does not look at positions, versions or hashes.
[[nodiscard]] Status CheckRecordedEvent(const RecordedEvent& event);

}  // namespace dialogue::engine
