// What server.cpp's connections share: the server's state (its options, the registry of live
// sessions, the io_context and the worker pool) and the base every session type derives from.
// Internal to the server: included by server.cpp and the session types beside it, not by routes.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "api/http/problem.hpp"
#include "api/http/server.hpp"
#include "api/ops/log.hpp"

namespace dialogue::api::detail {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
namespace ssl = net::ssl;
using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// Logs a failed operation, unless it is how connections usually end (we closed it, the peer
// went away, a timeout).
void Fail(beast::error_code ec, const char* what);

// What the server's registry needs of a session, whatever its stream.
class SessionBase {
 public:
  virtual ~SessionBase() = default;
  // Server shutdown: close now if idle or streaming; otherwise finish the request under way and
  // close after its response. Any thread.
  virtual void Shutdown() = 0;
  // Closes the connection if it is still waiting for a request (the connection cap makes room).
  // Any thread.
  virtual void Evict() = 0;
  // Whether it waits for a request: between keep-alive requests, or before its first. Any thread.
  bool idle() const { return idle_.load(std::memory_order_relaxed); }

 protected:
  std::atomic<bool> idle_{true};
};

// The server's state, shared by the listener and its sessions (Server::Impl is this).
struct ServerCore {
  explicit ServerCore(ServerOptions opts)
      : options(std::move(opts)),
        workers(static_cast<size_t>(std::max(1, options.worker_threads))),
        ioc(std::max(1, options.io_threads)),
        acceptor(net::make_strand(ioc)),
        signals(ioc) {}

  // Registry of live sessions, for the shutdown sweep and the connection cap. A refusal is a
  // session that only answers 503; it does not count against the cap.
  // Unsent stream bytes of every session together (ServerOptions::max_streams_backlog). Shared
  // with the sinks, which may outlive the server.
  std::shared_ptr<std::atomic<size_t>> streams_backlog = std::make_shared<std::atomic<size_t>>(0);

  void Register(const std::shared_ptr<SessionBase>& session, uint64_t id, bool refusal);
  // The session under id is now this one (a connection handed over to its stream).
  void Replace(uint64_t id, const std::shared_ptr<SessionBase>& session);
  void Unregister(uint64_t id);
  // A session asked to make room had a request under way by then: it stays, and counts again.
  void KeepAfterAll(uint64_t id);
  template <class Stream>
  void StartSession(tcp::socket socket, std::optional<HttpResponse> refusal);

  void DoAccept();
  void OnAccept(beast::error_code ec, tcp::socket socket);
  void StopOnStrand();
  void Refused(std::string_view reason) {
    if (!options.on_refusal) return;
    try {
      options.on_refusal(reason);
    } catch (const std::exception& e) {
      LogError(std::string("on_refusal threw: ") + e.what());
    }
  }

  ServerOptions options;
  std::string host;
  uint16_t port = 0;
  std::atomic<bool> stopping{false};
  std::atomic<uint64_t> next_session_id{1};

  std::optional<ssl::context> tls;  // set when serving HTTPS

  struct Entry {
    std::weak_ptr<SessionBase> session;
    bool refusal = false;
    bool evicting = false;  // asked to close to make room (it may have become busy meanwhile)
  };
  std::mutex sessions_mutex;
  std::unordered_map<uint64_t, Entry> sessions;        // guarded by sessions_mutex
  size_t refusals = 0;                                 // entries with refusal set; sessions_mutex
  size_t evicting = 0;                                 // entries with evicting set; sessions_mutex
  std::chrono::steady_clock::time_point last_cap_log;  // on the acceptor's strand

  // Destroyed in reverse order: signals and acceptor before the io_context, whose destruction
  // releases any handler still queued (and the sessions they hold) while the registry above is
  // alive. The worker pool is joined by Run before that.
  net::thread_pool workers;
  net::io_context ioc;
  tcp::acceptor acceptor;
  net::signal_set signals;
};

// Headers on every answer, streams too: never sniffed into another type, never stored unless it
// says otherwise (the console's files do, a stream says no-cache), and over TLS, HTTPS only from
// then on.
inline void SetDefaultHeaders(http::response_header<>& message, bool tls) {
  if (message.find("X-Content-Type-Options") == message.end()) {
    message.set("X-Content-Type-Options", "nosniff");
  }
  if (message.find(http::field::cache_control) == message.end()) {
    message.set(http::field::cache_control, "no-store");
  }
  if (tls && message.find(http::field::strict_transport_security) == message.end()) {
    message.set(http::field::strict_transport_security, "max-age=31536000");
  }
}

}  // namespace dialogue::api::detail
