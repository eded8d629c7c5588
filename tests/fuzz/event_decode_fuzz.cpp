// libFuzzer harness: the stored-event decoder (workflows/events.hpp), the direct one held to the
// document one. scripts/fuzz.sh runs it.
//
// Input: an event type, a newline, the event's stored data (JSON). What must hold for every input
// (else the harness aborts): wherever DecodeEventDirect answers, DecodeEventViaDocument decodes the
// same event; DecodeEvent answers exactly as the document decoder does (the event, or the same
// error); an event decoded re-encodes (DataOf) to data that decodes to it again.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "workflows/events.hpp"

namespace {

[[noreturn]] void Violation(const char* what, std::string_view type, std::string_view data) {
  std::fprintf(stderr, "VIOLATION: %s\ntype: %.*s\ndata: %.*s\n", what,
               static_cast<int>(type.size()), type.data(), static_cast<int>(data.size()),
               data.data());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  namespace wf = dialogue::workflows;
  const std::string_view input(reinterpret_cast<const char*>(bytes), size);
  const size_t newline = input.find('\n');
  if (newline == std::string_view::npos) return 0;
  const std::string_view type = input.substr(0, newline);
  const std::string_view data = input.substr(newline + 1);

  const auto direct = wf::DecodeEventDirect(type, data);
  const auto document = wf::DecodeEventViaDocument(type, data);
  const auto decoded = wf::DecodeEvent(type, data);
  if (direct && (!document || !(*document == *direct))) {
    Violation("the direct decoder answered what the document decoder does not", type, data);
  }
  if (decoded.has_value() != document.has_value()) {
    Violation("DecodeEvent and the document decoder disagree on success", type, data);
  }
  if (!decoded) {
    if (decoded.error().message != document.error().message) {
      Violation("DecodeEvent and the document decoder refuse differently", type, data);
    }
    return 0;
  }
  if (!(*decoded == *document)) Violation("DecodeEvent decoded another event", type, data);
  const std::string again = wf::DataOf(*decoded);
  const auto round_trip = wf::DecodeEvent(wf::TypeOf(*decoded), again);
  if (!round_trip || !(*round_trip == *decoded)) {
    Violation("a decoded event does not survive DataOf and DecodeEvent", type, data);
  }
  return 0;
}
