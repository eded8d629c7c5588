// `dialogue audit`: an auditor's offline check of a Dialogue server's verifiable history
// (/work/shared/contract/API.md, "Verifiable history"; docs/audit.md). It trusts nothing but the
// verifier key and the checkpoint it saved last time: it fetches the signed checkpoint, checks its
// signature, its consistency with the saved one, the inclusion of chosen events (each hash
// recomputed from the event), and with `all` that the events rebuild the root; only then it saves
// the new checkpoint.
//
// Written apart from the server: nothing here includes engine/, workflows/, projections/ or api/.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "audit/http_client.hpp"

namespace dialogue::audit {

struct AuditOptions {
  std::string url;         // http://HOST:PORT or https://…
  std::string token_file;  // holds the bearer token (surrounding white space ignored)
  std::string vkey;        // the verifier key, or a file holding it
  std::string state_file;  // the last verified checkpoint; absent on the first run
  std::vector<uint64_t> positions;
  bool all = false;
  HttpLimits limits;
};

// What RunAudit returns.
inline constexpr int kAuditVerified = 0;  // one line `verified: …` on `out`
inline constexpr int kAuditFailed = 1;    // the server's answers do not verify: `audit failed: …`
inline constexpr int kAuditInconclusive = 2;  // usage, files, network, HTTP status: `audit: …`

// Runs the whole audit; writes the state file (atomically) only when it returns kAuditVerified.
// Never throws.
int RunAudit(const AuditOptions& options, std::ostream& out, std::ostream& err);

}  // namespace dialogue::audit
