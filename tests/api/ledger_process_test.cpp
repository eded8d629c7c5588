// `dialogue serve`'s ledger key as a process: made once at first start and kept, and the ways a
// key or origin makes serve refuse to start.
#include <sys/stat.h>

#include <catch2/catch.hpp>

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

}  // namespace
}  // namespace dialogue::api
