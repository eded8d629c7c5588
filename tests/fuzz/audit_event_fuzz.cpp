// libFuzzer harness: the audit's reading of GET /v1/events pages and its recomputation of each
// event's hash (audit/answers.hpp, audit/event_hash.hpp). scripts/fuzz.sh runs it.
//
// Input: a page {"events":[…],"head":N}, or a single event object. What must hold for every input
// (else the harness aborts): no crash, leak or undefined behaviour (deep nesting included); the
// hash of an event does not change when the event is written out as JSON and read back (the
// canonical data survives a round trip), nor when its keys come in another order.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "audit/answers.hpp"
#include "audit/event_hash.hpp"
#include "tests/fuzz/violation.hpp"

namespace {

namespace audit = dialogue::audit;

using dialogue::fuzz::Violation;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(bytes), size);
  (void)audit::ParseEventsPage(input);

  // A single event: only through the page parser's depth check, so that dump() stays bounded.
  if (!audit::ParseEventsPage("{\"events\":[" + std::string(input) + "]}")) return 0;
  const nlohmann::json event = nlohmann::json::parse(input, nullptr, false);
  const auto read = audit::ReadEvent(event);
  if (!read) return 0;
  const nlohmann::json again = nlohmann::json::parse(event.dump(), nullptr, false);
  const auto reread = audit::ReadEvent(again);
  if (!reread || reread->recomputed != read->recomputed) {
    Violation("an event's hash changed through a JSON round trip", input);
  }
  return 0;
}
