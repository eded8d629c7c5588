// Who may read what (API.md "Roles"; docs/api.md "Reads"). Deny by default:
// - secretariat, president, bureau, working_group and auditor read everything;
// - integration reads the log, history and subscriptions only (no entity GET);
// - state and stakeholder read reference data (sessions, Working Groups, meetings, the stakeholder
//   register) and the briefings, observer invitations, contribution requests, reports and State
//   participations that name their stakeholder id; anything else answers 403 — also for an id
//   that does not exist, so that these roles never learn which ids exist (404 is for the full
//   readers).
// Whether an entity names a stakeholder is the workflows' Names (workflows/participations.hpp).
// Pure functions; thread-safe.
#pragma once

#include <array>
#include <string_view>

#include "api/http/auth.hpp"
#include "workflows/participations.hpp"  // Names: whether an entity names a stakeholder

namespace dialogue::api {

// The roles that read every entity.
inline constexpr std::array<std::string_view, 5> kFullReaders = {
    kRoleSecretariat, kRolePresident, kRoleBureau, kRoleWorkingGroup, kRoleAuditor};

// The roles that reach the entity routes: the full readers, and state and stakeholder (whose
// reads the handlers narrow to what names them).
inline constexpr std::array<std::string_view, 7> kEntityReaders = {
    kRoleSecretariat, kRolePresident, kRoleBureau,     kRoleWorkingGroup,
    kRoleAuditor,     kRoleState,     kRoleStakeholder};

enum class ReadScope {
  kNothing,     // no entity (integration)
  kNamed,       // reference data and what names the principal's stakeholder (state, stakeholder)
  kEverything,  // the full readers
};

// The widest scope among the principal's roles.
ReadScope ScopeOf(const Principal& principal);

}  // namespace dialogue::api
