// Stakeholders: the register of NGOs, IGOs, UN entities and States, with each one's ECOSOC
// consultative status over time (60), its status under each instrument (58, 59(d), 59(f)) and
// the Conference sessions at which it was entitled as an observer (59(c)). Pure deciders and
// folds; thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "workflows/events.hpp"
#include "workflows/refusal.hpp"
#include "workflows/values.hpp"

namespace dialogue::workflows {

struct Context;

struct ObserverEntitlement {
  std::string conference_session;
  std::string rule;  // empty when not given
  bool operator==(const ObserverEntitlement&) const = default;
};

struct EcosocChange {
  TimePoint effective_at;
  EcosocStatus status = EcosocStatus::kNone;
  bool operator==(const EcosocChange&) const = default;
};

struct StakeholderState {
  bool created = false;  // its first event was folded
  bool exists() const { return created; }
  std::string id;
  std::string name;
  StakeholderCategory category = StakeholderCategory::kNgo;
  EcosocStatus registered_ecosoc_status = EcosocStatus::kNone;  // holds before the first change
  std::vector<EcosocChange> ecosoc_changes;  // sorted by effective_at (stable for equal times)
  std::map<Instrument, InstrumentStatus> instruments;
  std::vector<ObserverEntitlement> observer_entitlements;  // in recording order

  // The status now (after every recorded change).
  EcosocStatus ecosoc_status() const;
  bool operator==(const StakeholderState&) const = default;
};

// POST /v1/stakeholders.
struct RegisterStakeholder {
  std::string id;
  std::string name;
  std::string category;
  std::optional<std::string> ecosoc_status;                      // NGOs only; default "none"
  std::vector<std::pair<std::string, std::string>> instruments;  // States only: {"tip","signatory"}
};

// POST /v1/stakeholders/{id}/ecosoc-status. The change takes effect at the command's occurred_at.
struct ChangeEcosocStatus {
  std::string stakeholder;
  std::string status;
};

// POST /v1/stakeholders/{id}/observer-entitlements.
struct RecordObserverEntitlement {
  std::string stakeholder;
  std::string conference_session;
  std::string rule;  // optional
};

// Role: secretariat for all three. RecordObserverEntitlement reads
// context.facts.conference_sessions (404 when the session is not there).
[[nodiscard]] Verdict<std::vector<Event>> Decide(const StakeholderState& state,
                                                 const RegisterStakeholder& command,
                                                 const Context& context);
[[nodiscard]] Verdict<std::vector<Event>> Decide(const StakeholderState& state,
                                                 const ChangeEcosocStatus& command,
                                                 const Context& context);
[[nodiscard]] Verdict<std::vector<Event>> Decide(const StakeholderState& state,
                                                 const RecordObserverEntitlement& command,
                                                 const Context& context);
StakeholderState Evolve(StakeholderState state, const Event& event);

// The ECOSOC status in force at `instant`: the last change effective at or before it, else the
// status given at registration.
EcosocStatus EcosocStatusAt(const StakeholderState& stakeholder, TimePoint instant);

// True when the stakeholder was entitled as an observer at that Conference session (59(c)).
bool WasEntitledAt(const StakeholderState& stakeholder, std::string_view conference_session);

// A State's status under an instrument. Where `instruments` says nothing of the Convention, the
// category stands for it (state_party: party, signatory_state: signatory). Non-States: kNone.
InstrumentStatus StatusUnder(const StakeholderState& stakeholder, Instrument instrument);

// Party to `instrument`.
bool IsPartyTo(const StakeholderState& stakeholder, Instrument instrument);

// Signed `instrument` but is not a party to it (58).
bool IsSignatoryOnly(const StakeholderState& stakeholder, Instrument instrument);

// A State Party or signatory of the Convention or any Protocol: attends briefings without
// invitation (59(f)).
bool IsPartyOrSignatoryOfAny(const StakeholderState& stakeholder);

}  // namespace dialogue::workflows
