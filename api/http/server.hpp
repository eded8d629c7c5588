// The HTTP/1.1 server (Boost.Beast, kept out of this header). Shape of Beast's advanced server:
// a listener accepts; one session per connection, on its own strand, reads a request, hands it to
// ServerOptions::dispatch on that strand (which answers from memory in place, and hands what may
// block to the worker pool) — or, without dispatch, to Listen's handler on the worker pool — and
// writes the response back on the strand, one write in flight at a time.
//
// Limits: request headers (431), request body (413 payload_too_large, then the connection closes),
// a timeout on reading a whole request (a slowloris is cut off), an idle keep-alive timeout, a
// timeout on every write, and a cap on open connections (beyond it new connections are answered
// 503 and closed).
//
// TLS (ServerOptions::tls_cert_file): the same sessions over beast::ssl_stream, OpenSSL below.
//
// Thread-safety: Stop may be called from any thread; the rest from the owning thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "api/http/http_types.hpp"
#include "engine/result.hpp"

namespace dialogue::api {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0: any free port (see Server::port)
  int io_threads = 2;
  int worker_threads = 64;
  size_t header_limit = 16 * 1024;
  size_t body_limit = 1024 * 1024;
  std::chrono::milliseconds read_timeout{30'000};  // from a request's first byte to its last
  std::chrono::milliseconds idle_timeout{60'000};  // keep-alive: waiting for the next request
  // A new connection's first request header must be in within this (from the connection's
  // start), else it is closed: idle connections that never ask anything are cheap to open.
  std::chrono::milliseconds first_request_timeout{10'000};
  std::chrono::milliseconds write_timeout{30'000};
  // At this many connections, a new one first closes the oldest connection (the first accepted)
  // that is idle, waiting for a request (a keep-alive between requests, or one that never sent
  // any): idle connections cannot keep anyone out. When none is idle, the new one is answered 503
  // problem (Retry-After: 1) and closed.
  size_t max_connections = 1024;
  // HTTPS when both are set: PEM files of the certificate chain and of its private key. TLS 1.2
  // and 1.3 only; a plain HTTP request on the port is answered a plain 400 and closed.
  std::string tls_cert_file;
  std::string tls_key_file;
  // When a stream's unsent chunks exceed this, the subscriber is too slow: its stream is closed.
  size_t max_stream_backlog = 4 * 1024 * 1024;
  // When the unsent chunks of every stream together exceed this, the stream whose write would
  // pass it is closed (its client resumes with Last-Event-ID). The last resort: the subscription
  // hub keeps well under it (SubscriptionOptions::total_buffer_bytes).
  size_t max_streams_backlog = 256 * 1024 * 1024;
  // SO_SNDBUF of a streaming connection (0: the kernel's own, which grows to megabytes): small,
  // so that what a stalled client has not read waits where the bounds above count it.
  size_t stream_send_buffer = 64 * 1024;
  // Stop on SIGTERM and SIGINT.
  bool handle_signals = false;
  // Called once when the shutdown begins (Stop or a signal), on an io thread, before open
  // connections are closed: the place to end streams cleanly. A stream whose body has closed its
  // sink by then sends what it queued and its last chunk (for at most stream_shutdown_grace)
  // instead of being cut off. Must not block.
  std::function<void()> on_stopping;
  std::chrono::milliseconds stream_shutdown_grace{5'000};
  // Called (on an io thread; must not block) for each refusal the handler never sees, with one
  // of: "connection_cap" (answered 503), "connection_cap_silent" (closed: too many refusals under
  // way), "evicted_idle" (an idle connection closed to make room for a new one),
  // "transfer_encoding" (501 or 400: a transfer coding other than chunked alone), "header_limit"
  // (431), "body_limit" (413), "malformed" (400), "read_timeout",
  // "tls_handshake" (failed), "plain_http_on_tls" (400).
  std::function<void(std::string_view reason)> on_refusal;
  // Required: every request goes here, on the io thread that read it, and is answered through
  // the Responder: what answers from memory answers there (no hop to the worker pool and back,
  // ~40 % of a small GET's cost), a command when its append is durable (no pool thread parked
  // per request), and work that may block goes to Responder::offload, the worker pool. It may
  // hold the io thread only briefly. The io_context keeps running until it has answered; a throw
  // is answered 500 (and logged). api::RouteWork sets it to the router's DispatchAsync.
  std::function<void(HttpRequest, Responder)> dispatch;
  // When set, a request that asks for its body to be invited (Expect: 100-continue) is first
  // shown here with its method, target and headers (no body): a response refuses it (sent, then
  // the connection closes) and the body is never invited. For credentials and routes, which the
  // body cannot change. Called on an io thread; must not block.
  std::function<std::optional<HttpResponse>(const HttpRequest& head)> screen;
  // When set, called on a worker as each piece of work handed to Responder::offload begins, with
  // the seconds it waited for a worker: how busy the pool (worker_threads) is. Must not block.
  std::function<void(double queued_seconds)> on_offload;
};

class Server {
 public:
  // Binds and listens (connections queue from here on); Run serves them. kInvalidArgument
  // without options.dispatch, or for an address that does not parse.
  [[nodiscard]] static engine::Result<std::unique_ptr<Server>> Listen(ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The bound address; port is the real one when options.port was 0.
  const std::string& host() const;
  uint16_t port() const;

  // Serves on options.io_threads threads (the caller's among them) until Stop, then shuts down
  // gracefully: stops accepting, lets requests under way finish and send their responses, closes
  // idle connections and streams, waits for the worker pool. Returns when all that is done.
  void Run();

  // Begins the shutdown Run performs. Thread-safe, idempotent, does not block.
  void Stop();

 private:
  struct Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace dialogue::api
