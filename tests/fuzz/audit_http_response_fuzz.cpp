// libFuzzer harness: the audit's HTTP/1.1 response reader (audit/http_response.hpp).
// scripts/fuzz.sh runs it.
//
// Input: the bytes a server sends. What must hold for every input (else the harness aborts): no
// crash, leak or undefined behaviour; the body never exceeds the limit; the outcome (done or
// failed, status, body) does not depend on how the bytes are split into reads (whole, or one at a
// time).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "audit/http_response.hpp"
#include "tests/fuzz/violation.hpp"

namespace {

namespace audit = dialogue::audit;
constexpr size_t kLimit = 4096;

using dialogue::fuzz::Violation;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(bytes), size);
  audit::HttpResponseParser whole(kLimit);
  whole.Feed(input);
  whole.FeedEnd();
  audit::HttpResponseParser bytewise(kLimit);
  for (size_t i = 0; i < input.size() && !bytewise.done() && !bytewise.failed(); ++i) {
    bytewise.Feed(input.substr(i, 1));
  }
  bytewise.FeedEnd();

  if (whole.done() != bytewise.done() || whole.failed() != bytewise.failed()) {
    Violation("the outcome depends on how the bytes were split", input);
  }
  if (whole.done()) {
    if (whole.status() != bytewise.status() || whole.body() != bytewise.body()) {
      Violation("the response depends on how the bytes were split", input);
    }
    if (whole.body().size() > kLimit) Violation("a body over the limit", input);
  }
  return 0;
}
