#include "api/routes.hpp"

#include <chrono>
#include <nlohmann/json.hpp>

#include "api/json_io.hpp"

namespace dialogue::api {
namespace {

// Methods as metric labels: anything unusual is "other", so clients cannot grow the label set.
std::string_view MethodLabel(std::string_view method) {
  for (std::string_view known : {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}) {
    if (method == known) return known;
  }
  return "other";
}

}  // namespace

void RegisterRoutes(Router& router, ApiContext& context) {
  RegisterSystemRoutes(router, context);
  RegisterLogRoutes(router, context);
  RegisterQueryRoutes(router, context);
  RegisterCommandRoutes(router, context);
  RegisterSubscriptionRoutes(router, context);
  RegisterSessionRoutes(router, context);
  RegisterConsoleRoutes(router, context);
  RegisterAdminRoutes(router, context);
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

void RouteWork(ServerOptions& options, const Router& router, Metrics& metrics) {
  options.dispatch = MakeDispatch(router, metrics);
  options.screen = [&router, &metrics](const HttpRequest& head) -> std::optional<HttpResponse> {
    std::optional<Router::Dispatched> refused = router.Screen(head);
    if (!refused) return std::nullopt;
    metrics.ObserveRequest(MethodLabel(head.method), refused->route, refused->response.status, 0);
    return std::move(refused->response);
  };
}

RequestHandler MakeRequestHandler(const Router& router, Metrics& metrics) {
  return [&router, &metrics](const HttpRequest& request) {
    const auto start = std::chrono::steady_clock::now();
    Router::Dispatched dispatched = router.Dispatch(request);
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    metrics.ObserveRequest(MethodLabel(request.method), dispatched.route,
                           dispatched.response.status, elapsed.count());
    return std::move(dispatched.response);
  };
}

}  // namespace dialogue::api
