// Shared helpers of the api tests: temporary folders, a tokens file, a blocking HTTP client, the
// `dialogue` binary as a child process, and events to fill a store with.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "api/http/auth.hpp"
#include "engine/event_store.hpp"
#include "tests/support/sample_events.hpp"
#include "tests/temp_dir.hpp"

extern char** environ;

namespace dialogue::api::testing {

using dialogue::testing::TempDir;

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

inline void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

// Bearer tokens of the test tokens file, by name.
inline constexpr char kSecretariatToken[] = "token-secretariat-1234";
inline constexpr char kAuditorToken[] = "token-auditor-5678";
inline constexpr char kStakeholderToken[] = "token-stakeholder-9012";

inline std::string TokensJson() {
  return std::string(R"({"tokens":[)") + R"({"token_sha256":")" + Sha256Hex(kSecretariatToken) +
         R"(","actor":"sec-ana","roles":["secretariat"]},)" + R"({"token_sha256":")" +
         Sha256Hex(kAuditorToken) + R"(","actor":"aud-bo","roles":["auditor"]},)" +
         R"({"token_sha256":")" + Sha256Hex(kStakeholderToken) +
         R"(","actor":"ngo-a-rep","roles":["stakeholder"],"stakeholder":"ngo-a"}]})";
}

struct Reply {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

// A blocking HTTP/1.1 client over one connection (keep-alive until closed).
class HttpClient {
 public:
  explicit HttpClient(uint16_t port) : socket_(ioc_) {
    socket_.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  }

  Reply Send(const std::string& method, const std::string& target,
             const std::map<std::string, std::string>& headers = {}, const std::string& body = {}) {
    namespace http = boost::beast::http;
    http::request<http::string_body> request{http::string_to_verb(method), target, 11};
    request.set(http::field::host, "127.0.0.1");
    for (const auto& [name, value] : headers) request.set(name, value);
    request.body() = body;
    if (!body.empty() || method == "POST") request.prepare_payload();
    http::write(socket_, request);
    return Receive();
  }

  // Reads one response (for example after writing raw bytes with socket()).
  Reply Receive() {
    namespace http = boost::beast::http;
    http::response_parser<http::string_body> parser;
    parser.body_limit(boost::none);
    http::read(socket_, buffer_, parser);
    Reply reply;
    reply.status = static_cast<int>(parser.get().result_int());
    for (const auto& field : parser.get()) {
      std::string name(field.name_string().data(), field.name_string().size());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      reply.headers[name] = std::string(field.value().data(), field.value().size());
    }
    reply.body = parser.get().body();
    return reply;
  }

  // Reads and drops whatever comes until the server closes the connection; true when it ends
  // with end of stream or a reset (blocks until then).
  bool ServerClosed() {
    char bytes[4096];
    boost::system::error_code ec;
    while (!ec) socket_.read_some(boost::asio::buffer(bytes), ec);
    return ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset;
  }

  boost::asio::ip::tcp::socket& socket() { return socket_; }

 private:
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
};

inline std::map<std::string, std::string> Bearer(const std::string& token) {
  return {{"Authorization", "Bearer " + token}};
}

// One figure of a server's /metrics, as the auditor reads it; -1 when absent.
inline double Metric(uint16_t port, const std::string& name) {
  HttpClient http(port);
  const Reply reply = http.Send("GET", "/metrics", Bearer(kAuditorToken));
  if (reply.status != 200) return -1;
  const std::string prefix = "\n" + name + " ";
  const size_t at = reply.body.find(prefix);
  if (at == std::string::npos) return -1;
  return std::atof(reply.body.c_str() + at + prefix.size());
}

// Starts a program (args[0], looked up in PATH) with stdin from stdin_path (or /dev/null) and
// stdout into stdout_path (or /dev/null); stderr is inherited. Returns its process id.
inline pid_t SpawnProgram(const std::vector<std::string>& args, const std::string& stdin_path = "",
                          const std::string& stdout_path = "") {
  std::vector<std::string> argv_strings = args;
  std::vector<char*> argv;
  for (auto& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(
      &actions, 0, stdin_path.empty() ? "/dev/null" : stdin_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1,
                                   stdout_path.empty() ? "/dev/null" : stdout_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = 0;
  const int spawned = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) throw std::runtime_error("cannot start " + argv_strings[0]);
  return pid;
}

// Waits for a process SpawnProgram started; its exit status (-1 if it did not exit normally).
inline int WaitProgram(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Runs a program to completion (see SpawnProgram); its exit status.
inline int RunProgram(const std::vector<std::string>& args, const std::string& stdin_path = "",
                      const std::string& stdout_path = "") {
  return WaitProgram(SpawnProgram(args, stdin_path, stdout_path));
}

// Runs the dialogue binary to completion; stdin from stdin_path (or /dev/null), stdout into
// stdout_path (or /dev/null). Returns the exit status (-1 if it did not exit normally).
inline int RunDialogue(const std::vector<std::string>& args, const std::string& stdin_path = "",
                       const std::string& stdout_path = "") {
  std::vector<std::string> argv_strings = {DIALOGUE_BINARY};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  return RunProgram(argv_strings, stdin_path, stdout_path);
}

// `dialogue serve` as a child process, on a free port of 127.0.0.1, with extra options if any.
class ServerProcess {
 public:
  ServerProcess(const std::string& data_dir, const std::string& tokens_path,
                const std::vector<std::string>& extra_args = {}) {
    int fds[2];
    if (pipe(fds) != 0) throw std::runtime_error("pipe");
    std::vector<std::string> argv_strings = {DIALOGUE_BINARY, "serve",    "--data",
                                             data_dir,        "--listen", "127.0.0.1:0",
                                             "--tokens",      tokens_path};
    argv_strings.insert(argv_strings.end(), extra_args.begin(), extra_args.end());
    std::vector<char*> argv;
    for (auto& s : argv_strings) argv.push_back(s.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    posix_spawn_file_actions_addclose(&actions, fds[1]);
    const int spawned = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    stdout_fd_ = fds[0];
    if (spawned != 0) throw std::runtime_error("cannot start " + argv_strings[0]);
    first_line_ = ReadLine();
    const std::string prefix = "listening on 127.0.0.1:";
    if (first_line_.rfind(prefix, 0) != 0) {
      throw std::runtime_error("unexpected first line: '" + first_line_ + "'");
    }
    port_ = static_cast<uint16_t>(std::stoi(first_line_.substr(prefix.size())));
  }

  ~ServerProcess() {
    if (pid_ > 0) Terminate();
    if (stdout_fd_ >= 0) close(stdout_fd_);
  }

  uint16_t port() const { return port_; }
  const std::string& first_line() const { return first_line_; }

  // SIGKILL: a crash, nothing flushed or saved. Waits for the process to be gone.
  void Kill() {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = 0;
  }

  // Sends SIGTERM, waits; the exit status (-1 if killed by a signal).
  int Terminate() {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = 0;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  // What the server printed on stdout after the first line (read to end of file: call after
  // Terminate).
  std::string RestOfStdout() {
    std::string rest;
    char c;
    while (read(stdout_fd_, &c, 1) == 1) rest.push_back(c);
    return rest;
  }

 private:
  std::string ReadLine() {
    std::string line;
    char c;
    while (read(stdout_fd_, &c, 1) == 1 && c != '\n') line.push_back(c);
    return line;
  }

  pid_t pid_ = 0;
  int stdout_fd_ = -1;
  uint16_t port_ = 0;
  std::string first_line_;
};

using dialogue::testing::AppendEvents;

}  // namespace dialogue::api::testing
