#include "audit/http_client.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <utility>

#include "audit/http_response.hpp"

namespace dialogue::audit {
namespace {

using Clock = std::chrono::steady_clock;
using Unexpected = tl::unexpected<std::string>;

struct AddrinfoFree {
  void operator()(addrinfo* info) const { freeaddrinfo(info); }
};
struct SslCtxFree {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
struct SslFree {
  void operator()(SSL* ssl) const { SSL_free(ssl); }
};

class Socket {
 public:
  explicit Socket(int fd = -1) : fd_(fd) {}
  Socket(Socket&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Socket& operator=(Socket&& other) noexcept {
    std::swap(fd_, other.fd_);
    return *this;
  }
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  int fd() const { return fd_; }

 private:
  int fd_;
};

// While alive, SIGPIPE is blocked on this thread (OpenSSL writes with write(2), which raises it
// when the peer has gone); one raised meanwhile is consumed, so the process never sees it.
class SigpipeBlock {
 public:
  SigpipeBlock() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    was_pending_ = Pending();
    pthread_sigmask(SIG_BLOCK, &pipe_, &previous_);
  }
  ~SigpipeBlock() {
    if (!was_pending_ && Pending()) {
      const timespec zero{};
      sigtimedwait(&pipe_, nullptr, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
  }
  SigpipeBlock(const SigpipeBlock&) = delete;
  SigpipeBlock& operator=(const SigpipeBlock&) = delete;

 private:
  bool Pending() const {
    sigset_t pending;
    sigemptyset(&pending);
    return sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1;
  }

  sigset_t pipe_;
  sigset_t previous_;
  bool was_pending_ = false;
};

std::string SystemError(const char* what) {
  return std::string(what) + ": " + std::strerror(errno);
}

std::string SslError(const char* what) {
  const unsigned long code = ERR_get_error();
  char text[256] = "unknown error";
  if (code != 0) ERR_error_string_n(code, text, sizeof text);
  return std::string(what) + ": " + text;
}

// Waits until `fd` is ready for `events` or the deadline passed.
std::optional<std::string> WaitFor(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return "timed out";
    pollfd entry{fd, events, 0};
    const int ready = ::poll(&entry, 1, static_cast<int>(std::min<int64_t>(left.count(), 60'000)));
    if (ready > 0) return std::nullopt;
    if (ready < 0 && errno != EINTR) return SystemError("poll");
  }
}

tl::expected<Socket, std::string> Connect(const ServerUrl& server, Clock::time_point deadline) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(server.port);
  if (const int status = getaddrinfo(server.host.c_str(), port.c_str(), &hints, &found)) {
    return Unexpected("cannot resolve " + server.host + ": " + gai_strerror(status));
  }
  const std::unique_ptr<addrinfo, AddrinfoFree> addresses(found);
  std::string error = "no address";
  for (const addrinfo* address = found; address != nullptr; address = address->ai_next) {
    Socket socket(::socket(address->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (socket.fd() < 0) {
      error = SystemError("socket");
      continue;
    }
    if (::connect(socket.fd(), address->ai_addr, address->ai_addrlen) == 0) return socket;
    if (errno != EINPROGRESS) {
      error = SystemError("connect");
      continue;
    }
    if (auto waited = WaitFor(socket.fd(), POLLOUT, deadline)) {
      error = "connect: " + *waited;
      continue;
    }
    int status = 0;
    socklen_t length = sizeof status;
    if (getsockopt(socket.fd(), SOL_SOCKET, SO_ERROR, &status, &length) != 0) {
      error = SystemError("connect");
    } else if (status != 0) {
      error = std::string("connect: ") + std::strerror(status);
    } else {
      return socket;
    }
  }
  return Unexpected("cannot connect to " + server.host + ":" + port + ": " + error);
}

// A connection, with TLS or without: reads and writes that wait up to a deadline.
class Connection {
 public:
  Connection(Socket socket, Clock::time_point deadline)
      : socket_(std::move(socket)), deadline_(deadline) {}
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() {
    if (ssl_) SSL_shutdown(ssl_.get());  // best effort, not waited for
  }

  std::optional<std::string> StartTls(const std::string& host) {
    ctx_.reset(SSL_CTX_new(TLS_client_method()));
    if (!ctx_) return SslError("TLS");
    SSL_CTX_set_min_proto_version(ctx_.get(), TLS1_2_VERSION);
    if (SSL_CTX_set_default_verify_paths(ctx_.get()) != 1) return SslError("TLS trusted roots");
    SSL_CTX_set_verify(ctx_.get(), SSL_VERIFY_PEER, nullptr);
    ssl_.reset(SSL_new(ctx_.get()));
    if (!ssl_ || SSL_set_fd(ssl_.get(), socket_.fd()) != 1) return SslError("TLS");
    in6_addr ip{};
    const bool literal =
        inet_pton(AF_INET, host.c_str(), &ip) == 1 || inet_pton(AF_INET6, host.c_str(), &ip) == 1;
    const bool named =
        literal ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_.get()), host.c_str()) == 1
                : SSL_set_tlsext_host_name(ssl_.get(), host.c_str()) == 1 &&
                      SSL_set1_host(ssl_.get(), host.c_str()) == 1;
    if (!named) return SslError("TLS host name");
    for (;;) {
      ERR_clear_error();
      const int result = SSL_connect(ssl_.get());
      if (result == 1) return std::nullopt;
      if (auto waited = WaitForSsl(result)) {
        const long verified = SSL_get_verify_result(ssl_.get());
        if (verified != X509_V_OK) {
          return "TLS certificate of " + host +
                 " not accepted: " + X509_verify_cert_error_string(verified);
        }
        return "TLS handshake with " + host + ": " + *waited;
      }
    }
  }

  std::optional<std::string> WriteAll(std::string_view data) {
    while (!data.empty()) {
      if (ssl_) {
        ERR_clear_error();
        const int written = SSL_write(ssl_.get(), data.data(), static_cast<int>(data.size()));
        if (written > 0) {
          data.remove_prefix(static_cast<size_t>(written));
        } else if (auto waited = WaitForSsl(written)) {
          return "write: " + *waited;
        }
        continue;
      }
      const ssize_t written = ::send(socket_.fd(), data.data(), data.size(), MSG_NOSIGNAL);
      if (written > 0) {
        data.remove_prefix(static_cast<size_t>(written));
      } else if (written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        if (auto waited = WaitFor(socket_.fd(), POLLOUT, deadline_)) return "write: " + *waited;
      } else if (written < 0 && errno != EINTR) {
        return SystemError("write");
      }
    }
    return std::nullopt;
  }

  // The number of bytes read into `buffer`; 0 at the end of the connection.
  tl::expected<size_t, std::string> ReadSome(std::span<char> buffer) {
    for (;;) {
      if (ssl_) {
        ERR_clear_error();
        const int read = SSL_read(ssl_.get(), buffer.data(), static_cast<int>(buffer.size()));
        if (read > 0) return static_cast<size_t>(read);
        if (SSL_get_error(ssl_.get(), read) == SSL_ERROR_ZERO_RETURN) return 0;
        if (auto waited = WaitForSsl(read)) return Unexpected("read: " + *waited);
        continue;
      }
      const ssize_t read = ::recv(socket_.fd(), buffer.data(), buffer.size(), 0);
      if (read >= 0) return static_cast<size_t>(read);
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        if (auto waited = WaitFor(socket_.fd(), POLLIN, deadline_)) {
          return Unexpected("read: " + *waited);
        }
      } else if (errno != EINTR) {
        return Unexpected(SystemError("read"));
      }
    }
  }

 private:
  // After an SSL call returned `result`: waits when it wants to read or write (nullopt: retry);
  // otherwise what failed.
  std::optional<std::string> WaitForSsl(int result) {
    switch (SSL_get_error(ssl_.get(), result)) {
      case SSL_ERROR_WANT_READ:
        return WaitFor(socket_.fd(), POLLIN, deadline_);
      case SSL_ERROR_WANT_WRITE:
        return WaitFor(socket_.fd(), POLLOUT, deadline_);
      case SSL_ERROR_SYSCALL:
        return errno != 0 ? SystemError("TLS") : SslError("TLS");
      default:
        return SslError("TLS");
    }
  }

  Socket socket_;
  Clock::time_point deadline_;
  std::unique_ptr<SSL_CTX, SslCtxFree> ctx_;
  std::unique_ptr<SSL, SslFree> ssl_;
};

bool IsHostCharacter(char c, bool bracketed) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) return true;
  if (bracketed) return c == ':' || c == '.';
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' || c == '-' || c == '_';
}

std::string HostHeader(const ServerUrl& server) {
  std::string host =
      server.host.find(':') != std::string::npos ? "[" + server.host + "]" : server.host;
  if (server.port != (server.tls ? 443 : 80)) host += ":" + std::to_string(server.port);
  return host;
}

}  // namespace

tl::expected<ServerUrl, std::string> ParseServerUrl(std::string_view url) {
  ServerUrl server;
  const auto bad = [&](const char* why) {
    return Unexpected("--url " + std::string(url) + ": " + why);
  };
  if (url.starts_with("http://")) {
    url.remove_prefix(7);
  } else if (url.starts_with("https://")) {
    server.tls = true;
    url.remove_prefix(8);
  } else {
    return bad("not http:// or https://");
  }
  const std::string_view authority = url.substr(0, url.find('/'));
  std::string_view path = url.substr(authority.size());
  std::string_view host = authority;
  std::string_view port;
  if (authority.starts_with('[')) {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad("no ']' after an IPv6 address");
    host = authority.substr(1, close - 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty() && !after.starts_with(':')) return bad("malformed host");
    if (!after.empty()) port = after.substr(1);
  } else if (const size_t colon = authority.find(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  const bool bracketed = authority.starts_with('[');
  if (host.empty() || !std::all_of(host.begin(), host.end(),
                                   [&](char c) { return IsHostCharacter(c, bracketed); })) {
    return bad("malformed host");
  }
  server.host = std::string(host);
  server.port = server.tls ? 443 : 80;
  if (!port.empty() || authority.ends_with(':')) {
    unsigned value = 0;
    const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || error != std::errc() || end != port.data() + port.size() || value == 0 ||
        value > 65535) {
      return bad("malformed port");
    }
    server.port = static_cast<uint16_t>(value);
  }
  while (path.ends_with('/')) path.remove_suffix(1);
  for (char c : path) {
    if (c <= ' ' || c == '?' || c == '#' || c == 0x7f)
      return bad("the path holds '?', '#' or a space");
  }
  server.path_prefix = std::string(path);
  return server;
}

tl::expected<HttpAnswer, std::string> HttpGet(const ServerUrl& server, std::string_view target,
                                              std::string_view bearer_token,
                                              const HttpLimits& limits) {
  const SigpipeBlock no_sigpipe;
  const Clock::time_point deadline = Clock::now() + limits.timeout;
  const std::string where = "GET " + std::string(target);
  auto socket = Connect(server, deadline);
  if (!socket) return Unexpected(where + ": " + socket.error());
  Connection connection(std::move(*socket), deadline);
  if (server.tls) {
    if (auto failed = connection.StartTls(server.host)) return Unexpected(where + ": " + *failed);
  }

  std::string request = "GET " + server.path_prefix + std::string(target) + " HTTP/1.1\r\n";
  request += "Host: " + HostHeader(server) + "\r\n";
  request += "Authorization: Bearer " + std::string(bearer_token) + "\r\n";
  request += "Accept: application/json, text/plain\r\nUser-Agent: dialogue-audit\r\n";
  request += "Connection: close\r\n\r\n";
  if (auto failed = connection.WriteAll(request)) return Unexpected(where + ": " + *failed);

  HttpResponseParser parser(limits.max_body_bytes);
  char buffer[16 * 1024];
  while (!parser.done()) {
    auto read = connection.ReadSome(buffer);
    if (!read) return Unexpected(where + ": " + read.error());
    const bool fed = *read == 0 ? parser.FeedEnd() : parser.Feed({buffer, *read});
    if (!fed) return Unexpected(where + ": " + parser.error());
  }
  return HttpAnswer{parser.status(), std::move(parser.body())};
}

}  // namespace dialogue::audit
