// Helpers of the subscription tests: an SSE client over a raw socket (every wait bounded by a
// generous timeout, so a broken server fails a test instead of hanging it) and the server wired
// as RunServe wires it, in this process, on a free port.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "api/http/auth.hpp"
#include "api/http/router.hpp"
#include "api/http/server.hpp"
#include "api/http/subscription_hub.hpp"
#include "api/http/subscription_sse.hpp"
#include "api/ops/metrics.hpp"
#include "api/routes/routes.hpp"
#include "engine/clock.hpp"
#include "engine/event_store.hpp"
#include "projections/read_models.hpp"
#include "tests/support/manual_clock.hpp"

namespace dialogue::api::testing {

// Long enough for a loaded 2-core machine under ASan; only a broken server waits this long.
inline constexpr std::chrono::seconds kPatience{60};

// One HTTP request over its own connection, its response read as it arrives: the head, then a
// chunked SSE body (parsed into messages) or a plain body.
class SseClient {
 public:
  // receive_buffer: a small SO_RCVBUF (set before connecting) so that a client that stops
  // reading makes the server queue quickly; 0 keeps the default.
  SseClient(uint16_t port, const std::string& target,
            const std::map<std::string, std::string>& headers, int receive_buffer = 0) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) throw std::runtime_error("socket");
    if (receive_buffer > 0) {
      ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      throw std::runtime_error("connect");
    }
    std::string request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
    request += "\r\n";
    size_t sent = 0;
    while (sent < request.size()) {
      const ssize_t n = ::send(fd_, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) throw std::runtime_error("send");
      sent += static_cast<size_t>(n);
    }
  }
  ~SseClient() { Close(); }
  SseClient(const SseClient&) = delete;
  SseClient& operator=(const SseClient&) = delete;

  // Drops the connection (a client going away at a random moment).
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  // Reads until the response head is in. False on timeout or a closed connection.
  bool WaitForHead() {
    return ReadUntil([this] { return head_done_; });
  }

  // Reads until pred() holds, the connection ends or kPatience passes; returns pred(). pred is
  // looked at after every read, and at least every 50 ms (it may depend on other threads).
  bool ReadUntil(const std::function<bool()>& pred) {
    const auto deadline = std::chrono::steady_clock::now() + kPatience;
    while (!pred()) {
      if (fd_ < 0 || eof_) return pred();
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return pred();
      ReadOnce(static_cast<int>(std::min<int64_t>(left.count(), 50)));
    }
    return true;
  }

  // Reads a whole non-streamed response (head and Content-Length body).
  bool WaitForBody() {
    return ReadUntil([this] {
      if (!head_done_) return false;
      const std::string length = Header("content-length");
      return !length.empty() && body_.size() >= std::stoull(length);
    });
  }

  // Reads until the connection ends (the server closed it); true when it did within kPatience.
  bool ReadToEnd() {
    ReadUntil([this] { return eof_; });
    return eof_;
  }

  int status() const { return status_; }
  std::string Header(const std::string& lower_name) const {
    auto it = headers_.find(lower_name);
    return it == headers_.end() ? std::string() : it->second;
  }
  const std::string& body() const { return body_; }  // a plain (non-SSE) body
  const std::vector<SseMessage>& messages() const { return messages_; }
  const SseParser& parser() const { return parser_; }
  // The raw SSE text received so far (the de-chunked body).
  const std::string& text() const { return text_; }
  // The chunked body ended with its last chunk: the server ended the stream cleanly.
  bool ended_cleanly() const { return chunked_.done(); }
  bool eof() const { return eof_; }
  // The positions of the messages received so far.
  std::vector<uint64_t> Positions() const {
    std::vector<uint64_t> positions;
    for (const auto& message : messages_) positions.push_back(std::stoull(message.id));
    return positions;
  }

 private:
  // One poll and read (at most timeout_ms of waiting).
  void ReadOnce(int timeout_ms) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) return;
    char buffer[16384];
    const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n <= 0) {
      eof_ = true;
      return;
    }
    Consume(std::string_view(buffer, static_cast<size_t>(n)));
  }

  void Consume(std::string_view bytes) {
    if (!head_done_) {
      head_.append(bytes);
      const size_t end = head_.find("\r\n\r\n");
      if (end == std::string::npos) return;
      std::string rest = head_.substr(end + 4);
      ParseHead(head_.substr(0, end));
      head_done_ = true;
      if (!rest.empty()) Consume(rest);
      return;
    }
    if (Header("transfer-encoding") == "chunked") {
      std::string decoded;
      if (!chunked_.Feed(bytes, decoded)) throw std::runtime_error("malformed chunked body");
      text_ += decoded;
      parser_.Feed(decoded, messages_);
    } else {
      body_.append(bytes);
    }
  }

  void ParseHead(const std::string& head) {
    size_t line_end = head.find("\r\n");
    const std::string status_line = head.substr(0, line_end);
    status_ = std::stoi(status_line.substr(status_line.find(' ') + 1, 3));
    while (line_end != std::string::npos) {
      const size_t start = line_end + 2;
      line_end = head.find("\r\n", start);
      const std::string line = head.substr(start, line_end - start);
      const size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      headers_[name] = value;
    }
  }

  int fd_ = -1;
  bool head_done_ = false;
  bool eof_ = false;
  std::string head_;
  int status_ = 0;
  std::map<std::string, std::string> headers_;
  std::string body_;
  ChunkedDecoder chunked_;
  SseParser parser_;
  std::string text_;
  std::vector<SseMessage> messages_;
};

// Bearer tokens of the subscription tests: two roles that may subscribe, one that may write and
// one that may not subscribe.
inline constexpr char kReaderToken[] = "sub-token-auditor";
inline constexpr char kIntegrationToken[] = "sub-token-integration";
inline constexpr char kWriterToken[] = "sub-token-secretariat";
inline constexpr char kOutsiderToken[] = "sub-token-stakeholder";

inline std::string SubscriptionTokensJson() {
  const auto entry = [](const char* token, const char* actor, const char* role, const char* extra) {
    return std::string(R"({"token_sha256":")") + Sha256Hex(token) + R"(","actor":")" + actor +
           R"(","roles":[")" + role + R"("])" + extra + "}";
  };
  return R"({"tokens":[)" + entry(kReaderToken, "aud-bo", "auditor", "") + "," +
         entry(kIntegrationToken, "int-feed", "integration", "") + "," +
         entry(kWriterToken, "sec-ana", "secretariat", "") + "," +
         entry(kOutsiderToken, "ngo-a-rep", "stakeholder", R"(,"stakeholder":"ngo-a")") + "]}";
}

// The server as RunServe wires it (hub started and stopped with the server, the hub's Shutdown
// as on_stopping), over the in-memory store.
class SubscriptionServer {
 public:
  explicit SubscriptionServer(SubscriptionOptions hub_options = {},
                              ServerOptions server_options = {})
      : store_(engine::NewInMemoryEventStore(&clock_)),
        tokens_(TokenRegistry::Parse(SubscriptionTokensJson()).value()),
        metrics_([this] { return store_->Head().position; }),
        read_models_(*store_),
        hub_(*store_, hub_options, &metrics_.registry()),
        router_(&tokens_),
        context_{*store_, clock_, metrics_, read_models_} {
    REQUIRE(read_models_.Open());
    hub_.Start();
    context_.subscriptions = &hub_;
    RegisterRoutes(router_, context_);
    server_options.port = 0;
    server_options.worker_threads = 8;
    server_options.on_stopping = [this] { hub_.Shutdown(); };
    RouteWork(server_options, router_, metrics_);
    server_ = Server::Listen(server_options).value();
    thread_ = std::thread([this] { server_->Run(); });
  }

  ~SubscriptionServer() { StopAndJoin(); }

  // What SIGTERM does.
  void StopAndJoin() {
    if (!thread_.joinable()) return;
    server_->Stop();
    thread_.join();
  }

  uint16_t port() const { return server_->port(); }
  engine::EventStore& store() { return *store_; }
  SubscriptionHub& hub() { return hub_; }

  std::unique_ptr<SseClient> Subscribe(const std::string& query,
                                       std::map<std::string, std::string> headers = {},
                                       const std::string& token = kReaderToken,
                                       int receive_buffer = 0) {
    headers["Authorization"] = "Bearer " + token;
    return std::make_unique<SseClient>(port(), "/v1/subscribe" + query, headers, receive_buffer);
  }

 private:
  engine::ManualClock clock_{engine::TimePoint{}};
  std::unique_ptr<engine::EventStore> store_;
  TokenRegistry tokens_;
  Metrics metrics_;
  projections::ReadModels read_models_;
  SubscriptionHub hub_;
  Router router_;
  ApiContext context_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
};

// Appends one event of `type` to `stream` with a payload of about `payload_bytes`.
inline uint64_t AppendOne(engine::EventStore& store, const std::string& stream,
                          const std::string& type, size_t payload_bytes = 0) {
  engine::ProposedEvent event;
  event.type = type;
  event.data = R"({"payload":")" + std::string(payload_bytes, 'x') + R"("})";
  event.metadata.occurred_at = "2026-03-10T09:30:00Z";
  event.metadata.actor = "sec-ana";
  event.metadata.role = "secretariat";
  engine::AppendRequest request;
  request.writes.push_back({stream, engine::ExpectedVersion::Any(), {event}});
  auto result = store.Append(request);
  if (!result) throw std::runtime_error("append failed: " + result.error().message);
  return result->last_position;
}

// The positions of the log that a filter selects, in order.
inline std::vector<uint64_t> ExpectedPositions(const engine::EventStore& store, uint64_t after,
                                               const SubscriptionFilter& filter) {
  std::vector<uint64_t> positions;
  for (;;) {
    auto events = store.ReadAll(after, 1000);
    REQUIRE(events);
    if (events->empty()) return positions;
    for (const auto& event : *events) {
      if (filter.Matches(event.stream, event.type)) positions.push_back(event.position);
      after = event.position;
    }
  }
}

}  // namespace dialogue::api::testing
