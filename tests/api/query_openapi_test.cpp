// docs/openapi.yaml describes exactly the routes the server registers: every (method, pattern) of
// the router is an operation of the document, and every operation of the document is served.
#include <catch2/catch.hpp>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <utility>

#include "tests/api/query_fixture.hpp"

namespace dialogue::api {
namespace {

using Operation = std::pair<std::string, std::string>;  // "GET", "/v1/briefings/{id}"

std::string Upper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

// The operations under `paths:`, read as text: a path is a key indented by two spaces, its
// operations keys indented by four. (The document keeps that layout; redocly lints the rest.)
std::set<Operation> OperationsInDocument(const std::string& yaml) {
  static const std::set<std::string> kMethods = {"get",   "put",  "post",    "delete",
                                                 "patch", "head", "options", "trace"};
  std::set<Operation> operations;
  std::istringstream in(yaml);
  std::string line;
  bool in_paths = false;
  std::string path;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    if (line[0] != ' ') {
      in_paths = line == "paths:";
      continue;
    }
    if (!in_paths) continue;
    const bool path_key =
        line.rfind("  /", 0) == 0 || line.rfind("  '/", 0) == 0 || line.rfind("  \"/", 0) == 0;
    if (path_key && line.back() == ':') {
      path = line.substr(2, line.size() - 3);
      if (path.size() >= 2 && (path.front() == '\'' || path.front() == '"')) {
        path = path.substr(1, path.size() - 2);
      }
    } else if (line.rfind("    ", 0) == 0 && line[4] != ' ' && line.back() == ':') {
      const std::string key = line.substr(4, line.size() - 5);
      if (kMethods.count(key) != 0 && !path.empty()) operations.insert({Upper(key), path});
    }
  }
  return operations;
}

TEST_CASE_METHOD(testing::QueryFixture, "docs/openapi.yaml lists every route and only those",
                 "[query][openapi]") {
  std::ifstream file(std::string(DIALOGUE_SOURCE_DIR) + "/docs/openapi.yaml");
  REQUIRE(file.good());
  std::stringstream text;
  text << file.rdbuf();
  const std::set<Operation> documented = OperationsInDocument(text.str());
  REQUIRE(documented.size() > 10);

  std::set<Operation> served;
  for (const auto& [method, pattern] : router().Routes()) served.insert({method, pattern});

  for (const auto& operation : served) {
    INFO("served but not in docs/openapi.yaml: " << operation.first << " " << operation.second);
    CHECK(documented.count(operation) == 1);
  }
  for (const auto& operation : documented) {
    INFO("in docs/openapi.yaml but not served: " << operation.first << " " << operation.second);
    CHECK(served.count(operation) == 1);
  }
}

TEST_CASE("The OpenAPI reader finds operations under paths only", "[query][openapi]") {
  const std::string yaml =
      "openapi: 3.1.0\n"
      "info:\n"
      "  title: x\n"
      "paths:\n"
      "  /v1/a/{id}:\n"
      "    parameters:\n"
      "      - name: id\n"
      "    get:\n"
      "      summary: read\n"
      "    post:\n"
      "      summary: write\n"
      "  '/healthz':\n"
      "    get:\n"
      "      summary: health\n"
      "components:\n"
      "  schemas:\n"
      "    /v1/not-a-path:\n"
      "      get:\n";
  CHECK(OperationsInDocument(yaml) ==
        std::set<Operation>{{"GET", "/v1/a/{id}"}, {"POST", "/v1/a/{id}"}, {"GET", "/healthz"}});
}

}  // namespace
}  // namespace dialogue::api
