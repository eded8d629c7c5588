#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "api/http/json_io.hpp"

namespace dialogue::api {
namespace {

HttpRequest Post(std::string body, std::string content_type = "application/json") {
  HttpRequest request;
  request.method = "POST";
  request.target = "/v1/things";
  if (!content_type.empty()) request.headers.Set("Content-Type", content_type);
  request.body = std::move(body);
  return request;
}

std::string Code(const HttpResponse& response) {
  return nlohmann::json::parse(response.body).value("code", "");
}

TEST_CASE("A JSON object body decodes", "[json_io]") {
  auto value = DecodeJsonBody(Post(R"({"id":"b1","n":[1,2]})"));
  REQUIRE(value);
  CHECK((*value)["id"] == "b1");
}

TEST_CASE("JSON media types are recognized, any case and parameters", "[json_io]") {
  CHECK(IsJsonContentType("application/json"));
  CHECK(IsJsonContentType("Application/JSON; charset=utf-8"));
  CHECK(IsJsonContentType("application/merge-patch+json"));
  CHECK_FALSE(IsJsonContentType("text/plain"));
  CHECK_FALSE(IsJsonContentType("application/jsonx"));
  CHECK_FALSE(IsJsonContentType("application/+json"));
  CHECK_FALSE(IsJsonContentType(""));
}

TEST_CASE("A non-JSON Content-Type answers 415 before the body is looked at", "[json_io]") {
  for (const std::string type : {"text/plain", "application/x-www-form-urlencoded", ""}) {
    auto value = DecodeJsonBody(Post("{not even json", type));
    REQUIRE_FALSE(value);
    CHECK(value.error().status == 415);
    CHECK(Code(value.error()) == "unsupported_media_type");
    CHECK(value.error().headers.Get("Content-Type") == "application/problem+json");
  }
}

TEST_CASE("Malformed JSON answers 400 bad_request", "[json_io]") {
  for (const std::string body : {"{", R"({"a":})", "{\"a\":\"\xff\"}", R"({"a":1} trailing)"}) {
    auto value = DecodeJsonBody(Post(body));
    REQUIRE_FALSE(value);
    CHECK(value.error().status == 400);
    CHECK(Code(value.error()) == "bad_request");
  }
}

TEST_CASE("A body that is not an object answers 400", "[json_io]") {
  for (const std::string body : {"[]", "1", R"("text")", "null"}) {
    auto value = DecodeJsonBody(Post(body));
    REQUIRE_FALSE(value);
    CHECK(value.error().status == 400);
  }
}

TEST_CASE("Deep nesting answers 400 without parsing", "[json_io]") {
  const std::string deep = "{\"a\":" + std::string(10000, '[') + std::string(10000, ']') + "}";
  auto value = DecodeJsonBody(Post(deep));
  REQUIRE_FALSE(value);
  CHECK(value.error().status == 400);
  // Brackets inside strings do not count.
  auto quoted = DecodeJsonBody(Post("{\"a\":\"" + std::string(1000, '[') + "\\\"\"}"));
  CHECK(quoted);
}

TEST_CASE("An empty body is the empty object, whatever its type", "[json_io]") {
  auto value = DecodeJsonBody(Post("", ""));
  REQUIRE(value);
  CHECK(*value == nlohmann::json::object());
  CHECK(DecodeJsonBody(Post(" \r\n", "text/plain")));
}

TEST_CASE("JsonResponse sets the type and serializes", "[json_io]") {
  HttpResponse response = JsonResponse(201, {{"a", 1}});
  CHECK(response.status == 201);
  CHECK(response.headers.Get("content-type") == "application/json");
  CHECK(response.body == R"({"a":1})");
}

}  // namespace
}  // namespace dialogue::api
