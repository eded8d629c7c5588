// libFuzzer harness: an HTTP request -> the command pipeline (body decoding, field checks, the
// deciders, the append) on an in-memory store holding a small world. scripts/fuzz.sh runs it.
//
// Input: a first line "CALLER TARGET" (CALLER one of the test callers below, TARGET a path such
// as /v1/briefings/b1/convening), then header lines "Name: value" up to an empty line, then the
// body. Anything else is fed as the body of POST /v1/stakeholders from the secretariat.
//
// What must hold for every input (else the harness aborts): the router answers a status it may
// answer; a refusal (4xx) is an RFC 9457 problem (application/problem+json with a matching
// "status" and a "code") and appends nothing; a 201 appends; never a 500.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "api/http/auth.hpp"
#include "api/http/router.hpp"
#include "api/ops/metrics.hpp"
#include "api/routes/routes.hpp"
#include "engine/clock.hpp"
#include "engine/event_store.hpp"
#include "engine/time.hpp"
#include "projections/read_models.hpp"
#include "tests/api/callers.hpp"
#include "tests/api/dispatch_and_wait.hpp"
#include "tests/support/manual_clock.hpp"

namespace {

namespace api = dialogue::api;
namespace engine = dialogue::engine;

using api::testing::Caller;

constexpr Caller kCallers[] = {
    {"sec", "sec-ana", "secretariat", "", ""},
    {"president", "pres-li", "president", "", ""},
    {"wg-tip", "wg-tip-chair", "working_group", "", "wg-tip"},
    {"state-at", "at-rep", "state", "at", ""},
    {"ngo-a", "ngo-a-rep", "stakeholder", "ngo-a", ""},
    {"auditor", "aud-bo", "auditor", "", ""},
};

std::string TokensJson() { return api::testing::TokensJsonFor(kCallers); }

[[noreturn]] void Violation(const std::string& what, const api::HttpRequest& request,
                            const api::HttpResponse& response) {
  std::fprintf(stderr, "VIOLATION: %s\nrequest: %s %s\n%s\nresponse: %d %s\n", what.c_str(),
               request.method.c_str(), request.target.c_str(), request.body.c_str(),
               response.status, response.body.c_str());
  std::abort();
}

// The server's world: a store, read models and the routes, with reference data enough for the
// briefing, referral and participation commands to reach their deciders.
class World {
 public:
  World()
      : clock_(engine::ParseRfc3339("2026-06-01T09:00:00Z").value()),
        store_(engine::NewInMemoryEventStore(&clock_)),
        tokens_(api::TokenRegistry::Parse(TokensJson()).value()),
        metrics_([this] { return store_->Head().position; }),
        read_models_(*store_),
        router_(&tokens_),
        context_{*store_, clock_, metrics_, read_models_} {
    if (!read_models_.Open()) std::abort();
    api::RegisterRoutes(router_, context_);
    Seed("sec", "/v1/conference-sessions",
         R"({"id":"cosp-12","title":"Twelfth","starts_on":"2025-10-13","ends_on":"2025-10-17"})");
    Seed("sec", "/v1/working-groups", R"({"id":"wg-tip","name":"TIP","protocol":"tip"})");
    Seed("sec", "/v1/meetings",
         R"({"id":"m1","working_group":"wg-tip","starts_on":"2026-07-14",)"
         R"("ends_on":"2026-07-16","review_agenda_item":true})");
    Seed("sec", "/v1/stakeholders",
         R"({"id":"ngo-a","name":"NGO A","category":"ngo","ecosoc_status":"special"})");
    Seed("sec", "/v1/stakeholders",
         R"({"id":"at","name":"Austria","category":"state_party","instruments":{"tip":"party"}})");
    Seed("sec", "/v1/stakeholders/ngo-a/observer-entitlements",
         R"({"conference_session":"cosp-12"})");
    Seed("president", "/v1/briefings", R"({"id":"b1","title":"Briefing"})");
    Seed("sec", "/v1/briefings/b1/convening",
         R"({"meeting":"m1","date":"2026-07-15","bureau_member":"bur-eva"})");
    Seed("sec", "/v1/briefings/b1/invitations", R"({"stakeholders":["ngo-a"]})");
    base_head_ = store_->Head().position;
  }

  uint64_t grown() const { return store_->Head().position - base_head_; }

  void Run(const api::HttpRequest& request) {
    const uint64_t before = store_->Head().position;
    const api::HttpResponse response =
        ::dialogue::api::testing::DispatchAndWait(router_, request).response;
    const uint64_t after = store_->Head().position;
    const int status = response.status;
    if (status >= 500) Violation("a server error", request, response);
    if (status == 201 || status == 200) {
      if (status == 201 && after == before) Violation("201 without an append", request, response);
      return;
    }
    if (status < 400) Violation("an unexpected status", request, response);
    if (after != before) Violation("a refused request appended", request, response);
    if (response.headers.Get("Content-Type").value_or("") != "application/problem+json") {
      Violation("a refusal that is not a problem", request, response);
    }
    const auto problem = nlohmann::json::parse(response.body, nullptr, false);
    if (!problem.is_object() || problem.value("status", 0) != status || !problem.contains("code") ||
        !problem["code"].is_string()) {
      Violation("a malformed problem", request, response);
    }
  }

 private:
  void Seed(const char* token, const char* target, const char* body) {
    api::HttpRequest request;
    request.method = "POST";
    request.target = target;
    request.headers.Set("Authorization", std::string("Bearer ") + token);
    request.headers.Set("Content-Type", "application/json");
    request.body = body;
    const api::HttpResponse response =
        ::dialogue::api::testing::DispatchAndWait(router_, request).response;
    if (response.status != 201) Violation("the world did not build", request, response);
  }

  engine::ManualClock clock_;
  std::unique_ptr<engine::EventStore> store_;
  api::TokenRegistry tokens_;
  api::Metrics metrics_;
  dialogue::projections::ReadModels read_models_;
  api::Router router_;
  api::ApiContext context_;
  uint64_t base_head_ = 0;
};

constexpr uint64_t kMaxGrowth = 5000;  // events appended by inputs before the world is rebuilt

api::HttpRequest Decode(std::string_view input) {
  api::HttpRequest request;
  request.method = "POST";
  request.headers.Set("Content-Type", "application/json");
  const size_t first_newline = input.find('\n');
  const std::string_view first = input.substr(0, first_newline);
  const size_t space = first.find(' ');
  const Caller* caller = nullptr;
  if (space != std::string_view::npos && first_newline != std::string_view::npos) {
    for (const auto& c : kCallers) {
      if (first.substr(0, space) == c.token) caller = &c;
    }
  }
  if (caller == nullptr) {
    request.target = "/v1/stakeholders";
    request.headers.Set("Authorization", "Bearer sec");
    request.body = std::string(input);
    return request;
  }
  request.target = std::string(first.substr(space + 1));
  request.headers.Set("Authorization", std::string("Bearer ") + caller->token);
  std::string_view rest = input.substr(first_newline + 1);
  for (;;) {
    const size_t newline = rest.find('\n');
    const std::string_view line = rest.substr(0, newline);
    if (line.empty() || newline == std::string_view::npos) {
      rest = newline == std::string_view::npos ? rest : rest.substr(newline + 1);
      break;
    }
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) break;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    request.headers.Set(std::string(line.substr(0, colon)), std::string(value));
    rest = rest.substr(newline + 1);
  }
  request.body = std::string(rest);
  return request;
}

std::unique_ptr<World> world;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (!world || world->grown() > kMaxGrowth) world = std::make_unique<World>();
  world->Run(Decode(std::string_view(reinterpret_cast<const char*>(data), size)));
  return 0;
}
