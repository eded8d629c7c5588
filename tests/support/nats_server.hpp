// NatsServer: a `nats-server -js` child process on a free loopback port, with its JetStream
// files in a folder of the test's, for the relay's tests. It can be killed (SIGKILL) and started
// again on the same port and files. StreamReader: the tests' own client of a JetStream stream.
// Header-only; POSIX; link PkgConfig::NATS.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nats/nats.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

extern char** environ;

namespace dialogue::testing {

class NatsServer {
 public:
  // Starts the server; throws when it does not accept connections within 10 s.
  explicit NatsServer(std::string store_dir) : store_dir_(std::move(store_dir)), port_(FreePort()) {
    Start();
  }
  // A server on `port` with more arguments (a cluster's: name, cluster address, routes).
  NatsServer(std::string store_dir, uint16_t port, std::vector<std::string> extra_args)
      : store_dir_(std::move(store_dir)), port_(port), extra_args_(std::move(extra_args)) {
    Start();
  }
  ~NatsServer() { Kill(); }
  NatsServer(const NatsServer&) = delete;
  NatsServer& operator=(const NatsServer&) = delete;

  std::string url() const { return "nats://127.0.0.1:" + std::to_string(port_); }

  // SIGKILL, and waits for the process to be gone. Nothing if not running.
  void Kill() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = 0;
  }

  void Start() {
    if (pid_ > 0) return;
    // Debian installs it in /usr/sbin, which a non-root PATH may lack.
    const std::string program =
        access("/usr/sbin/nats-server", X_OK) == 0 ? "/usr/sbin/nats-server" : "nats-server";
    std::vector<std::string> args = {
        program, "-js", "-a", "127.0.0.1", "-p", std::to_string(port_), "-sd", store_dir_};
    args.insert(args.end(), extra_args_.begin(), extra_args_.end());
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    const int spawned = posix_spawnp(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) {
      pid_ = 0;
      throw std::runtime_error("cannot start nats-server (scripts/install-deps.sh installs it)");
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!Accepts()) {
      if (std::chrono::steady_clock::now() > deadline) {
        throw std::runtime_error("nats-server does not accept connections on " + url());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  static uint16_t FreePort() {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      if (fd >= 0) close(fd);
      throw std::runtime_error("no free port");
    }
    close(fd);
    return ntohs(address.sin_port);
  }

 private:
  bool Accepts() const {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return false;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port_);
    const bool connected = connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
    close(fd);
    return connected;
  }

  std::string store_dir_;
  uint16_t port_;
  std::vector<std::string> extra_args_;
  pid_t pid_ = 0;
};

// Three NatsServer forming one JetStream cluster on loopback, each with its folder under `dir`.
class NatsCluster {
 public:
  explicit NatsCluster(const std::string& dir) {
    std::vector<uint16_t> route_ports;
    std::string routes;
    for (int i = 0; i < 3; ++i) {
      route_ports.push_back(NatsServer::FreePort());
      routes += (i > 0 ? "," : "") + std::string("nats://127.0.0.1:") +
                std::to_string(route_ports.back());
    }
    for (int i = 0; i < 3; ++i) {
      const std::string name = "nats-" + std::to_string(i);
      nodes_.push_back(std::make_unique<NatsServer>(
          dir + "/" + name, NatsServer::FreePort(),
          std::vector<std::string>{"-n", name, "--cluster_name", "test", "--cluster",
                                   "nats://127.0.0.1:" + std::to_string(route_ports[i]), "--routes",
                                   routes}));
    }
  }
  NatsServer& node(int i) { return *nodes_.at(static_cast<size_t>(i)); }
  // "nats://127.0.0.1:A,nats://127.0.0.1:B,nats://127.0.0.1:C", for --cluster.
  std::string urls() const {
    std::string out;
    for (const auto& node : nodes_) out += (out.empty() ? "" : ",") + node->url();
    return out;
  }
  // The index of the node named `name` ("nats-1" is 1), or -1.
  static int IndexOf(const std::string& name) {
    return name.rfind("nats-", 0) == 0 ? std::stoi(name.substr(5)) : -1;
  }

 private:
  std::vector<std::unique_ptr<NatsServer>> nodes_;
};

class StreamReader {
 public:
  explicit StreamReader(const std::string& url) {
    if (natsConnection_ConnectTo(&connection_, url.c_str()) != NATS_OK ||
        natsConnection_JetStream(&js_, connection_, nullptr) != NATS_OK) {
      throw std::runtime_error("cannot connect to " + url);
    }
  }
  ~StreamReader() {
    jsCtx_Destroy(js_);
    natsConnection_Destroy(connection_);
  }
  StreamReader(const StreamReader&) = delete;
  StreamReader& operator=(const StreamReader&) = delete;

  struct State {
    uint64_t messages = 0;
    uint64_t last_sequence = 0;
    bool deny_delete = false;
    bool deny_purge = false;
    bool file_storage = false;
    std::string leader;  // the server leading the stream in a cluster ("" on one server)
    int replicas = 1;
  };
  State Info(const std::string& stream) {
    jsStreamInfo* info = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    if (js_GetStreamInfo(&info, js_, stream.c_str(), nullptr, &code) != NATS_OK) {
      throw std::runtime_error("no stream " + stream);
    }
    State state;
    state.messages = info->State.Msgs;
    state.last_sequence = info->State.LastSeq;
    state.deny_delete = info->Config->DenyDelete;
    state.deny_purge = info->Config->DenyPurge;
    state.file_storage = info->Config->Storage == js_FileStorage;
    if (info->Cluster != nullptr && info->Cluster->Leader != nullptr) {
      state.leader = info->Cluster->Leader;
    }
    state.replicas = static_cast<int>(info->Config->Replicas);
    jsStreamInfo_Destroy(info);
    return state;
  }

  struct Message {
    std::string subject, msg_id, content_type, body;
  };
  Message Get(const std::string& stream, uint64_t sequence) {
    natsMsg* msg = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    if (js_GetMsg(&msg, js_, stream.c_str(), sequence, nullptr, &code) != NATS_OK) {
      throw std::runtime_error("no message " + std::to_string(sequence) + " in " + stream);
    }
    Message out;
    out.subject = natsMsg_GetSubject(msg);
    const char* value = nullptr;
    if (natsMsgHeader_Get(msg, "Nats-Msg-Id", &value) == NATS_OK) out.msg_id = value;
    if (natsMsgHeader_Get(msg, "Content-Type", &value) == NATS_OK) out.content_type = value;
    out.body.assign(natsMsg_GetData(msg), static_cast<size_t>(natsMsg_GetDataLength(msg)));
    natsMsg_Destroy(msg);
    return out;
  }

  // A message of the test's on `subject`, acknowledged.
  void Publish(const std::string& subject, const std::string& msg_id,
               const std::string& body = "{}") {
    jsPubOptions options;
    jsPubOptions_Init(&options);
    options.MsgId = msg_id.c_str();
    jsPubAck* ack = nullptr;
    if (js_Publish(&ack, js_, subject.c_str(), body.data(), static_cast<int>(body.size()), &options,
                   nullptr) != NATS_OK) {
      throw std::runtime_error("cannot publish on " + subject);
    }
    jsPubAck_Destroy(ack);
  }

 private:
  natsConnection* connection_ = nullptr;
  jsCtx* js_ = nullptr;
};

}  // namespace dialogue::testing
