#include "api/http/problem.hpp"

#include <nlohmann/json.hpp>

namespace dialogue::api {
namespace {

std::string TitleFor(std::string_view code) {
  struct Entry {
    std::string_view code;
    const char* title;
  };
  static constexpr Entry kTitles[] = {
      {"bad_request", "The request is malformed"},
      {"unauthorized", "Authentication is required"},
      {"forbidden", "This role may not do this"},
      {"not_found", "Not found"},
      {"method_not_allowed", "Method not allowed on this resource"},
      {"version_conflict", "The entity changed meanwhile"},
      {"already_exists", "It exists already"},
      {"idempotency_key_reused", "The idempotency key was used for another request"},
      {"payload_too_large", "The request body is too large"},
      {"unsupported_media_type", "The request body must be JSON"},
      {"headers_too_large", "The request headers are too large"},
      {"rule_violation", "A rule of the procedures refuses this"},
      {"internal_error", "Internal error"},
      {"unavailable", "The service is unavailable"},
      {"not_leader", "This server is not the leader: commands go to the leader"},
      {"not_replicated", "The cluster did not take the events: this node no longer leads"},
  };
  for (const auto& entry : kTitles) {
    if (entry.code == code) return entry.title;
  }
  return "Error";
}

}  // namespace

ProblemKind ProblemKindFor(engine::ErrorCode code) {
  using engine::ErrorCode;
  switch (code) {
    case ErrorCode::kNotFound:
      return {404, "not_found"};
    case ErrorCode::kVersionConflict:
      return {409, "version_conflict"};
    case ErrorCode::kAlreadyExists:
      return {409, "already_exists"};
    case ErrorCode::kIdempotencyKeyReused:
      return {409, "idempotency_key_reused"};
    case ErrorCode::kInvalidArgument:
      return {400, "bad_request"};
    case ErrorCode::kUnavailable:
      return {503, "unavailable"};
    case ErrorCode::kCorruption:
    case ErrorCode::kIOError:
      return {500, "internal_error"};
  }
  return {500, "internal_error"};
}

ProblemKind ProblemKindFor(workflows::RefusalCode code) {
  using workflows::RefusalCode;
  switch (code) {
    case RefusalCode::kInvalidArgument:
      return {400, "bad_request"};
    case RefusalCode::kNotFound:
      return {404, "not_found"};
    case RefusalCode::kAlreadyExists:
      return {409, "already_exists"};
    case RefusalCode::kRuleViolation:
      return {422, "rule_violation"};
    case RefusalCode::kForbidden:
      return {403, "forbidden"};
  }
  return {400, "bad_request"};
}

Problem ProblemFromError(const engine::Error& error) {
  const ProblemKind kind = ProblemKindFor(error.code);
  return MakeProblem(kind.status, kind.code, error.message);
}

Problem ProblemFromError(const workflows::Refusal& refusal) {
  const ProblemKind kind = ProblemKindFor(refusal.code);
  Problem problem = MakeProblem(kind.status, kind.code, refusal.message);
  if (refusal.code == workflows::RefusalCode::kRuleViolation) problem.rule = refusal.rule;
  return problem;
}

Problem MakeProblem(int status, std::string code, std::string detail) {
  Problem problem;
  problem.status = status;
  problem.title = TitleFor(code);
  problem.code = std::move(code);
  problem.detail = std::move(detail);
  return problem;
}

HttpResponse ProblemResponse(const Problem& problem) {
  nlohmann::json body = {
      {"type", "urn:dialogue:problem:" + problem.code},
      {"title", problem.title},
      {"status", problem.status},
      {"detail", problem.detail},
      {"code", problem.code},
  };
  if (problem.code == "rule_violation") body["rule"] = problem.rule;
  if (!problem.errors.empty()) {
    nlohmann::json errors = nlohmann::json::array();
    for (const auto& e : problem.errors) {
      errors.push_back({{"field", e.field}, {"message", e.message}});
    }
    body["errors"] = std::move(errors);
  }
  HttpResponse response;
  response.status = problem.status;
  response.headers.Set("Content-Type", kProblemContentType);
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

HttpResponse ProblemResponse(int status, std::string code, std::string detail) {
  return ProblemResponse(MakeProblem(status, std::move(code), std::move(detail)));
}

HttpResponse ErrorResponse(const engine::Error& error) {
  return ProblemResponse(ProblemFromError(error));
}

HttpResponse ErrorResponse(const workflows::Refusal& refusal) {
  return ProblemResponse(ProblemFromError(refusal));
}

}  // namespace dialogue::api
