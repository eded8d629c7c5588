#include "workflows/observer_invitation.hpp"

#include <algorithm>

#include "workflows/clauses.hpp"
#include "workflows/context.hpp"
#include "workflows/deadline.hpp"
#include "workflows/decider_support.hpp"

namespace dialogue::workflows {
namespace {

using detail::Events;

Refusal UnknownInvitation(std::string_view id) {
  return Refusal::NotFound("observer invitation " + std::string(id) + " does not exist");
}

// True when `instant` is before the first local day of the meeting.
Verdict<bool> BeforeMeeting(const ObserverInvitationState& state, TimePoint instant,
                            const RulesConfig& rules) {
  ASSIGN_OR_RETURN(TimePoint start,
                   StartOfLocalDay(state.meeting_starts_on, rules.default_time_zone));
  return instant < start;
}

}  // namespace

std::string_view Name(ObserverInvitationStatus status) {
  switch (status) {
    case ObserverInvitationStatus::kNone:
      return "none";
    case ObserverInvitationStatus::kInvited:
      return "invited";
    case ObserverInvitationStatus::kAccepted:
      return "accepted";
    case ObserverInvitationStatus::kDeclined:
      return "declined";
    case ObserverInvitationStatus::kRevoked:
      return "revoked";
  }
  return "unknown";
}

const std::vector<std::string_view>& ObserverTopics() {
  static const std::vector<std::string_view> kTopics{"tip-art6-para3", "tip-art9-para3",
                                                     "som-art14-para2", "prevention",
                                                     "victim-assistance-protection"};
  return kTopics;
}

Verdict<Events> Decide(const ObserverInvitationState& state, const InviteObserver& command,
                       const Context& context) {
  RETURN_IF_ERROR(detail::RequireRole(context, {Role::kWorkingGroup, Role::kSecretariat},
                                      "invite an observer (a Working Group does)"));
  RETURN_IF_ERROR(CheckOccurredAt(context));
  RETURN_IF_ERROR(CheckId("id", command.id));
  RETURN_IF_ERROR(CheckId("meeting", command.meeting));
  RETURN_IF_ERROR(CheckId("stakeholder", command.stakeholder));
  const auto& topics = ObserverTopics();
  if (std::find(topics.begin(), topics.end(), command.topic) == topics.end()) {
    return Refuse(Refusal::InvalidArgument(
        "topic \"" + command.topic +
        "\" is not one of tip-art6-para3, tip-art9-para3, som-art14-para2, prevention, "
        "victim-assistance-protection"));
  }
  if (context.role == Role::kSecretariat && context.working_group.empty()) {
    return Refuse(Violation(Clause::k60,
                            "observers are invited by a Working Group, not by the Secretariat; the "
                            "Secretariat may record a Working Group's invitation on its behalf"));
  }
  const MeetingState* meeting = context.facts.FindMeeting(command.meeting);
  if (meeting == nullptr) {
    return Refuse(Refusal::NotFound("meeting " + command.meeting + " is not scheduled"));
  }
  const StakeholderState* ngo = context.facts.FindStakeholder(command.stakeholder);
  if (ngo == nullptr) {
    return Refuse(Refusal::NotFound("stakeholder " + command.stakeholder + " is not registered"));
  }
  if (state.exists()) {
    return Refuse(Refusal::AlreadyExists("observer invitation " + command.id + " already exists"));
  }
  if (meeting->working_group != context.working_group) {
    return Refuse(Violation(
        Clause::k60, "meeting " + meeting->id + " is a meeting of Working Group " +
                         meeting->working_group + "; Working Group " + context.working_group +
                         " may invite observers only to its own meetings"));
  }
  if (!meeting->review_agenda_item) {
    return Refuse(Violation(
        Clause::k60, "meeting " + meeting->id +
                         " does not take up the agenda item on the review process; observers "
                         "are invited only to meetings that do"));
  }
  if (ngo->category != StakeholderCategory::kNgo) {
    return Refuse(Violation(Clause::k60, ngo->id + " is " + std::string(Described(ngo->category)) +
                                             "; only NGOs are invited as observers"));
  }
  const EcosocStatus ecosoc = EcosocStatusAt(*ngo, context.occurred_at);
  if (!context.rules.AllowsObserver(ecosoc)) {
    return Refuse(Violation(Clause::k60,
                            ngo->id +
                                " has no ECOSOC consultative status (general, special or roster) "
                                "at " +
                                FormatInstant(context.occurred_at) + " (it is " +
                                std::string(Name(ecosoc)) + ")"));
  }
  ASSIGN_OR_RETURN(Date today, LocalDate(context.occurred_at, context.rules.default_time_zone));
  if (today > meeting->ends_on) {
    return Refuse(Violation(Clause::k60, "meeting " + meeting->id + " ended on " +
                                             FormatDate(meeting->ends_on) +
                                             "; observers are invited before it ends"));
  }
  return Events{ObserverInvited{command.id, meeting->id, meeting->working_group, ngo->id,
                                command.topic, meeting->starts_on, meeting->ends_on}};
}

Verdict<Events> Decide(const ObserverInvitationState& state,
                       const AnswerObserverInvitation& command, const Context& context) {
  if (!state.exists()) {
    RETURN_IF_ERROR(detail::RequireRole(
        context, {Role::kStakeholder, Role::kState, Role::kSecretariat}, "answer an invitation"));
    return Refuse(UnknownInvitation(command.observer_invitation));
  }
  RETURN_IF_ERROR(detail::RequireActingFor(context, state.stakeholder, "answer an invitation"));
  RETURN_IF_ERROR(CheckOccurredAt(context));
  switch (state.status) {
    case ObserverInvitationStatus::kAccepted:
    case ObserverInvitationStatus::kDeclined:
      return Refuse(Refusal::AlreadyExists(state.stakeholder + " has already " +
                                           std::string(Name(state.status)) +
                                           " observer invitation " + state.id));
    case ObserverInvitationStatus::kRevoked:
      return Refuse(Violation(Clause::k60, "observer invitation " + state.id +
                                               " was revoked: " + state.revocation_reason));
    default:
      break;
  }
  return Events{ObserverInvitationAnswered{state.id, state.stakeholder, command.accepted}};
}

Verdict<Events> Decide(const ObserverInvitationState& state,
                       const RevokeObserverInvitation& command, const Context& context) {
  RETURN_IF_ERROR(detail::RequireRole(context, {Role::kSecretariat, Role::kWorkingGroup},
                                      "revoke an observer invitation"));
  RETURN_IF_ERROR(CheckOccurredAt(context));
  RETURN_IF_ERROR(CheckNotBlank("reason", command.reason));
  if (!state.exists()) return Refuse(UnknownInvitation(command.observer_invitation));
  if (context.role == Role::kWorkingGroup && context.working_group != state.working_group) {
    return Refuse(Refusal::Forbidden(detail::Who(context) + " may not revoke observer invitation " +
                                     state.id + ": it was made by Working Group " +
                                     state.working_group));
  }
  const StakeholderState* ngo = context.facts.FindStakeholder(state.stakeholder);
  if (ngo == nullptr) {
    return Refuse(Refusal::NotFound("stakeholder " + state.stakeholder + " is not registered"));
  }
  if (state.status == ObserverInvitationStatus::kRevoked) {
    return Refuse(
        Refusal::AlreadyExists("observer invitation " + state.id + " was already revoked"));
  }
  if (state.status == ObserverInvitationStatus::kDeclined) {
    return Refuse(Violation(Clause::k60, state.stakeholder + " declined observer invitation " +
                                             state.id + "; there is nothing to revoke"));
  }
  ASSIGN_OR_RETURN(bool before, BeforeMeeting(state, context.occurred_at, context.rules));
  if (!before) {
    return Refuse(Violation(
        Clause::k60, "meeting " + state.meeting + " began on " +
                         FormatDate(state.meeting_starts_on) +
                         "; an invitation is revoked only when the NGO loses its ECOSOC status "
                         "before the meeting"));
  }
  const EcosocStatus ecosoc = EcosocStatusAt(*ngo, context.occurred_at);
  if (context.rules.AllowsObserver(ecosoc)) {
    return Refuse(
        Violation(Clause::k60, state.stakeholder + " still has ECOSOC consultative status (" +
                                   std::string(Name(ecosoc)) + "); the invitation stands"));
  }
  return Events{ObserverInvitationRevoked{state.id, state.stakeholder, command.reason}};
}

ObserverInvitationState Evolve(ObserverInvitationState state, const Event& event) {
  if (const auto* e = std::get_if<ObserverInvited>(&event)) {
    state.id = e->observer_invitation;
    state.status = ObserverInvitationStatus::kInvited;
    state.meeting = e->meeting;
    state.working_group = e->working_group;
    state.stakeholder = e->stakeholder;
    state.topic = e->topic;
    state.meeting_starts_on = e->meeting_starts_on;
    state.meeting_ends_on = e->meeting_ends_on;
  } else if (const auto* e = std::get_if<ObserverInvitationAnswered>(&event)) {
    if (e->observer_invitation != state.id) return state;
    state.status =
        e->accepted ? ObserverInvitationStatus::kAccepted : ObserverInvitationStatus::kDeclined;
  } else if (const auto* e = std::get_if<ObserverInvitationRevoked>(&event)) {
    if (e->observer_invitation != state.id) return state;
    state.status = ObserverInvitationStatus::kRevoked;
    state.revocation_reason = e->reason;
  }
  return state;
}

std::optional<RevokeObserverInvitation> DueObserverRevocation(const ObserverInvitationState& state,
                                                              const StakeholderState& stakeholder,
                                                              TimePoint now,
                                                              const RulesConfig& rules) {
  if (state.status != ObserverInvitationStatus::kInvited &&
      state.status != ObserverInvitationStatus::kAccepted) {
    return std::nullopt;
  }
  if (rules.AllowsObserver(EcosocStatusAt(stakeholder, now))) return std::nullopt;
  auto before = BeforeMeeting(state, now, rules);
  if (!before || !*before) return std::nullopt;
  return RevokeObserverInvitation{state.id,
                                  stakeholder.id + " no longer has ECOSOC consultative status"};
}

Verdict<Events> DecideEcosocChange(const StakeholderState& stakeholder,
                                   const ChangeEcosocStatus& command,
                                   std::span<const ObserverInvitationState> invitations,
                                   const Context& context) {
  ASSIGN_OR_RETURN(Events events, Decide(stakeholder, command, context));
  StakeholderState after = stakeholder;
  for (const Event& event : events) after = Evolve(std::move(after), event);
  Context revoking = context;
  revoking.facts.stakeholders = {after};
  for (const auto& invitation : invitations) {
    if (invitation.stakeholder != after.id) continue;
    auto due = DueObserverRevocation(invitation, after, context.occurred_at, context.rules);
    if (!due) continue;
    ASSIGN_OR_RETURN(Events revoked, Decide(invitation, *due, revoking));
    events.insert(events.end(), revoked.begin(), revoked.end());
  }
  return events;
}

}  // namespace dialogue::workflows
