#include "api/http/sessions.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <stdexcept>

namespace dialogue::api {
namespace {

std::string RandomId() {
  std::array<unsigned char, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    throw std::runtime_error("no random bytes for a session id");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  id.reserve(bytes.size() * 2);
  for (unsigned char byte : bytes) {
    id.push_back(kHex[byte >> 4]);
    id.push_back(kHex[byte & 0xf]);
  }
  return id;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

SessionStore::SessionStore(SessionOptions options) : options_(std::move(options)) {}

std::optional<SessionStore::Created> SessionStore::Create(const Principal& principal) {
  std::string id = RandomId();
  const auto now = options_.now();
  std::lock_guard lock(mutex_);
  PruneLocked(now);
  size_t own = 0;
  auto own_oldest = by_hash_.end();
  for (auto it = by_hash_.begin(); it != by_hash_.end(); ++it) {
    if (it->second.principal.actor != principal.actor) continue;
    ++own;
    if (own_oldest == by_hash_.end() || it->second.expires < own_oldest->second.expires) {
      own_oldest = it;
    }
  }
  if (own >= options_.max_per_principal && own_oldest != by_hash_.end()) {
    by_hash_.erase(own_oldest);
  } else if (by_hash_.size() >= options_.max_sessions) {
    return std::nullopt;
  }
  by_hash_[Sha256Hex(id)] = Entry{principal, now + options_.lifetime};
  return Created{std::move(id), options_.lifetime};
}

std::optional<Principal> SessionStore::Find(std::string_view id) const {
  if (id.empty()) return std::nullopt;
  const std::string hash = Sha256Hex(id);
  const auto now = options_.now();
  std::lock_guard lock(mutex_);
  auto it = by_hash_.find(hash);
  if (it == by_hash_.end() || it->second.expires <= now) return std::nullopt;
  return it->second.principal;
}

bool SessionStore::Remove(std::string_view id) {
  const std::string hash = Sha256Hex(id);
  std::lock_guard lock(mutex_);
  return by_hash_.erase(hash) == 1;
}

size_t SessionStore::size() const {
  std::lock_guard lock(mutex_);
  return by_hash_.size();
}

void SessionStore::PruneLocked(std::chrono::steady_clock::time_point now) {
  std::erase_if(by_hash_, [now](const auto& entry) { return entry.second.expires <= now; });
}

std::optional<std::string> CookieValue(const Headers& headers, std::string_view name) {
  std::vector<std::string> values = CookieValues(headers, name);
  if (values.empty()) return std::nullopt;
  return std::move(values.front());
}

std::vector<std::string> CookieValues(const Headers& headers, std::string_view name) {
  std::vector<std::string> values;
  for (const auto& [field, value] : headers.fields()) {
    if (!EqualsIgnoreCase(field, "Cookie")) continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      const size_t semicolon = rest.find(';');
      const std::string_view pair = Trim(rest.substr(0, semicolon));
      rest = semicolon == std::string_view::npos ? std::string_view() : rest.substr(semicolon + 1);
      const size_t eq = pair.find('=');
      if (eq == std::string_view::npos) continue;
      if (Trim(pair.substr(0, eq)) != name) continue;
      std::string_view cookie = Trim(pair.substr(eq + 1));
      if (cookie.size() >= 2 && cookie.front() == '"' && cookie.back() == '"') {
        cookie = cookie.substr(1, cookie.size() - 2);
      }
      values.emplace_back(cookie);
    }
  }
  return values;
}

std::string SessionCookie(const std::string& id, std::chrono::seconds lifetime, bool secure) {
  return std::string(kSessionCookie) + "=" + id +
         "; Path=/; Max-Age=" + std::to_string(lifetime.count()) + "; HttpOnly; SameSite=Strict" +
         (secure ? "; Secure" : "");
}

std::string ExpiredSessionCookie(bool secure) {
  return std::string(kSessionCookie) + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" +
         (secure ? "; Secure" : "");
}

}  // namespace dialogue::api
