// The vocabulary every workflow shares: roles, stakeholder categories, ECOSOC statuses,
// instruments, and the text forms of ids and dates (RULES.md "Who is who", API.md
// "Conventions"). Pure functions and plain values; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <date/date.h>

#include "engine/clock.hpp"
#include "workflows/refusal.hpp"

namespace dialogue::workflows {

using engine::TimePoint;

// A calendar date ("2026-07-15"), without a time zone.
using Date = date::sys_days;

// Who acts. `kSystem` is the engine's own timer service.
enum class Role {
  kSecretariat,
  kPresident,
  kBureau,
  kWorkingGroup,
  kState,
  kStakeholder,
  kAuditor,
  kIntegration,
  kSystem,
};

enum class StakeholderCategory {
  kNgo,
  kIgo,
  kUnEntity,
  kNonSignatoryState,
  kSignatoryState,
  kStateParty,
};

enum class EcosocStatus { kNone, kGeneral, kSpecial, kRoster };

// The Convention and its three Protocols.
enum class Instrument { kConvention, kTip, kSom, kFirearms };

enum class InstrumentStatus { kNone, kSignatory, kParty };

// Text forms, as in the contract ("working_group", "state_party", "tip", "signatory", ...).
std::string_view Name(Role role);
std::string_view Name(StakeholderCategory category);
std::string_view Name(EcosocStatus status);
std::string_view Name(Instrument instrument);
std::string_view Name(InstrumentStatus status);

std::optional<Role> ParseRole(std::string_view text);
std::optional<StakeholderCategory> ParseStakeholderCategory(std::string_view text);
std::optional<EcosocStatus> ParseEcosocStatus(std::string_view text);
std::optional<Instrument> ParseInstrument(std::string_view text);
std::optional<InstrumentStatus> ParseInstrumentStatus(std::string_view text);

// True for the three State categories.
bool IsState(StakeholderCategory category);

// A human word for a category in messages: "an NGO", "a State Party", ...
std::string_view Described(StakeholderCategory category);

// Ids chosen by clients: ^[a-z0-9][a-z0-9._-]{0,63}$.
bool IsValidId(std::string_view id);

// kInvalidArgument naming `field` unless `id` is a valid id.
[[nodiscard]] Check CheckId(std::string_view field, std::string_view id);

// kInvalidArgument naming `field` when `text` is empty or only white space.
[[nodiscard]] Check CheckNotBlank(std::string_view field, std::string_view text);

// Strict "YYYY-MM-DD" of a real calendar date; kInvalidArgument naming `field` otherwise.
[[nodiscard]] Verdict<Date> ParseDate(std::string_view field, std::string_view text);
std::string FormatDate(Date date);

// RFC 3339 in UTC, as engine/time.hpp writes it.
std::string FormatInstant(TimePoint instant);
[[nodiscard]] engine::Result<TimePoint> ParseInstant(std::string_view text);

}  // namespace dialogue::workflows
