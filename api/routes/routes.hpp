// The API's routes and what they need. Each area registers its own routes in a
// Register<Area>Routes function; RegisterRoutes (routes.cpp) calls them all: add yours there.
#pragma once

#include "api/http/router.hpp"
#include "api/http/server.hpp"
#include "api/ops/metrics.hpp"
#include "app/leadership.hpp"
#include "engine/clock.hpp"
#include "engine/event_store.hpp"
#include "engine/ledger_checkpoint.hpp"
#include "engine/position_waits.hpp"
#include "projections/projector.hpp"
#include "projections/read_models.hpp"
#include "workflows/rules_config.hpp"

namespace dialogue::api {

// The readings of paragraphs 58-61 the server applies when none are given: the project's defaults
// (workflows/rules_config.hpp, docs/rules.md).
const workflows::RulesConfig& DefaultRules();

class SubscriptionHub;
class SessionStore;

// Everything handlers may use. Outlives the server; every member is thread-safe.
struct ApiContext {
  engine::EventStore& store;
  const engine::Clock& clock;
  Metrics& metrics;
  projections::ReadModels& read_models;                  // opened before serving
  const workflows::RulesConfig& rules = DefaultRules();  // what the deciders apply
  // Keeps read_models at the head (projections/projector.hpp); a read behind it waits for its
  // fold (Work::kFromReadModels). Null: such a read folds on its own thread (tests, tools).
  projections::Projector* projector = nullptr;
  // Serves GET /v1/subscribe (api/http/subscription_hub.hpp); null: that route answers 503.
  SubscriptionHub* subscriptions = nullptr;
  // The console's sessions (api/http/sessions.hpp); null: POST /v1/session answers 503.
  SessionStore* sessions = nullptr;
  // The ledger's signing key and its checkpoints (engine/ledger_checkpoint.hpp); null: GET
  // /v1/ledger/public-key and /v1/ledger/checkpoint answer 503.
  const engine::NoteSigner* ledger_signer = nullptr;
  engine::Checkpointer* checkpoints = nullptr;
  // The store's folder and the folder of the backups POST /v1/admin/backups takes (one folder per
  // backup); backups_dir "" answers that route 503.
  std::string data_dir = {};
  std::string backups_dir = {};
  // This node's place among several (app/leadership.hpp); null for a single server, which
  // always leads. While it does not lead, every command answers 421 not_leader, naming the
  // leader; while it leads, a command is answered once its events are replicated too.
  app::Leadership* leadership = nullptr;
};

// Registers every route, and the read gate of Work::kFromReadModels routes: the read models at
// the head as the request found it (ReadModelsGate).
void RegisterRoutes(Router& router, ApiContext& context);

// The read models at the head of the log: at once when they are, else once context.projector
// has folded it (or, with no projector, once this thread has).
ReadGate ReadModelsGate(ApiContext& context);

// Wraps a dispatch (RouteWork) with the log position: every response carries
// X-Dialogue-Position (the head when it is answered), and a request that sends
// X-Dialogue-Position: N is answered once the head is at least N, waiting up to `wait` (else 503
// unavailable; 400 for a header that is not a position). A wait holds no thread (`waits` calls
// back, and the request goes on through its Responder's post); at most 1,024 wait at once, beyond
// which the answer is 503 with Retry-After at once. For read replicas, which may be behind; the
// leader answers the same way. `observe` sees each answer given here rather than by `dispatch`
// (which counts its own): the request's method (as the metrics label it: GET, POST, ...,
// other), the status and the seconds it took.
using ObserveAnswer = std::function<void(std::string_view method, int status, double seconds)>;
std::function<void(HttpRequest, Responder)> WithLogPosition(
    std::function<void(HttpRequest, Responder)> dispatch, engine::PositionWaits& waits,
    const engine::EventStore& store, std::chrono::milliseconds wait, ObserveAnswer observe = {});

// POST /v1/admin/backups (role operator): an online backup into context.backups_dir.
void RegisterAdminRoutes(Router& router, ApiContext& context);

// GET /healthz (public) and GET /metrics (the roles that read the log).
void RegisterSystemRoutes(Router& router, ApiContext& context);

// The log: GET /v1/events, /v1/streams/{stream}/events, /v1/ledger/head, /v1/ledger/verify, and
// its verifiable history: /v1/ledger/public-key, /v1/ledger/checkpoint, /v1/ledger/proof/*.
void RegisterLogRoutes(Router& router, ApiContext& context);

// Every GET of an entity, list, the eligible list, the referral queue and stream histories
// (api/routes/query_routes.cpp; docs/api.md "Reads").
void RegisterQueryRoutes(Router& router, ApiContext& context);

// Every POST of the contract: reference data, briefings, referrals, observer invitations,
// contributions, reports and State participations (api/command_*.cpp; docs/api.md "Commands").
void RegisterCommandRoutes(Router& router, ApiContext& context);

// GET /v1/subscribe: Server-Sent Events through context.subscriptions
// (api/routes/subscription_routes.cpp; docs/subscriptions.md).
void RegisterSubscriptionRoutes(Router& router, ApiContext& context);

// POST, GET and DELETE /v1/session: the console's cookie sign-in (api/routes/session_routes.cpp).
void RegisterSessionRoutes(Router& router, ApiContext& context);

// GET /, /console and /console/{file}: the embedded console (api/console/console_routes.cpp).
void RegisterConsoleRoutes(Router& router, ApiContext& context);

// Sets the read-model gauges (position, lag behind the head); called at each /metrics scrape.
void RefreshReadModelMetrics(ApiContext& context);

// The same as ServerOptions::dispatch (Router::DispatchAsync), answering through the Responder.
std::function<void(HttpRequest, Responder)> MakeDispatch(const Router& router, Metrics& metrics);
// Sets dispatch and screen of options to serve router's routes: each request resolved once, then
// answered from memory on the io threads, commands asynchronously, the rest on the worker pool.
void RouteWork(ServerOptions& options, const Router& router, Metrics& metrics);

}  // namespace dialogue::api
