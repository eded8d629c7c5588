// Browser sessions of the console (docs/console.md, docs/api.md "Sessions"): POST /v1/session
// exchanges a bearer token for a random session id carried by an HttpOnly cookie. Only the id's
// SHA-256 is kept, in memory, with an expiry; a restart signs everyone out.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "api/http/auth.hpp"
#include "api/http/http_types.hpp"

namespace dialogue::api {

inline constexpr char kSessionCookie[] = "dialogue_session";
// What a POST (or DELETE) authenticated by the cookie must carry, against cross-site requests.
inline constexpr char kCsrfHeader[] = "X-Requested-With";
inline constexpr char kCsrfValue[] = "dialogue";

struct SessionOptions {
  std::chrono::seconds lifetime{8 * 3600};
  // Live sessions of one actor at most: a new one ends that actor's oldest. A token holder signing
  // in again and again only ever replaces its own sessions.
  size_t max_per_principal = 8;
  // Live sessions at most: beyond it a new session is refused (never another actor's ended).
  size_t max_sessions = 10'000;
  // The time source (steady); tests pass their own.
  std::function<std::chrono::steady_clock::time_point()> now = [] {
    return std::chrono::steady_clock::now();
  };
};

// Thread-safe.
class SessionStore {
 public:
  explicit SessionStore(SessionOptions options = {});

  struct Created {
    std::string id;  // 64 hex digits of 32 random bytes: the cookie's value
    std::chrono::seconds lifetime;
  };
  // A new session for principal (ending its oldest beyond max_per_principal); nullopt when
  // max_sessions are live.
  std::optional<Created> Create(const Principal& principal);
  // The principal of a live session; nullopt when unknown or expired.
  std::optional<Principal> Find(std::string_view id) const;
  // Ends a session; false when there was none.
  bool Remove(std::string_view id);
  size_t size() const;

 private:
  struct Entry {
    Principal principal;
    std::chrono::steady_clock::time_point expires;
  };
  void PruneLocked(std::chrono::steady_clock::time_point now);

  SessionOptions options_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> by_hash_;  // SHA-256 of the id -> session
};

// The value of cookie `name` in a request's Cookie header(s), if present (the first, if several).
std::optional<std::string> CookieValue(const Headers& headers, std::string_view name);
// Every value of cookie `name` in a request's Cookie header(s), in order.
std::vector<std::string> CookieValues(const Headers& headers, std::string_view name);

// Set-Cookie values: the session cookie, and one that removes it.
// secure: the request came over TLS; the cookie then carries Secure, so that the browser never
// sends it over plain HTTP (to this host on another port, say).
std::string SessionCookie(const std::string& id, std::chrono::seconds lifetime, bool secure);
std::string ExpiredSessionCookie(bool secure);

}  // namespace dialogue::api
