#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "api/http/problem.hpp"

namespace dialogue::api {
namespace {

using engine::Error;
using engine::ErrorCode;

TEST_CASE("Every engine error maps to its status and code", "[problem]") {
  struct Row {
    ErrorCode code;
    int status;
    std::string problem;
  };
  const Row rows[] = {
      {ErrorCode::kNotFound, 404, "not_found"},
      {ErrorCode::kVersionConflict, 409, "version_conflict"},
      {ErrorCode::kAlreadyExists, 409, "already_exists"},
      {ErrorCode::kIdempotencyKeyReused, 409, "idempotency_key_reused"},
      {ErrorCode::kInvalidArgument, 400, "bad_request"},
      {ErrorCode::kUnavailable, 503, "unavailable"},
      {ErrorCode::kCorruption, 500, "internal_error"},
      {ErrorCode::kIOError, 500, "internal_error"},
  };
  for (const auto& row : rows) {
    const ProblemKind kind = ProblemKindFor(row.code);
    CHECK(kind.status == row.status);
    CHECK(kind.code == row.problem);
  }
}

TEST_CASE("Every refusal of the workflows maps to its status and code", "[problem]") {
  using workflows::RefusalCode;
  struct Row {
    RefusalCode code;
    int status;
    std::string problem;
  };
  const Row rows[] = {
      {RefusalCode::kInvalidArgument, 400, "bad_request"},
      {RefusalCode::kNotFound, 404, "not_found"},
      {RefusalCode::kAlreadyExists, 409, "already_exists"},
      {RefusalCode::kRuleViolation, 422, "rule_violation"},
      {RefusalCode::kForbidden, 403, "forbidden"},
  };
  for (const auto& row : rows) {
    const ProblemKind kind = ProblemKindFor(row.code);
    CHECK(kind.status == row.status);
    CHECK(kind.code == row.problem);
  }
}

TEST_CASE("A rule violation answers 422 with the rule", "[problem]") {
  HttpResponse response =
      ErrorResponse(workflows::Refusal::RuleViolation("59(e)", "too late to confirm"));
  CHECK(response.status == 422);
  CHECK(response.headers.Get("content-type") == "application/problem+json");
  const auto body = nlohmann::json::parse(response.body);
  CHECK(body == nlohmann::json{{"type", "urn:dialogue:problem:rule_violation"},
                               {"title", "A rule of the procedures refuses this"},
                               {"status", 422},
                               {"detail", "too late to confirm"},
                               {"code", "rule_violation"},
                               {"rule", "59(e)"}});
}

TEST_CASE("Other problems carry no rule member", "[problem]") {
  const auto body = nlohmann::json::parse(ErrorResponse(Error::NotFound("no briefing b1")).body);
  CHECK(body["code"] == "not_found");
  CHECK(body["status"] == 404);
  CHECK(body["type"] == "urn:dialogue:problem:not_found");
  CHECK(body["detail"] == "no briefing b1");
  CHECK_FALSE(body.contains("rule"));
  CHECK_FALSE(body.contains("errors"));
}

TEST_CASE("Field errors are listed", "[problem]") {
  Problem problem = MakeProblem(400, "bad_request", "bad fields");
  problem.errors.push_back({"date", "not a date"});
  problem.errors.push_back({"id", "too long"});
  const auto body = nlohmann::json::parse(ProblemResponse(problem).body);
  CHECK(body["errors"] == nlohmann::json::array({{{"field", "date"}, {"message", "not a date"}},
                                                 {{"field", "id"}, {"message", "too long"}}}));
}

TEST_CASE("Invalid UTF-8 in a detail does not throw", "[problem]") {
  HttpResponse response = ProblemResponse(400, "bad_request", std::string("bad \xff byte"));
  CHECK(nlohmann::json::parse(response.body)["code"] == "bad_request");
}

}  // namespace
}  // namespace dialogue::api
