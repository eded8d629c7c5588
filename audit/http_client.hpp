// A small blocking HTTP/1.1 GET client for the audit, over a socket of its own (and OpenSSL for
// https: the system's trusted roots, the peer's certificate and host name verified).
//
// It does not use Boost.Asio/Beast: the `dialogue` executable also links the server's separately
// compiled Asio and Beast (api/http/beast.cpp), and a header-only copy here would give those
// functions a second, inline definition. Each request has a connection of its own (Connection:
// close), one deadline for the whole exchange (the name lookup aside: getaddrinfo has its own), and
// a bounded body. Thread-safe (no shared state); SIGPIPE is held off on the calling thread during a
// request.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace dialogue::audit {

// `http://HOST[:PORT][/PREFIX]` or `https://…`; HOST a name, an IPv4 address or `[IPv6]`.
struct ServerUrl {
  bool tls = false;
  std::string host;  // without brackets
  uint16_t port = 0;
  std::string path_prefix;  // "" or "/…" without a trailing '/'
};

tl::expected<ServerUrl, std::string> ParseServerUrl(std::string_view url);

struct HttpLimits {
  size_t max_body_bytes = size_t{64} << 20;
  std::chrono::milliseconds timeout{30'000};  // from connecting to the last byte of the answer
};

struct HttpAnswer {
  int status = 0;
  std::string body;
};

// GET path_prefix + `target` (a path and query) with `Authorization: Bearer <bearer_token>`. The
// answer whatever its status; an error string for a failed resolution, connection, TLS handshake or
// certificate check, a timeout, a malformed or too large response.
// REQUIRES: bearer_token holds no control characters.
tl::expected<HttpAnswer, std::string> HttpGet(const ServerUrl& server, std::string_view target,
                                              std::string_view bearer_token,
                                              const HttpLimits& limits = {});

}  // namespace dialogue::audit
