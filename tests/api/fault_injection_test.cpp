// A failing disk under the API: the RocksDB store over FileFaults (tests/support/file_faults.hpp),
// the full router on top. Commands answer 503 problems, reads go on, /healthz says unavailable; a
// restart on a healthy disk finds the log whole.
#include <catch2/catch.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/api/command_fixture.hpp"
#include "tests/api/test_support.hpp"
#include "tests/support/file_faults.hpp"

namespace dialogue::api {
namespace {

using Fault = engine::FileFaults::Fault;

// The server's parts over one store, as `dialogue serve` wires them (without the network), with
// the secretariat's token.
class Api : public testing::CommandFixture {
 public:
  using CommandFixture::CommandFixture;

  testing::Answer Get(const std::string& target) { return CommandFixture::Get("sec", target); }

  testing::Answer RegisterSession(const std::string& id, const std::string& key) {
    return Post("sec", "/v1/conference-sessions",
                {{"id", id},
                 {"title", "Session " + id},
                 {"starts_on", "2025-10-13"},
                 {"ends_on", "2025-10-17"}},
                {{"Idempotency-Key", key}});
  }
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
    CHECK(api.Get("/healthz").status == 200);

    faults->Arm(fault);
    testing::Answer refused = api.RegisterSession("cosp-12", "k2");
    CHECK(refused.status == 503);
    CHECK(refused.content_type == "application/problem+json");
    CHECK(refused.code() == "unavailable");
    CHECK(refused.body.value("status", 0) == 503);
    CHECK(faults->injected() >= 1);

    // Fail-stop: the disk is healthy again, the store still refuses until restarted.
    faults->Arm(Fault::kNone);
    CHECK(api.RegisterSession("cosp-13", "k3").status == 503);
    CHECK(api.RegisterSession("cosp-12", "k2").status == 503);  // a retry too

    testing::Answer health = api.Get("/healthz");
    CHECK(health.status == 503);
    CHECK(health.body == nlohmann::json{{"status", "unavailable"}});
    CHECK(api.Get("/v1/conference-sessions/cosp-11").status == 200);
    CHECK(api.Get("/v1/conference-sessions/cosp-12").status == 404);
    testing::Answer events = api.Get("/v1/events");
    REQUIRE(events.status == 200);
    CHECK(events.body["head"] == 1);
    testing::Answer verify = api.Get("/v1/ledger/verify");
    REQUIRE(verify.status == 200);
    CHECK(verify.body["ok"] == true);
  }

  // Restarted on a healthy disk: the log is whole; a retry with the key settles the command.
  Api api(engine::OpenRocksDbEventStore(options).value());
  CHECK(api.Get("/healthz").status == 200);
  auto report = api.store().Verify().value();
  CHECK(report.ok);
  const uint64_t head = api.store().Head().position;
  if (fault == Fault::kFailLogSync) {
    CHECK((head == 1 || head == 2));  // the record reached the file before the sync failed
  } else {
    CHECK(head == 1);
  }
  testing::Answer retry = api.RegisterSession("cosp-12", "k2");
  CHECK(retry.status == (head == 2 ? 200 : 201));
  CHECK(retry.body["position"] == 2);
  CHECK(api.Get("/v1/conference-sessions/cosp-12").status == 200);
  CHECK(api.store().Head().position == 2);
  CHECK(api.store().Verify().value().ok);
}

}  // namespace
}  // namespace dialogue::api
