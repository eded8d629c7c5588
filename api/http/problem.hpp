// RFC 9457 problem details, the one shape of every error Dialogue answers, and the one mapping
// from an engine::Error or a workflows::Refusal to an HTTP status and problem code (docs/api.md,
// "Errors").
#pragma once

#include <string>
#include <vector>

#include "api/http/http_types.hpp"
#include "engine/result.hpp"
#include "workflows/refusal.hpp"

namespace dialogue::api {

inline constexpr char kProblemContentType[] = "application/problem+json";

// One invalid input field: {"field":"date","message":"..."}.
struct FieldError {
  std::string field;
  std::string message;
};

struct Problem {
  int status = 500;
  std::string code;    // "rule_violation"; type is "urn:dialogue:problem:" + code
  std::string title;   // short, the same for every problem of this code
  std::string detail;  // this occurrence
  std::string rule;    // only for rule_violation: the clause code, e.g. "59(e)"
  std::vector<FieldError> errors;
};

// The status and code for an engine error, e.g. kVersionConflict -> {409, "version_conflict"}.
struct ProblemKind {
  int status;
  const char* code;
};
ProblemKind ProblemKindFor(engine::ErrorCode code);
// The same for a refusal, e.g. kRuleViolation -> {422, "rule_violation"}.
ProblemKind ProblemKindFor(workflows::RefusalCode code);

// The problem for an engine error or a refusal (the only translations of either to HTTP).
Problem ProblemFromError(const engine::Error& error);
Problem ProblemFromError(const workflows::Refusal& refusal);

// A problem with the standard title for its code.
Problem MakeProblem(int status, std::string code, std::string detail);

// The response carrying a problem: its status, Content-Type application/problem+json and the
// body {"type","title","status","detail","code"[,"rule"][,"errors"]}.
HttpResponse ProblemResponse(const Problem& problem);
HttpResponse ProblemResponse(int status, std::string code, std::string detail);
HttpResponse ErrorResponse(const engine::Error& error);
HttpResponse ErrorResponse(const workflows::Refusal& refusal);

}  // namespace dialogue::api
