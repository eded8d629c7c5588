#include "workflows/state_participation.hpp"

#include <cmath>

#include "workflows/clauses.hpp"
#include "workflows/context.hpp"
#include "workflows/decider_support.hpp"

namespace dialogue::workflows {
namespace {

using detail::Events;

Refusal UnknownParticipation(std::string_view id) {
  return Refusal::NotFound("State participation " + std::string(id) + " does not exist");
}

}  // namespace

std::string_view Name(StateParticipationStatus status) {
  switch (status) {
    case StateParticipationStatus::kNone:
      return "none";
    case StateParticipationStatus::kRequested:
      return "requested";
    case StateParticipationStatus::kFunded:
      return "funded";
    case StateParticipationStatus::kWithdrawn:
      return "withdrawn";
  }
  return "unknown";
}

Verdict<Events> Decide(const StateParticipationState& state,
                       const RequestStateParticipation& command, const Context& context) {
  RETURN_IF_ERROR(detail::RequireActingFor(context, command.state,
                                           "ask to participate as a State under review"));
  RETURN_IF_ERROR(CheckOccurredAt(context));
  RETURN_IF_ERROR(CheckId("id", command.id));
  RETURN_IF_ERROR(CheckId("state", command.state));
  RETURN_IF_ERROR(CheckNotBlank("review_cycle", command.review_cycle));
  Instrument instrument = context.rules.default_participation_instrument;
  if (command.instrument) {
    auto parsed = ParseInstrument(*command.instrument);
    if (!parsed) {
      return Refuse(Refusal::InvalidArgument("instrument \"" + *command.instrument +
                                             "\" is not one of convention, tip, som, firearms"));
    }
    instrument = *parsed;
  }
  const StakeholderState* s = context.facts.FindStakeholder(command.state);
  if (s == nullptr) {
    return Refuse(Refusal::NotFound("stakeholder " + command.state + " is not registered"));
  }
  if (state.exists()) {
    return Refuse(Refusal::AlreadyExists("State participation " + command.id + " already exists"));
  }
  if (!IsSignatoryOnly(*s, instrument)) {
    std::string why;
    if (!IsState(s->category)) {
      why = s->id + " is " + std::string(Described(s->category)) + ", not a State";
    } else if (IsPartyTo(*s, instrument)) {
      why = s->id + " is already a party to the " + std::string(Name(instrument)) +
            " instrument and is reviewed as such";
    } else {
      why = s->id + " has not signed the " + std::string(Name(instrument)) + " instrument";
    }
    return Refuse(Violation(Clause::k58,
                            why + "; voluntary participation as a State under review is for States "
                                  "that signed an instrument but are not party to it"));
  }
  return Events{StateParticipationRequested{command.id, s->id, command.review_cycle, instrument}};
}

Verdict<Events> Decide(const StateParticipationState& state, const FundStateParticipation& command,
                       const Context& context) {
  RETURN_IF_ERROR(
      detail::RequireRole(context, {Role::kSecretariat}, "record funding of a participation"));
  RETURN_IF_ERROR(CheckOccurredAt(context));
  RETURN_IF_ERROR(CheckNotBlank("source", command.source));
  RETURN_IF_ERROR(CheckNotBlank("donor", command.donor));
  // Whole cents up to a trillion dollars: every such amount is exact in a double (below 2^53
  // cents), prints as written, and no amount is a float's artefact (1e308, 2^64).
  const double cents = command.amount_usd * 100;
  if (!std::isfinite(command.amount_usd) || command.amount_usd <= 0 ||
      command.amount_usd > kMaxAmountUsd || std::abs(cents - std::round(cents)) > 1e-6) {
    return Refuse(Refusal::InvalidArgument(
        "amount_usd must be a positive amount of US dollars in whole cents, at most "
        "1000000000000"));
  }
  if (!state.exists()) return Refuse(UnknownParticipation(command.state_participation));
  if (state.status == StateParticipationStatus::kWithdrawn) {
    return Refuse(Violation(Clause::k58, state.state + " withdrew State participation " + state.id +
                                             "; it can no longer be funded"));
  }
  if (command.source != context.rules.voluntary_contributions_source) {
    return Refuse(Violation(Clause::k58,
                            "the costs of " + state.state +
                                "'s voluntary participation are paid from voluntary contributions "
                                "only (source \"" +
                                context.rules.voluntary_contributions_source + "\"), not from \"" +
                                command.source + "\""));
  }
  return Events{
      StateParticipationFunded{state.id, command.source, command.amount_usd, command.donor}};
}

Verdict<Events> Decide(const StateParticipationState& state,
                       const WithdrawStateParticipation& command, const Context& context) {
  if (!state.exists()) {
    RETURN_IF_ERROR(detail::RequireRole(context, {Role::kState, Role::kSecretariat},
                                        "withdraw a State participation"));
    return Refuse(UnknownParticipation(command.state_participation));
  }
  RETURN_IF_ERROR(detail::RequireActingFor(context, state.state, "withdraw a State participation"));
  RETURN_IF_ERROR(CheckOccurredAt(context));
  if (state.status == StateParticipationStatus::kWithdrawn) {
    return Refuse(
        Refusal::AlreadyExists("State participation " + state.id + " was already withdrawn"));
  }
  return Events{StateParticipationWithdrawn{state.id, state.state, command.reasons}};
}

StateParticipationState Evolve(StateParticipationState state, const Event& event) {
  if (const auto* e = std::get_if<StateParticipationRequested>(&event)) {
    state.id = e->state_participation;
    state.status = StateParticipationStatus::kRequested;
    state.state = e->state;
    state.review_cycle = e->review_cycle;
    state.instrument = e->instrument;
  } else if (const auto* e = std::get_if<StateParticipationFunded>(&event)) {
    if (e->state_participation != state.id) return state;
    state.status = StateParticipationStatus::kFunded;
    state.fundings.push_back(Funding{e->source, e->amount_usd, e->donor});
  } else if (const auto* e = std::get_if<StateParticipationWithdrawn>(&event)) {
    if (e->state_participation != state.id) return state;
    state.status = StateParticipationStatus::kWithdrawn;
    state.withdrawal_reasons = e->reasons;
  }
  return state;
}

}  // namespace dialogue::workflows
