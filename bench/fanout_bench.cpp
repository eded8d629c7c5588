// dialogue_bench_fanout: delivery latency of GET /v1/subscribe (docs/subscriptions.md,
// "Performance"). Not a test: scripts/bench.sh runs it. N Server-Sent-Events subscribers over
// loopback (one epoll client thread), one writer appending R events per second to the in-memory
// store for S seconds; each record's latency runs from just before its append to the moment the
// client has its whole record. Prints one JSON line, the last on stdout:
//
//   {"bench":"fanout","smoke":false,"subscribers":1000,"rate":1000,"seconds":10,"events":10000,
//    "deliveries":10000000,"missing":0,"out_of_order":0,"p50_ms":1.2,"p99_ms":8.5,
//    "max_ms":30.1,"fallbacks":0}
//
// --smoke: 10 subscribers for 1 second. Exit status 0 unless the setup failed or a delivery was
// missing or out of order (latency never fails it: it is a measurement, not a test).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
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

namespace {

using namespace dialogue;  // NOLINT: a benchmark's main file
using SteadyClock = std::chrono::steady_clock;

constexpr char kToken[] = "bench-integration-token";

struct Config {
  bool smoke = false;
  int subscribers = 1000;
  int rate = 1000;  // events per second
  int seconds = 10;
  int payload = 100;  // bytes of filler in each event's data
  int stalled = 0;    // further subscribers that never read a byte (memory at the cap)
  int total_mb = 64;  // the hub's total_buffer_bytes, in MiB (a large one: no total bound)
};

// The resident set of this process, in bytes (server and clients: the stalled clients hold
// nothing in user space, so what grows is the server's).
size_t ResidentBytes() {
  std::FILE* file = std::fopen("/proc/self/statm", "r");
  if (file == nullptr) return 0;
  unsigned long long pages = 0, resident = 0;
  const int read = std::fscanf(file, "%llu %llu", &pages, &resident);
  std::fclose(file);
  return read == 2 ? static_cast<size_t>(resident) * static_cast<size_t>(sysconf(_SC_PAGESIZE)) : 0;
}

// A subscription that is never read: a 4 KiB receive buffer, the request sent, nothing more.
int OpenStalled(uint16_t port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  const int small = 4096;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    std::perror("connect");
    std::exit(2);
  }
  const std::string request = std::string("GET /v1/subscribe HTTP/1.1\r\nHost: 127.0.0.1\r\n") +
                              "Authorization: Bearer " + kToken + "\r\n\r\n";
  if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    std::perror("send");
    std::exit(2);
  }
  return fd;
}

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now().time_since_epoch())
      .count();
}

// One subscriber's connection, read without blocking.
struct Connection {
  int fd = -1;
  bool head_done = false;
  std::string head;
  api::ChunkedDecoder chunked;
  std::string text;      // de-chunked SSE not yet scanned
  uint64_t last = 0;     // the last position received
  bool started = false;  // the retry hint arrived
};

class Clients {
 public:
  Clients(uint16_t port, int count, const std::vector<std::atomic<int64_t>>& sent_ns)
      : sent_ns_(sent_ns), connections_(static_cast<size_t>(count)) {
    latencies_us_.reserve(static_cast<size_t>(count) * sent_ns.size());
    epoll_ = epoll_create1(0);
    for (size_t i = 0; i < connections_.size(); ++i) Connect(port, i);
  }
  ~Clients() {
    for (auto& c : connections_) {
      if (c.fd >= 0) close(c.fd);
    }
    close(epoll_);
  }

  // Runs until stop is set. Records every latency in microseconds.
  void Run(const std::atomic<bool>& stop) {
    std::vector<epoll_event> events(256);
    std::vector<char> buffer(1 << 16);
    while (!stop) {
      const int n = epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), 50);
      for (int i = 0; i < n; ++i) {
        Connection& c = connections_[events[static_cast<size_t>(i)].data.u64];
        for (;;) {
          const ssize_t got = recv(c.fd, buffer.data(), buffer.size(), 0);
          if (got <= 0) break;
          Consume(c, std::string_view(buffer.data(), static_cast<size_t>(got)));
        }
      }
    }
  }

  int started() const { return started_.load(); }
  uint64_t deliveries() const { return deliveries_.load(); }
  uint64_t out_of_order() const { return out_of_order_.load(); }
  std::vector<uint32_t>& latencies_us() { return latencies_us_; }  // after Run

 private:
  void Connect(uint16_t port, size_t index) {
    Connection& c = connections_[index];
    c.fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(c.fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      std::perror("connect");
      std::exit(2);
    }
    const std::string request = std::string("GET /v1/subscribe HTTP/1.1\r\nHost: 127.0.0.1\r\n") +
                                "Authorization: Bearer " + kToken + "\r\n\r\n";
    if (send(c.fd, request.data(), request.size(), MSG_NOSIGNAL) !=
        static_cast<ssize_t>(request.size())) {
      std::perror("send");
      std::exit(2);
    }
    fcntl(c.fd, F_SETFL, fcntl(c.fd, F_GETFL) | O_NONBLOCK);
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = index;
    epoll_ctl(epoll_, EPOLL_CTL_ADD, c.fd, &event);
  }

  void Consume(Connection& c, std::string_view bytes) {
    if (!c.head_done) {
      c.head.append(bytes);
      const size_t end = c.head.find("\r\n\r\n");
      if (end == std::string::npos) return;
      if (c.head.rfind("HTTP/1.1 200", 0) != 0) {
        std::cerr << "subscription refused: " << c.head.substr(0, c.head.find("\r\n")) << "\n";
        std::exit(2);
      }
      c.head_done = true;
      const std::string rest = c.head.substr(end + 4);
      c.head.clear();
      bytes = rest;
      if (!c.chunked.Feed(bytes, c.text)) std::exit(3);
    } else if (!c.chunked.Feed(bytes, c.text)) {
      std::cerr << "malformed chunked body\n";
      std::exit(3);
    }
    Scan(c);
  }

  // Whole records only; the id line is all the bench reads of them.
  void Scan(Connection& c) {
    size_t start = 0;
    for (;;) {
      const size_t end = c.text.find("\n\n", start);
      if (end == std::string::npos) break;
      const std::string_view record(c.text.data() + start, end - start);
      start = end + 2;
      if (record.rfind("retry:", 0) == 0) {
        if (!c.started) {
          c.started = true;
          ++started_;
        }
        continue;
      }
      if (record.rfind("id: ", 0) != 0) continue;  // a comment
      uint64_t position = 0;
      std::from_chars(record.data() + 4, record.data() + record.size(), position);
      if (position != c.last + 1) ++out_of_order_;
      c.last = position;
      ++deliveries_;
      const int64_t sent = position < sent_ns_.size() ? sent_ns_[position].load() : 0;
      if (sent > 0) {
        latencies_us_.push_back(static_cast<uint32_t>(std::max<int64_t>(0, NowNs() - sent) / 1000));
      }
    }
    c.text.erase(0, start);
  }

  const std::vector<std::atomic<int64_t>>& sent_ns_;
  std::vector<Connection> connections_;
  int epoll_ = -1;
  std::atomic<int> started_{0};
  std::atomic<uint64_t> deliveries_{0};
  std::atomic<uint64_t> out_of_order_{0};
  std::vector<uint32_t> latencies_us_;
};

double PercentileMs(std::vector<uint32_t>& values, double fraction) {
  if (values.empty()) return 0;
  const size_t index = std::min(values.size() - 1,
                                static_cast<size_t>(fraction * static_cast<double>(values.size())));
  std::nth_element(values.begin(), values.begin() + static_cast<ptrdiff_t>(index), values.end());
  return values[index] / 1000.0;
}

bool ParseArgs(int argc, char** argv, Config& config) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto value = [&](int& out) {
      if (i + 1 >= argc) return false;
      out = std::atoi(argv[++i]);
      return out > 0;
    };
    if (arg == "--smoke") {
      config.smoke = true;
      config.subscribers = 10;
      config.seconds = 1;
    } else if (arg == "--subscribers") {
      if (!value(config.subscribers)) return false;
    } else if (arg == "--rate") {
      if (!value(config.rate)) return false;
    } else if (arg == "--seconds") {
      if (!value(config.seconds)) return false;
    } else if (arg == "--payload") {
      if (!value(config.payload)) return false;
    } else if (arg == "--stalled") {
      if (!value(config.stalled)) return false;
    } else if (arg == "--total-mb") {
      if (!value(config.total_mb)) return false;
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Config config;
  if (!ParseArgs(argc, argv, config)) {
    std::cerr << "usage: fanout_bench [--smoke] [--subscribers N] [--rate EVENTS_PER_S] "
                 "[--seconds S] [--payload BYTES] [--stalled N] [--total-mb MIB]\n";
    return 2;
  }
  engine::SystemClock clock;
  auto store = engine::NewInMemoryEventStore(&clock);
  auto tokens = api::TokenRegistry::Parse(std::string(R"({"tokens":[{"token_sha256":")") +
                                          api::Sha256Hex(kToken) +
                                          R"(","actor":"bench","roles":["integration"]}]})");
  if (!tokens) {
    std::cerr << tokens.error().message << "\n";
    return 2;
  }
  api::Metrics metrics([&] { return store->Head().position; });
  projections::ReadModels read_models(*store);
  if (!read_models.Open()) return 2;
  api::SubscriptionOptions hub_options;
  hub_options.max_subscribers = static_cast<size_t>(config.subscribers + config.stalled);
  hub_options.max_per_owner = hub_options.max_subscribers;
  hub_options.total_buffer_bytes = static_cast<size_t>(config.total_mb) * 1024 * 1024;
  api::SubscriptionHub hub(*store, hub_options, &metrics.registry());
  hub.Start();
  api::Router router(&*tokens);
  api::ApiContext context{*store, clock, metrics, read_models};
  context.subscriptions = &hub;
  api::RegisterRoutes(router, context);
  api::ServerOptions server_options;
  server_options.port = 0;
  server_options.max_connections = static_cast<size_t>(config.subscribers + config.stalled) + 16;
  server_options.write_timeout = std::chrono::seconds(config.seconds + 60);  // stalled, not dead
  server_options.on_stopping = [&hub] { hub.Shutdown(); };
  api::RouteWork(server_options, router, metrics);
  auto server = api::Server::Listen(server_options);
  if (!server) {
    std::cerr << server.error().message << "\n";
    return 2;
  }
  std::thread server_thread([&] { (*server)->Run(); });

  const size_t events = static_cast<size_t>(config.rate) * static_cast<size_t>(config.seconds);
  std::vector<std::atomic<int64_t>> sent_ns(events + 2);
  Clients clients((*server)->port(), config.subscribers, sent_ns);
  std::atomic<bool> stop_clients{false};
  std::thread client_thread([&] { clients.Run(stop_clients); });

  std::vector<int> stalled;
  for (int i = 0; i < config.stalled; ++i) stalled.push_back(OpenStalled((*server)->port()));
  const size_t live_wanted = static_cast<size_t>(config.subscribers + config.stalled);
  // Every subscriber following live before the first event.
  const auto setup_deadline = SteadyClock::now() + std::chrono::seconds(60);
  while (hub.stats().live < live_wanted && SteadyClock::now() < setup_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  bool ok = hub.stats().live == live_wanted;
  const size_t rss_before = ResidentBytes();
  size_t rss_peak = rss_before;

  // The writer: R events per second, evenly spaced; the position of each is the next one (the
  // only writer), so its send time is known before the append.
  const std::string payload(static_cast<size_t>(config.payload), 'x');
  const auto start = SteadyClock::now();
  for (size_t i = 0; ok && i < events; ++i) {
    std::this_thread::sleep_until(
        start + std::chrono::nanoseconds(static_cast<int64_t>(i) * 1'000'000'000 / config.rate));
    engine::ProposedEvent event;
    event.type = "BriefingRequested";
    event.data =
        R"({"briefing":"bench","i":)" + std::to_string(i) + R"(,"payload":")" + payload + R"("})";
    event.metadata.occurred_at = "2026-03-10T09:30:00Z";
    event.metadata.actor = "bench";
    event.metadata.role = "secretariat";
    engine::AppendRequest request;
    request.writes.push_back({"briefing-bench", engine::ExpectedVersion::Any(), {event}});
    sent_ns[i + 1].store(NowNs());
    if (!store->Append(request)) ok = false;
    if (i % 64 == 0) rss_peak = std::max(rss_peak, ResidentBytes());
  }
  // Let every subscriber receive the last event (bounded).
  const auto drain_deadline = SteadyClock::now() + std::chrono::seconds(30);
  const uint64_t expected = static_cast<uint64_t>(config.subscribers) * events;
  while (ok && clients.deliveries() < expected && SteadyClock::now() < drain_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  rss_peak = std::max(rss_peak, ResidentBytes());
  stop_clients = true;
  client_thread.join();
  for (int fd : stalled) close(fd);
  const uint64_t fallbacks = hub.stats().fallbacks;
  const double peak_queued_mb =
      static_cast<double>(hub.stats().peak_queued_bytes) / (1024.0 * 1024.0);
  (*server)->Stop();
  server_thread.join();

  const uint64_t delivered = clients.deliveries();
  auto& latencies = clients.latencies_us();
  const double p50 = PercentileMs(latencies, 0.50);
  const double p99 = PercentileMs(latencies, 0.99);
  const double max =
      latencies.empty() ? 0 : *std::max_element(latencies.begin(), latencies.end()) / 1000.0;
  const double growth_mb = static_cast<double>(rss_peak - rss_before) / (1024.0 * 1024.0);
  char line[768];
  std::snprintf(
      line, sizeof line,
      "{\"bench\":\"fanout\",\"smoke\":%s,\"subscribers\":%d,\"rate\":%d,\"seconds\":%d,"
      "\"events\":%zu,\"deliveries\":%llu,\"missing\":%llu,\"out_of_order\":%llu,"
      "\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f,\"fallbacks\":%llu,"
      "\"stalled\":%d,\"total_mb\":%d,\"payload\":%d,\"rss_before_mb\":%.1f,\"rss_growth_mb\":%.1f,"
      "\"growth_kb_per_stalled\":%.1f,\"peak_queued_mb\":%.1f}",
      config.smoke ? "true" : "false", config.subscribers, config.rate, config.seconds, events,
      static_cast<unsigned long long>(delivered),
      static_cast<unsigned long long>(expected > delivered ? expected - delivered : 0),
      static_cast<unsigned long long>(clients.out_of_order()), p50, p99, max,
      static_cast<unsigned long long>(fallbacks), config.stalled, config.total_mb, config.payload,
      static_cast<double>(rss_before) / (1024.0 * 1024.0), growth_mb,
      config.stalled > 0 ? growth_mb * 1024.0 / config.stalled : 0.0, peak_queued_mb);
  std::cout << line << std::endl;
  if (!ok) std::cerr << "setup failed: not every subscriber went live, or an append failed\n";
  return ok && delivered == expected && clients.out_of_order() == 0 ? 0 : 1;
}
