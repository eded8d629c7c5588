// `dialogue serve --tls-cert --tls-key` as a real process, with a self-signed certificate made
// at test time by the openssl command and curl as the client (both from Debian's packages).
#include <catch2/catch.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/api/test_support.hpp"

namespace dialogue::api {
namespace {

using testing::HttpClient;
using testing::Reply;

class TlsFixture {
 public:
  TlsFixture()
      : data_(dir_.Path("data")),
        tokens_(dir_.Path("tokens.json")),
        cert_(dir_.Path("cert.pem")),
        key_(dir_.Path("key.pem")) {
    testing::WriteFile(tokens_, testing::TokensJson());
    engine::RocksDbOptions options;
    options.path = data_;
    auto store = engine::OpenRocksDbEventStore(options).value();
    testing::AppendEvents(*store, "briefing-b1", 3);
    store.reset();
    const int made = testing::RunProgram(
        {"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", key_, "-out", cert_, "-days", "2", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"},
        "", dir_.Path("openssl.out"));
    REQUIRE(made == 0);
  }

  // Runs curl with args (the URL among them); {exit status, stdout}.
  std::pair<int, std::string> Curl(std::vector<std::string> args) {
    std::vector<std::string> argv = {"curl", "--silent", "--show-error", "--max-time", "60"};
    argv.insert(argv.end(), args.begin(), args.end());
    const std::string out = dir_.Path("curl.out");
    const int status = testing::RunProgram(argv, "", out);
    return {status, testing::ReadFile(out)};
  }

  std::string Https(uint16_t port, const std::string& path) const {
    return "https://127.0.0.1:" + std::to_string(port) + path;
  }

 protected:
  testing::TempDir dir_;
  std::string data_;
  std::string tokens_;
  std::string cert_;
  std::string key_;
};

TEST_CASE_METHOD(TlsFixture, "serve over TLS answers GET and POST, plain HTTP is refused",
                 "[process][tls]") {
  testing::ServerProcess server(data_, tokens_, {"--tls-cert", cert_, "--tls-key", key_});
  const uint16_t port = server.port();
  const std::string auth = std::string("Authorization: Bearer ");

  SECTION("GET and POST over https, verified against the certificate") {
    auto [status, out] = Curl({"--cacert", cert_, "-w", "\n%{http_code}", Https(port, "/healthz")});
    CHECK(status == 0);
    CHECK(out == "{\"status\":\"ok\"}\n200");

    std::tie(status, out) = Curl(
        {"--cacert", cert_, "-w", "\n%{http_code}", "-H", auth + testing::kSecretariatToken, "-H",
         "Content-Type: application/json", "--data",
         R"({"id":"wg-tls","name":"Working Group on TLS"})", Https(port, "/v1/working-groups")});
    CHECK(status == 0);
    CHECK_THAT(out, Catch::EndsWith("\n201"));

    std::tie(status, out) = Curl({"--cacert", cert_, "-H", auth + testing::kAuditorToken,
                                  Https(port, "/v1/events?after=3")});
    REQUIRE(status == 0);
    auto body = nlohmann::json::parse(out);
    CHECK(body["head"] == 4);
    REQUIRE(body["events"].size() == 1);
    CHECK(body["events"][0]["type"] == "WorkingGroupRegistered");
  }

  SECTION("the console's session cookie is Secure over TLS, and so is the one that removes it") {
    const std::string headers = dir_.Path("headers.txt");
    auto [status, out] =
        Curl({"--cacert", cert_, "-D", headers, "-o", "/dev/null", "-X", "POST", "-H",
              auth + testing::kSecretariatToken, Https(port, "/v1/session")});
    REQUIRE(status == 0);
    std::string received = testing::ReadFile(headers);
    CHECK_THAT(received, Catch::Contains("HTTP/1.1 201"));
    CHECK_THAT(received, Catch::Contains("; HttpOnly; SameSite=Strict; Secure\r\n"));

    std::tie(status, out) =
        Curl({"--cacert", cert_, "-D", headers, "-o", "/dev/null", "-X", "DELETE", "-H",
              auth + testing::kSecretariatToken, Https(port, "/v1/session")});
    REQUIRE(status == 0);
    received = testing::ReadFile(headers);
    CHECK_THAT(received, Catch::Contains("HTTP/1.1 204"));
    CHECK_THAT(received, Catch::Contains("Max-Age=0; HttpOnly; SameSite=Strict; Secure\r\n"));
  }

  SECTION("a client that does not trust the certificate fails the handshake") {
    auto [status, out] = Curl({Https(port, "/healthz")});
    CHECK(status == 60);  // CURLE_PEER_FAILED_VERIFICATION
    CHECK(out.empty());
  }

  SECTION("TLS below 1.2 is refused") {
    auto [status, out] = Curl({"--cacert", cert_, "--tlsv1.0", "--tls-max", "1.1", "--ciphers",
                               "DEFAULT@SECLEVEL=0", Https(port, "/healthz")});
    CHECK(status == 35);  // CURLE_SSL_CONNECT_ERROR
    CHECK(out.empty());
  }

  SECTION("plain HTTP to the TLS port gets a plain 400 and the connection closes") {
    auto [status, out] =
        Curl({"-w", "\n%{http_code}", "http://127.0.0.1:" + std::to_string(port) + "/healthz"});
    CHECK(status == 0);
    CHECK_THAT(out, Catch::Contains("this port speaks HTTPS") && Catch::EndsWith("\n400"));

    HttpClient plain(port);
    Reply reply = plain.Send("GET", "/healthz");
    CHECK(reply.status == 400);
    CHECK(reply.Header("content-type") == "application/problem+json");
    CHECK(plain.ServerClosed());
  }

  SECTION("a subscription streams over TLS and ends cleanly when the server stops") {
    const std::string out_path = dir_.Path("sse.out");
    const pid_t curl = testing::SpawnProgram(
        {"curl", "--silent", "--show-error", "--no-buffer", "--max-time", "60", "--cacert", cert_,
         "-H", auth + testing::kAuditorToken, Https(port, "/v1/subscribe?after=0")},
        "", out_path);
    // The history (positions 1 to 3) comes at once; wait for it, bounded.
    bool seen = false;
    for (int i = 0; i < 600 && !seen; ++i) {
      seen = testing::ReadFile(out_path).find("id: 3\n") != std::string::npos;
      if (!seen) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    CHECK(seen);
    CHECK(server.Terminate() == 0);
    // The stream ended with its last chunk: curl exits 0, not 18 (partial) or 56 (receive error).
    CHECK(testing::WaitProgram(curl) == 0);
    const std::string events = testing::ReadFile(out_path);
    CHECK_THAT(events, Catch::Contains("id: 1\n") && Catch::Contains("id: 2\n"));
  }
}

TEST_CASE_METHOD(TlsFixture, "serve refuses a key that does not match the certificate",
                 "[process][tls]") {
  const std::string other_key = dir_.Path("other.pem");
  REQUIRE(testing::RunProgram({"openssl", "genpkey", "-algorithm", "ec", "-pkeyopt",
                               "ec_paramgen_curve:prime256v1", "-out", other_key}) == 0);
  CHECK(testing::RunDialogue({"serve", "--data", data_, "--tokens", tokens_, "--listen",
                              "127.0.0.1:0", "--tls-cert", cert_, "--tls-key", other_key}) == 2);
  CHECK(testing::RunDialogue({"serve", "--data", data_, "--tokens", tokens_, "--listen",
                              "127.0.0.1:0", "--tls-cert", cert_}) != 0);  // both or neither
}

}  // namespace
}  // namespace dialogue::api
