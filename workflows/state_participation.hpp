// State participation, paragraph 58: a State that signed but is not party to an instrument
// (default: the Convention) asks to participate in the Mechanism as a State under review,
// voluntarily; its costs are paid from voluntary contributions only. Lifecycle:
// requested -> funded (active) ; withdrawn at the State's word.
// Stream state-participation-<id>. Pure deciders and folds; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "workflows/events.hpp"
#include "workflows/refusal.hpp"
#include "workflows/values.hpp"

namespace dialogue::workflows {

struct Context;

enum class StateParticipationStatus { kNone, kRequested, kFunded, kWithdrawn };
std::string_view Name(StateParticipationStatus status);  // "requested", "funded", "withdrawn"

// The largest amount of one funding, in US dollars; amounts are in whole cents.
inline constexpr double kMaxAmountUsd = 1e12;

struct Funding {
  std::string source;
  double amount_usd = 0;  // whole cents, 0 < amount <= kMaxAmountUsd
  std::string donor;
  bool operator==(const Funding&) const = default;
};

struct StateParticipationState {
  std::string id;
  StateParticipationStatus status = StateParticipationStatus::kNone;
  std::string state;
  std::string review_cycle;
  Instrument instrument = Instrument::kConvention;
  std::vector<Funding> fundings;
  std::string withdrawal_reasons;
  bool exists() const { return status != StateParticipationStatus::kNone; }
  bool operator==(const StateParticipationState&) const = default;
};

// POST /v1/state-participations. Role: state acting for `state`, or the secretariat on its
// behalf. Reads facts.stakeholders for the State (404).
struct RequestStateParticipation {
  std::string id;
  std::string state;
  std::string review_cycle;
  std::optional<std::string> instrument;  // default: rules.default_participation_instrument
};

// POST /v1/state-participations/{id}/funding. Role: secretariat.
struct FundStateParticipation {
  std::string state_participation;
  std::string source;
  double amount_usd = 0;
  std::string donor;
};

// Withdrawal at the State's word. Role: state acting for it, or the secretariat.
struct WithdrawStateParticipation {
  std::string state_participation;
  std::string reasons;
};

[[nodiscard]] Verdict<std::vector<Event>> Decide(const StateParticipationState& state,
                                                 const RequestStateParticipation& command,
                                                 const Context& context);
[[nodiscard]] Verdict<std::vector<Event>> Decide(const StateParticipationState& state,
                                                 const FundStateParticipation& command,
                                                 const Context& context);
[[nodiscard]] Verdict<std::vector<Event>> Decide(const StateParticipationState& state,
                                                 const WithdrawStateParticipation& command,
                                                 const Context& context);
StateParticipationState Evolve(StateParticipationState state, const Event& event);

}  // namespace dialogue::workflows
