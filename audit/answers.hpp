// The server's JSON answers the audit reads: a page of GET /v1/events and the two Merkle proofs of
// GET /v1/ledger/proof/{inclusion,consistency} (the contract: /work/shared/contract/API.md,
// "Verifiable history"). Each parser takes the whole body and gives the answer's values, checked
// for shape only (types, hex spelling, bounds), or says what is malformed; it never throws. Whether
// the values prove anything is for merkle_verify.hpp. Thread-safe (no state).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "audit/event_hash.hpp"
#include "audit/hash.hpp"

namespace dialogue::audit {

// {"events":[event, …], "head":N}: the events in the order given, each read by ReadEvent.
struct EventsPage {
  std::vector<AuditedEvent> events;
};

// {"position":P, "tree_size":N, "leaf_hash":"<hex>", "hashes":["<hex>", …]}
struct InclusionAnswer {
  uint64_t position = 0;
  uint64_t tree_size = 0;
  Hash leaf_hash{};
  std::vector<Hash> hashes;
};

// {"from":A, "to":B, "hashes":["<hex>", …]}
struct ConsistencyAnswer {
  uint64_t from = 0;
  uint64_t to = 0;
  std::vector<Hash> hashes;
};

// A proof holds at most this many hashes (a tree of 2^64 leaves needs 64 at most).
inline constexpr size_t kMaxProofHashes = 128;
// JSON nested deeper than this is refused before it is parsed.
inline constexpr size_t kMaxJsonDepth = 512;

tl::expected<EventsPage, std::string> ParseEventsPage(std::string_view body);
tl::expected<InclusionAnswer, std::string> ParseInclusionAnswer(std::string_view body);
tl::expected<ConsistencyAnswer, std::string> ParseConsistencyAnswer(std::string_view body);

}  // namespace dialogue::audit
