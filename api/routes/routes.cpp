#include "api/routes/routes.hpp"

#include <atomic>
#include <charconv>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>

#include "api/http/json_io.hpp"
#include "api/http/problem.hpp"
#include "api/ops/log.hpp"

namespace dialogue::api {
namespace {

constexpr int kMaxWaiting = 1024;  // requests waiting for a log position at once (WithLogPosition)

// Methods as metric labels: anything unusual is "other", so clients cannot grow the label set.
std::string_view MethodLabel(std::string_view method) {
  for (std::string_view known : {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}) {
    if (method == known) return known;
  }
  return "other";
}

}  // namespace

void RegisterRoutes(Router& router, ApiContext& context) {
  router.SetReadGate(ReadModelsGate(context));
  RegisterSystemRoutes(router, context);
  RegisterLogRoutes(router, context);
  RegisterQueryRoutes(router, context);
  RegisterCommandRoutes(router, context);
  RegisterSubscriptionRoutes(router, context);
  RegisterSessionRoutes(router, context);
  RegisterConsoleRoutes(router, context);
  RegisterAdminRoutes(router, context);
}

ReadGate ReadModelsGate(ApiContext& context) {
  ReadGate gate;
  gate.ready = [&context] {
    return context.read_models.position() >= context.store.HeadPosition();
  };
  gate.await = [&context](std::function<void(bool)> resume) {
    const uint64_t head = context.store.HeadPosition();
    if (context.projector != nullptr) return context.projector->Await(head, std::move(resume));
    auto reached = context.read_models.CatchUp();
    if (!reached) LogError("cannot bring the read models to the head: " + reached.error().message);
    resume(reached.has_value());
  };
  return gate;
}

const workflows::RulesConfig& DefaultRules() {
  static const workflows::RulesConfig kDefaults;
  return kDefaults;
}

void RegisterSystemRoutes(Router& router, ApiContext& context) {
  router.Add(
      "GET", "/healthz", Access::Public(),
      [&context](const RequestContext&) {
        // After a failed write the store refuses appends until restarted: not healthy.
        if (context.store.failed()) return JsonResponse(503, {{"status", "unavailable"}});
        return JsonResponse(200, {{"status", "ok"}});
      },
      Work::kFromMemory);
  router.Add(
      "GET", "/metrics", Access::Roles(kLogReaders),
      [&context](const RequestContext&) {
        HttpResponse response;
        response.headers.Set("Content-Type", kPrometheusContentType);
        RefreshReadModelMetrics(context);
        response.body = context.metrics.Serialize();
        return response;
      },
      Work::kFromMemory);
}

std::function<void(HttpRequest, Responder)> MakeDispatch(const Router& router, Metrics& metrics) {
  return [&router, &metrics](HttpRequest request, Responder responder) {
    const auto start = std::chrono::steady_clock::now();
    std::string method(MethodLabel(request.method));
    router.DispatchAsync(
        std::move(request), std::move(responder.post),
        [&metrics, start, method = std::move(method),
         respond = std::move(responder.respond)](Router::Dispatched dispatched) {
          const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
          metrics.ObserveRequest(method, dispatched.route, dispatched.response.status,
                                 elapsed.count());
          respond(std::move(dispatched.response));
        },
        std::move(responder.offload));
  };
}

std::function<void(HttpRequest, Responder)> WithLogPosition(
    std::function<void(HttpRequest, Responder)> dispatch, engine::PositionWaits& waits,
    const engine::EventStore& store, std::chrono::milliseconds wait, ObserveAnswer observe) {
  static constexpr char kHeader[] = "X-Dialogue-Position";
  // A wait holds no thread, but anyone may ask for one (the header is read before the token):
  // at most kMaxWaiting at once, beyond which the answer is 503 at once.
  auto waiting = std::make_shared<std::atomic<int>>(0);
  return [dispatch = std::move(dispatch), &waits, &store, wait, waiting, observe](
             HttpRequest request, Responder responder) {
    // Every answer says how far the log it was read from goes.
    responder.respond = [&store, respond = std::move(responder.respond)](HttpResponse response) {
      response.headers.Set(kHeader, std::to_string(store.HeadPosition()));
      respond(std::move(response));
    };
    const std::optional<std::string_view> asked = request.headers.Get(kHeader);
    if (!asked) return dispatch(std::move(request), std::move(responder));
    // What is answered here, not by `dispatch`, is observed here.
    const auto start = std::chrono::steady_clock::now();
    auto answer = [observe, start, method = std::string(MethodLabel(request.method))](
                      const Responder& to, HttpResponse response) {
      if (observe) {
        const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
        observe(method, response.status, took.count());
      }
      to.respond(std::move(response));
    };
    uint64_t position = 0;
    auto [end, ec] = std::from_chars(asked->data(), asked->data() + asked->size(), position);
    if (ec != std::errc() || end != asked->data() + asked->size()) {
      return answer(responder,
                    ProblemResponse(400, "bad_request",
                                    "X-Dialogue-Position must be a log position (a whole number)"));
    }
    if (store.HeadPosition() >= position) {
      return dispatch(std::move(request), std::move(responder));
    }
    if (waiting->fetch_add(1) >= kMaxWaiting) {
      waiting->fetch_sub(1);
      HttpResponse busy =
          ProblemResponse(503, "unavailable",
                          "this server is behind position " + std::to_string(position) +
                              " and already holds as many requests waiting for the log as it will");
      busy.headers.Set("Retry-After", "1");
      return answer(responder, std::move(busy));
    }
    // Behind: answered when the position arrives or the wait runs out, back where the request
    // came from (the store's thread or the deadline thread calls back; neither runs handlers).
    auto post = responder.post;
    waits.Wait(
        position, start + wait,
        [dispatch, wait, waiting, position, answer, post = std::move(post),
         request = std::move(request), responder = std::move(responder)](uint64_t head) mutable {
          waiting->fetch_sub(1);
          post([dispatch, wait, position, head, answer, request = std::move(request),
                responder = std::move(responder)]() mutable {
            if (head < position) {
              return answer(responder, ProblemResponse(503, "unavailable",
                                                       "this server holds the log up to position " +
                                                           std::to_string(head) + "; position " +
                                                           std::to_string(position) +
                                                           " did not arrive within " +
                                                           std::to_string(wait.count()) + " ms"));
            }
            dispatch(std::move(request), std::move(responder));
          });
        });
  };
}

void RouteWork(ServerOptions& options, const Router& router, Metrics& metrics) {
  options.dispatch = MakeDispatch(router, metrics);
  options.screen = [&router, &metrics](const HttpRequest& head) -> std::optional<HttpResponse> {
    std::optional<Router::Dispatched> refused = router.Screen(head);
    if (!refused) return std::nullopt;
    metrics.ObserveRequest(MethodLabel(head.method), refused->route, refused->response.status, 0);
    return std::move(refused->response);
  };
  options.on_offload = [&metrics](double queued_seconds) {
    metrics.ObserveOffload(queued_seconds);
  };
}

}  // namespace dialogue::api
