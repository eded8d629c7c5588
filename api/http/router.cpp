#include "api/http/router.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <memory>
#include <set>

#include "api/http/problem.hpp"
#include "api/ops/log.hpp"

namespace dialogue::api {
namespace {

bool IsParam(std::string_view segment) {
  return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

std::vector<std::string> SplitPattern(std::string_view pattern) {
  std::vector<std::string> segments;
  size_t start = 1;  // skip the leading '/'
  while (start <= pattern.size()) {
    size_t end = pattern.find('/', start);
    if (end == std::string_view::npos) end = pattern.size();
    if (end > start) segments.emplace_back(pattern.substr(start, end - start));
    start = end + 1;
  }
  return segments;
}

// HEAD is answered wherever GET is, by the GET route (the server sends the headers only).
const std::string& RouteMethod(const HttpRequest& request) {
  static const std::string kGet = "GET";
  return request.method == "HEAD" ? kGet : request.method;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

const std::string& RequestContext::Param(const std::string& name) const {
  static const std::string kEmpty;
  auto it = params.find(name);
  return it == params.end() ? kEmpty : it->second;
}

std::optional<std::string> RequestContext::Query(const std::string& name) const {
  auto it = query.find(name);
  if (it == query.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int hi = HexValue(text[i + 1]);
      const int lo = HexValue(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::optional<Target> ParseTarget(std::string_view target) {
  if (target.empty() || target.front() != '/') return std::nullopt;
  Target result;
  const size_t question = target.find('?');
  std::string_view path = target.substr(0, question);
  result.path = std::string(path);
  size_t start = 1;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (end == start) {
      // An empty segment: only a trailing "/" after the root is tolerated ("/" itself).
      if (end != path.size()) return std::nullopt;
    } else {
      auto segment = PercentDecode(path.substr(start, end - start), /*plus_is_space=*/false);
      if (!segment) return std::nullopt;
      result.segments.push_back(std::move(*segment));
    }
    start = end + 1;
  }
  if (question != std::string_view::npos) {
    std::string_view query = target.substr(question + 1);
    while (!query.empty()) {
      size_t amp = query.find('&');
      std::string_view pair = query.substr(0, amp);
      query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
      if (pair.empty()) continue;
      const size_t eq = pair.find('=');
      auto key = PercentDecode(pair.substr(0, eq), true);
      auto value = PercentDecode(eq == std::string_view::npos ? "" : pair.substr(eq + 1), true);
      if (!key || !value) return std::nullopt;
      result.query.emplace(std::move(*key), std::move(*value));
    }
  }
  return result;
}

void Router::Register(std::string method, std::string pattern, Access access, Route route) {
  route.segments = SplitPattern(pattern);
  route.method = std::move(method);
  route.pattern = std::move(pattern);
  route.access = std::move(access);
  Node* node = &root_;
  for (const std::string& segment : route.segments) {
    std::unique_ptr<Node>& next = IsParam(segment) ? node->param : node->literals[segment];
    if (!next) next = std::make_unique<Node>();
    node = next.get();
  }
  node->routes.push_back(routes_.size());
  routes_.push_back(std::move(route));
}

void Router::Add(std::string method, std::string pattern, Access access, Handler handler,
                 Work work) {
  Route route;
  route.handler = std::move(handler);
  route.work = work;
  Register(std::move(method), std::move(pattern), std::move(access), std::move(route));
}

void Router::AddAsync(std::string method, std::string pattern, Access access,
                      AsyncHandler handler) {
  Route route;
  route.async_handler = std::move(handler);
  Register(std::move(method), std::move(pattern), std::move(access), std::move(route));
}

std::vector<std::pair<std::string, std::string>> Router::Routes() const {
  std::vector<std::pair<std::string, std::string>> routes;
  routes.reserve(routes_.size());
  for (const Route& route : routes_) routes.emplace_back(route.method, route.pattern);
  return routes;
}

const Router::Route* Router::Match(const Node& node, const std::vector<std::string>& path, size_t i,
                                   std::string_view method) const {
  if (i == path.size()) {
    for (size_t r : node.routes) {
      if (routes_[r].method == method) return &routes_[r];
    }
    return nullptr;
  }
  if (auto literal = node.literals.find(path[i]); literal != node.literals.end()) {
    if (const Route* found = Match(*literal->second, path, i + 1, method)) return found;
  }
  if (node.param && !path[i].empty()) return Match(*node.param, path, i + 1, method);
  return nullptr;
}

void Router::MethodsOf(const Node& node, const std::vector<std::string>& path, size_t i,
                       std::set<std::string>& methods) const {
  if (i == path.size()) {
    for (size_t r : node.routes) methods.insert(routes_[r].method);
    return;
  }
  if (auto literal = node.literals.find(path[i]); literal != node.literals.end()) {
    MethodsOf(*literal->second, path, i + 1, methods);
  }
  if (node.param && !path[i].empty()) MethodsOf(*node.param, path, i + 1, methods);
}

namespace {

// A refusal as the resolution (Resolved is Router's, private: deduced).
template <class Resolved>
Resolved& Refused(Resolved& resolved, HttpResponse response, std::string route) {
  resolved.refusal = Router::Dispatched{std::move(response), std::move(route)};
  return resolved;
}

}  // namespace

Router::Resolved Router::Resolve(const HttpRequest& request) const {
  Resolved resolved;
  auto target = ParseTarget(request.target);
  if (!target) {
    return Refused(resolved, ProblemResponse(400, "bad_request", "malformed request target"),
                   "unmatched");
  }

  const Route* best = Match(root_, target->segments, 0, RouteMethod(request));
  if (best == nullptr) {
    std::set<std::string> allowed;  // the methods of the routes matching the path
    MethodsOf(root_, target->segments, 0, allowed);
    if (allowed.count("GET") != 0) allowed.insert("HEAD");
    if (allowed.empty()) {
      return Refused(resolved, ProblemResponse(404, "not_found", "no resource at " + target->path),
                     "unmatched");
    }
    std::string allow;
    for (const auto& method : allowed) allow += (allow.empty() ? "" : ", ") + method;
    HttpResponse response = ProblemResponse(
        405, "method_not_allowed", request.method + " is not allowed here; allowed: " + allow);
    response.headers.Set("Allow", allow);
    return Refused(resolved, std::move(response), "unmatched");
  }

  RequestContext& context = resolved.context.emplace(
      RequestContext{request, target->path, {}, std::move(target->query), std::nullopt, false, {}});
  resolved.route = best;
  for (size_t i = 0; i < best->segments.size(); ++i) {
    const std::string& segment = best->segments[i];
    if (IsParam(segment)) {
      context.params[segment.substr(1, segment.size() - 2)] = target->segments[i];
    }
  }

  if (best->access.kind != Access::Kind::kPublic) {
    // Two credentials of one kind: which one counts would depend on who reads the request (a
    // proxy may read the other); refused rather than guessed.
    if (request.headers.Count("Authorization") > 1) {
      return Refused(resolved,
                     ProblemResponse(400, "bad_request", "more than one Authorization header"),
                     best->pattern);
    }
    auto authorization = request.headers.Get("Authorization");
    std::optional<std::string> cookie;
    if (authorization) {
      if (tokens_ != nullptr) context.principal = tokens_->Authenticate(*authorization);
    } else {
      std::vector<std::string> cookies = CookieValues(request.headers, kSessionCookie);
      if (cookies.size() > 1) {
        return Refused(resolved,
                       ProblemResponse(400, "bad_request", "more than one session cookie"),
                       best->pattern);
      }
      if (!cookies.empty() && sessions_ != nullptr) {
        cookie = std::move(cookies.front());
        context.principal = sessions_->Find(*cookie);
        context.by_session = context.principal.has_value();
      }
    }
    if (!context.principal) {
      HttpResponse response =
          ProblemResponse(401, "unauthorized",
                          authorization ? "unknown bearer token"
                          : cookie      ? "the session has ended or is unknown: sign in again"
                                        : "missing Authorization: Bearer <token>");
      response.headers.Set("WWW-Authenticate", "Bearer");
      return Refused(resolved, std::move(response), best->pattern);
    }
    // A browser sends the cookie on cross-site requests too: a request that changes something
    // must prove it came from the console's own scripts (a cross-site form cannot set headers).
    if (context.by_session && request.method != "GET" && request.method != "HEAD") {
      auto csrf = request.headers.Get(kCsrfHeader);
      if (!csrf || *csrf != kCsrfValue) {
        return Refused(
            resolved,
            ProblemResponse(403, "forbidden",
                            request.method + " with the session cookie must carry the header "
                                             "X-Requested-With: dialogue"),
            best->pattern);
      }
    }
    if (best->access.kind == Access::Kind::kRoles) {
      const auto& roles = best->access.roles;
      auto held = std::find_if(roles.begin(), roles.end(), [&](const std::string& role) {
        return HasRole(*context.principal, role);
      });
      if (held == roles.end()) {
        return Refused(
            resolved,
            ProblemResponse(403, "forbidden",
                            "role not allowed to " + request.method + " " + best->pattern),
            best->pattern);
      }
      context.role = *held;
    }
  }
  return resolved;
}

namespace {

HttpResponse InternalError(const HttpRequest& request, const std::string& pattern,
                           const char* what) {
  LogError("handler " + request.method + " " + pattern + " threw: " + what);
  return ProblemResponse(500, "internal_error", "the request could not be handled");
}

// A kFromReadModels route's answer when the read models cannot be brought to the head.
HttpResponse ReadModelsUnavailable() {
  HttpResponse response = ProblemResponse(
      503, "unavailable", "the read models could not be brought to the head of the log; try again");
  response.headers.Set("Retry-After", "1");
  return response;
}

}  // namespace

Router::Dispatched Router::Call(const Route& route, const RequestContext& context) {
  try {
    return {route.handler(context), route.pattern};
  } catch (const std::exception& e) {
    return {InternalError(context.request, route.pattern, e.what()), route.pattern};
  } catch (...) {
    return {InternalError(context.request, route.pattern, "a non-exception"), route.pattern};
  }
}

bool Router::MustWait(const Route& route) const {
  return route.work == Work::kFromReadModels && read_gate_.ready && !read_gate_.ready();
}

void Router::DispatchAsync(HttpRequest request, Post post, std::function<void(Dispatched)> done,
                           Post offload) const {
  Resolved resolved = Resolve(request);
  if (resolved.refusal) return done(std::move(*resolved.refusal));
  const Route& route = *resolved.route;
  RequestContext& context = *resolved.context;
  if (route.handler) {
    const bool inline_here = route.work != Work::kMayBlock && context.query.count("as_of") == 0;
    const bool wait = MustWait(route);
    if (!wait && (inline_here || !offload)) return done(Call(route, context));
    // The request moves with the work; the context is bound to it there.
    auto owned = std::make_shared<HttpRequest>(std::move(request));
    auto bound = std::make_shared<RequestContext>(RequestContext{
        *owned, std::move(context.path), std::move(context.params), std::move(context.query),
        std::move(context.principal), context.by_session, context.role});
    auto answer = [&route, owned = std::move(owned), bound = std::move(bound),
                   done = std::move(done)](bool folded) {
      if (!folded) return done({ReadModelsUnavailable(), route.pattern});
      done(Call(route, *bound));
    };
    if (!wait) return offload([answer = std::move(answer)] { answer(true); });
    // Behind the head: answered where it would have been, once the read models are there.
    Post go_on = inline_here || !offload ? std::move(post) : std::move(offload);
    read_gate_.await([go_on = std::move(go_on), answer = std::move(answer)](bool folded) {
      if (!go_on) return answer(folded);
      go_on([answer, folded] { answer(folded); });
    });
    return;
  }
  // Answered once: by the handler, or here when it throws before it has.
  auto answered = std::make_shared<std::atomic<bool>>(false);
  auto respond = [answered, done = std::move(done), pattern = route.pattern](HttpResponse r) {
    if (!answered->exchange(true)) done({std::move(r), pattern});
  };
  try {
    route.async_handler(context, Responder{std::move(post), respond, std::move(offload)});
    return;
  } catch (const std::exception& e) {
    respond(InternalError(request, route.pattern, e.what()));
  } catch (...) {
    respond(InternalError(request, route.pattern, "a non-exception"));
  }
}

std::optional<Router::Dispatched> Router::Screen(const HttpRequest& head) const {
  Resolved resolved = Resolve(head);
  return std::move(resolved.refusal);
}

}  // namespace dialogue::api
