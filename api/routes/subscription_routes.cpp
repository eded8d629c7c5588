// GET /v1/subscribe: Server-Sent Events of the log (docs/subscriptions.md). The handler checks
// the request and takes a slot of the SubscriptionHub; the hub does the streaming.
#include <algorithm>
#include <charconv>
#include <string>
#include <vector>

#include "api/http/auth.hpp"
#include "api/http/params.hpp"
#include "api/http/problem.hpp"
#include "api/http/subscription_hub.hpp"
#include "api/routes/routes.hpp"
#include "workflows/events.hpp"

namespace dialogue::api {
namespace {

// Seconds a client refused for want of a slot is asked to wait.
constexpr char kRetryAfterSeconds[] = "5";

HttpResponse BadField(std::string field, std::string message) {
  Problem problem = MakeProblem(400, "bad_request", message);
  problem.errors.push_back({std::move(field), std::move(message)});
  return ProblemResponse(problem);
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// Where the subscription starts: Last-Event-ID (what a reconnecting EventSource sends) wins over
// ?after=.
tl::expected<uint64_t, HttpResponse> StartPosition(const RequestContext& request) {
  if (auto header = request.request.headers.Get("Last-Event-ID")) {
    const std::string_view text = Trim(*header);
    if (!text.empty()) {
      uint64_t position = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), position);
      if (ec != std::errc() || end != text.data() + text.size()) {
        return tl::unexpected(BadField(
            "Last-Event-ID",
            "must be an event position (a decimal number), not '" + std::string(text) + "'"));
      }
      return position;
    }
  }
  return UnsignedQueryParam(request, "after", 0);
}

// ?types=T1,T2: every name must be an event type of the contract.
tl::expected<std::vector<std::string>, HttpResponse> Types(const RequestContext& request) {
  std::vector<std::string> types;
  const std::string text = request.Query("types").value_or("");
  const auto& known = workflows::AllEventTypes();
  size_t begin = 0;
  while (begin <= text.size()) {
    size_t end = text.find(',', begin);
    if (end == std::string::npos) end = text.size();
    const std::string_view name = Trim(std::string_view(text).substr(begin, end - begin));
    if (!name.empty()) {
      if (std::find(known.begin(), known.end(), name) == known.end()) {
        return tl::unexpected(BadField("types", "unknown event type '" + std::string(name) + "'"));
      }
      types.emplace_back(name);
    }
    begin = end + 1;
  }
  return types;
}

}  // namespace

void RegisterSubscriptionRoutes(Router& router, ApiContext& context) {
  router.Add(
      "GET", "/v1/subscribe", Access::Roles(kLogReaders),
      [&context](const RequestContext& request) {
        SubscriptionHub* hub = context.subscriptions;
        if (hub == nullptr) {
          return ProblemResponse(503, "unavailable", "this server does not serve subscriptions");
        }
        auto after = StartPosition(request);
        if (!after) return after.error();
        auto types = Types(request);
        if (!types) return types.error();
        SubscriptionFilter filter;
        filter.stream_prefix = request.Query("streams").value_or("");
        filter.types = std::move(*types);

        auto body = hub->Subscribe(*after, std::move(filter), request.principal->actor);
        if (!body) {
          HttpResponse refused = ErrorResponse(body.error());
          refused.headers.Set("Retry-After", kRetryAfterSeconds);
          return refused;
        }
        HttpResponse response;
        response.status = 200;
        response.headers.Set("Content-Type", "text/event-stream");
        response.headers.Set("Cache-Control", "no-cache");
        response.headers.Set("X-Accel-Buffering", "no");  // proxies: pass each record at once
        response.stream = std::move(*body);
        return response;
      });
}

}  // namespace dialogue::api
