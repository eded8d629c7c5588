// `dialogue serve` as a real process: the listening line, every endpoint, refusals, SIGTERM.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/api/test_support.hpp"

namespace dialogue::api {
namespace {

using testing::Bearer;
using testing::HttpClient;
using testing::Reply;

nlohmann::json Json(const Reply& reply) { return nlohmann::json::parse(reply.body); }

class ProcessFixture {
 public:
  ProcessFixture() : data_(dir_.Path("data")), tokens_(dir_.Path("tokens.json")) {
    testing::WriteFile(tokens_, testing::TokensJson());
    // Some history, written through the store API before the server owns the folder.
    engine::RocksDbOptions options;
    options.path = data_;
    auto store = engine::OpenRocksDbEventStore(options).value();
    testing::AppendEvents(*store, "briefing-b1", 3);
    testing::AppendEvents(*store, "meeting-m1", 2);
    head_ = store->Head();
  }

 protected:
  testing::TempDir dir_;
  std::string data_;
  std::string tokens_;
  engine::LedgerHead head_;
};

TEST_CASE_METHOD(ProcessFixture, "serve answers every endpoint and stops on SIGTERM", "[process]") {
  testing::ServerProcess server(data_, tokens_);
  HttpClient client(server.port());
  const auto auditor = Bearer(testing::kAuditorToken);

  SECTION("healthz needs no token") {
    Reply reply = client.Send("GET", "/healthz");
    CHECK(reply.status == 200);
    CHECK(Json(reply) == nlohmann::json{{"status", "ok"}});
  }
  SECTION("the log pages by position") {
    Reply reply = client.Send("GET", "/v1/events", auditor);
    REQUIRE(reply.status == 200);
    auto body = Json(reply);
    CHECK(body["head"] == 5);
    REQUIRE(body["events"].size() == 5);
    CHECK(body["events"][0]["position"] == 1);
    CHECK(body["events"][0]["data"]["i"] == 0);
    CHECK(body["events"][4]["hash"] == head_.hash);

    body = Json(client.Send("GET", "/v1/events?after=2&limit=2", auditor));
    REQUIRE(body["events"].size() == 2);
    CHECK(body["events"][0]["position"] == 3);
    CHECK(body["events"][1]["position"] == 4);
    CHECK(body["head"] == 5);
  }
  SECTION("a stream pages by version") {
    Reply reply = client.Send("GET", "/v1/streams/meeting-m1/events?after=1", auditor);
    REQUIRE(reply.status == 200);
    auto body = Json(reply);
    REQUIRE(body["events"].size() == 1);
    CHECK(body["events"][0]["stream"] == "meeting-m1");
    CHECK(body["events"][0]["version"] == 2);
    CHECK(body["events"][0]["position"] == 5);
    CHECK(client.Send("GET", "/v1/streams/meeting-m9/events", auditor).status == 404);
  }
  SECTION("bad paging numbers answer 400") {
    for (const char* target :
         {"/v1/events?limit=1001", "/v1/events?limit=0", "/v1/events?after=-1",
          "/v1/events?after=x", "/v1/streams/meeting-m1/events?limit=99999999999999999999999"}) {
      Reply reply = client.Send("GET", target, auditor);
      CHECK(reply.status == 400);
      CHECK(Json(reply)["code"] == "bad_request");
      CHECK(Json(reply)["errors"].size() == 1);
    }
    CHECK(client.Send("GET", "/v1/events?limit=1000", auditor).status == 200);
  }
  SECTION("the ledger head and its verification") {
    auto head = Json(client.Send("GET", "/v1/ledger/head", auditor));
    CHECK(head == nlohmann::json{{"position", 5}, {"hash", head_.hash}});
    auto verify = Json(client.Send("GET", "/v1/ledger/verify", auditor));
    CHECK(verify["ok"] == true);
    CHECK(verify["head"] == 5);
    CHECK(verify["first_bad_position"].is_null());
  }
  SECTION("metrics, for the roles that read the log") {
    Reply reply = client.Send("GET", "/metrics", auditor);
    CHECK(reply.status == 200);
    CHECK_THAT(reply.body, Catch::Contains("dialogue_ledger_head_position 5"));
    CHECK(client.Send("GET", "/metrics", Bearer(testing::kStakeholderToken)).status == 403);
  }
  SECTION("401 without or with an unknown token, 403 for a role that may not read the log") {
    Reply missing = client.Send("GET", "/v1/ledger/head");
    CHECK(missing.status == 401);
    CHECK(Json(missing)["code"] == "unauthorized");
    CHECK(missing.Header("content-type") == "application/problem+json");
    CHECK(client.Send("GET", "/v1/events", Bearer("guess")).status == 401);
    Reply forbidden = client.Send("GET", "/v1/events", Bearer(testing::kStakeholderToken));
    CHECK(forbidden.status == 403);
    CHECK(Json(forbidden)["code"] == "forbidden");
  }
  SECTION("a body over 1 MiB answers 413 and appends nothing") {
    Reply reply =
        client.Send("POST", "/v1/events",
                    {{"Authorization", std::string("Bearer ") + testing::kSecretariatToken},
                     {"Content-Type", "application/json"}},
                    std::string(1024 * 1024 + 10, ' '));
    CHECK(reply.status == 413);
    CHECK(Json(reply)["code"] == "payload_too_large");
    HttpClient again(server.port());
    CHECK(Json(again.Send("GET", "/v1/ledger/head", auditor))["position"] == 5);
  }
  CHECK(server.Terminate() == 0);
  CHECK(server.RestOfStdout().empty());  // exactly one line on stdout
}

// /metrics shows the store an operator alerts on, and Prometheus' own checker accepts it.
TEST_CASE_METHOD(ProcessFixture, "Metrics show the store and pass promtool check metrics",
                 "[process][metrics]") {
  testing::ServerProcess server(data_, tokens_);
  HttpClient client(server.port());
  auto secretariat = Bearer(testing::kSecretariatToken);
  secretariat["Content-Type"] = "application/json";
  for (int i = 0; i < 3; ++i) {
    const nlohmann::json body = {{"id", "ngo-" + std::to_string(i)},
                                 {"name", "NGO"},
                                 {"category", "ngo"},
                                 {"ecosoc_status", "special"}};
    REQUIRE(client.Send("POST", "/v1/stakeholders", secretariat, body.dump()).status == 201);
  }
  Reply reply = client.Send("GET", "/metrics", Bearer(testing::kAuditorToken));
  REQUIRE(reply.status == 200);
  // Three commands, three groups of one event each, each synced once.
  CHECK_THAT(reply.body, Catch::Contains("dialogue_commit_duration_seconds_count 3"));
  CHECK_THAT(reply.body, Catch::Contains("dialogue_commit_group_events_bucket{le=\"1\"} 3"));
  CHECK_THAT(reply.body, Catch::Contains("dialogue_commit_group_events_sum 3"));
  for (const char* name :
       {"dialogue_store_live_data_bytes ", "dialogue_store_pending_compaction_bytes ",
        "dialogue_store_memtable_bytes ", "dialogue_store_write_stopped 0",
        "dialogue_store_delayed_write_rate_bytes ", "dialogue_store_background_errors 0",
        "dialogue_disk_free_bytes "}) {
    CHECK_THAT(reply.body, Catch::Contains(name));
  }
  const std::string scraped = dir_.Path("metrics.txt");
  testing::WriteFile(scraped, reply.body);
  CHECK(testing::RunProgram({"promtool", "check", "metrics"}, scraped) == 0);
}

TEST_CASE("serve creates a missing data folder and fails on a bad tokens file", "[process]") {
  testing::TempDir dir;
  testing::WriteFile(dir.Path("tokens.json"), testing::TokensJson());
  {
    testing::ServerProcess server(dir.Path("new/data"), dir.Path("tokens.json"));
    HttpClient client(server.port());
    CHECK(Json(client.Send("GET", "/v1/ledger/head", Bearer(testing::kAuditorToken)))["position"] ==
          0);
    CHECK(server.Terminate() == 0);
  }
  CHECK(std::filesystem::is_directory(dir.Path("new/data")));

  testing::WriteFile(dir.Path("bad.json"), R"({"tokens":[{"token_sha256":"x"}]})");
  CHECK(testing::RunDialogue({"serve", "--data", dir.Path("d2"), "--listen", "127.0.0.1:0",
                              "--tokens", dir.Path("bad.json")}) == 2);
  CHECK(testing::RunDialogue({"serve", "--data", dir.Path("d2"), "--listen", "nonsense", "--tokens",
                              dir.Path("tokens.json")}) == 2);
}

}  // namespace
}  // namespace dialogue::api
