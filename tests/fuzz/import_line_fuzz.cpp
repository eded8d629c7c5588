// libFuzzer harness: `dialogue import`'s NDJSON decoder (api/routes/import_decoder.hpp), each
// accepted event appended verbatim to an in-memory store. scripts/fuzz.sh runs it.
//
// What must hold for every input (else the harness aborts): no crash, leak or undefined
// behaviour; what was imported (the events both the decoder and the store's own checks of
// AppendVerbatim accepted, up to the first refusal) verifies as a chain.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "api/routes/import_decoder.hpp"
#include "engine/event_store.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace api = dialogue::api;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  api::ImportDecoder decoder;
  auto store = dialogue::engine::NewInMemoryEventStore();
  while (!input.empty()) {
    const size_t newline = input.find('\n');
    const std::string_view line = input.substr(0, newline);
    input = newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
    auto event = decoder.Next(line);
    if (!event) break;  // the import is refused here
    if (!*event) continue;
    if (!store->AppendVerbatim(**event)) break;  // refused by the store's own checks
    if (store->Head().position != decoder.head_position()) {
      std::fprintf(stderr, "VIOLATION: the store's head is not the decoder's\n");
      std::abort();
    }
  }
  auto report = store->Verify();
  if (!report || !report->ok) {
    std::fprintf(stderr, "VIOLATION: the imported log does not verify\n");
    std::abort();
  }
  return 0;
}
