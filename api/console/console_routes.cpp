// The console: GET / redirects to /console/, GET /console/ is index.html, GET /console/{file}
// any other embedded file (api/console/console_assets.hpp). Public: the pages hold no data; they
// sign in through POST /v1/session and read the API with the session cookie (docs/console.md).
#include <map>
#include <string>
#include <string_view>

#include "api/console/console_assets.hpp"
#include "api/http/auth.hpp"
#include "api/http/problem.hpp"
#include "api/routes/routes.hpp"

namespace dialogue::api {
namespace {

// Scripts, styles and connections from this origin only; no inline script or style, no frames.
constexpr char kContentSecurityPolicy[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

std::string_view ContentType(std::string_view path) {
  static const std::map<std::string_view, std::string_view> kTypes = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".txt", "text/plain; charset=utf-8"},
      {".webmanifest", "application/manifest+json"}};
  const size_t dot = path.rfind('.');
  if (dot != std::string_view::npos) {
    auto it = kTypes.find(path.substr(dot));
    if (it != kTypes.end()) return it->second;
  }
  return "application/octet-stream";
}

// The files with their ETags, computed once.
struct ServedFile {
  std::string_view bytes;
  std::string_view content_type;
  std::string etag;
};

const std::map<std::string, ServedFile, std::less<>>& Files() {
  static const auto* kFiles = [] {
    auto* files = new std::map<std::string, ServedFile, std::less<>>();
    for (const ConsoleAsset& asset : ConsoleAssets()) {
      // Appended, not `"\"" + ... + "\""`: g++ 12 at -O3 takes that for an overlapping memcpy
      // (-Werror=restrict, a false positive) and the release build fails.
      std::string etag = "\"";
      etag.append(Sha256Hex(asset.bytes), 0, 32);
      etag.push_back('"');
      files->emplace(std::string(asset.path),
                     ServedFile{asset.bytes, ContentType(asset.path), std::move(etag)});
    }
    return files;
  }();
  return *kFiles;
}

void SetSecurityHeaders(HttpResponse& response) {
  response.headers.Set("Content-Security-Policy", kContentSecurityPolicy);
  response.headers.Set("X-Content-Type-Options", "nosniff");
  response.headers.Set("Referrer-Policy", "no-referrer");
  response.headers.Set("X-Frame-Options", "DENY");
}

HttpResponse Redirect(int status, std::string location) {
  HttpResponse response;
  response.status = status;
  response.headers.Set("Location", std::move(location));
  response.headers.Set("Cache-Control", "no-cache");
  return response;
}

bool MatchesEtag(std::string_view if_none_match, std::string_view etag) {
  if (if_none_match.find('*') != std::string_view::npos) return true;
  return if_none_match.find(etag) != std::string_view::npos;
}

HttpResponse Serve(const RequestContext& request, std::string_view name) {
  const auto& files = Files();
  auto it = files.find(name);
  if (it == files.end()) {
    return ProblemResponse(404, "not_found", "the console has no file " + request.path);
  }
  const ServedFile& file = it->second;
  HttpResponse response;
  SetSecurityHeaders(response);
  response.headers.Set("ETag", file.etag);
  // Revalidate every time: the files change with the binary, and a 304 costs nothing.
  response.headers.Set("Cache-Control", "no-cache");
  if (auto tag = request.request.headers.Get("If-None-Match");
      tag && MatchesEtag(*tag, file.etag)) {
    response.status = 304;
    return response;
  }
  response.status = 200;
  response.headers.Set("Content-Type", std::string(file.content_type));
  response.body = std::string(file.bytes);
  return response;
}

}  // namespace

void RegisterConsoleRoutes(Router& router, ApiContext&) {
  router.Add(
      "GET", "/", Access::Public(),
      [](const RequestContext&) { return Redirect(302, "/console/"); }, Work::kFromMemory);
  router.Add(
      "GET", "/console", Access::Public(),
      [](const RequestContext& request) {
        // "/console" without its slash would resolve the page's relative module paths against "/".
        if (request.path != "/console/") return Redirect(308, "/console/");
        return Serve(request, "index.html");
      },
      Work::kFromMemory);
  router.Add(
      "GET", "/console/{file}", Access::Public(),
      [](const RequestContext& request) { return Serve(request, request.Param("file")); },
      Work::kFromMemory);
}

}  // namespace dialogue::api
