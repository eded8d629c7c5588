#include "api/cli/commands.hpp"

#include <unistd.h>

#include <charconv>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>

#include "api/http/auth.hpp"
#include "api/http/router.hpp"
#include "api/http/server.hpp"
#include "api/http/sessions.hpp"
#include "api/http/subscription_hub.hpp"
#include "api/ops/log.hpp"
#include "api/ops/metrics.hpp"
#include "api/routes/import_decoder.hpp"
#include "api/routes/routes.hpp"
#include "app/cluster_node.hpp"
#include "app/follower.hpp"
#include "app/relay.hpp"
#include "app/timer_service.hpp"
#include "engine/backup.hpp"
#include "engine/clock.hpp"
#include "engine/event_json.hpp"
#include "engine/event_store.hpp"
#include "engine/time.hpp"
#include "projections/projector.hpp"
#include "projections/read_models.hpp"

namespace dialogue::api {
namespace {

namespace fs = std::filesystem;

constexpr int kExitOk = 0;
constexpr int kExitRefused = 1;
constexpr int kExitError = 2;
constexpr size_t kExportPage = 1000;

// Opens the store of an existing folder (never creates one: a typo must not look like an empty
// log).
engine::Result<std::unique_ptr<engine::EventStore>> OpenExisting(const std::string& data_dir) {
  std::error_code ec;
  if (!fs::is_directory(data_dir, ec)) {
    return engine::Fail(engine::Error::NotFound("no store at " + data_dir));
  }
  engine::RocksDbOptions options;
  options.path = data_dir;
  return engine::OpenRocksDbEventStore(options);
}

std::string FormatAddress(const std::string& host, uint16_t port) {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

}  // namespace

engine::Result<ListenAddress> ParseListenAddress(std::string_view text) {
  const auto bad = [&] {
    return engine::Fail(engine::Error::InvalidArgument(
        "--listen must be HOST:PORT (e.g. 127.0.0.1:8080 or [::1]:8080), not " +
        std::string(text)));
  };
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return bad();
  std::string_view host = text.substr(0, colon);
  std::string_view port_text = text.substr(colon + 1);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return bad();
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return bad();
  }
  unsigned port = 0;
  auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || ptr != port_text.data() + port_text.size() ||
      port > 65535) {
    return bad();
  }
  ListenAddress address;
  address.host = host == "localhost" ? "127.0.0.1" : std::string(host);
  address.port = static_cast<uint16_t>(port);
  return address;
}

namespace {

// ServeOnce's answer when a cluster node stepped down: serve again, as a follower.
constexpr int kRejoin = -1;

// What a cluster node's thread tells the serving thread when it steps down.
struct SteppedDown {
  std::mutex mu;
  Server* server = nullptr;  // guarded by mu: set while it runs
  bool down = false;         // guarded by mu
  bool diverged = false;     // guarded by mu
};

// Moves a diverged copy's folder aside (kept for inspection: nothing of it was acknowledged by
// the cluster) and makes an empty one in its place, with the node's own signing key when it was
// kept there.
bool SetAside(const ServeOptions& options) {
  fs::path dir = fs::path(options.data_dir).lexically_normal();
  if (dir.filename().empty()) dir = dir.parent_path();  // "data/" is "data"
  std::string stamp = engine::FormatRfc3339(
      std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now()));
  for (char& c : stamp) {
    if (c == ':') c = '-';
  }
  const fs::path aside = dir.string() + ".diverged-" + stamp;
  std::error_code ec;
  fs::rename(dir, aside, ec);
  if (!ec) fs::create_directories(dir, ec);
  if (!ec && options.ledger_key_file.empty()) {
    fs::copy_file(aside / "ledger-signing.key", dir / "ledger-signing.key", ec);
  }
  if (ec) {
    LogError("cannot set the diverged copy " + dir.string() + " aside: " + ec.message());
    return false;
  }
  LogInfo("set the diverged copy aside as " + aside.string() + "; following from position 0");
  return true;
}

// `bound`: the address it listened on, for the next round to listen on the same.
int ServeOnce(const ServeOptions& options, std::ostream& out, bool* diverged, std::string* bound);

}  // namespace

int RunServe(const ServeOptions& options, std::ostream& out) {
  ServeOptions round = options;
  for (;;) {
    bool diverged = false;
    std::string bound;
    const int code = ServeOnce(round, out, &diverged, &bound);
    if (code != kRejoin) return code;
    if (diverged && !SetAside(round)) return kExitError;
    round.listen = bound;  // the same port again
    LogInfo("rejoining the cluster as a follower");
  }
}

namespace {

int ServeOnce(const ServeOptions& options, std::ostream& out, bool* diverged, std::string* bound) {
  auto address = ParseListenAddress(options.listen);
  if (!address) {
    LogError(address.error().message);
    return kExitError;
  }
  auto tokens = TokenRegistry::LoadFile(options.tokens_file);
  if (!tokens) {
    LogError(tokens.error().message);
    return kExitError;
  }
  std::error_code ec;
  fs::create_directories(options.data_dir, ec);
  if (ec) {
    LogError("cannot create " + options.data_dir + ": " + ec.message());
    return kExitError;
  }
  // The signing key before the store: a server that cannot sign its checkpoints does not start.
  const bool default_key = options.ledger_key_file.empty();
  auto signer = engine::NoteSigner::Load(
      default_key ? (fs::path(options.data_dir) / "ledger-signing.key").string()
                  : options.ledger_key_file,
      options.ledger_origin, /*create=*/default_key);
  if (!signer) {
    LogError(signer.error().message);
    return kExitError;
  }
  engine::RocksDbOptions store_options;
  store_options.path = options.data_dir;
  auto store = engine::OpenRocksDbEventStore(store_options);
  if (!store) {
    LogError("cannot open the store at " + options.data_dir + ": " + store.error().message);
    return kExitError;
  }
  auto checkpoints = engine::Checkpointer::Open(
      **store, **signer, (fs::path(options.data_dir) / "ledger-checkpoint").string());
  if (!checkpoints) {
    LogError(checkpoints.error().message);
    return kExitError;
  }
  engine::SystemClock clock;
  engine::EventStore& log = **store;
  Metrics metrics([&log] { return log.HeadPosition(); });
  AddStoreMetrics(metrics, log, options.data_dir);
  auto read_models = std::make_unique<projections::ReadModels>(log);
  if (auto opened = read_models->Open(); !opened) {
    LogError("cannot open the read models: " + opened.error().message);
    return kExitError;
  }
  Router router(&*tokens);
  // The console's sign-in: sessions live in memory only (a restart signs everyone out).
  SessionStore sessions;
  router.SetSessions(&sessions);
  ApiContext context{log, clock, metrics, *read_models};
  context.sessions = &sessions;
  context.ledger_signer = signer->get();
  context.checkpoints = checkpoints->get();
  context.data_dir = options.data_dir;
  context.backups_dir = options.backups_dir;
  // GET /v1/subscribe and the deadline timers run beside the server, from the head on.
  auto subscriptions =
      std::make_unique<SubscriptionHub>(log, SubscriptionOptions{}, &metrics.registry());
  subscriptions->Start();
  context.subscriptions = subscriptions.get();
  // A read replica takes no command: neither does its timer (the leader's fires). A cluster
  // node starts its timer when it comes to lead.
  std::unique_ptr<app::TimerService> timers;
  uint64_t timers_observer = 0;
  // Every commit is folded as it happens, a replica's copies included; the timer learns of new
  // deadlines from the fold. Declared after the timer: it stops first.
  auto projector = std::make_unique<projections::Projector>(log, *read_models);
  projector->Start();
  context.projector = projector.get();
  const auto start_timers = [&] {
    app::TimerOptions timer_options;
    timer_options.wake_on_commit = false;
    timer_options.log_error = [](const std::string& message) { LogError(message); };
    timers =
        std::make_unique<app::TimerService>(log, *read_models, clock, context.rules, timer_options);
    timers_observer = projector->AddObserver([timer = timers.get()](uint64_t) { timer->Folded(); });
    timers->Start();
  };
  if (options.follow_servers.empty() && options.cluster_servers.empty()) start_timers();
  std::unique_ptr<app::Relay> relay;
  if (!options.nats_servers.empty()) {
    app::RelayOptions relay_options;
    relay_options.servers = options.nats_servers;
    relay_options.stream = options.nats_stream;
    relay_options.replicas = options.nats_replicas;
    relay_options.origin = options.ledger_origin;
    relay_options.note = [](const std::string& note) { LogInfo(note); };
    auto started = app::Relay::Start(log, relay_options);
    if (!started) {
      LogError("cannot start the relay to NATS: " + started.error().message);
      return kExitError;
    }
    relay = std::move(*started);
    AddRelayMetrics(metrics, *relay, log);
  }
  std::unique_ptr<app::Follower> follower;
  std::unique_ptr<app::ReadReplica> replica;
  if (!options.follow_servers.empty()) {
    app::FollowerOptions follower_options;
    follower_options.servers = options.follow_servers;
    follower_options.stream = options.nats_stream;
    follower_options.origin = options.ledger_origin;
    follower_options.note = [](const std::string& note) { LogInfo(note); };
    auto started = app::Follower::Start(log, follower_options);
    if (!started) {
      LogError("cannot follow the log in NATS: " + started.error().message);
      return kExitError;
    }
    follower = std::move(*started);
    AddFollowerMetrics(metrics, *follower);
    replica = std::make_unique<app::ReadReplica>(options.leader_url);
    context.leadership = replica.get();
  }
  SteppedDown stepped;
  std::unique_ptr<app::ClusterNode> node;
  RegisterRoutes(router, context);

  ServerOptions server_options;
  server_options.host = address->host;
  server_options.port = address->port;
  server_options.io_threads = options.io_threads;
  server_options.worker_threads = options.worker_threads;
  server_options.header_limit = options.header_limit;
  server_options.body_limit = options.body_limit;
  const auto millis = [](double seconds) {
    return std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
  };
  server_options.read_timeout = millis(options.read_timeout);
  server_options.idle_timeout = millis(options.idle_timeout);
  server_options.first_request_timeout = millis(options.first_request_timeout);
  server_options.write_timeout = millis(options.write_timeout);
  server_options.max_connections = options.max_connections;
  server_options.tls_cert_file = options.tls_cert_file;
  server_options.tls_key_file = options.tls_key_file;
  server_options.handle_signals = true;
  // On SIGTERM the subscriptions end cleanly (each stream's last chunk) before connections close.
  server_options.on_stopping = [hub = subscriptions.get()] { hub->Shutdown(); };
  server_options.on_refusal = [&metrics](std::string_view reason) { metrics.CountRefusal(reason); };
  RouteWork(server_options, router, metrics);
  // Its own answers (a malformed header, too many waiting, a wait that ran out) come before any
  // route is resolved: counted under the route label "x-dialogue-position".
  std::optional<engine::PositionWaits> position_waits(std::in_place, log);
  server_options.dispatch = WithLogPosition(
      std::move(server_options.dispatch), *position_waits, log, std::chrono::seconds(5),
      [&metrics](std::string_view method, int status, double seconds) {
        metrics.ObserveRequest(method, "x-dialogue-position", status, seconds);
      });
  auto server = Server::Listen(server_options);
  if (!server) {
    LogError(server.error().message);
    return kExitError;
  }
  if (!options.cluster_servers.empty()) {
    app::ClusterOptions cluster_options;
    cluster_options.servers = options.cluster_servers;
    cluster_options.stream = options.nats_stream;
    cluster_options.replicas = options.nats_replicas;
    cluster_options.origin = options.ledger_origin;
    cluster_options.node_url = !options.node_url.empty()
                                   ? options.node_url
                                   : (options.tls_cert_file.empty() ? "http://" : "https://") +
                                         FormatAddress((*server)->host(), (*server)->port());
    cluster_options.lease_ttl =
        std::chrono::milliseconds(static_cast<int64_t>(options.lease_ttl * 1000));
    cluster_options.note = [](const std::string& note) { LogInfo(note); };
    cluster_options.on_leading = start_timers;
    cluster_options.on_stepped_down = [&](bool copy_diverged, const std::string&) {
      // Nothing more is appended here: the timers started when the node came to lead stop (on
      // this same thread that started them).
      if (timers) {
        projector->RemoveObserver(timers_observer);
        timers->Stop();
      }
      std::lock_guard lock(stepped.mu);
      stepped.down = true;
      stepped.diverged = copy_diverged;
      if (stepped.server != nullptr) stepped.server->Stop();
    };
    auto started = app::ClusterNode::Start(log, cluster_options);
    if (!started) {
      LogError("cannot join the cluster: " + started.error().message);
      return kExitError;
    }
    node = std::move(*started);
    AddClusterMetrics(metrics, *node, log);
    context.leadership = node.get();  // before the first request: Run has not begun
  }
  out << "listening on " << FormatAddress((*server)->host(), (*server)->port()) << std::endl;
  *bound = FormatAddress((*server)->host(), (*server)->port());
  if (!options.tls_cert_file.empty()) LogInfo("serving HTTPS (TLS 1.2+)");
  LogInfo("store " + options.data_dir + ", " + std::to_string(tokens->size()) + " tokens, head " +
          std::to_string(log.HeadPosition()) + ", ledger key " + (*signer)->verifier_key());
  {
    std::lock_guard lock(stepped.mu);
    stepped.server = server->get();
    if (stepped.down) (*server)->Stop();
  }
  (*server)->Run();
  {
    std::lock_guard lock(stepped.mu);
    stepped.server = nullptr;
  }
  // Reads still waiting for a fold are answered 503 (their posts are dropped with the server's
  // io), before the server and its sessions go.
  projector->Stop();
  server->reset();  // every request has finished before the store closes
  position_waits.reset();
  node.reset();  // before the timers it may have started
  relay.reset();
  follower.reset();
  projector.reset();  // before the timer it tells
  timers.reset();
  subscriptions.reset();
  if (auto saved = read_models->SaveSnapshot(); !saved) {
    LogError("cannot save the read models' snapshot: " + saved.error().message);
  }
  read_models.reset();  // before the store they read
  checkpoints->reset();
  store->reset();
  std::lock_guard lock(stepped.mu);
  if (stepped.down) {
    *diverged = stepped.diverged;
    LogInfo("stopped: this node stepped down");
    return kRejoin;
  }
  LogInfo("stopped");
  return kExitOk;
}

// Checks the whole chain of the store in data_dir: prints "<ok_word>: head position N hash H", or
// "corrupt: first bad position N: what" and returns kExitRefused. `command` prefixes errors.
int VerifyAndReport(const std::string& data_dir, std::string_view command, std::string_view ok_word,
                    std::ostream& out, std::ostream& err) {
  auto store = OpenExisting(data_dir);
  if (!store) {
    err << command << ": " << store.error().message << "\n";
    return kExitError;
  }
  auto report = (*store)->Verify();
  if (!report) {
    err << command << ": " << report.error().message << "\n";
    return kExitError;
  }
  if (!report->ok) {
    out << "corrupt: first bad position " << report->first_bad_position.value_or(0) << ": "
        << report->problem << "\n";
    return kExitRefused;
  }
  out << ok_word << ": head position " << report->head.position << " hash " << report->head.hash
      << "\n";
  return kExitOk;
}

}  // namespace

int RunVerify(const std::string& data_dir, std::ostream& out, std::ostream& err) {
  return VerifyAndReport(data_dir, "verify", "ok", out, err);
}

int RunBackup(const std::string& data_dir, const std::string& to, std::ostream& out,
              std::ostream& err) {
  engine::SystemClock clock;
  auto made = engine::CreateBackup(data_dir, to, clock.Now());
  if (!made) {
    err << "backup: " << made.error().message << "\n";
    return made.error().code == engine::ErrorCode::kIOError ? kExitError : kExitRefused;
  }
  out << "backup: " << made->path << " head position " << made->head_position << " hash "
      << made->head_hash << "\n";
  return kExitOk;
}

int RunRestore(const std::string& from, const std::string& data_dir, std::ostream& out,
               std::ostream& err) {
  auto restored = engine::RestoreBackup(from, data_dir);
  if (!restored) {
    err << "restore: " << restored.error().message << "\n";
    return restored.error().code == engine::ErrorCode::kIOError ? kExitError : kExitRefused;
  }
  // The whole chain, as `dialogue verify` checks it.
  return VerifyAndReport(data_dir, "restore", "restored", out, err);
}

int RunRebuild(const std::string& data_dir, std::ostream& out, std::ostream& err) {
  auto store = OpenExisting(data_dir);
  if (!store) {
    err << "rebuild: " << store.error().message << "\n";
    return kExitError;
  }
  {
    projections::ReadModels read_models(**store);
    if (auto rebuilt = read_models.Rebuild(); !rebuilt) {
      err << "rebuild: " << rebuilt.error().message << "\n";
      return kExitError;
    }
    out << "rebuilt: position " << read_models.position() << "\n";
  }
  return kExitOk;
}

int RunExport(const std::string& data_dir, std::ostream& out, std::ostream& err) {
  auto store = OpenExisting(data_dir);
  if (!store) {
    err << "export: " << store.error().message << "\n";
    return kExitError;
  }
  uint64_t after = 0;
  for (;;) {
    auto events = (*store)->ReadAll(after, kExportPage);
    if (!events) {
      err << "export: " << events.error().message << "\n";
      return kExitError;
    }
    std::string lines;
    for (const auto& event : *events) {
      engine::AppendEventJson(lines, event);
      lines.push_back('\n');
      after = event.position;
    }
    out << lines;
    if (events->size() < kExportPage) break;
  }
  out.flush();
  if (!out) {
    err << "export: write failed\n";
    return kExitError;
  }
  return kExitOk;
}

int RunImport(const std::string& data_dir, std::istream& in, std::ostream& out, std::ostream& err) {
  fs::path target = fs::absolute(fs::path(data_dir)).lexically_normal();
  if (!target.has_filename()) target = target.parent_path();
  std::error_code ec;

  // The target must hold no events.
  if (fs::exists(target, ec)) {
    if (!fs::is_directory(target, ec)) {
      err << "import: " << target.string() << " is not a folder\n";
      return kExitRefused;
    }
    if (!fs::is_empty(target, ec)) {
      auto existing = OpenExisting(target.string());
      if (!existing) {
        err << "import: " << existing.error().message << "\n";
        return kExitError;
      }
      const uint64_t head = (*existing)->HeadPosition();
      if (head != 0) {
        err << "import: the store at " << target.string() << " is not empty (head position " << head
            << "); import needs an empty store\n";
        return kExitRefused;
      }
    }
  }

  // Import into a fresh folder beside the target; it replaces the target only when complete.
  const fs::path staging =
      target.parent_path() / (target.filename().string() + ".import-" + std::to_string(getpid()));
  fs::remove_all(staging, ec);
  engine::RocksDbOptions options;
  options.path = staging.string();
  auto store = engine::OpenRocksDbEventStore(options);
  if (!store) {
    err << "import: cannot create " << staging.string() << ": " << store.error().message << "\n";
    return kExitError;
  }
  const auto refuse = [&](uint64_t line, const std::string& why) {
    err << "import refused at line " << line << ": " << why << "\n"
        << "import: nothing was imported; " << target.string() << " is unchanged\n";
    store->reset();
    std::error_code ignored;
    fs::remove_all(staging, ignored);
    return kExitRefused;
  };

  ImportDecoder decoder;
  uint64_t line_number = 0;
  std::string line;
  while (std::getline(in, line)) {
    ++line_number;
    auto event = decoder.Next(line);
    if (!event) return refuse(line_number, event.error().message);
    if (!*event) continue;
    if (auto appended = (*store)->AppendVerbatim(**event); !appended) {
      return refuse(line_number, appended.error().message);
    }
  }
  if (in.bad()) return refuse(line_number + 1, "read error");

  const uint64_t imported = decoder.head_position();
  store->reset();
  // The signing key of an empty store that served already stays its key (it never changes for
  // a store); the checkpoint it signed was of the empty log, which every log contains.
  if (const fs::path key = target / "ledger-signing.key"; fs::exists(key, ec)) {
    fs::copy_file(key, staging / key.filename(), ec);
  }
  if (!ec && fs::exists(target, ec)) fs::remove_all(target, ec);
  if (!ec) fs::rename(staging, target, ec);
  if (ec) {
    err << "import: cannot move " << staging.string() << " to " << target.string() << ": "
        << ec.message() << "\n";
    return kExitError;
  }
  out << "imported " << imported << " events; head position " << imported << " hash "
      << decoder.head_hash() << "\n";
  return kExitOk;
}

}  // namespace dialogue::api
