// The hash of an event as GET /v1/events shows it, recomputed from its contents with the canonical
// encoding of docs/storage.md ("Hash chain"). Written from that document, apart from the engine's
// encoder, so that one bug cannot hide another. Thread-safe (no state).
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json_fwd.hpp>
#include <tl/expected.hpp>

#include "audit/hash.hpp"

namespace dialogue::audit {

// One event of the log, its claimed hashes read and its own hash recomputed.
struct AuditedEvent {
  uint64_t position = 0;
  Hash hash{};        // as the server states it
  Hash prev_hash{};   // as the server states it
  Hash recomputed{};  // from the event's fields and prev_hash
};

// The position 1 event's prev_hash: 64 zeros.
inline constexpr Hash kGenesisHash{};

// Reads an event object {position, stream, version, type, data, occurred_at, recorded_at, actor,
// role, on_behalf_of, note, correlation_id, hash, prev_hash} and recomputes its hash; or says which
// field is missing or of the wrong type. `data` is an object (hashed as its canonical text:
// nlohmann's dump(), sorted keys, no white space); on_behalf_of and note are strings or null (null
// hashes as ""); hash and prev_hash are 64 lower-case hex digits.
tl::expected<AuditedEvent, std::string> ReadEvent(const nlohmann::json& event);

}  // namespace dialogue::audit
