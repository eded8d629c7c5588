// The event envelope. The engine knows nothing of the domain: an event is a type name, a JSON
// document (kept as canonical text) and audit metadata. docs/storage.md defines the stored form
// and the canonical encoding that is hashed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace dialogue::engine {

// Who did what, when. Timestamps are RFC 3339 UTC strings ("2026-03-10T09:30:00Z", microseconds
// when not whole seconds). recorded_at is set by the store at commit; the caller's value is
// ignored.
struct EventMetadata {
  std::string occurred_at;
  std::string recorded_at;
  std::string actor;
  std::string role;
  std::string on_behalf_of;  // empty when the actor acted for itself
  std::string note;
  std::string correlation_id;

  bool operator==(const EventMetadata&) const = default;
};

// An event offered to Append.
struct ProposedEvent {
  std::string type;
  std::string data;  // a JSON object as text; the store stores it in canonical form
  EventMetadata metadata;
  // The caller wrote data in the canonical form already (what CanonicalizeData returns, e.g. an
  // nlohmann::json object's dump()): the store takes it as it is instead of parsing and writing it
  // again. Debug builds check the claim.
  bool canonical = false;
};

// An event as stored in the log.
struct RecordedEvent {
  uint64_t position = 0;  // global, from 1, no gaps
  std::string stream;
  uint64_t version = 0;  // within the stream, from 1, no gaps
  std::string type;
  std::string data;  // canonical JSON text (sorted keys, no insignificant white space)
  EventMetadata metadata;
  std::string prev_hash;  // lower-case hex SHA-256; 64 zeros for position 1
  std::string hash;       // lower-case hex SHA-256 of the canonical encoding

  bool operator==(const RecordedEvent&) const = default;
};

// A recorded event seen in place by EventStore::ScanAll, without copying: the views are valid only
// during the callback that receives it. Holds what a fold needs (no metadata, no prev_hash).
struct RecordedEventView {
  uint64_t position = 0;
  std::string_view stream;
  uint64_t version = 0;
  std::string_view type;
  std::string_view data;  // canonical JSON text
  std::string_view hash;  // lower-case hex SHA-256
};

// The hash that precedes the first event.
inline const std::string kGenesisHash(64, '0');

}  // namespace dialogue::engine
