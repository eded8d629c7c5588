#include "api/http/server.hpp"

#include <openssl/ssl.h>
#include <atomic>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "api/http/problem.hpp"
#include "api/http/server_core.hpp"
#include "api/http/stream_session.hpp"
#include "api/ops/log.hpp"

namespace dialogue::api {
namespace detail {

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

namespace {

constexpr size_t kReadChunk = 4096;
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
        executor_(stream_.get_executor()),
        server_(server),
        id_(id),
        refusal_(std::move(refusal)) {}

  ~Session() override {
    if (!handed_over_) server_.Unregister(id_);
  }

  void Start() {
    net::dispatch(executor_,
                  beast::bind_front_handler(&Session::OnStart, this->shared_from_this()));
  }

  void Shutdown() override {
    net::post(executor_, [self = this->shared_from_this()] { self->OnShutdown(); });
  }

  void Evict() override {
    net::post(executor_, [self = this->shared_from_this()] {
      if (self->state_ != State::kIdle) return self->server_.KeepAfterAll(self->id_);
      self->server_.Refused("evicted_idle");
      self->DoClose();
    });
  }

 private:
  enum class State { kIdle, kReading, kHandling, kWriting, kLingering, kClosed };

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
    Dispatch(std::move(request));
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
    responder.post = [executor = executor_](std::function<void()> work) {
      net::post(executor, std::move(work));
    };
    responder.respond = [self = this->shared_from_this(), owed](HttpResponse response) {
      if (owed->answered.exchange(true)) return;  // answered once only
      if (std::this_thread::get_id() == owed->dispatcher && owed->dispatching) {
        owed->at_once = std::move(response);
        return;
      }
      net::post(self->executor_, [self, owed, response = std::move(response)]() mutable {
        self->OnHandled(std::move(response));
        owed->guard.reset();
      });
    };
    // Off the io threads: the work may block (a read from the disk). Owed's guard keeps the
    // io_context running until its answer is back on the strand.
    responder.offload = [self = this->shared_from_this()](std::function<void()> work) {
      if (!self->server_.options.on_offload)
        return net::post(self->server_.workers, std::move(work));
      net::post(self->server_.workers, [self, queued = std::chrono::steady_clock::now(),
                                        work = std::move(work)] {
        const std::chrono::duration<double> waited = std::chrono::steady_clock::now() - queued;
        self->server_.options.on_offload(waited.count());
        work();
      });
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
    request.tls = kTls;
    return request;
  }

  void OnHandled(HttpResponse response) {
    if (head_ && response.stream) {
      // HEAD of a stream: its status and headers, no stream.
      response.stream->Cancel();
      response.stream.reset();
    }
    if (response.stream) return HandOverToStream(std::move(response));
    if (server_.stopping || closing_) keep_alive_ = false;
    DoWrite(std::move(response), /*linger=*/false);
  }

  http::response<http::string_body> ToBeast(HttpResponse& response) const {
    http::response<http::string_body> message{static_cast<http::status>(response.status), version_};
    for (auto& [name, value] : response.headers.fields()) message.insert(name, value);
    SetDefaultHeaders(message, kTls);
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
    beast::error_code ignored;
    Tcp().socket().shutdown(tcp::socket::shutdown_send, ignored);
    Tcp().socket().close(ignored);
  }

  // The answer is a stream: the connection becomes a StreamSession (stream_session.hpp), and this
  // session ends once the handlers holding it return.
  void HandOverToStream(HttpResponse response) {
    state_ = State::kClosed;
    handed_over_ = true;
    auto stream =
        std::make_shared<StreamSession<Stream>>(std::move(stream_), server_, id_, version_);
    stream->Start(std::move(response));
    handed_to_ = stream;
    // A shutdown that came while the request was handled found nothing to close yet.
    if (closing_) stream->Shutdown();
  }

  void OnShutdown() {
    // A shutdown sweep that found this session just before it handed over reaches the stream.
    if (auto stream = handed_to_.lock()) return stream->Shutdown();
    closing_ = true;
    switch (state_) {
      case State::kIdle:
      case State::kLingering:
        DoClose();
        break;
      default:
        break;  // the response under way closes the connection (keep_alive_ is cleared)
    }
  }

  Stream stream_;
  // The connection's strand. Kept apart from stream_, which HandOverToStream moves away while
  // Shutdown and Evict may be called from other threads.
  const typename Stream::executor_type executor_;
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
  bool handed_over_ = false;  // the connection is a StreamSession's now
  std::weak_ptr<SessionBase> handed_to_;
};

}  // namespace

// --- ServerCore
// -------------------------------------------------------------------------------------

void ServerCore::Register(const std::shared_ptr<SessionBase>& session, uint64_t id, bool refusal) {
  std::lock_guard lock(sessions_mutex);
  sessions.emplace(id, Entry{session, refusal});
  if (refusal) ++refusals;
}

void ServerCore::Replace(uint64_t id, const std::shared_ptr<SessionBase>& session) {
  std::lock_guard lock(sessions_mutex);
  auto it = sessions.find(id);
  if (it != sessions.end()) it->second.session = session;
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

namespace {

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
}  // namespace detail

namespace beast = boost::beast;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct Server::Impl : detail::ServerCore {
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

engine::Result<std::unique_ptr<Server>> Server::Listen(ServerOptions options) {
  if (!options.dispatch) {
    return engine::Fail(engine::Error::InvalidArgument("ServerOptions::dispatch is not set"));
  }
  auto impl = std::make_unique<Impl>(std::move(options));
  beast::error_code ec;
  if (!impl->options.tls_cert_file.empty() || !impl->options.tls_key_file.empty()) {
    auto tls = detail::MakeTlsContext(impl->options.tls_cert_file, impl->options.tls_key_file);
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
