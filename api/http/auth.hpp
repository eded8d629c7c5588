// Who is calling: bearer tokens, looked up by their SHA-256 in the tokens file, and the principal
// (actor and roles) they stand for. Tokens are never kept or logged in clear.
#pragma once

#include <array>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/result.hpp"

namespace dialogue::api {

// The roles of the contract (/v1 "Roles").
inline constexpr std::string_view kRoleSecretariat = "secretariat";
inline constexpr std::string_view kRolePresident = "president";
inline constexpr std::string_view kRoleBureau = "bureau";
inline constexpr std::string_view kRoleWorkingGroup = "working_group";
inline constexpr std::string_view kRoleState = "state";
inline constexpr std::string_view kRoleStakeholder = "stakeholder";
inline constexpr std::string_view kRoleAuditor = "auditor";
inline constexpr std::string_view kRoleIntegration = "integration";
// Beyond the contract: runs the server (POST /v1/admin/backups); reads nothing of the domain.
inline constexpr std::string_view kRoleOperator = "operator";

bool IsKnownRole(std::string_view role);

// The authenticated caller.
struct Principal {
  std::string actor;               // "sec-ana"
  std::vector<std::string> roles;  // known roles only
  std::string working_group;       // for role working_group: the group it acts for; else empty
  std::string stakeholder;  // for roles state and stakeholder: its stakeholder id; else empty

  bool operator==(const Principal&) const = default;
};

bool HasRole(const Principal& principal, std::string_view role);
bool HasAnyRole(const Principal& principal, std::span<const std::string_view> roles);
bool HasAnyRole(const Principal& principal, std::initializer_list<std::string_view> roles);

// The roles that may read the whole log (/v1/events, /v1/streams/*/events, /v1/ledger/*).
inline constexpr std::array<std::string_view, 6> kLogReaders = {kRoleSecretariat, kRolePresident,
                                                                kRoleBureau,      kRoleWorkingGroup,
                                                                kRoleAuditor,     kRoleIntegration};

// Lower-case hex SHA-256 of bytes.
std::string Sha256Hex(std::string_view bytes);

// The principals of a tokens file, keyed by token hash. Immutable after loading; thread-safe.
class TokenRegistry {
 public:
  // Parses {"tokens":[{"token_sha256":"<hex>","actor":"...","roles":[...],
  // "working_group"?:"...","stakeholder"?:"..."}]}. Refuses unknown roles, malformed hashes,
  // duplicate hashes and entries without actor or roles (kInvalidArgument naming the entry).
  [[nodiscard]] static engine::Result<TokenRegistry> Parse(std::string_view json_text);
  [[nodiscard]] static engine::Result<TokenRegistry> LoadFile(const std::string& path);

  // The principal for an Authorization header value ("Bearer <token>"); nullopt when the header
  // is malformed or the token unknown.
  std::optional<Principal> Authenticate(std::string_view authorization) const;

  size_t size() const { return by_hash_.size(); }

 private:
  std::unordered_map<std::string, Principal> by_hash_;
};

}  // namespace dialogue::api
