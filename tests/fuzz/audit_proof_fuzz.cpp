// libFuzzer harness: the audit's parsers of the server's proof answers (audit/answers.hpp) and the
// verifiers they feed (audit/merkle_verify.hpp). scripts/fuzz.sh runs it.
//
// Input: one JSON answer, read both as an inclusion and as a consistency proof. What must hold for
// every input (else the harness aborts): no crash, leak, hang or undefined behaviour, whatever the
// sizes and hashes; a proof verifies only where the RFC allows one (an index below the tree size;
// sizes 0 < from ≤ to); a consistency proof between equal sizes verifies exactly when it is empty
// and the roots are equal.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "audit/answers.hpp"
#include "audit/merkle_verify.hpp"
#include "tests/fuzz/violation.hpp"

namespace {

namespace audit = dialogue::audit;

using dialogue::fuzz::Violation;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(bytes), size);

  if (const auto inclusion = audit::ParseInclusionAnswer(input)) {
    const audit::Hash root =
        inclusion->hashes.empty() ? inclusion->leaf_hash : inclusion->hashes.back();
    const uint64_t index = inclusion->position - 1;  // wraps for 0: must not verify
    const bool verified = audit::VerifyInclusion(index, inclusion->tree_size, inclusion->leaf_hash,
                                                 inclusion->hashes, root);
    if (verified && (inclusion->position == 0 || index >= inclusion->tree_size)) {
      Violation("an inclusion proof outside the tree verified", input);
    }
  }

  if (const auto consistency = audit::ParseConsistencyAnswer(input)) {
    const audit::Hash root1 =
        consistency->hashes.empty() ? audit::EmptyRoot() : consistency->hashes.front();
    const audit::Hash root2 =
        consistency->hashes.empty() ? audit::EmptyRoot() : consistency->hashes.back();
    std::vector<audit::Hash> edge;
    const bool verified = audit::VerifyConsistency(consistency->from, consistency->to,
                                                   consistency->hashes, root1, root2, &edge);
    if (verified && (consistency->from == 0 || consistency->from > consistency->to)) {
      Violation("a consistency proof between impossible sizes verified", input);
    }
    if (consistency->from != 0 && consistency->from == consistency->to &&
        verified != (consistency->hashes.empty() && root1 == root2)) {
      Violation("a consistency proof between equal sizes decided wrongly", input);
    }
    if (verified && consistency->from < consistency->to &&
        !audit::CompactRange::FromEdge(consistency->from, edge)) {
      Violation("a verified consistency proof gave no edge of the old tree", input);
    }
  }
  return 0;
}
