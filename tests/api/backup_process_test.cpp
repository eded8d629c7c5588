// Backups of a running server (docs/operations.md, "Backups"): `dialogue backup` and
// POST /v1/admin/backups while commands are written, `dialogue restore` of each; a backup killed
// midway leaves nothing that restore accepts.
#include <signal.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "engine/backup.hpp"
#include "tests/api/test_support.hpp"

namespace dialogue::api {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::Bearer;
using testing::HttpClient;

constexpr char kOperatorToken[] = "token-operator-4321";

std::string TokensWithOperator() {
  json tokens = json::parse(testing::TokensJson());
  tokens["tokens"].push_back(
      {{"token_sha256", Sha256Hex(kOperatorToken)}, {"actor", "ops-kim"}, {"roles", {"operator"}}});
  return tokens.dump();
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Registers stakeholders through the server until told to stop; the highest position answered.
class Writer {
 public:
  explicit Writer(uint16_t port) : thread_([this, port] { Run(port); }) {}
  ~Writer() { Stop(); }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  uint64_t acknowledged() const { return acknowledged_; }
  int written() const { return written_; }

 private:
  void Run(uint16_t port) {
    HttpClient http(port);
    for (int i = 0; !stop_; ++i) {
      auto headers = Bearer(testing::kSecretariatToken);
      headers["Content-Type"] = "application/json";
      const json body = {{"id", "ngo-" + std::to_string(i)},
                         {"name", "NGO " + std::to_string(i)},
                         {"category", "ngo"},
                         {"ecosoc_status", "special"}};
      testing::Reply reply = http.Send("POST", "/v1/stakeholders", headers, body.dump());
      if (reply.status != 201) return;
      acknowledged_ = json::parse(reply.body)["position"].get<uint64_t>();
      ++written_;
    }
  }
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> acknowledged_{0};
  std::atomic<int> written_{0};
  std::thread thread_;
};

TEST_CASE("Backups of a running server restore to a verified store", "[process][backup]") {
  testing::TempDir dir;
  const std::string data = dir.Path("data");
  const std::string tokens = dir.Path("tokens.json");
  testing::WriteFile(tokens, TokensWithOperator());
  testing::ServerProcess server(data, tokens, {"--backups", dir.Path("backups")});
  Writer writer(server.port());
  while (writer.written() < 20) std::this_thread::sleep_for(std::chrono::milliseconds(10));

  // By the HTTP route, as the operator.
  HttpClient http(server.port());
  const uint64_t before = writer.acknowledged();
  testing::Reply made = http.Send("POST", "/v1/admin/backups", Bearer(kOperatorToken), "");
  REQUIRE(made.status == 201);
  const json info = json::parse(made.body);
  CHECK(info["head_position"].get<uint64_t>() >= before);
  const std::string path = info["path"];
  CHECK(fs::path(path).parent_path() == fs::path(dir.Path("backups")));

  // By the command line, beside the server.
  const uint64_t before_cli = writer.acknowledged();
  const std::string cli_backup = dir.Path("cli-backup");
  REQUIRE(testing::RunDialogue({"backup", "--data", data, "--to", cli_backup}, "",
                               dir.Path("backup.out")) == 0);
  CHECK_THAT(ReadText(dir.Path("backup.out")), Catch::StartsWith("backup: " + cli_backup));
  auto cli_info = engine::ReadBackup(cli_backup);
  REQUIRE(cli_info);
  CHECK(cli_info->head_position >= before_cli);
  writer.Stop();

  // Each restores into a new folder and verifies, at the backup's head.
  for (const auto& [backup, head] : {std::pair{path, info["head_position"].get<uint64_t>()},
                                     std::pair{cli_backup, cli_info->head_position}}) {
    const std::string restored = dir.Path("restored-" + fs::path(backup).filename().string());
    const std::string out = restored + ".out";
    REQUIRE(testing::RunDialogue({"restore", "--from", backup, "--data", restored}, "", out) == 0);
    CHECK_THAT(ReadText(out),
               Catch::StartsWith("restored: head position " + std::to_string(head) + " hash "));
    REQUIRE(testing::RunDialogue({"verify", "--data", restored}) == 0);
    // A second restore into the same folder is refused.
    CHECK(testing::RunDialogue({"restore", "--from", backup, "--data", restored}) == 1);
  }

  // Nobody but the operator.
  CHECK(http.Send("POST", "/v1/admin/backups", Bearer(testing::kSecretariatToken), "").status ==
        403);
  CHECK(http.Send("POST", "/v1/admin/backups", Bearer(testing::kAuditorToken), "").status == 403);
}

TEST_CASE("Without a backup folder the backup route answers 503", "[process][backup]") {
  testing::TempDir dir;
  const std::string tokens = dir.Path("tokens.json");
  testing::WriteFile(tokens, TokensWithOperator());
  testing::ServerProcess server(dir.Path("data"), tokens);
  HttpClient http(server.port());
  testing::Reply reply = http.Send("POST", "/v1/admin/backups", Bearer(kOperatorToken), "");
  CHECK(reply.status == 503);
  CHECK(reply.Header("content-type") == "application/problem+json");
}

// kill -9 at increasing moments of `dialogue backup`: whatever is left is either a complete
// backup that restores, or nothing restore accepts.
TEST_CASE("A backup killed midway leaves nothing restore accepts", "[process][backup]") {
  testing::TempDir dir;
  const std::string data = dir.Path("data");
  {
    engine::RocksDbOptions options;
    options.path = data;
    auto store = engine::OpenRocksDbEventStore(options).value();
    for (int i = 0; i < 20; ++i)
      testing::AppendEvents(*store, "briefing-b" + std::to_string(i), 50);
  }
  int complete = 0;
  int interrupted = 0;
  for (int delay_ms : {0, 2, 5, 10, 20, 40, 80}) {
    const std::string to = dir.Path("backup-" + std::to_string(delay_ms));
    const pid_t pid =
        testing::SpawnProgram({DIALOGUE_BINARY, "backup", "--data", data, "--to", to});
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    kill(pid, SIGKILL);
    testing::WaitProgram(pid);
    const std::string restored = dir.Path("restored-" + std::to_string(delay_ms));
    const int code = testing::RunDialogue({"restore", "--from", to, "--data", restored});
    if (engine::ReadBackup(to)) {
      ++complete;
      CHECK(code == 0);
    } else {
      ++interrupted;
      CHECK(code == 1);
      CHECK_FALSE(fs::exists(restored));
      // The next backup there completes.
      REQUIRE(testing::RunDialogue({"backup", "--data", data, "--to", to}) == 0);
      REQUIRE(testing::RunDialogue({"restore", "--from", to, "--data", restored}) == 0);
    }
  }
  CHECK(complete + interrupted == 7);
  CHECK(interrupted >= 1);  // killed at once, it cannot have finished
}

}  // namespace
}  // namespace dialogue::api
