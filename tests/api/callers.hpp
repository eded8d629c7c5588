// The callers of the in-process tests and harnesses: one bearer token each (the token is the
// name), turned into the server's tokens file. No Catch here: the fuzz harnesses use it too.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "api/http/auth.hpp"

namespace dialogue::api::testing {

struct Caller {
  const char* token;
  const char* actor;
  const char* role;
  const char* stakeholder;    // for state and stakeholder
  const char* working_group;  // for working_group
};

// The tokens file (`{"tokens": [...]}`, SHA-256 of each token) for a range of Callers.
template <class Callers>
std::string TokensJsonFor(const Callers& callers) {
  nlohmann::json tokens = nlohmann::json::array();
  for (const Caller& caller : callers) {
    nlohmann::json entry = {{"token_sha256", Sha256Hex(caller.token)},
                            {"actor", caller.actor},
                            {"roles", {caller.role}}};
    if (*caller.stakeholder) entry["stakeholder"] = caller.stakeholder;
    if (*caller.working_group) entry["working_group"] = caller.working_group;
    tokens.push_back(entry);
  }
  return nlohmann::json{{"tokens", tokens}}.dump();
}

}  // namespace dialogue::api::testing
