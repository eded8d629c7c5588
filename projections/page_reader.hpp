// Internal to projections/: reading the log for the fold. Each page of events is decoded once,
// outside any lock, straight from the stored envelopes; a long log is read ahead on helper
// threads while the caller folds, in position order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/event_store.hpp"
#include "engine/result.hpp"
#include "workflows/events.hpp"

namespace dialogue::projections::detail {

// Events read from the store per ReadAll call while catching up.
constexpr size_t kPageSize = 1000;

// One event of a page as the fold needs it.
struct PageEvent {
  uint64_t version = 0;  // in its stream
  std::optional<workflows::Event>
      event;  // nullopt: skipped (an unknown type, data that does not
              // decode, or recorded on another stream than its entity's)
};

// The events of one page, decoded once, outside any lock, straight from the stored envelopes
// (EventStore::ScanAll: no RecordedEvent, no metadata copied).
struct DecodedPage {
  std::vector<PageEvent> events;
  uint64_t last_position = 0;  // of the last event; 0 when empty
  std::string last_hash;       // of the last event
  size_t size() const { return events.size(); }
};

// Decodes one stored event onto the end of `page` (skipped, as PageEvent says, when it does not
// decode or is on another stream than its entity's).
void AddToPage(DecodedPage& page, const engine::RecordedEventView& recorded);

// The page of events after `after`: up to kPageSize, fewer at the head.
engine::Result<DecodedPage> ReadPage(const engine::EventStore& store, uint64_t after);

// Reads every event after `after` and hands each page, decoded, to `fold`, in position order.
// A short log is read on this thread only; a long one on helper threads ahead of the fold.
// Returns the last position read.
engine::Result<uint64_t> ReadAndFold(const engine::EventStore& store, uint64_t after,
                                     const std::function<void(const DecodedPage&)>& fold);

}  // namespace dialogue::projections::detail
