// The one JSON shape of a recorded event (the envelope: no domain words), used by the HTTP API
// (/v1/events, command answers, subscriptions), by `dialogue export`/`import` and by the
// JetStream relay:
//   {position, stream, version, type, data (an object), occurred_at, recorded_at, actor, role,
//    on_behalf_of (null when empty), note (null when empty), correlation_id, hash, prev_hash}
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "engine/event.hpp"
#include "engine/result.hpp"

namespace dialogue::engine {

nlohmann::json EventToJson(const RecordedEvent& event);

// The same event written straight to text, byte for byte what EventToJson(event).dump() writes
// (keys in order, the same escapes), with `data` copied as stored (it is canonical JSON): no
// document is built and the data is not parsed again. For the paths that write many events.
void AppendEventJson(std::string& out, const RecordedEvent& event);

// A JSON string: quote, backslash and control characters escaped as nlohmann::json's dump
// escapes them, every other byte copied (the text must be valid UTF-8, as every stored text is).
void AppendJsonString(std::string& out, std::string_view text);

// The inverse, for import: every member must be present with the right JSON type (on_behalf_of
// and note may be null); data is re-serialized in the engine's canonical form. kInvalidArgument
// naming the first bad member. Does not check the hash.
[[nodiscard]] Result<RecordedEvent> EventFromJson(const nlohmann::json& value);

}  // namespace dialogue::engine
