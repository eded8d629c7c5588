#include "api/http/auth.hpp"

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "api/http/http_types.hpp"
#include "engine/sha256.hpp"

namespace dialogue::api {
namespace {

constexpr std::string_view kAllRoles[] = {kRoleSecretariat,  kRolePresident,   kRoleBureau,
                                          kRoleWorkingGroup, kRoleState,       kRoleStakeholder,
                                          kRoleAuditor,      kRoleIntegration, kRoleOperator};

bool IsLowerHex64(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

engine::Error EntryError(size_t index, const std::string& message) {
  return engine::Error::InvalidArgument("tokens[" + std::to_string(index) + "]: " + message);
}

// An optional string member: absent or null -> "", a string -> it, anything else -> error.
engine::Result<std::string> OptionalString(const nlohmann::json& entry, const char* name,
                                           size_t index) {
  auto it = entry.find(name);
  if (it == entry.end() || it->is_null()) return std::string();
  if (!it->is_string())
    return engine::Fail(EntryError(index, std::string(name) + " must be a string"));
  return it->get<std::string>();
}

}  // namespace

bool IsKnownRole(std::string_view role) {
  return std::find(std::begin(kAllRoles), std::end(kAllRoles), role) != std::end(kAllRoles);
}

bool HasRole(const Principal& principal, std::string_view role) {
  return std::find(principal.roles.begin(), principal.roles.end(), role) != principal.roles.end();
}

bool HasAnyRole(const Principal& principal, std::span<const std::string_view> roles) {
  return std::any_of(roles.begin(), roles.end(),
                     [&](std::string_view role) { return HasRole(principal, role); });
}

bool HasAnyRole(const Principal& principal, std::initializer_list<std::string_view> roles) {
  return HasAnyRole(principal, std::span<const std::string_view>(roles.begin(), roles.size()));
}

std::string Sha256Hex(std::string_view bytes) {
  // engine::Sha256: OpenSSL's one-shot EVP_Digest looks SHA-256 up by name on every call, and
  // every authenticated request hashes its token.
  const engine::Sha256Digest digest = engine::Sha256({bytes});
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(digest.size() * 2);
  for (const uint8_t byte : digest) {
    hex.push_back(kHex[byte >> 4]);
    hex.push_back(kHex[byte & 0xf]);
  }
  return hex;
}

engine::Result<TokenRegistry> TokenRegistry::Parse(std::string_view json_text) {
  const nlohmann::json doc = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return engine::Fail(engine::Error::InvalidArgument("tokens file is not a JSON object"));
  }
  auto tokens = doc.find("tokens");
  if (tokens == doc.end() || !tokens->is_array()) {
    return engine::Fail(engine::Error::InvalidArgument("tokens file has no \"tokens\" array"));
  }
  TokenRegistry registry;
  for (size_t i = 0; i < tokens->size(); ++i) {
    const nlohmann::json& entry = (*tokens)[i];
    if (!entry.is_object()) return engine::Fail(EntryError(i, "not an object"));
    auto hash = entry.find("token_sha256");
    if (hash == entry.end() || !hash->is_string()) {
      return engine::Fail(EntryError(i, "token_sha256 missing"));
    }
    std::string hex = hash->get<std::string>();
    std::transform(hex.begin(), hex.end(), hex.begin(),
                   [](char c) { return (c >= 'A' && c <= 'F') ? char(c - 'A' + 'a') : c; });
    if (!IsLowerHex64(hex)) {
      return engine::Fail(EntryError(i, "token_sha256 must be 64 hex digits"));
    }
    Principal principal;
    ASSIGN_OR_RETURN(principal.actor, OptionalString(entry, "actor", i));
    if (principal.actor.empty()) return engine::Fail(EntryError(i, "actor missing"));
    auto roles = entry.find("roles");
    if (roles == entry.end() || !roles->is_array() || roles->empty()) {
      return engine::Fail(EntryError(i, "roles must be a non-empty array"));
    }
    for (const auto& role : *roles) {
      if (!role.is_string() || !IsKnownRole(role.get<std::string>())) {
        return engine::Fail(EntryError(i, "unknown role " + role.dump()));
      }
      principal.roles.push_back(role.get<std::string>());
    }
    ASSIGN_OR_RETURN(principal.working_group, OptionalString(entry, "working_group", i));
    ASSIGN_OR_RETURN(principal.stakeholder, OptionalString(entry, "stakeholder", i));
    if (HasRole(principal, kRoleWorkingGroup) && principal.working_group.empty()) {
      return engine::Fail(EntryError(i, "role working_group needs \"working_group\""));
    }
    if (HasAnyRole(principal, {kRoleState, kRoleStakeholder}) && principal.stakeholder.empty()) {
      return engine::Fail(EntryError(i, "roles state and stakeholder need \"stakeholder\""));
    }
    if (!registry.by_hash_.emplace(std::move(hex), std::move(principal)).second) {
      return engine::Fail(EntryError(i, "duplicate token_sha256"));
    }
  }
  return registry;
}

engine::Result<TokenRegistry> TokenRegistry::LoadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return engine::Fail(engine::Error::NotFound("cannot read tokens file " + path));
  std::ostringstream text;
  text << in.rdbuf();
  auto registry = Parse(text.str());
  if (!registry) {
    return engine::Fail(engine::Error::InvalidArgument(path + ": " + registry.error().message));
  }
  return registry;
}

std::optional<Principal> TokenRegistry::Authenticate(std::string_view authorization) const {
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size() ||
      !EqualsIgnoreCase(authorization.substr(0, kScheme.size()), kScheme)) {
    return std::nullopt;
  }
  std::string_view token = authorization.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
  if (token.empty()) return std::nullopt;
  auto it = by_hash_.find(Sha256Hex(token));
  if (it == by_hash_.end()) return std::nullopt;
  return it->second;
}

}  // namespace dialogue::api
