#include "api/routes/query_access.hpp"

namespace dialogue::api {

ReadScope ScopeOf(const Principal& principal) {
  if (HasAnyRole(principal, kFullReaders)) return ReadScope::kEverything;
  if (HasAnyRole(principal, {kRoleState, kRoleStakeholder})) return ReadScope::kNamed;
  return ReadScope::kNothing;
}

}  // namespace dialogue::api
