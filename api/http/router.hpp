// The router: method + path pattern ("/v1/streams/{stream}/events") -> handler, with
// authentication and role checks before the handler runs. Unknown path -> 404, known path with
// another method -> 405 (with Allow), missing or unknown token -> 401, role not allowed -> 403.
// A handler that throws answers 500 (and a log line): no exception leaves DispatchAsync.
//
// Routes are registered before serving starts; DispatchAsync is then thread-safe.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/http/auth.hpp"
#include "api/http/http_types.hpp"
#include "api/http/sessions.hpp"

namespace dialogue::api {

// Who may call a route.
struct Access {
  enum class Kind { kPublic, kAnyPrincipal, kRoles };
  Kind kind = Kind::kRoles;
  std::vector<std::string> roles;  // for kRoles

  static Access Public() { return {Kind::kPublic, {}}; }
  static Access AnyPrincipal() { return {Kind::kAnyPrincipal, {}}; }
  template <class RoleList>
  static Access Roles(const RoleList& roles) {
    return {Kind::kRoles, std::vector<std::string>(std::begin(roles), std::end(roles))};
  }
  static Access Roles(std::initializer_list<std::string_view> roles) {
    return {Kind::kRoles, std::vector<std::string>(roles.begin(), roles.end())};
  }
};

// What a handler sees.
struct RequestContext {
  const HttpRequest& request;
  std::string path;                               // the path as sent, without the query
  std::map<std::string, std::string> params;      // {name} segments of the pattern, decoded
  std::multimap<std::string, std::string> query;  // decoded query parameters
  std::optional<Principal> principal;             // set unless the route is public
  bool by_session = false;  // the principal came from the session cookie, not a bearer token
  // On a route open to some roles: the first of them the principal holds (the role it acts in).
  std::string_view role;

  // A path parameter (empty if the pattern has none of that name).
  const std::string& Param(const std::string& name) const;
  // The first value of a query parameter.
  std::optional<std::string> Query(const std::string& name) const;
};

using Handler = std::function<HttpResponse(const RequestContext&)>;
// A handler that answers later, through the Responder (api/http/http_types.hpp), exactly once. The
// context is valid only until it returns: what the rest of the work needs, it copies.
using AsyncHandler = std::function<void(const RequestContext&, Responder)>;

// What a handler waits on. kFromMemory: it answers from memory (the head, static files) and never
// waits on the disk or a commit, so DispatchAsync calls it on the io thread that read the
// request, unless the request asks for the past (`as_of` folds from the store). kFromReadModels:
// the same, from the read models, which must first have folded the log as far as it went when
// the request came: the router asks the ReadGate, and when they are behind, the handler runs
// once they are there (its thread is not held meanwhile). kMayBlock: anything else, handed to
// Responder::offload (the worker pool).
enum class Work { kMayBlock, kFromMemory, kFromReadModels };

// How a kFromReadModels route waits. `ready`: whether the read models are at the head now (the
// common case; one compare). `await`: calls resume(true) once they are, or resume(false) when
// they cannot be (a fold failed, the server is stopping), once, from any thread.
struct ReadGate {
  std::function<bool()> ready;
  std::function<void(std::function<void(bool folded)> resume)> await;
};

class Router {
 public:
  // tokens may be null: then every non-public route answers 401.
  explicit Router(const TokenRegistry* tokens) : tokens_(tokens) {}

  // Also accept the console's session cookie (api/http/sessions.hpp) on requests without an
  // Authorization header; such a request with a method other than GET or HEAD must carry
  // X-Requested-With: dialogue, else 403. sessions must outlive the router.
  void SetSessions(const SessionStore* sessions) { sessions_ = sessions; }

  // pattern: "/a/{name}/b"; a {name} segment matches one non-empty path segment. Literal
  // segments win over parameters when both match; of two routes with the same method and
  // pattern, the first registered answers.
  void Add(std::string method, std::string pattern, Access access, Handler handler,
           Work work = Work::kMayBlock);
  // What kFromReadModels routes wait on; without one they answer as kFromMemory routes do. Set
  // before serving starts.
  void SetReadGate(ReadGate gate) { read_gate_ = std::move(gate); }
  // A route whose handler answers through a Responder (a command waiting on its append).
  void AddAsync(std::string method, std::string pattern, Access access, AsyncHandler handler);

  struct Dispatched {
    HttpResponse response;
    std::string route;  // the matched pattern, or "unmatched" (a metrics label)
  };
  // The one path of a served request: the route is resolved once (target, method, credentials,
  // role), then a refusal answers at once, an asynchronous route's handler takes the request, a
  // kFromMemory route answers on this thread, and any other route runs in `offload`'s work (on
  // this thread when offload is unset). Calls done exactly once, from whichever thread answers.
  // post: as Responder::post.
  using Post = std::function<void(std::function<void()>)>;
  void DispatchAsync(HttpRequest request, Post post, std::function<void(Dispatched)> done,
                     Post offload = {}) const;

  // What DispatchAsync would refuse of this request before its handler runs (malformed target, no
  // route, credentials, role), judged on its method, target and headers alone: for a request whose
  // body has not been read yet (ServerOptions::screen). nullopt: the handler would run.
  std::optional<Dispatched> Screen(const HttpRequest& head) const;

  // The method and pattern of every route, in registration order (docs/openapi.yaml must list
  // them all: tests/api/query_openapi_test.cpp).
  std::vector<std::pair<std::string, std::string>> Routes() const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    Access access;
    Handler handler;             // either this
    AsyncHandler async_handler;  // or this
    Work work = Work::kMayBlock;
  };
  // The routes as a tree of their patterns' segments, built as they are registered, so that a
  // request's path is walked once rather than matched against every route in turn.
  struct Node {
    std::map<std::string, std::unique_ptr<Node>, std::less<>> literals;
    std::unique_ptr<Node> param;  // a {name} segment, whatever its name
    std::vector<size_t> routes;   // those whose pattern ends here (routes_), in registration order
  };
  // The most specific route with `method` matching path[i...] under `node`: a literal segment
  // beats a parameter at the first place they differ, so the literal branch is walked first.
  // Null when none.
  const Route* Match(const Node& node, const std::vector<std::string>& path, size_t i,
                     std::string_view method) const;
  // Adds the methods of every route matching path[i...] under `node` (for a 405's Allow).
  void MethodsOf(const Node& node, const std::vector<std::string>& path, size_t i,
                 std::set<std::string>& methods) const;
  // The route of a request and its context, or the refusal (400, 404, 405, 401, 403).
  struct Resolved {
    const Route* route = nullptr;
    std::optional<RequestContext> context;  // with route
    std::optional<Dispatched> refusal;      // without
  };
  Resolved Resolve(const HttpRequest& request) const;
  // A synchronous route's answer; a throw is answered 500.
  static Dispatched Call(const Route& route, const RequestContext& context);
  // Whether the route must wait for the read models before it answers.
  bool MustWait(const Route& route) const;
  void Register(std::string method, std::string pattern, Access access, Route route);
  const TokenRegistry* tokens_;
  const SessionStore* sessions_ = nullptr;
  ReadGate read_gate_;
  std::vector<Route> routes_;
  Node root_;
};

// Splits "/a%20b/c?x=1&y" into path segments (each percent-decoded after splitting, so "%2F" stays
// inside its segment) and decoded query pairs. Returns nullopt when the target is not origin-form
// ("/...") or holds a bad escape.
struct Target {
  std::string path;                   // as sent, without the query
  std::vector<std::string> segments;  // "/a/b" -> {"a","b"}; "/" -> {}
  std::multimap<std::string, std::string> query;
};
std::optional<Target> ParseTarget(std::string_view target);

// Percent-decodes (and for queries turns '+' into ' '); nullopt on a bad escape.
std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space);

}  // namespace dialogue::api
