// Result<T>: the value of an operation that may fail in an expected way.
//
// Expected failures (not found, conflict, bad input, storage trouble) are values, never exceptions;
// bugs are asserts. Each layer translates the errors of the layer below once, at its boundary.
// The codes are the engine's own: a domain's refusals (a rule, a role) are the domain's type
// (workflows/refusal.hpp).
#pragma once

#include <string>
#include <utility>

#include <tl/expected.hpp>

namespace dialogue::engine {

enum class ErrorCode {
  kNotFound,              // the named stream, event or key does not exist
  kVersionConflict,       // an expected version did not match
  kAlreadyExists,         // the thing to create exists already
  kIdempotencyKeyReused,  // an idempotency key came back with another request fingerprint
  kInvalidArgument,       // the caller's input is malformed
  kUnavailable,           // the store is in fail-stop after a failed write; restart needed
  kCorruption,            // stored bytes do not decode or do not verify
  kIOError,               // the storage layer failed
};

struct Error {
  ErrorCode code;
  std::string message;

  static Error NotFound(std::string m) { return {ErrorCode::kNotFound, std::move(m)}; }
  static Error VersionConflict(std::string m) {
    return {ErrorCode::kVersionConflict, std::move(m)};
  }
  static Error AlreadyExists(std::string m) { return {ErrorCode::kAlreadyExists, std::move(m)}; }
  static Error IdempotencyKeyReused(std::string m) {
    return {ErrorCode::kIdempotencyKeyReused, std::move(m)};
  }
  static Error InvalidArgument(std::string m) {
    return {ErrorCode::kInvalidArgument, std::move(m)};
  }
  static Error Unavailable(std::string m) { return {ErrorCode::kUnavailable, std::move(m)}; }
  static Error Corruption(std::string m) { return {ErrorCode::kCorruption, std::move(m)}; }
  static Error IOError(std::string m) { return {ErrorCode::kIOError, std::move(m)}; }
};

// A value or an Error. [[nodiscard]]: a result dropped unread is a failure nobody sees, so the
// compiler refuses it; a caller that truly does not care says so with a (void) cast.
template <class T>
class [[nodiscard]] Result : public tl::expected<T, Error> {
 public:
  using tl::expected<T, Error>::expected;
  Result(const tl::expected<T, Error>& e) : tl::expected<T, Error>(e) {}        // NOLINT: implicit
  Result(tl::expected<T, Error>&& e) : tl::expected<T, Error>(std::move(e)) {}  // NOLINT
};

// For functions that return nothing on success.
using Status = Result<void>;

inline tl::unexpected<Error> Fail(Error e) { return tl::unexpected<Error>(std::move(e)); }

}  // namespace dialogue::engine

// RETURN_IF_ERROR / ASSIGN_OR_RETURN in the manner of Abseil's status macros.
#define DIALOGUE_CONCAT_INNER_(a, b) a##b
#define DIALOGUE_CONCAT_(a, b) DIALOGUE_CONCAT_INNER_(a, b)

#define RETURN_IF_ERROR(expr)                                                 \
  do {                                                                        \
    auto&& dialogue_status_ = (expr);                                         \
    if (!dialogue_status_) return ::tl::unexpected(dialogue_status_.error()); \
  } while (0)

#define ASSIGN_OR_RETURN(lhs, expr)                                                \
  auto DIALOGUE_CONCAT_(dialogue_result_, __LINE__) = (expr);                      \
  if (!DIALOGUE_CONCAT_(dialogue_result_, __LINE__))                               \
    return ::tl::unexpected(DIALOGUE_CONCAT_(dialogue_result_, __LINE__).error()); \
  lhs = std::move(*DIALOGUE_CONCAT_(dialogue_result_, __LINE__))
