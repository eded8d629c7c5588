#include "workflows/stakeholder.hpp"

#include <algorithm>

#include "workflows/context.hpp"
#include "workflows/decider_support.hpp"

namespace dialogue::workflows {
namespace {

using detail::Events;

Refusal UnknownStakeholder(std::string_view id) {
  return Refusal::NotFound("stakeholder " + std::string(id) + " is not registered");
}

// What the category says of the Convention, for States.
InstrumentStatus ConventionStatusOf(StakeholderCategory category) {
  switch (category) {
    case StakeholderCategory::kStateParty:
      return InstrumentStatus::kParty;
    case StakeholderCategory::kSignatoryState:
      return InstrumentStatus::kSignatory;
    default:
      return InstrumentStatus::kNone;
  }
}

}  // namespace

EcosocStatus StakeholderState::ecosoc_status() const {
  return ecosoc_changes.empty() ? registered_ecosoc_status : ecosoc_changes.back().status;
}

Verdict<Events> Decide(const StakeholderState& state, const RegisterStakeholder& command,
                       const Context& context) {
  RETURN_IF_ERROR(detail::RequireRole(context, {Role::kSecretariat}, "register a stakeholder"));
  RETURN_IF_ERROR(CheckOccurredAt(context));
  RETURN_IF_ERROR(CheckId("id", command.id));
  RETURN_IF_ERROR(CheckNotBlank("name", command.name));
  auto category = ParseStakeholderCategory(command.category);
  if (!category) {
    return Refuse(Refusal::InvalidArgument(
        "category \"" + command.category +
        "\" is not one of ngo, igo, un_entity, non_signatory_state, signatory_state, "
        "state_party"));
  }
  EcosocStatus ecosoc = EcosocStatus::kNone;
  if (command.ecosoc_status) {
    auto parsed = ParseEcosocStatus(*command.ecosoc_status);
    if (!parsed) {
      return Refuse(Refusal::InvalidArgument("ecosoc_status \"" + *command.ecosoc_status +
                                             "\" is not one of general, special, roster, none"));
    }
    if (*category != StakeholderCategory::kNgo && *parsed != EcosocStatus::kNone) {
      return Refuse(Refusal::InvalidArgument("ecosoc_status applies to NGOs only; " + command.id +
                                             " is " + std::string(Described(*category))));
    }
    ecosoc = *parsed;
  }
  std::map<Instrument, InstrumentStatus> instruments;
  if (!command.instruments.empty() && !IsState(*category)) {
    return Refuse(Refusal::InvalidArgument("instruments apply to States only; " + command.id +
                                           " is " + std::string(Described(*category))));
  }
  for (const auto& [key, value] : command.instruments) {
    auto instrument = ParseInstrument(key);
    auto status = ParseInstrumentStatus(value);
    if (!instrument) {
      return Refuse(Refusal::InvalidArgument("instrument \"" + key +
                                             "\" is not one of convention, tip, som, firearms"));
    }
    if (!status || *status == InstrumentStatus::kNone) {
      return Refuse(Refusal::InvalidArgument("status \"" + value + "\" under " + key +
                                             " is not party or signatory"));
    }
    if (!instruments.emplace(*instrument, *status).second) {
      return Refuse(Refusal::InvalidArgument("instruments names " + key + " twice"));
    }
    if (*instrument == Instrument::kConvention && *status != ConventionStatusOf(*category)) {
      return Refuse(Refusal::InvalidArgument("instruments says " + command.id + " is " + value +
                                             " of the Convention, but its " + "category " +
                                             command.category + " says otherwise"));
    }
  }
  if (state.exists()) {
    return Refuse(Refusal::AlreadyExists("stakeholder " + command.id + " is already registered"));
  }
  return Events{
      StakeholderRegistered{command.id, command.name, *category, ecosoc, std::move(instruments)}};
}

Verdict<Events> Decide(const StakeholderState& state, const ChangeEcosocStatus& command,
                       const Context& context) {
  RETURN_IF_ERROR(
      detail::RequireRole(context, {Role::kSecretariat}, "record a change of ECOSOC status"));
  RETURN_IF_ERROR(CheckOccurredAt(context));
  auto status = ParseEcosocStatus(command.status);
  if (!status) {
    return Refuse(Refusal::InvalidArgument("status \"" + command.status +
                                           "\" is not one of general, special, roster, none"));
  }
  if (!state.exists()) return Refuse(UnknownStakeholder(command.stakeholder));
  if (state.category != StakeholderCategory::kNgo) {
    return Refuse(Refusal::InvalidArgument("ECOSOC consultative status applies to NGOs only; " +
                                           state.id + " is " +
                                           std::string(Described(state.category))));
  }
  return Events{EcosocStatusChanged{state.id, *status, context.occurred_at}};
}

Verdict<Events> Decide(const StakeholderState& state, const RecordObserverEntitlement& command,
                       const Context& context) {
  RETURN_IF_ERROR(
      detail::RequireRole(context, {Role::kSecretariat}, "record an observer entitlement"));
  RETURN_IF_ERROR(CheckOccurredAt(context));
  RETURN_IF_ERROR(CheckId("conference_session", command.conference_session));
  if (!state.exists()) return Refuse(UnknownStakeholder(command.stakeholder));
  if (context.facts.FindConferenceSession(command.conference_session) == nullptr) {
    return Refuse(Refusal::NotFound("Conference session " + command.conference_session +
                                    " is not registered"));
  }
  if (WasEntitledAt(state, command.conference_session)) {
    return Refuse(Refusal::AlreadyExists(state.id +
                                         " is already recorded as entitled at Conference session " +
                                         command.conference_session));
  }
  return Events{ObserverEntitlementRecorded{state.id, command.conference_session, command.rule}};
}

StakeholderState Evolve(StakeholderState state, const Event& event) {
  if (const auto* e = std::get_if<StakeholderRegistered>(&event)) {
    state.created = true;
    state.id = e->stakeholder;
    state.name = e->name;
    state.category = e->category;
    state.registered_ecosoc_status = e->ecosoc_status;
    state.instruments = e->instruments;
  } else if (const auto* e = std::get_if<EcosocStatusChanged>(&event)) {
    auto at = std::upper_bound(
        state.ecosoc_changes.begin(), state.ecosoc_changes.end(), e->effective_at,
        [](TimePoint t, const EcosocChange& change) { return t < change.effective_at; });
    state.ecosoc_changes.insert(at, EcosocChange{e->effective_at, e->status});
  } else if (const auto* e = std::get_if<ObserverEntitlementRecorded>(&event)) {
    state.observer_entitlements.push_back(ObserverEntitlement{e->conference_session, e->rule});
  }
  return state;
}

EcosocStatus EcosocStatusAt(const StakeholderState& stakeholder, TimePoint instant) {
  EcosocStatus status = stakeholder.registered_ecosoc_status;
  for (const auto& change : stakeholder.ecosoc_changes) {
    if (change.effective_at > instant) break;
    status = change.status;
  }
  return status;
}

bool WasEntitledAt(const StakeholderState& stakeholder, std::string_view conference_session) {
  return std::any_of(stakeholder.observer_entitlements.begin(),
                     stakeholder.observer_entitlements.end(),
                     [&](const ObserverEntitlement& entitlement) {
                       return entitlement.conference_session == conference_session;
                     });
}

InstrumentStatus StatusUnder(const StakeholderState& stakeholder, Instrument instrument) {
  if (!IsState(stakeholder.category)) return InstrumentStatus::kNone;
  if (auto it = stakeholder.instruments.find(instrument); it != stakeholder.instruments.end()) {
    return it->second;
  }
  if (instrument == Instrument::kConvention) return ConventionStatusOf(stakeholder.category);
  return InstrumentStatus::kNone;
}

bool IsPartyTo(const StakeholderState& stakeholder, Instrument instrument) {
  return StatusUnder(stakeholder, instrument) == InstrumentStatus::kParty;
}

bool IsSignatoryOnly(const StakeholderState& stakeholder, Instrument instrument) {
  return StatusUnder(stakeholder, instrument) == InstrumentStatus::kSignatory;
}

bool IsPartyOrSignatoryOfAny(const StakeholderState& stakeholder) {
  for (Instrument instrument :
       {Instrument::kConvention, Instrument::kTip, Instrument::kSom, Instrument::kFirearms}) {
    if (StatusUnder(stakeholder, instrument) != InstrumentStatus::kNone) return true;
  }
  return false;
}

}  // namespace dialogue::workflows
