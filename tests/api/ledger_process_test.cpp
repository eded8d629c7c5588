// `dialogue serve`'s ledger key as a process: made once at first start and kept, and the ways a
// key or origin makes serve refuse to start; `dialogue audit` against the real server, honest,
// tampered with and rolled back.
#include <rocksdb/db.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "engine/codec.hpp"
#include "tests/api/test_support.hpp"

namespace dialogue::api {
namespace {

using testing::Bearer;
using testing::HttpClient;
using testing::ServerProcess;

std::string PublicKey(const ServerProcess& server) {
  HttpClient client(server.port());
  testing::Reply reply =
      client.Send("GET", "/v1/ledger/public-key", Bearer(testing::kAuditorToken));
  REQUIRE(reply.status == 200);
  return reply.body;
}

TEST_CASE("serve makes its ledger key once, mode 0600, and keeps it", "[ledger][process]") {
  testing::TempDir dir;
  testing::WriteFile(dir.Path("tokens.json"), testing::TokensJson());
  std::string first;
  {
    ServerProcess server(dir.Path("data"), dir.Path("tokens.json"));
    first = PublicKey(server);
    CHECK(first.rfind("dialogue.local/ledger+", 0) == 0);
  }
  struct stat st {};
  REQUIRE(::stat(dir.Path("data/ledger-signing.key").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  ServerProcess again(dir.Path("data"), dir.Path("tokens.json"));
  CHECK(PublicKey(again) == first);
  ServerProcess named(dir.Path("data2"), dir.Path("tokens.json"),
                      {"--ledger-key", dir.Path("data/ledger-signing.key"), "--ledger-origin",
                       "example.org/dialogue"});
  const std::string renamed = PublicKey(named);
  CHECK(renamed.rfind("example.org/dialogue+", 0) == 0);
  CHECK(renamed.substr(renamed.rfind('+')) == first.substr(first.rfind('+')));  // the same key
}

TEST_CASE("serve refuses to start on a bad ledger key or origin", "[ledger][process]") {
  testing::TempDir dir;
  testing::WriteFile(dir.Path("tokens.json"), testing::TokensJson());
  const auto serve = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"serve",       "--data",   dir.Path("data"),       "--listen",
                                     "127.0.0.1:0", "--tokens", dir.Path("tokens.json")};
    args.insert(args.end(), extra.begin(), extra.end());
    return testing::RunDialogue(args);
  };
  // A key file to spoil, made by a first start.
  { ServerProcess first(dir.Path("made"), dir.Path("tokens.json")); }
  const std::string key = dir.Path("made/ledger-signing.key");

  CHECK(serve({"--ledger-origin", "two words"}) == 2);
  CHECK(serve({"--ledger-origin", "a+b"}) == 2);
  CHECK(serve({"--ledger-origin", ""}) == 2);
  CHECK(serve({"--ledger-key", dir.Path("missing.pem")}) == 2);
  testing::WriteFile(dir.Path("not-a-key.pem"), "-----BEGIN PRIVATE KEY-----\nAAAA\n");
  ::chmod(dir.Path("not-a-key.pem").c_str(), 0600);
  CHECK(serve({"--ledger-key", dir.Path("not-a-key.pem")}) == 2);
  ::chmod(key.c_str(), 0644);
  CHECK(serve({"--ledger-key", key}) == 2);
  ::chmod(key.c_str(), 0600);
  CHECK(serve({"--ledger-key", dir.Path("made")}) == 2);  // a folder
}

void RegisterStakeholders(const ServerProcess& server, int from, int to) {
  HttpClient client(server.port());
  for (int i = from; i < to; ++i) {
    const std::string body = R"({"id":"ngo-)" + std::to_string(i) + R"(","name":"NGO )" +
                             std::to_string(i) + R"(","category":"ngo","ecosoc_status":"special"})";
    auto headers = Bearer(testing::kSecretariatToken);
    headers["Content-Type"] = "application/json";
    REQUIRE(client.Send("POST", "/v1/stakeholders", headers, body).status == 201);
  }
}

// Rewrites the data of the event at `position` in a stopped server's store, its hash kept: what
// an intruder with the disk, or a server lying about one event, would show.
void TamperWithEvent(const std::string& path, uint64_t position) {
  std::vector<std::string> names;
  REQUIRE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names).ok());
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const std::string& name : names) families.emplace_back(name, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  REQUIRE(rocksdb::DB::Open(rocksdb::DBOptions(), path, families, &handles, &db).ok());
  rocksdb::ColumnFamilyHandle* events = nullptr;
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == "events") events = handles[i];
  }
  std::string value;
  const std::string key = engine::codec::U64Key(position);
  REQUIRE(db->Get(rocksdb::ReadOptions(), events, key, &value).ok());
  engine::RecordedEvent event = engine::codec::DecodeEvent(value).value();
  event.data = R"({"category":"ngo","ecosoc_status":"general","id":"ngo-1","name":"Someone else"})";
  REQUIRE(db->Put(rocksdb::WriteOptions(), events, key, engine::codec::EncodeEvent(event)).ok());
  for (auto* handle : handles) REQUIRE(db->DestroyColumnFamilyHandle(handle).ok());
  delete db;
}

class AuditRun {
 public:
  AuditRun(testing::TempDir& dir, const std::string& vkey) : dir_(dir) {
    testing::WriteFile(dir.Path("token"), std::string(testing::kAuditorToken) + "\n");
    testing::WriteFile(dir.Path("vkey"), vkey + "\n");
  }
  // dialogue audit's exit status; its stdout in output().
  int Run(const ServerProcess& server, const std::string& state, std::vector<std::string> extra) {
    std::vector<std::string> args = {"audit",
                                     "--url",
                                     "http://127.0.0.1:" + std::to_string(server.port()),
                                     "--token-file",
                                     dir_.Path("token"),
                                     "--vkey",
                                     dir_.Path("vkey"),
                                     "--state",
                                     dir_.Path(state)};
    args.insert(args.end(), extra.begin(), extra.end());
    const int code = testing::RunDialogue(args, "", dir_.Path("audit.out"));
    output_ = testing::ReadFile(dir_.Path("audit.out"));
    return code;
  }
  const std::string& output() const { return output_; }

 private:
  testing::TempDir& dir_;
  std::string output_;
};

TEST_CASE("dialogue audit verifies the real server, and catches it tampered with or rolled back",
          "[ledger][process][audit]") {
  namespace fs = std::filesystem;
  testing::TempDir dir;
  testing::WriteFile(dir.Path("tokens.json"), testing::TokensJson());
  const std::string data = dir.Path("data");
  std::string vkey;
  {
    ServerProcess server(data, dir.Path("tokens.json"));
    vkey = PublicKey(server);
    RegisterStakeholders(server, 1, 6);
  }
  fs::copy(data, dir.Path("data-at-5"), fs::copy_options::recursive);
  AuditRun audit(dir, vkey);
  {
    ServerProcess server(data, dir.Path("tokens.json"));
    REQUIRE(audit.Run(server, "state", {"--all", "--position", "3"}) == 0);
    CHECK_THAT(audit.output(), Catch::Contains("dialogue.local/ledger"));
    const std::string first = testing::ReadFile(dir.Path("state"));
    CHECK_THAT(first, Catch::StartsWith("dialogue.local/ledger\n5\n"));
    RegisterStakeholders(server, 6, 12);
    REQUIRE(audit.Run(server, "state", {"--all", "--position", "11"}) == 0);
    CHECK_THAT(testing::ReadFile(dir.Path("state")),
               Catch::StartsWith("dialogue.local/ledger\n11\n"));
    // A position beyond the checkpoint proves nothing either way.
    CHECK(audit.Run(server, "state", {"--position", "12"}) == 2);
  }
  SECTION("an event changed on disk, its hash kept") {
    TamperWithEvent(data, 3);
    ServerProcess server(data, dir.Path("tokens.json"));
    CHECK(audit.Run(server, "state", {"--position", "3"}) == 1);
    CHECK(audit.Run(server, "fresh-state", {"--all"}) == 1);
    CHECK_FALSE(fs::exists(dir.Path("fresh-state")));
    CHECK(audit.Run(server, "state", {"--position", "4"}) == 0);  // the others still prove
  }
  SECTION("the store rolled back to an older copy") {
    // The older copy's server refuses to sign below what it signed, while it remembers...
    fs::remove_all(data);
    fs::copy(dir.Path("data-at-5"), data, fs::copy_options::recursive);
    testing::WriteFile(data + "/ledger-checkpoint",
                       testing::ReadFile(dir.Path("state")));  // what it signed at 11
    {
      ServerProcess server(data, dir.Path("tokens.json"));
      CHECK(audit.Run(server, "state", {}) == 2);  // 503: no checkpoint to verify
    }
    // ...and one that forgot signs the smaller tree, which the auditor's state refuses.
    fs::remove(data + "/ledger-checkpoint");
    ServerProcess server(data, dir.Path("tokens.json"));
    const std::string saved = testing::ReadFile(dir.Path("state"));
    CHECK(audit.Run(server, "state", {}) == 1);
    CHECK(testing::ReadFile(dir.Path("state")) == saved);  // untouched
  }
}

}  // namespace
}  // namespace dialogue::api
