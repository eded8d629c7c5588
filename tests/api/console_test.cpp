// The embedded console: served from the binary at /console/ with its content type, ETag,
// Cache-Control and a strict Content-Security-Policy; / redirects there; unknown files are 404.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>

#include "api/console/console_assets.hpp"
#include "tests/api/dispatch_and_wait.hpp"
#include "tests/api/query_fixture.hpp"

namespace dialogue::api {
namespace {

HttpResponse Fetch(Router& router, const std::string& target,
                   const std::string& if_none_match = "") {
  HttpRequest request;
  request.method = "GET";
  request.target = target;
  if (!if_none_match.empty()) request.headers.Set("If-None-Match", if_none_match);
  return ::dialogue::api::testing::DispatchAndWait(router, request).response;
}

std::string Header(const HttpResponse& response, const char* name) {
  return std::string(response.headers.Get(name).value_or(""));
}

TEST_CASE_METHOD(testing::QueryFixture, "GET / redirects to the console", "[console]") {
  HttpResponse root = Fetch(router(), "/");
  CHECK(root.status == 302);
  CHECK(Header(root, "Location") == "/console/");
  HttpResponse bare = Fetch(router(), "/console");
  CHECK(bare.status == 308);
  CHECK(Header(bare, "Location") == "/console/");
}

TEST_CASE_METHOD(testing::QueryFixture, "GET /console/ serves index.html without a token",
                 "[console]") {
  HttpResponse page = Fetch(router(), "/console/");
  REQUIRE(page.status == 200);
  CHECK(Header(page, "Content-Type") == "text/html; charset=utf-8");
  CHECK(page.body.find("<!doctype html>") == 0);
  const std::string csp = Header(page, "Content-Security-Policy");
  CHECK(csp.find("script-src 'self'") != std::string::npos);
  CHECK(csp.find("default-src 'none'") != std::string::npos);
  CHECK(csp.find("frame-ancestors 'none'") != std::string::npos);
  CHECK(csp.find("unsafe-inline") == std::string::npos);
  CHECK(Header(page, "X-Content-Type-Options") == "nosniff");
  CHECK(Header(page, "Cache-Control") == "no-cache");
  const std::string etag = Header(page, "ETag");
  REQUIRE(etag.size() == 34);
  CHECK(Fetch(router(), "/console/index.html").body == page.body);

  HttpResponse same = Fetch(router(), "/console/", etag);
  CHECK(same.status == 304);
  CHECK(same.body.empty());
  CHECK(Header(same, "ETag") == etag);
  CHECK(Fetch(router(), "/console/", "\"other\"").status == 200);
}

TEST_CASE_METHOD(testing::QueryFixture, "Each console file has its content type", "[console]") {
  CHECK(Header(Fetch(router(), "/console/app.js"), "Content-Type") ==
        "text/javascript; charset=utf-8");
  CHECK(Header(Fetch(router(), "/console/style.css"), "Content-Type") == "text/css; charset=utf-8");
  // Different files, different ETags.
  CHECK(Header(Fetch(router(), "/console/app.js"), "ETag") !=
        Header(Fetch(router(), "/console/style.css"), "ETag"));
}

TEST_CASE_METHOD(testing::QueryFixture, "An unknown console path is a 404 problem", "[console]") {
  for (const char* target :
       {"/console/nothing.js", "/console/..%2Fapi%2Fmain.cpp", "/console/a/b", "/consoles"}) {
    INFO(target);
    HttpResponse missing = Fetch(router(), target);
    CHECK(missing.status == 404);
    CHECK(Header(missing, "Content-Type") == "application/problem+json");
    CHECK(nlohmann::json::parse(missing.body)["code"] == "not_found");
  }
}

TEST_CASE("The binary embeds every file of console/ as it is", "[console]") {
  namespace fs = std::filesystem;
  const fs::path folder = fs::path(DIALOGUE_SOURCE_DIR) / "console";
  std::set<std::string> on_disk;
  for (const auto& entry : fs::recursive_directory_iterator(folder)) {
    if (entry.is_regular_file()) on_disk.insert(fs::relative(entry.path(), folder).string());
  }
  std::set<std::string> embedded;
  for (const ConsoleAsset& asset : ConsoleAssets()) {
    embedded.insert(std::string(asset.path));
    std::ifstream in(folder / std::string(asset.path), std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    INFO(asset.path);
    CHECK(bytes.str() == asset.bytes);
  }
  CHECK(embedded == on_disk);
  CHECK(embedded.count("index.html") == 1);
}

}  // namespace
}  // namespace dialogue::api
