// A failing disk under the API: the RocksDB store over FileFaults (engine/file_faults.hpp), the
// full router on top. Commands answer 503 problems, reads go on, /healthz says unavailable; a
// restart on a healthy disk finds the log whole.
#include <catch2/catch.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "api/auth.hpp"
#include "api/metrics.hpp"
#include "api/router.hpp"
#include "api/routes.hpp"
#include "engine/clock.hpp"
#include "engine/file_faults.hpp"
#include "engine/time.hpp"
#include "projections/read_models.hpp"
#include "tests/api/command_fixture.hpp"
#include "tests/api/test_support.hpp"

namespace dialogue::api {
namespace {

using Fault = engine::FileFaults::Fault;

struct Reply {
  int status = 0;
  std::string content_type;
  nlohmann::json body;  // discarded when not JSON

  std::string code() const { return body.is_object() ? body.value("code", "") : ""; }
};

// The server's parts over one store, as `dialogue serve` wires them (without the network).
class Api {
 public:
  explicit Api(std::unique_ptr<engine::EventStore> store)
      : clock_(testing::Instant("2026-06-01T09:00:00Z")),
        store_(std::move(store)),
        tokens_(TokenRegistry::Parse(testing::CommandTokensJson()).value()),
        metrics_([this] { return store_->Head().position; }),
        read_models_(*store_),
        router_(&tokens_),
        context_{*store_, clock_, metrics_, read_models_} {
    REQUIRE(read_models_.Open());
    RegisterRoutes(router_, context_);
  }

  Reply Send(const std::string& method, const std::string& target, const std::string& body = "",
             const std::map<std::string, std::string>& headers = {}) {
    HttpRequest request;
    request.method = method;
    request.target = target;
    request.headers.Set("Authorization", "Bearer sec");
    if (!body.empty()) request.headers.Set("Content-Type", "application/json");
    for (const auto& [name, value] : headers) request.headers.Set(name, value);
    request.body = body;
    HttpResponse response = router_.Dispatch(request).response;
    Reply reply;
    reply.status = response.status;
    reply.content_type = std::string(response.headers.Get("Content-Type").value_or(""));
    reply.body = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
    return reply;
  }

  Reply RegisterSession(const std::string& id, const std::string& key) {
    return Send("POST", "/v1/conference-sessions",
                nlohmann::json{{"id", id},
                               {"title", "Session " + id},
                               {"starts_on", "2025-10-13"},
                               {"ends_on", "2025-10-17"}}
                    .dump(),
                {{"Idempotency-Key", key}});
  }

  engine::EventStore& store() { return *store_; }

 private:
  engine::ManualClock clock_;
  std::unique_ptr<engine::EventStore> store_;
  TokenRegistry tokens_;
  Metrics metrics_;
  projections::ReadModels read_models_;
  Router router_;
  ApiContext context_;
};

TEST_CASE(
    "A failing disk: commands answer 503 problems, reads and verification go on, health "
    "says unavailable, a restart finds the log whole",
    "[faults]") {
  const Fault fault = GENERATE(Fault::kFailLogAppend, Fault::kTornLogAppend, Fault::kFailLogSync);
  testing::TempDir dir;
  const engine::RocksDbOptions options{dir.Path("data"), true, nullptr, {}};
  auto faults = std::make_shared<engine::FileFaults>();
  {
    Api api(engine::OpenRocksDbEventStoreWithFaults(options, faults).value());
    REQUIRE(api.RegisterSession("cosp-11", "k1").status == 201);
    CHECK(api.Send("GET", "/healthz").status == 200);

    faults->Arm(fault);
    Reply refused = api.RegisterSession("cosp-12", "k2");
    CHECK(refused.status == 503);
    CHECK(refused.content_type == "application/problem+json");
    CHECK(refused.code() == "unavailable");
    CHECK(refused.body.value("status", 0) == 503);
    CHECK(faults->injected() >= 1);

    // Fail-stop: the disk is healthy again, the store still refuses until restarted.
    faults->Arm(Fault::kNone);
    CHECK(api.RegisterSession("cosp-13", "k3").status == 503);
    CHECK(api.RegisterSession("cosp-12", "k2").status == 503);  // a retry too

    Reply health = api.Send("GET", "/healthz");
    CHECK(health.status == 503);
    CHECK(health.body == nlohmann::json{{"status", "unavailable"}});
    CHECK(api.Send("GET", "/v1/conference-sessions/cosp-11").status == 200);
    CHECK(api.Send("GET", "/v1/conference-sessions/cosp-12").status == 404);
    Reply events = api.Send("GET", "/v1/events");
    REQUIRE(events.status == 200);
    CHECK(events.body["head"] == 1);
    Reply verify = api.Send("GET", "/v1/ledger/verify");
    REQUIRE(verify.status == 200);
    CHECK(verify.body["ok"] == true);
  }

  // Restarted on a healthy disk: the log is whole; a retry with the key settles the command.
  Api api(engine::OpenRocksDbEventStore(options).value());
  CHECK(api.Send("GET", "/healthz").status == 200);
  auto report = api.store().Verify().value();
  CHECK(report.ok);
  const uint64_t head = api.store().Head().position;
  if (fault == Fault::kFailLogSync) {
    CHECK((head == 1 || head == 2));  // the record reached the file before the sync failed
  } else {
    CHECK(head == 1);
  }
  Reply retry = api.RegisterSession("cosp-12", "k2");
  CHECK(retry.status == (head == 2 ? 200 : 201));
  CHECK(retry.body["position"] == 2);
  CHECK(api.Send("GET", "/v1/conference-sessions/cosp-12").status == 200);
  CHECK(api.store().Head().position == 2);
  CHECK(api.store().Verify().value().ok);
}

}  // namespace
}  // namespace dialogue::api
