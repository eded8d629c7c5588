#include "api/http/server.hpp"

#include <openssl/ssl.h>
#include <array>
#include <atomic>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "api/http/problem.hpp"
#include "api/log.hpp"

namespace dialogue::api {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
namespace ssl = net::ssl;
using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

constexpr size_t kReadChunk = 4096;
// Queued stream chunks are joined into writes of at most this many bytes.
constexpr size_t kMaxStreamWrite = 256 * 1024;
// After answering 413 we keep reading (and dropping) what the client still sends for this long,
// so that closing does not reset the connection before the client has read the answer.
constexpr std::chrono::seconds kLingerTimeout{5};
// A TLS connection ends with close_notify; the peer gets this long to answer it.
constexpr std::chrono::seconds kTlsShutdownTimeout{2};
// Connections beyond max_connections are answered 503 (after the TLS handshake on a TLS port)
// while at most this many such refusals are under way; beyond that they are closed at once.
constexpr size_t kMaxRefusals = 64;
constexpr int kRetryAfterSeconds = 1;
// TLS 1.2 suites with forward secrecy and AEAD only (Mozilla's "intermediate"); TLS 1.3 keeps
// OpenSSL's defaults, which are all of that kind.
constexpr char kTls12Ciphers[] =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384";

std::string ToString(beast::string_view s) { return std::string(s.data(), s.size()); }

void Fail(beast::error_code ec, const char* what) {
  // Expected when we close a connection ourselves, or the peer goes away.
  if (ec == net::error::operation_aborted || ec == beast::error::timeout ||
      ec == net::error::connection_reset || ec == net::error::broken_pipe ||
      ec == net::error::not_connected || ec == net::error::bad_descriptor ||
      ec == http::error::end_of_stream || ec == net::error::eof) {
    return;
  }
  LogError(std::string(what) + ": " + ec.message());
}

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

// The transfer codings of a request's Transfer-Encoding fields, lower-cased, in order.
std::vector<std::string> TransferCodings(const http::request_parser<http::string_body>& parser) {
  std::vector<std::string> codings;
  for (const auto& field : parser.get()) {
    if (field.name() != http::field::transfer_encoding) continue;
    std::string_view rest(field.value().data(), field.value().size());
    while (!rest.empty()) {
      const size_t comma = rest.find(',');
      std::string_view coding = rest.substr(0, comma);
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      // A coding may carry parameters ("gzip;q=1"): its name is what comes before them.
      coding = coding.substr(0, coding.find(';'));
      while (!coding.empty() && (coding.front() == ' ' || coding.front() == '\t')) {
        coding.remove_prefix(1);
      }
      while (!coding.empty() && (coding.back() == ' ' || coding.back() == '\t')) {
        coding.remove_suffix(1);
      }
      if (coding.empty()) continue;
      std::string lower(coding);
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      codings.push_back(std::move(lower));
    }
  }
  return codings;
}

// What RFC 9112 section 6.1 asks of a request's transfer codings: only "chunked", once and last,
// is read here. Anything else refuses the request (and closes the connection: its body's length
// is unknown, so whatever follows could be read as another request).
std::optional<HttpResponse> TransferCodingRefusal(const std::vector<std::string>& codings) {
  if (codings.empty() || codings == std::vector<std::string>{"chunked"}) return std::nullopt;
  for (const std::string& coding : codings) {
    if (coding != "chunked") {
      return ProblemResponse(501, "not_implemented",
                             "transfer coding '" + coding +
                                 "' is not supported: send the body with Content-Length or "
                                 "Transfer-Encoding: chunked alone");
    }
  }
  return ProblemResponse(400, "bad_request", "Transfer-Encoding: chunked may be given only once");
}

// The server's state, shared by the listener and its sessions (Server::Impl is this).
struct ServerCore {
  ServerCore(ServerOptions opts, RequestHandler h)
      : options(std::move(opts)),
        handler(std::move(h)),
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
  void Unregister(uint64_t id);
  // A session asked to make room had a request under way by then: it stays, and counts again.
  void KeepAfterAll(uint64_t id);
  template <class Stream>
  void StartSession(tcp::socket socket, std::optional<HttpResponse> refusal);

  void DoAccept();
  void OnAccept(beast::error_code ec, tcp::socket socket);
  void StopOnStrand();
  // The handler's response; a throw is answered 500 (and logged).
  HttpResponse Handle(const HttpRequest& request) const {
    try {
      return handler(request);
    } catch (const std::exception& e) {
      LogError(std::string("request handler threw: ") + e.what());
    } catch (...) {
      LogError("request handler threw a non-exception");
    }
    return ProblemResponse(500, "internal_error", "the request could not be handled");
  }

  void Refused(std::string_view reason) {
    if (!options.on_refusal) return;
    try {
      options.on_refusal(reason);
    } catch (const std::exception& e) {
      LogError(std::string("on_refusal threw: ") + e.what());
    }
  }

  ServerOptions options;
  RequestHandler handler;
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

template <class Stream>
Stream MakeStream(tcp::socket&& socket, ServerCore& server) {
  if constexpr (std::is_same_v<Stream, TlsStream>) {
    return Stream(beast::tcp_stream(std::move(socket)), *server.tls);
  } else {
    return Stream(std::move(socket));
  }
}

// One connection, plain (PlainStream) or TLS (TlsStream): the code is the same but for the
// handshake and the close (Beast's advanced-server-flex shape). Lives as long as an operation on
// it is pending (each handler holds a shared_from_this()). Every member below is touched only on
// the strand, except where noted.
template <class Stream>
class Session final : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

  // refusal: when set, the only answer this connection gets (after the TLS handshake), then it
  // closes.
  Session(tcp::socket&& socket, ServerCore& server, uint64_t id,
          std::optional<HttpResponse> refusal)
      : stream_(MakeStream<Stream>(std::move(socket), server)),
        server_(server),
        id_(id),
        refusal_(std::move(refusal)),
        shutdown_timer_(stream_.get_executor()) {}

  ~Session() override {
    *server_.streams_backlog -= stream_backlog_;  // what was queued and never sent
    server_.Unregister(id_);
  }

  void Start() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&Session::OnStart, this->shared_from_this()));
  }

  void Shutdown() override {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] { self->OnShutdown(); });
  }

  void Evict() override {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] {
      if (self->state_ != State::kIdle) return self->server_.KeepAfterAll(self->id_);
      self->server_.Refused("evicted_idle");
      self->DoClose();
    });
  }

  // For the stream sink (any thread). Returns false when the stream is over.
  bool EnqueueChunk(std::string chunk);
  void FinishStream() {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] {
      self->stream_closing_ = true;
      self->PumpStream();
    });
  }
  // Bytes of the stream queued and not yet written (any thread).
  size_t stream_backlog() const { return stream_backlog_; }
  // For the stream sink (any thread): calls callback on the strand once the backlog is at most
  // low_water; dropped when the stream ends first.
  void SetDrainCallback(size_t low_water, std::function<void()> callback) {
    net::post(stream_.get_executor(), [self = this->shared_from_this(), low_water,
                                       callback = std::move(callback)]() mutable {
      if (self->stream_ended_) return;
      self->drain_low_water_ = low_water;
      self->drain_callback_ = std::move(callback);
      self->NotifyIfDrained();
    });
  }

 private:
  enum class State { kIdle, kReading, kHandling, kWriting, kLingering, kStreaming, kClosed };

  beast::tcp_stream& Tcp() { return beast::get_lowest_layer(stream_); }

  // --- Connection -----------------------------------------------------------------------------
  // On a TLS port: a client that speaks plain HTTP gets a plain 400 and the connection closes;
  // otherwise the handshake, under the read timeout.
  void OnStart() {
    // From the connection's start: the TLS handshake, if any, counts against it too.
    first_request_deadline_ =
        std::chrono::steady_clock::now() + server_.options.first_request_timeout;
    if constexpr (kTls) {
      Tcp().expires_at(std::min(first_request_deadline_,
                                std::chrono::steady_clock::now() + server_.options.read_timeout));
      beast::async_detect_ssl(
          Tcp(), buffer_, beast::bind_front_handler(&Session::OnDetect, this->shared_from_this()));
    } else {
      OnConnected();
    }
  }

  void OnDetect(beast::error_code ec, bool tls) {
    if (ec) {
      Fail(ec, "detect TLS");
      return DoClose();
    }
    if (!tls) {
      server_.Refused("plain_http_on_tls");
      keep_alive_ = false;
      state_ = State::kWriting;
      HttpResponse problem =
          ProblemResponse(400, "bad_request", "this port speaks HTTPS: plain HTTP is refused");
      response_.emplace(ToBeast(problem));
      Tcp().expires_after(server_.options.write_timeout);
      http::async_write(Tcp(), *response_,
                        beast::bind_front_handler(&Session::OnWrite, this->shared_from_this(),
                                                  /*linger=*/true));
      return;
    }
    if constexpr (kTls) {
      stream_.async_handshake(
          ssl::stream_base::server, buffer_.data(),
          beast::bind_front_handler(&Session::OnHandshake, this->shared_from_this()));
    }
  }

  void OnHandshake(beast::error_code ec, size_t used) {
    if (ec) {
      server_.Refused("tls_handshake");
      Fail(ec, "TLS handshake");
      return DoClose();
    }
    buffer_.consume(used);
    OnConnected();
  }

  void OnConnected() {
    if (refusal_) return DoRespondAndLinger(std::move(*refusal_));
    Tcp().expires_at(first_request_deadline_);
    DoWaitForRequest();
  }

  // --- Requests -------------------------------------------------------------------------------
  // Waits for the first byte of the next request under the idle timeout; a request already
  // (partly) buffered is read at once.
  void DoWaitForRequest() {
    if (server_.stopping) return DoClose();
    if (buffer_.size() > 0) return DoReadHeader();
    state_ = State::kIdle;
    idle_.store(true, std::memory_order_relaxed);
    // The first request's deadline runs from the connection's start (set in OnConnected).
    if (requests_ > 0) Tcp().expires_after(server_.options.idle_timeout);
    stream_.async_read_some(
        buffer_.prepare(kReadChunk),
        beast::bind_front_handler(&Session::OnWaitForRequest, this->shared_from_this()));
  }

  void OnWaitForRequest(beast::error_code ec, size_t bytes) {
    if (ec) {
      Fail(ec, "wait");
      return DoClose();
    }
    buffer_.commit(bytes);
    DoReadHeader();
  }

  void DoReadHeader() {
    state_ = State::kReading;
    idle_.store(false, std::memory_order_relaxed);
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_.options.header_limit));
    parser_->body_limit(server_.options.body_limit);
    // The first request's header must also come before the first-request deadline.
    read_deadline_ = std::chrono::steady_clock::now() + server_.options.read_timeout;
    Tcp().expires_at(requests_ > 0 ? read_deadline_
                                   : std::min(read_deadline_, first_request_deadline_));
    http::async_read_header(
        stream_, buffer_, *parser_,
        beast::bind_front_handler(&Session::OnReadHeader, this->shared_from_this()));
  }

  void OnReadHeader(beast::error_code ec, size_t) {
    if (ec) return OnReadError(ec);
    // The body, if any, has what is left of the read timeout.
    if (requests_++ == 0) Tcp().expires_at(read_deadline_);
    const auto& header = parser_->get();
    version_ = header.version();
    if (auto refusal = TransferCodingRefusal(TransferCodings(*parser_))) {
      server_.Refused("transfer_encoding");
      return DoRespondAndLinger(std::move(*refusal));
    }
    if (EqualsIgnoreCase(ToString(header[http::field::expect]), "100-continue")) {
      // Credentials and route first: a request that would be refused never gets its body
      // invited.
      if (server_.options.screen) {
        if (auto refusal = server_.options.screen(FromBeast(header, ""))) {
          return DoRespondAndLinger(std::move(*refusal));
        }
      }
      continue_.emplace(http::status::continue_, header.version());
      http::async_write(
          stream_, *continue_,
          beast::bind_front_handler(&Session::OnWriteContinue, this->shared_from_this()));
      return;
    }
    DoReadBody();
  }

  void OnWriteContinue(beast::error_code ec, size_t) {
    continue_.reset();
    if (ec) {
      Fail(ec, "write 100-continue");
      return DoClose();
    }
    DoReadBody();
  }

  void DoReadBody() {
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::OnReadBody, this->shared_from_this()));
  }

  void OnReadError(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == http::error::partial_message) return DoClose();
    if (ec == beast::error::timeout) {
      server_.Refused("read_timeout");
      return DoClose();
    }
    if (ec == http::error::body_limit) {
      server_.Refused("body_limit");
      return DoRespondAndLinger(ProblemResponse(413, "payload_too_large",
                                                "request bodies are limited to " +
                                                    std::to_string(server_.options.body_limit) +
                                                    " bytes"));
    }
    if (ec == http::error::header_limit) {
      server_.Refused("header_limit");
      return DoRespondAndLinger(ProblemResponse(431, "headers_too_large",
                                                "request headers are limited to " +
                                                    std::to_string(server_.options.header_limit) +
                                                    " bytes"));
    }
    if (ec.category() == http::make_error_code(http::error::bad_target).category()) {
      server_.Refused("malformed");
      return DoRespondAndLinger(ProblemResponse(400, "bad_request", "malformed HTTP request"));
    }
    Fail(ec, "read");
    DoClose();
  }

  void OnReadBody(beast::error_code ec, size_t) {
    if (ec) return OnReadError(ec);
    http::request<http::string_body> message = parser_->release();
    parser_.reset();
    keep_alive_ = message.keep_alive();
    version_ = message.version();
    head_ = message.method() == http::verb::head;
    HttpRequest request = FromBeast(message, std::move(message.body()));

    state_ = State::kHandling;
    if (server_.options.dispatch) return Dispatch(std::move(request));
    // Off the io threads: the handler may block (an append waits for its fsync). The work guard
    // keeps the io_context running until the response is back on the strand.
    net::post(server_.workers, [self = this->shared_from_this(), request = std::move(request),
                                guard = net::make_work_guard(server_.ioc)]() mutable {
      HttpResponse response = self->server_.Handle(request);
      net::post(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
        self->OnHandled(std::move(response));
      });
    });
  }

  // The request starts here, on the strand, and is answered from wherever it finishes.
  void Dispatch(HttpRequest request) {
    // Until the answer is back on the strand, the io_context keeps running (Run does not return
    // before it is): the guard is released there, whoever still holds a copy of the Responder.
    struct Owed {
      explicit Owed(net::io_context& ioc) : guard(net::make_work_guard(ioc)) {}
      net::executor_work_guard<net::io_context::executor_type> guard;
      std::atomic<bool> answered{false};
      // An answer given while dispatch runs, on its thread (a read from memory, a refusal): kept
      // here and handled when dispatch returns, without a post back to the strand it is on.
      const std::thread::id dispatcher = std::this_thread::get_id();
      bool dispatching = true;  // read and written on the dispatcher's thread only
      std::optional<HttpResponse> at_once;
    };
    auto owed = std::make_shared<Owed>(server_.ioc);
    Responder responder;
    responder.post = [executor = stream_.get_executor()](std::function<void()> work) {
      net::post(executor, std::move(work));
    };
    responder.respond = [self = this->shared_from_this(), owed](HttpResponse response) {
      if (owed->answered.exchange(true)) return;  // answered once only
      if (std::this_thread::get_id() == owed->dispatcher && owed->dispatching) {
        owed->at_once = std::move(response);
        return;
      }
      net::post(self->stream_.get_executor(),
                [self, owed, response = std::move(response)]() mutable {
                  self->OnHandled(std::move(response));
                  owed->guard.reset();
                });
    };
    // Off the io threads: the work may block (a read from the disk). Owed's guard keeps the
    // io_context running until its answer is back on the strand.
    responder.offload = [self = this->shared_from_this()](std::function<void()> work) {
      net::post(self->server_.workers, std::move(work));
    };
    try {
      server_.options.dispatch(std::move(request), responder);
    } catch (const std::exception& e) {
      LogError(std::string("request handler threw: ") + e.what());
      responder.respond(ProblemResponse(500, "internal_error", "the request could not be handled"));
    } catch (...) {
      LogError("request handler threw a non-exception");
      responder.respond(ProblemResponse(500, "internal_error", "the request could not be handled"));
    }
    owed->dispatching = false;
    if (owed->at_once) {
      OnHandled(std::move(*owed->at_once));
      owed->guard.reset();
    }
  }

  // The request as handlers see it, from Beast's header (and body).
  HttpRequest FromBeast(const http::request_header<>& header, std::string body) {
    HttpRequest request;
    request.method = ToString(header.method_string());
    request.target = ToString(header.target());
    for (const auto& field : header) {
      request.headers.Add(ToString(field.name_string()), ToString(field.value()));
    }
    request.body = std::move(body);
    beast::error_code ignored;
    const auto peer = Tcp().socket().remote_endpoint(ignored);
    if (!ignored) request.remote_address = peer.address().to_string();
    request.tls = kTls;
    return request;
  }

  void OnHandled(HttpResponse response) {
    if (head_ && response.stream) {
      // HEAD of a stream: its status and headers, no stream.
      response.stream->Cancel();
      response.stream.reset();
    }
    if (response.stream) return DoStartStream(std::move(response));
    if (server_.stopping || closing_) keep_alive_ = false;
    DoWrite(std::move(response), /*linger=*/false);
  }

  // Every answer, streams too: never sniffed into another type, never stored unless it says
  // otherwise (the console's files do, a stream says no-cache), and over TLS, HTTPS only from
  // then on.
  static void SetDefaultHeaders(http::response_header<>& message) {
    if (message.find("X-Content-Type-Options") == message.end()) {
      message.set("X-Content-Type-Options", "nosniff");
    }
    if (message.find(http::field::cache_control) == message.end()) {
      message.set(http::field::cache_control, "no-store");
    }
    if (kTls && message.find(http::field::strict_transport_security) == message.end()) {
      message.set(http::field::strict_transport_security, "max-age=31536000");
    }
  }

  http::response<http::string_body> ToBeast(HttpResponse& response) const {
    http::response<http::string_body> message{static_cast<http::status>(response.status), version_};
    for (auto& [name, value] : response.headers.fields()) message.insert(name, value);
    SetDefaultHeaders(message);
    message.body() = std::move(response.body);
    message.keep_alive(keep_alive_);
    message.prepare_payload();
    if (head_) {
      // HEAD: the GET's headers, Content-Length included, and no body.
      const size_t length = message.body().size();
      message.body().clear();
      message.content_length(length);
    }
    return message;
  }

  // linger: after the write, read and drop what the client still sends before closing (for
  // refusals sent before the request was read whole).
  void DoWrite(HttpResponse response, bool linger) {
    state_ = State::kWriting;
    response_.emplace(ToBeast(response));
    Tcp().expires_after(server_.options.write_timeout);
    http::async_write(
        stream_, *response_,
        beast::bind_front_handler(&Session::OnWrite, this->shared_from_this(), linger));
  }

  void DoRespondAndLinger(HttpResponse response) {
    parser_.reset();
    keep_alive_ = false;
    head_ = false;
    if (version_ == 0) version_ = 11;
    DoWrite(std::move(response), /*linger=*/true);
  }

  void OnWrite(bool linger, beast::error_code ec, size_t) {
    const bool close = response_->need_eof();
    response_.reset();
    if (ec) {
      Fail(ec, "write");
      return DoClose();
    }
    if (linger) return DoLinger();
    if (close) return DoEnd();
    DoWaitForRequest();
  }

  // Ends a connection after its last response: a TLS one with close_notify (awaiting the peer's
  // for at most kTlsShutdownTimeout), a plain one at once.
  void DoEnd() {
    if constexpr (kTls) {
      state_ = State::kLingering;  // a server shutdown closes at once
      Tcp().expires_after(kTlsShutdownTimeout);
      stream_.async_shutdown(
          [self = this->shared_from_this()](beast::error_code) { self->DoClose(); });
    } else {
      DoClose();
    }
  }

  void DoLinger() {
    state_ = State::kLingering;
    if (server_.stopping) return DoClose();
    beast::error_code ignored;
    Tcp().socket().shutdown(tcp::socket::shutdown_send, ignored);
    buffer_.consume(buffer_.size());
    Tcp().expires_after(kLingerTimeout);
    DoLingerRead();
  }

  // Reads below TLS, if any: what is dropped need not be decrypted.
  void DoLingerRead() {
    Tcp().async_read_some(buffer_.prepare(kReadChunk),
                          [self = this->shared_from_this()](beast::error_code ec, size_t) {
                            self->buffer_.consume(self->buffer_.size());
                            if (ec) return self->DoClose();
                            self->DoLingerRead();
                          });
  }

  void DoClose() {
    if (state_ == State::kClosed) return;
    state_ = State::kClosed;
    shutdown_timer_.cancel();
    beast::error_code ignored;
    Tcp().socket().shutdown(tcp::socket::shutdown_send, ignored);
    Tcp().socket().close(ignored);
    EndStream(/*cancel=*/true);
  }

  void OnShutdown() {
    closing_ = true;
    switch (state_) {
      case State::kStreaming:
        // A stream its body has closed already (see ServerOptions::on_stopping) sends what it
        // queued and its last chunk, within the grace; any other is cut off.
        if (stream_closing_ && sink_) {
          DoStreamGrace();
          break;
        }
        DoClose();
        break;
      case State::kIdle:
      case State::kLingering:
        DoClose();
        break;
      default:
        break;  // the response under way closes the connection (keep_alive_ is cleared)
    }
  }

  // --- Streaming ------------------------------------------------------------------------------
  void DoStartStream(HttpResponse response);
  void OnStreamHeaderWritten(beast::error_code ec, size_t);
  void DoStreamRead();
  void PumpStream();
  void OnChunkWritten(beast::error_code ec, size_t);
  void NotifyIfDrained();
  void DoStreamGrace();
  void EndStream(bool cancel);

  Stream stream_;
  ServerCore& server_;
  const uint64_t id_;
  std::optional<HttpResponse> refusal_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::empty_body>> continue_;
  std::optional<http::response<http::string_body>> response_;
  State state_ = State::kIdle;
  bool keep_alive_ = false;
  bool head_ = false;      // the request being answered is a HEAD
  uint64_t requests_ = 0;  // request headers read on this connection
  std::chrono::steady_clock::time_point first_request_deadline_;
  std::chrono::steady_clock::time_point read_deadline_;  // of the request being read
  bool closing_ = false;  // the server is stopping: no further request on this connection
  unsigned version_ = 11;

  class Sink;
  std::shared_ptr<StreamingBody> stream_body_;
  std::shared_ptr<Sink> sink_;
  std::optional<http::response<http::empty_body>> stream_header_;
  std::optional<http::response_serializer<http::empty_body>> stream_serializer_;
  std::deque<std::string> stream_queue_;
  std::string stream_chunk_;     // the chunk being written
  bool stream_writing_ = false;  // one write in flight
  bool stream_closing_ = false;  // the body closed the sink: end after the queue drains
  bool stream_ended_ = false;
  std::atomic<size_t> stream_backlog_{0};  // bytes queued, not yet written; any thread
  std::function<void()> drain_callback_;   // see SetDrainCallback
  size_t drain_low_water_ = 0;
  net::steady_timer shutdown_timer_;  // bounds a stream's clean ending at shutdown
  std::array<char, 512> discard_{};
};

// The sink handed to a StreamingBody. Holds the session weakly: a body that outlives its
// connection just sees Write return false.
template <class Stream>
class Session<Stream>::Sink final : public StreamSink {
 public:
  Sink(std::weak_ptr<Session> session, std::shared_ptr<const std::atomic<size_t>> total)
      : session_(std::move(session)), total_(std::move(total)) {}

  bool Write(std::string chunk) override {
    if (closed_) return false;
    auto session = session_.lock();
    if (!session || !session->EnqueueChunk(std::move(chunk))) {
      closed_ = true;
      return false;
    }
    return true;
  }

  void Close() override {
    if (closed_.exchange(true)) return;
    if (auto session = session_.lock()) session->FinishStream();
  }

  bool closed() const override { return closed_; }

  size_t queued_bytes() const override {
    auto session = session_.lock();
    return session ? session->stream_backlog() : 0;
  }

  void NotifyWhenDrained(size_t low_water, std::function<void()> callback) override {
    if (closed_) return;
    if (auto session = session_.lock()) session->SetDrainCallback(low_water, std::move(callback));
  }

  size_t total_queued_bytes() const override { return *total_; }

  void MarkClosed() { closed_ = true; }

 private:
  std::weak_ptr<Session> session_;
  std::shared_ptr<const std::atomic<size_t>> total_;
  std::atomic<bool> closed_{false};
};

template <class Stream>
bool Session<Stream>::EnqueueChunk(std::string chunk) {
  const size_t size = chunk.size();
  // Both counts take the chunk even when it is refused: the destructor gives back what is left.
  const size_t total = server_.streams_backlog->fetch_add(size) + size;
  const size_t mine = stream_backlog_.fetch_add(size) + size;
  if (mine > server_.options.max_stream_backlog || total > server_.options.max_streams_backlog) {
    LogError(mine > server_.options.max_stream_backlog
                 ? "stream backlog over " + std::to_string(server_.options.max_stream_backlog) +
                       " bytes: closing a slow subscriber"
                 : "streams' backlog over " + std::to_string(server_.options.max_streams_backlog) +
                       " bytes in all: closing the subscriber that asked for more");
    net::post(stream_.get_executor(), [self = this->shared_from_this()] { self->DoClose(); });
    return false;
  }
  net::post(stream_.get_executor(),
            [self = this->shared_from_this(), chunk = std::move(chunk)]() mutable {
              if (self->stream_ended_) return;
              self->stream_queue_.push_back(std::move(chunk));
              self->PumpStream();
            });
  return true;
}

template <class Stream>
void Session<Stream>::DoStartStream(HttpResponse response) {
  state_ = State::kStreaming;
  stream_body_ = std::move(response.stream);
  // A stream's unsent bytes should wait in its queue, where the hub sees them (and stops sending
  // to a client that stopped reading), not in a kernel send buffer grown to megabytes that no
  // bound of ours counts.
  if (server_.options.stream_send_buffer > 0) {
    beast::error_code ignored;
    Tcp().socket().set_option(
        net::socket_base::send_buffer_size(static_cast<int>(server_.options.stream_send_buffer)),
        ignored);
  }
  stream_header_.emplace(static_cast<http::status>(response.status), version_);
  for (auto& [name, value] : response.headers.fields()) stream_header_->insert(name, value);
  SetDefaultHeaders(*stream_header_);
  stream_header_->keep_alive(false);
  stream_header_->chunked(true);
  stream_serializer_.emplace(*stream_header_);
  Tcp().expires_after(server_.options.write_timeout);
  http::async_write_header(
      stream_, *stream_serializer_,
      beast::bind_front_handler(&Session::OnStreamHeaderWritten, this->shared_from_this()));
}

template <class Stream>
void Session<Stream>::OnStreamHeaderWritten(beast::error_code ec, size_t) {
  if (ec) {
    Fail(ec, "write stream header");
    return DoClose();
  }
  if (state_ == State::kClosed) return;
  // A read stays pending for the whole stream: it learns at once when the client goes away (and
  // keeps the session alive while the body is quiet). Reads have no deadline from here on; each
  // chunk write gets its own.
  buffer_.consume(buffer_.size());
  Tcp().expires_never();
  DoStreamRead();
  sink_ = std::make_shared<Sink>(this->weak_from_this(), server_.streams_backlog);
  net::post(server_.workers,
            [body = stream_body_, sink = sink_, guard = net::make_work_guard(server_.ioc)] {
              try {
                body->Start(sink);
              } catch (const std::exception& e) {
                LogError(std::string("stream body threw: ") + e.what());
                sink->Close();
              } catch (...) {
                LogError("stream body threw a non-exception");
                sink->Close();
              }
            });
  PumpStream();
}

template <class Stream>
void Session<Stream>::DoStreamRead() {
  stream_.async_read_some(net::buffer(discard_),
                          [self = this->shared_from_this()](beast::error_code ec, size_t) {
                            if (ec) return self->DoClose();  // the client went away
                            self->DoStreamRead();            // ignore what it sends
                          });
}

template <class Stream>
void Session<Stream>::PumpStream() {
  if (state_ != State::kStreaming || stream_writing_ || !sink_) return;
  if (!stream_queue_.empty()) {
    // What else is queued goes out in the same chunk: one write instead of many for a client
    // that is behind.
    size_t joined = 1;
    size_t bytes = stream_queue_.front().size();
    while (joined < stream_queue_.size() &&
           bytes + stream_queue_[joined].size() <= kMaxStreamWrite) {
      bytes += stream_queue_[joined++].size();
    }
    stream_chunk_ = std::move(stream_queue_.front());
    stream_queue_.pop_front();
    if (joined > 1) {
      stream_chunk_.reserve(bytes);
      for (size_t i = 1; i < joined; ++i) {
        stream_chunk_ += stream_queue_.front();
        stream_queue_.pop_front();
      }
    }
    stream_writing_ = true;
    Tcp().expires_after(server_.options.write_timeout);  // the read pending keeps no deadline
    net::async_write(stream_, http::make_chunk(net::buffer(stream_chunk_)),
                     beast::bind_front_handler(&Session::OnChunkWritten, this->shared_from_this()));
    return;
  }
  if (stream_closing_) {
    stream_writing_ = true;
    Tcp().expires_after(server_.options.write_timeout);
    net::async_write(stream_, http::make_chunk_last(),
                     [self = this->shared_from_this()](beast::error_code ec, size_t) {
                       self->stream_writing_ = false;
                       if (ec) Fail(ec, "write last chunk");
                       self->EndStream(/*cancel=*/false);
                       self->DoClose();
                     });
  }
}

template <class Stream>
void Session<Stream>::OnChunkWritten(beast::error_code ec, size_t) {
  stream_writing_ = false;
  stream_backlog_ -= stream_chunk_.size();
  *server_.streams_backlog -= stream_chunk_.size();
  stream_chunk_.clear();
  if (ec) {
    Fail(ec, "write chunk");
    return DoClose();
  }
  NotifyIfDrained();
  PumpStream();
}

template <class Stream>
void Session<Stream>::NotifyIfDrained() {
  if (!drain_callback_ || stream_backlog_ > drain_low_water_) return;
  auto callback = std::move(drain_callback_);
  drain_callback_ = nullptr;
  callback();
}

template <class Stream>
void Session<Stream>::DoStreamGrace() {
  shutdown_timer_.expires_after(server_.options.stream_shutdown_grace);
  shutdown_timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
    if (!ec) self->DoClose();  // the client did not take the rest in time
  });
}

template <class Stream>
void Session<Stream>::EndStream(bool cancel) {
  if (!stream_body_ || stream_ended_) return;
  stream_ended_ = true;
  if (sink_) sink_->MarkClosed();
  stream_queue_.clear();
  drain_callback_ = nullptr;
  if (cancel) stream_body_->Cancel();
  // Drop the body now: it may hold resources (a subscription) that should not wait for the
  // pending operations of this session to finish.
  stream_body_.reset();
}

// --- ServerCore
// -------------------------------------------------------------------------------------

void ServerCore::Register(const std::shared_ptr<SessionBase>& session, uint64_t id, bool refusal) {
  std::lock_guard lock(sessions_mutex);
  sessions.emplace(id, Entry{session, refusal});
  if (refusal) ++refusals;
}

void ServerCore::KeepAfterAll(uint64_t id) {
  std::lock_guard lock(sessions_mutex);
  auto it = sessions.find(id);
  if (it == sessions.end() || !it->second.evicting) return;
  it->second.evicting = false;
  --evicting;
}

void ServerCore::Unregister(uint64_t id) {
  std::lock_guard lock(sessions_mutex);
  auto it = sessions.find(id);
  if (it == sessions.end()) return;
  if (it->second.refusal) --refusals;
  if (it->second.evicting) --evicting;
  sessions.erase(it);
}

template <class Stream>
void ServerCore::StartSession(tcp::socket socket, std::optional<HttpResponse> refusal) {
  const uint64_t id = next_session_id++;
  const bool refused = refusal.has_value();
  auto session =
      std::make_shared<Session<Stream>>(std::move(socket), *this, id, std::move(refusal));
  Register(session, id, refused);
  session->Start();
}

void ServerCore::DoAccept() {
  acceptor.async_accept(net::make_strand(ioc),
                        beast::bind_front_handler(&ServerCore::OnAccept, this));
}

void ServerCore::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (stopping) return;  // the acceptor is closed; the socket (if any) closes with this scope
  if (ec) {
    Fail(ec, "accept");
    return DoAccept();
  }
  bool over_cap = false;
  bool refuse_silently = false;
  std::shared_ptr<SessionBase> evicted;
  {
    std::lock_guard lock(sessions_mutex);
    over_cap = sessions.size() - refusals - evicting >= options.max_connections;
    if (over_cap) {
      // Room is made by closing the idle connection that came first (ids grow with time); one
      // already asked to go is not asked again.
      uint64_t oldest = UINT64_MAX;
      for (auto& [id, entry] : sessions) {
        if (entry.refusal || entry.evicting || id >= oldest) continue;
        auto session = entry.session.lock();
        if (session && session->idle()) {
          oldest = id;
          evicted = std::move(session);
        }
      }
      if (evicted) {
        sessions[oldest].evicting = true;
        ++evicting;
        over_cap = false;
      }
    }
    refuse_silently = over_cap && refusals >= kMaxRefusals;
  }
  if (evicted) evicted->Evict();
  std::optional<HttpResponse> refusal;
  if (over_cap) {
    // Logged at most once a second: a flood must not flood the log too.
    const auto now = std::chrono::steady_clock::now();
    if (now - last_cap_log >= std::chrono::seconds(1)) {
      last_cap_log = now;
      LogError("connection cap of " + std::to_string(options.max_connections) +
               " reached: refusing new connections with 503");
    }
    Refused(refuse_silently ? "connection_cap_silent" : "connection_cap");
    if (refuse_silently) {
      beast::error_code ignored;
      socket.close(ignored);
      return DoAccept();
    }
    refusal = ProblemResponse(503, "unavailable",
                              "too many open connections (" +
                                  std::to_string(options.max_connections) + "): try again later");
    refusal->headers.Set("Retry-After", std::to_string(kRetryAfterSeconds));
  }
  if (tls) {
    StartSession<TlsStream>(std::move(socket), std::move(refusal));
  } else {
    StartSession<PlainStream>(std::move(socket), std::move(refusal));
  }
  DoAccept();
}

void ServerCore::StopOnStrand() {
  if (stopping.exchange(true)) return;
  beast::error_code ignored;
  acceptor.close(ignored);
  signals.cancel(ignored);
  if (options.on_stopping) {
    try {
      options.on_stopping();
    } catch (const std::exception& e) {
      LogError(std::string("on_stopping threw: ") + e.what());
    }
  }
  std::vector<std::shared_ptr<SessionBase>> live;
  {
    std::lock_guard lock(sessions_mutex);
    for (auto& [id, entry] : sessions) {
      if (auto session = entry.session.lock()) live.push_back(std::move(session));
    }
  }
  for (auto& session : live) session->Shutdown();
}

// A server context for TLS 1.2 and 1.3 with the certificate chain and key of these PEM files.
engine::Result<ssl::context> MakeTlsContext(const std::string& cert_file,
                                            const std::string& key_file) {
  if (cert_file.empty() || key_file.empty()) {
    return engine::Fail(
        engine::Error::InvalidArgument("TLS needs both a certificate file and a key file"));
  }
  ssl::context context(ssl::context::tls_server);
  beast::error_code ec;
  context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                          ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                          ssl::context::no_tlsv1_1 | ssl::context::single_dh_use,
                      ec);
  SSL_CTX* native = context.native_handle();
  if (ec || SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1) {
    return engine::Fail(engine::Error::IOError("cannot set up TLS"));
  }
  SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
  if (context.use_certificate_chain_file(cert_file, ec)) {
    return engine::Fail(engine::Error::InvalidArgument("cannot load the TLS certificate chain " +
                                                       cert_file + ": " + ec.message()));
  }
  if (context.use_private_key_file(key_file, ssl::context::pem, ec)) {
    return engine::Fail(engine::Error::InvalidArgument("cannot load the TLS private key " +
                                                       key_file + ": " + ec.message()));
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    return engine::Fail(engine::Error::InvalidArgument(
        "the TLS private key " + key_file + " does not match the certificate " + cert_file));
  }
  return context;
}

}  // namespace

struct Server::Impl : ServerCore {
  using ServerCore::ServerCore;
};

// --- Server -------------------------------------------------------------------------------------

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() {
  // Run was not called, or returned: nothing is running on the io_context; join the workers
  // before the members they might touch go.
  impl_->workers.stop();
  impl_->workers.join();
}

engine::Result<std::unique_ptr<Server>> Server::Listen(ServerOptions options,
                                                       RequestHandler handler) {
  auto impl = std::make_unique<Impl>(std::move(options), std::move(handler));
  beast::error_code ec;
  if (!impl->options.tls_cert_file.empty() || !impl->options.tls_key_file.empty()) {
    auto tls = MakeTlsContext(impl->options.tls_cert_file, impl->options.tls_key_file);
    if (!tls) return engine::Fail(tls.error());
    impl->tls.emplace(std::move(*tls));
  }
  const auto address = net::ip::make_address(impl->options.host, ec);
  if (ec) {
    return engine::Fail(engine::Error::InvalidArgument("bad listen address " + impl->options.host));
  }
  const tcp::endpoint endpoint(address, impl->options.port);
  auto& acceptor = impl->acceptor;
  const auto failed = [&](const char* what) {
    return engine::Fail(engine::Error::IOError(std::string(what) + " " + impl->options.host + ":" +
                                               std::to_string(impl->options.port) + ": " +
                                               ec.message()));
  };
  if (acceptor.open(endpoint.protocol(), ec)) return failed("cannot open");
  if (acceptor.set_option(net::socket_base::reuse_address(true), ec)) {
    return failed("cannot set SO_REUSEADDR on");
  }
  if (acceptor.bind(endpoint, ec)) return failed("cannot bind");
  if (acceptor.listen(net::socket_base::max_listen_connections, ec))
    return failed("cannot listen on");
  const auto bound = acceptor.local_endpoint(ec);
  if (ec) return failed("cannot read the address of");
  impl->host = bound.address().to_string();
  impl->port = bound.port();

  if (impl->options.handle_signals) {
    impl->signals.add(SIGINT);
    impl->signals.add(SIGTERM);
    impl->signals.async_wait([raw = impl.get()](beast::error_code wait_ec, int signal) {
      if (wait_ec) return;
      LogInfo("signal " + std::to_string(signal) + ": stopping");
      net::dispatch(raw->acceptor.get_executor(), [raw] { raw->StopOnStrand(); });
    });
  }
  net::dispatch(impl->acceptor.get_executor(), [raw = impl.get()] { raw->DoAccept(); });
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

const std::string& Server::host() const { return impl_->host; }
uint16_t Server::port() const { return impl_->port; }

void Server::Run() {
  const auto run_io = [this] {
    for (;;) {
      try {
        impl_->ioc.run();
        return;
      } catch (const std::exception& e) {  // handlers do not throw; keep serving if one did
        LogError(std::string("io thread: ") + e.what());
      }
    }
  };
  std::vector<std::thread> threads;
  for (int i = 1; i < impl_->options.io_threads; ++i) threads.emplace_back(run_io);
  run_io();
  for (auto& thread : threads) thread.join();
  // Every session is gone, so no handler is queued or running on the workers either.
  impl_->workers.join();
}

void Server::Stop() {
  net::post(impl_->acceptor.get_executor(), [raw = impl_.get()] { raw->StopOnStrand(); });
}

}  // namespace dialogue::api
