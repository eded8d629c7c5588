// POST, GET and DELETE /v1/session: the console's sign-in (api/http/sessions.hpp, docs/api.md
// "Sessions").
#include <nlohmann/json.hpp>

#include "api/http/json_io.hpp"
#include "api/http/problem.hpp"
#include "api/http/sessions.hpp"
#include "api/routes/routes.hpp"

namespace dialogue::api {
namespace {

nlohmann::json Whoami(const Principal& principal, const char* via) {
  nlohmann::json body = {{"actor", principal.actor}, {"roles", principal.roles}, {"via", via}};
  body["working_group"] =
      principal.working_group.empty() ? nlohmann::json() : nlohmann::json(principal.working_group);
  body["stakeholder"] =
      principal.stakeholder.empty() ? nlohmann::json() : nlohmann::json(principal.stakeholder);
  return body;
}

}  // namespace

void RegisterSessionRoutes(Router& router, ApiContext& context) {
  router.Add(
      "POST", "/v1/session", Access::AnyPrincipal(), [&context](const RequestContext& request) {
        if (context.sessions == nullptr) {
          return ProblemResponse(503, "unavailable", "this server keeps no sessions");
        }
        // A session is made from a token only, never from another session.
        if (request.by_session) {
          HttpResponse refused = ProblemResponse(
              401, "unauthorized",
              "sign in with the token: Authorization: Bearer <token>, not the cookie");
          refused.headers.Set("WWW-Authenticate", "Bearer");
          return refused;
        }
        const std::optional<SessionStore::Created> created =
            context.sessions->Create(*request.principal);
        if (!created) {
          HttpResponse refused = ProblemResponse(
              503, "unavailable", "too many console sessions are open: try again later");
          refused.headers.Set("Retry-After", "60");
          return refused;
        }
        nlohmann::json body = Whoami(*request.principal, "session");
        body["expires_in"] = created->lifetime.count();
        HttpResponse response = JsonResponse(201, body);
        response.headers.Set("Set-Cookie",
                             SessionCookie(created->id, created->lifetime, request.request.tls));
        response.headers.Set("Cache-Control", "no-store");
        return response;
      });
  router.Add(
      "GET", "/v1/session", Access::AnyPrincipal(),
      [](const RequestContext& request) {
        HttpResponse response =
            JsonResponse(200, Whoami(*request.principal, request.by_session ? "session" : "token"));
        response.headers.Set("Cache-Control", "no-store");
        return response;
      },
      Work::kFromMemory);
  router.Add("DELETE", "/v1/session", Access::AnyPrincipal(),
             [&context](const RequestContext& request) {
               if (request.by_session && context.sessions != nullptr) {
                 if (auto id = CookieValue(request.request.headers, kSessionCookie)) {
                   context.sessions->Remove(*id);
                 }
               }
               HttpResponse response;
               response.status = 204;
               response.headers.Set("Set-Cookie", ExpiredSessionCookie(request.request.tls));
               response.headers.Set("Cache-Control", "no-store");
               return response;
             });
}

}  // namespace dialogue::api
