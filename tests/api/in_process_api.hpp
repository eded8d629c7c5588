// The server's parts wired as `dialogue serve` wires them, without the network: a store (in memory
// on a manual clock unless given), read models over it kept at the head by a projector, and the
// full router with a token file. Requests go through Router::DispatchAsync, in process
// (testing::DispatchAndWait; a read behind the head waits there for the projector's fold). The
// command and query fixtures build on it.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "api/http/auth.hpp"
#include "api/http/router.hpp"
#include "api/ops/metrics.hpp"
#include "api/routes/routes.hpp"
#include "engine/clock.hpp"
#include "engine/event_store.hpp"
#include "engine/ledger_checkpoint.hpp"
#include "engine/time.hpp"
#include "projections/projector.hpp"
#include "projections/read_models.hpp"
#include "tests/api/dispatch_and_wait.hpp"
#include "tests/support/manual_clock.hpp"

namespace dialogue::api::testing {

inline engine::TimePoint Instant(const char* text) { return engine::ParseRfc3339(text).value(); }

// A response as the tests look at it.
struct Answer {
  int status = 0;
  std::string etag;
  std::string content_type;
  nlohmann::json body;  // null when the body is empty or not JSON
  std::string text;

  std::string code() const { return body.is_object() ? body.value("code", "") : ""; }
  std::string rule() const { return body.is_object() ? body.value("rule", "") : ""; }
};

// The requests' headers: {"Idempotency-Key", "k1"}, ...
using HeaderList = std::map<std::string, std::string>;

class InProcessApi {
 public:
  // store: null for an in-memory one on the clock (which starts at `start`).
  InProcessApi(engine::TimePoint start, const std::string& tokens_json,
               std::unique_ptr<engine::EventStore> store = nullptr)
      : clock_(start),
        store_(store ? std::move(store) : engine::NewInMemoryEventStore(&clock_)),
        tokens_(TokenRegistry::Parse(tokens_json).value()),
        metrics_([this] { return store_->Head().position; }),
        read_models_(*store_),
        projector_(*store_, read_models_),
        router_(&tokens_),
        context_{*store_, clock_, metrics_, read_models_},
        signer_(engine::NoteSigner::Generate("dialogue.test/ledger")),
        checkpoints_(engine::Checkpointer::Open(*store_, *signer_, "").value()) {
    if (!read_models_.Open()) throw std::runtime_error("read models do not open");
    context_.ledger_signer = signer_.get();
    context_.checkpoints = checkpoints_.get();
    context_.projector = &projector_;
    projector_.Start();
    RegisterRoutes(router_, context_);
  }
  ~InProcessApi() { projector_.Stop(); }
  InProcessApi(const InProcessApi&) = delete;
  InProcessApi& operator=(const InProcessApi&) = delete;

  // A request with `token` as bearer (none when empty); a non-empty body is sent as JSON.
  Answer Send(const std::string& method, const std::string& token, const std::string& target,
              const std::string& body, const HeaderList& headers = {}) {
    HttpRequest request;
    request.method = method;
    request.target = target;
    if (!token.empty()) request.headers.Set("Authorization", "Bearer " + token);
    if (!body.empty()) request.headers.Set("Content-Type", "application/json");
    for (const auto& [name, value] : headers) request.headers.Set(name, value);
    request.body = body;
    HttpResponse response = ::dialogue::api::testing::DispatchAndWait(router_, request).response;
    Answer answer;
    answer.status = response.status;
    answer.etag = std::string(response.headers.Get("ETag").value_or(""));
    answer.content_type = std::string(response.headers.Get("Content-Type").value_or(""));
    answer.text = response.body;
    if (!response.body.empty()) {
      answer.body = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
    }
    return answer;
  }

  Answer Get(const std::string& token, const std::string& target, const HeaderList& headers = {}) {
    return Send("GET", token, target, "", headers);
  }

  uint64_t Head() const { return store_->Head().position; }

  Router& router() { return router_; }
  engine::EventStore& store() { return *store_; }
  engine::ManualClock& clock() { return clock_; }
  Metrics& metrics() { return metrics_; }
  const engine::NoteSigner& signer() const { return *signer_; }

 protected:
  engine::ManualClock clock_;
  std::unique_ptr<engine::EventStore> store_;
  TokenRegistry tokens_;
  Metrics metrics_;
  projections::ReadModels read_models_;
  projections::Projector projector_;
  Router router_;
  ApiContext context_;
  std::unique_ptr<engine::NoteSigner> signer_;
  std::unique_ptr<engine::Checkpointer> checkpoints_;
};

}  // namespace dialogue::api::testing
