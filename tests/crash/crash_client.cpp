// dialogue_crash_client: the writers and the checker of scripts/crash-test.sh.
//
//   dialogue_crash_client write --port P --token T --dir D --cycle C [--writers 8] [--seconds 60]
//     Starts the writers: writer w sends POST /v1/conference-sessions with ids c<C>-w<w>-<i>
//     (i = 0, 1, ...) and Idempotency-Key crash-c<C>-w<w>-<i>, one at a time on one keep-alive
//     connection. Before each request it logs "sent KEY ID" to D/cycle-C-writer-w.log, after each
//     201 "ack KEY ID POSITION". It stops at the first connection error (the server was killed)
//     or after SECONDS. Any answer other than 201 is a violation: exit 1.
//
//   dialogue_crash_client check --port P --token T --dir D
//     Reads every log of D and the whole log of the server (GET /v1/events), then checks:
//     positions run 1..head without a gap; every ConferenceSessionRegistered event's id was sent
//     by a writer; every acknowledged command's event is present exactly once, at the
//     acknowledged position. Then it retries every command that was sent but never acknowledged,
//     with its idempotency key and the same body: the answer must be 201 (it had not committed)
//     or 200 (it had, and the original position comes back); the answers are logged as acks in
//     D/retries-N.log. A sample of acknowledged commands is retried too: 200 with the original
//     position. Finally the log is read again: every command id sent is present exactly once.
//     Prints "ok: ..." and exits 0, or prints every violation and exits 1.
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
namespace fs = std::filesystem;
using nlohmann::json;

constexpr auto kRequestTimeout = std::chrono::seconds(30);
constexpr size_t kPageSize = 1000;
constexpr size_t kAckedRetrySample = 50;

struct Reply {
  int status = 0;
  std::string body;
};

// One keep-alive HTTP/1.1 connection to 127.0.0.1:port. Send returns nullopt on any network
// error (refused, reset, closed, timed out).
class Connection {
 public:
  Connection(uint16_t port, std::string token) : stream_(ioc_), token_(std::move(token)) {
    beast::error_code ec;
    stream_.expires_after(kRequestTimeout);
    stream_.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
    connected_ = !ec;
  }

  std::optional<Reply> Send(http::verb method, const std::string& target, const std::string& body,
                            const std::string& idempotency_key = {}) {
    if (!connected_) return std::nullopt;
    http::request<http::string_body> request{method, target, 11};
    request.set(http::field::host, "127.0.0.1");
    request.set(http::field::authorization, "Bearer " + token_);
    if (!idempotency_key.empty()) request.set("Idempotency-Key", idempotency_key);
    if (method == http::verb::post) {
      request.set(http::field::content_type, "application/json");
      request.body() = body;
      request.prepare_payload();
    }
    beast::error_code ec;
    stream_.expires_after(kRequestTimeout);
    http::write(stream_, request, ec);
    if (ec) return Broken();
    http::response_parser<http::string_body> parser;
    parser.body_limit(boost::none);
    http::read(stream_, buffer_, parser, ec);
    if (ec) return Broken();
    Reply reply;
    reply.status = static_cast<int>(parser.get().result_int());
    reply.body = parser.get().body();
    if (!parser.get().keep_alive()) connected_ = false;
    return reply;
  }

  bool connected() const { return connected_; }

 private:
  std::optional<Reply> Broken() {
    connected_ = false;
    return std::nullopt;
  }

  asio::io_context ioc_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::string token_;
  bool connected_ = false;
};

std::string CommandBody(const std::string& id) {
  return json{{"id", id},
              {"title", "Crash test session " + id},
              {"starts_on", "2026-01-01"},
              {"ends_on", "2026-01-02"}}
      .dump();
}

constexpr char kTarget[] = "/v1/conference-sessions";
constexpr char kEventType[] = "ConferenceSessionRegistered";

// The position of a command's answer; nullopt when the body is not the contract's shape.
std::optional<uint64_t> AnsweredPosition(const std::string& body) {
  json value = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!value.is_object() || !value.contains("position") || !value["position"].is_number_unsigned())
    return std::nullopt;
  return value["position"].get<uint64_t>();
}

struct Options {
  std::string mode;
  uint16_t port = 0;
  std::string token;
  std::string dir;
  int cycle = 0;
  int writers = 8;
  int seconds = 60;
};

// ---- write ----

int RunWriters(const Options& options) {
  std::vector<int> failures(static_cast<size_t>(options.writers), 0);
  std::vector<uint64_t> acked(static_cast<size_t>(options.writers), 0);
  std::vector<std::thread> threads;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(options.seconds);
  for (int w = 0; w < options.writers; ++w) {
    threads.emplace_back([&, w] {
      const std::string prefix = "c" + std::to_string(options.cycle) + "-w" + std::to_string(w);
      std::ofstream log(fs::path(options.dir) / ("cycle-" + std::to_string(options.cycle) +
                                                 "-writer-" + std::to_string(w) + ".log"));
      Connection connection(options.port, options.token);
      for (uint64_t i = 0; connection.connected() && std::chrono::steady_clock::now() < deadline;
           ++i) {
        const std::string id = prefix + "-" + std::to_string(i);
        const std::string key = "crash-" + id;
        log << "sent " << key << ' ' << id << '\n' << std::flush;
        auto reply = connection.Send(http::verb::post, kTarget, CommandBody(id), key);
        if (!reply) break;  // the server is gone: this command's fate is unknown
        auto position = AnsweredPosition(reply->body);
        if (reply->status != 201 || !position) {
          std::cerr << "writer " << w << ": " << id << " answered " << reply->status << ": "
                    << reply->body << "\n";
          failures[static_cast<size_t>(w)] = 1;
          break;
        }
        log << "ack " << key << ' ' << id << ' ' << *position << '\n' << std::flush;
        ++acked[static_cast<size_t>(w)];
      }
    });
  }
  for (auto& thread : threads) thread.join();
  uint64_t total = 0;
  for (uint64_t a : acked) total += a;
  std::cout << "acknowledged " << total << "\n";
  for (int f : failures) {
    if (f != 0) return 1;
  }
  return 0;
}

// ---- check ----

struct Command {
  std::string id;
  std::optional<uint64_t> acked_position;
};

class Checker {
 public:
  explicit Checker(const Options& options) : options_(options) {}

  int Run() {
    if (!ReadLogs()) return 1;
    // The checkpoint first: the log read after it holds at least its tree.
    if (!ReadCheckpoint()) return 1;
    if (!ReadServerLog()) return 1;
    CheckLog();
    CheckCheckpoint();
    if (violations_ == 0) RetryUnacknowledged();
    if (violations_ == 0) RetryAcknowledgedSample();
    if (violations_ == 0) {
      // The retries appended: read everything again and check that each id is there once.
      if (!ReadServerLog()) return 1;
      CheckLog();
      for (const auto& [key, command] : commands_) {
        if (count_[command.id] != 1) {
          Violation(key + " (" + command.id + ") is present " + std::to_string(count_[command.id]) +
                    " times after the retries");
        }
      }
    }
    if (violations_ != 0) {
      std::cout << "FAILED: " << violations_ << " violation(s)\n";
      return 1;
    }
    uint64_t acked = 0;
    for (const auto& [key, command] : commands_) acked += command.acked_position ? 1 : 0;
    std::cout << "ok: head " << events_.size() << ", checkpoint of size " << checkpoint_size_
              << " matches its events, " << commands_.size() << " commands sent, " << acked
              << " acknowledged (retries included), " << retried_created_ << " retries created, "
              << retried_replayed_ << " retries answered the original\n";
    return 0;
  }

 private:
  void Violation(const std::string& what) {
    ++violations_;
    if (violations_ <= 50) std::cout << "violation: " << what << "\n";
  }

  bool ReadLogs() {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(options_.dir, ec)) {
      if (entry.path().extension() != ".log") continue;
      const std::string name = entry.path().filename().string();
      if (name.rfind("retries-", 0) == 0) ++retry_logs_;
      std::ifstream in(entry.path());
      std::string line;
      while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string verb, key, id;
        fields >> verb >> key >> id;
        if (verb == "sent") {
          commands_[key].id = id;
        } else if (verb == "ack") {
          uint64_t position = 0;
          fields >> position;
          Command& command = commands_[key];
          command.id = id;
          if (command.acked_position && *command.acked_position != position) {
            Violation(key + " was acknowledged at positions " +
                      std::to_string(*command.acked_position) + " and " + std::to_string(position));
          }
          command.acked_position = position;
        } else if (!line.empty()) {
          // A writer's last line may be cut only if the writer itself died, which the script
          // would have reported; anything else is a bug of this harness.
          Violation("unreadable log line in " + name + ": " + line);
        }
      }
    }
    if (ec) {
      std::cout << "cannot read " << options_.dir << ": " << ec.message() << "\n";
      return false;
    }
    return true;
  }

  // GET /v1/ledger/checkpoint: its tree size and root (the signature is the auditor's concern,
  // tests/audit; here the question is whether the tree matches the log after a crash).
  bool ReadCheckpoint() {
    Connection connection(options_.port, options_.token);
    auto reply = connection.Send(http::verb::get, "/v1/ledger/checkpoint", "");
    if (!reply || reply->status != 200) {
      std::cout << "cannot read /v1/ledger/checkpoint: "
                << (reply ? std::to_string(reply->status) + " " + reply->body : "no answer")
                << "\n";
      return false;
    }
    std::istringstream lines(reply->body);
    std::string origin, size, root;
    std::getline(lines, origin);
    std::getline(lines, size);
    std::getline(lines, root);
    unsigned char decoded[48];
    if (size.empty() || size.find_first_not_of("0123456789") != std::string::npos ||
        root.size() != 44 ||
        EVP_DecodeBlock(decoded, reinterpret_cast<const unsigned char*>(root.data()), 44) != 33) {
      std::cout << "the checkpoint is malformed: " << reply->body << "\n";
      return false;
    }
    checkpoint_size_ = std::stoull(size);
    checkpoint_root_.assign(reinterpret_cast<const char*>(decoded), 32);
    return true;
  }

  // RFC 9162's tree hash of leaves [begin, end), each leaf SHA-256(0x00 || event hash).
  static std::string TreeHash(const std::vector<std::string>& leaves, size_t begin, size_t end) {
    unsigned char digest[32];
    if (end - begin == 1) return leaves[begin];
    size_t k = 1;
    while (k * 2 < end - begin) k *= 2;
    const std::string node =
        "\x01" + TreeHash(leaves, begin, begin + k) + TreeHash(leaves, begin + k, end);
    SHA256(reinterpret_cast<const unsigned char*>(node.data()), node.size(), digest);
    return std::string(reinterpret_cast<const char*>(digest), 32);
  }

  // The checkpoint's tree is the tree of the log's first checkpoint_size_ events.
  void CheckCheckpoint() {
    if (checkpoint_size_ > events_.size()) {
      Violation("the checkpoint's tree size " + std::to_string(checkpoint_size_) +
                " is beyond the log's head " + std::to_string(events_.size()));
      return;
    }
    std::vector<std::string> leaves;
    for (size_t i = 0; i < checkpoint_size_; ++i) {
      const std::string hex = events_[i].value("hash", "");
      std::string leaf(1, '\0');
      for (size_t j = 0; j + 1 < hex.size(); j += 2) {
        leaf.push_back(static_cast<char>(std::stoi(hex.substr(j, 2), nullptr, 16)));
      }
      unsigned char digest[32];
      SHA256(reinterpret_cast<const unsigned char*>(leaf.data()), leaf.size(), digest);
      leaves.emplace_back(reinterpret_cast<const char*>(digest), 32);
    }
    std::string root;
    if (leaves.empty()) {
      unsigned char digest[32];
      SHA256(nullptr, 0, digest);
      root.assign(reinterpret_cast<const char*>(digest), 32);
    } else {
      root = TreeHash(leaves, 0, leaves.size());
    }
    if (root != checkpoint_root_) {
      Violation("the checkpoint's root for tree size " + std::to_string(checkpoint_size_) +
                " is not the root of the log's first " + std::to_string(checkpoint_size_) +
                " events");
    }
  }

  bool ReadServerLog() {
    events_.clear();
    Connection connection(options_.port, options_.token);
    uint64_t after = 0;
    for (;;) {
      auto reply = connection.Send(
          http::verb::get,
          "/v1/events?after=" + std::to_string(after) + "&limit=" + std::to_string(kPageSize), "");
      if (!reply || reply->status != 200) {
        std::cout << "cannot read /v1/events after " << after << ": "
                  << (reply ? std::to_string(reply->status) + " " + reply->body : "no answer")
                  << "\n";
        return false;
      }
      json page = json::parse(reply->body, nullptr, false);
      if (!page.is_object() || !page["events"].is_array()) {
        std::cout << "/v1/events answered something else than a page: " << reply->body << "\n";
        return false;
      }
      for (auto& event : page["events"]) {
        events_.push_back(std::move(event));
        after = events_.back().value("position", uint64_t{0});
      }
      if (page["events"].size() < kPageSize) return true;
    }
  }

  void CheckLog() {
    count_.clear();
    std::map<std::string, std::string> known_ids;  // id -> key
    for (const auto& [key, command] : commands_) known_ids[command.id] = key;
    for (size_t i = 0; i < events_.size(); ++i) {
      const json& event = events_[i];
      const uint64_t position = event.value("position", uint64_t{0});
      if (position != i + 1) {
        Violation("position " + std::to_string(position) + " where " + std::to_string(i + 1) +
                  " was expected (a gap or a repeat)");
        return;
      }
      if (event.value("type", "") != kEventType) continue;
      const std::string id = event["data"].value("conference_session", "");
      if (event.value("stream", "") != "conference-session-" + id) {
        Violation("event " + std::to_string(position) + " is in stream " +
                  event.value("stream", "") + ", not conference-session-" + id);
      }
      if (!known_ids.contains(id)) {
        Violation("event " + std::to_string(position) + " registers " + id +
                  ", which no writer sent");
      }
      ++count_[id];
    }
    for (const auto& [key, command] : commands_) {
      const uint64_t n = count_[command.id];
      if (n > 1) Violation(command.id + " is present " + std::to_string(n) + " times");
      if (!command.acked_position) continue;
      if (n == 0) {
        Violation(command.id + " was acknowledged at position " +
                  std::to_string(*command.acked_position) + " but is missing (lost)");
        continue;
      }
      const uint64_t position = *command.acked_position;
      if (position == 0 || position > events_.size() ||
          events_[position - 1]["data"].value("conference_session", "") != command.id) {
        Violation(command.id + " was acknowledged at position " + std::to_string(position) +
                  " but that position holds something else");
      }
    }
  }

  void RetryUnacknowledged() {
    std::ofstream log(fs::path(options_.dir) / ("retries-" + std::to_string(retry_logs_) + ".log"));
    Connection connection(options_.port, options_.token);
    for (auto& [key, command] : commands_) {
      if (command.acked_position) continue;
      const bool was_committed = count_[command.id] == 1;
      auto reply = connection.Send(http::verb::post, kTarget, CommandBody(command.id), key);
      if (!reply) {
        Violation("retry of " + key + ": no answer");
        return;
      }
      auto position = AnsweredPosition(reply->body);
      const int expected = was_committed ? 200 : 201;
      if (reply->status != expected || !position) {
        Violation("retry of " + key + (was_committed ? " (committed)" : " (not committed)") +
                  " answered " + std::to_string(reply->status) + ", expected " +
                  std::to_string(expected) + ": " + reply->body);
        continue;
      }
      if (was_committed) {
        ++retried_replayed_;
        if (*position == 0 || *position > events_.size() ||
            events_[*position - 1]["data"].value("conference_session", "") != command.id) {
          Violation("retry of " + key + " answered position " + std::to_string(*position) +
                    ", which holds another event");
        }
      } else {
        ++retried_created_;
      }
      command.acked_position = *position;
      log << "ack " << key << ' ' << command.id << ' ' << *position << '\n' << std::flush;
    }
  }

  void RetryAcknowledgedSample() {
    Connection connection(options_.port, options_.token);
    size_t step = commands_.size() / kAckedRetrySample + 1;
    size_t i = 0;
    for (const auto& [key, command] : commands_) {
      if (i++ % step != 0 || !command.acked_position) continue;
      auto reply = connection.Send(http::verb::post, kTarget, CommandBody(command.id), key);
      if (!reply) {
        Violation("retry of " + key + ": no answer");
        return;
      }
      auto position = AnsweredPosition(reply->body);
      if (reply->status != 200 || position != command.acked_position) {
        Violation("retry of acknowledged " + key + " answered " + std::to_string(reply->status) +
                  " " + reply->body + ", expected 200 with position " +
                  std::to_string(*command.acked_position));
      }
    }
  }

  const Options& options_;
  std::map<std::string, Command> commands_;  // by idempotency key
  std::vector<json> events_;
  uint64_t checkpoint_size_ = 0;
  std::string checkpoint_root_;            // 32 raw bytes
  std::map<std::string, uint64_t> count_;  // ConferenceSessionRegistered events by id
  int retry_logs_ = 0;
  int violations_ = 0;
  uint64_t retried_created_ = 0;
  uint64_t retried_replayed_ = 0;
};

int Usage() {
  std::cerr << "usage: dialogue_crash_client write|check --port P --token T --dir D "
               "[--cycle C] [--writers N] [--seconds S]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return Usage();
  Options options;
  options.mode = argv[1];
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string name = argv[i];
    const std::string value = argv[i + 1];
    if (name == "--port") {
      options.port = static_cast<uint16_t>(std::stoi(value));
    } else if (name == "--token") {
      options.token = value;
    } else if (name == "--dir") {
      options.dir = value;
    } else if (name == "--cycle") {
      options.cycle = std::stoi(value);
    } else if (name == "--writers") {
      options.writers = std::stoi(value);
    } else if (name == "--seconds") {
      options.seconds = std::stoi(value);
    } else {
      return Usage();
    }
  }
  if (options.port == 0 || options.token.empty() || options.dir.empty()) return Usage();
  if (options.mode == "write") return RunWriters(options);
  if (options.mode == "check") return Checker(options).Run();
  return Usage();
}
