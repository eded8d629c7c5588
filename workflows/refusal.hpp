// Refusal: why the workflows will not carry out a command. The domain's own answer, kept apart
// from the engine's errors (engine/result.hpp), which are the store's: a rule of the procedures,
// a role, an unknown or existing entity, a malformed value. Like those, a value, never an
// exception.
//
// Verdict<T> is a T or a Refusal, [[nodiscard]] as engine::Result is; Check is a Verdict of
// nothing. RETURN_IF_ERROR and ASSIGN_OR_RETURN work with both, and a Refusal converts to any
// error type that can hold it (app::Failure).
#pragma once

#include <string>
#include <utility>

#include <tl/expected.hpp>

#include "engine/result.hpp"  // RETURN_IF_ERROR, ASSIGN_OR_RETURN; engine::Result for the codecs

namespace dialogue::workflows {

enum class RefusalCode {
  kInvalidArgument,  // the command or a value in it is malformed
  kNotFound,         // what it acts on or names does not exist
  kAlreadyExists,    // it would create what exists
  kRuleViolation,    // a rule of the procedures refuses it (rule carries the clause's code)
  kForbidden,        // the actor may not do this
};

struct Refusal {
  RefusalCode code = RefusalCode::kInvalidArgument;
  std::string message;
  std::string rule;  // only for kRuleViolation: the clause's code, e.g. "59(e)" (Violation())

  static Refusal InvalidArgument(std::string m) {
    return {RefusalCode::kInvalidArgument, std::move(m), {}};
  }
  static Refusal NotFound(std::string m) { return {RefusalCode::kNotFound, std::move(m), {}}; }
  static Refusal AlreadyExists(std::string m) {
    return {RefusalCode::kAlreadyExists, std::move(m), {}};
  }
  static Refusal RuleViolation(std::string rule, std::string m) {
    return {RefusalCode::kRuleViolation, std::move(m), std::move(rule)};
  }
  static Refusal Forbidden(std::string m) { return {RefusalCode::kForbidden, std::move(m), {}}; }
};

template <class T>
class [[nodiscard]] Verdict : public tl::expected<T, Refusal> {
 public:
  using tl::expected<T, Refusal>::expected;
  Verdict(const tl::expected<T, Refusal>& e) : tl::expected<T, Refusal>(e) {}  // NOLINT: implicit
  Verdict(tl::expected<T, Refusal>&& e) : tl::expected<T, Refusal>(std::move(e)) {}  // NOLINT
};

using Check = Verdict<void>;

inline tl::unexpected<Refusal> Refuse(Refusal r) { return tl::unexpected<Refusal>(std::move(r)); }

}  // namespace dialogue::workflows
