#include "workflows/reference_data.hpp"

#include <tuple>

#include "workflows/context.hpp"
#include "workflows/decider_support.hpp"

namespace dialogue::workflows {
namespace {

using detail::Events;

Check CheckDateRange(Date starts_on, Date ends_on) {
  if (starts_on <= ends_on) return {};
  return Refuse(Refusal::InvalidArgument("ends_on " + FormatDate(ends_on) +
                                         " is before starts_on " + FormatDate(starts_on)));
}

}  // namespace

Verdict<Events> Decide(const ConferenceSessionState& state,
                       const RegisterConferenceSession& command, const Context& context) {
  RETURN_IF_ERROR(
      detail::RequireRole(context, {Role::kSecretariat}, "register a Conference session"));
  RETURN_IF_ERROR(CheckOccurredAt(context));
  RETURN_IF_ERROR(CheckId("id", command.id));
  RETURN_IF_ERROR(CheckNotBlank("title", command.title));
  ASSIGN_OR_RETURN(Date starts_on, ParseDate("starts_on", command.starts_on));
  ASSIGN_OR_RETURN(Date ends_on, ParseDate("ends_on", command.ends_on));
  RETURN_IF_ERROR(CheckDateRange(starts_on, ends_on));
  if (state.exists()) {
    return Refuse(
        Refusal::AlreadyExists("Conference session " + command.id + " is already registered"));
  }
  return Events{ConferenceSessionRegistered{command.id, command.title, starts_on, ends_on}};
}

ConferenceSessionState Evolve(ConferenceSessionState state, const Event& event) {
  if (const auto* e = std::get_if<ConferenceSessionRegistered>(&event)) {
    state.created = true;
    state.id = e->conference_session;
    state.title = e->title;
    state.starts_on = e->starts_on;
    state.ends_on = e->ends_on;
  }
  return state;
}

Verdict<Events> Decide(const WorkingGroupState& state, const RegisterWorkingGroup& command,
                       const Context& context) {
  RETURN_IF_ERROR(detail::RequireRole(context, {Role::kSecretariat}, "register a Working Group"));
  RETURN_IF_ERROR(CheckOccurredAt(context));
  RETURN_IF_ERROR(CheckId("id", command.id));
  RETURN_IF_ERROR(CheckNotBlank("name", command.name));
  std::optional<Instrument> protocol;
  if (command.protocol) {
    protocol = ParseInstrument(*command.protocol);
    if (!protocol || *protocol == Instrument::kConvention) {
      return Refuse(Refusal::InvalidArgument("protocol \"" + *command.protocol +
                                             "\" is not one of tip, som, firearms (or null)"));
    }
  }
  if (state.exists()) {
    return Refuse(Refusal::AlreadyExists("Working Group " + command.id + " is already registered"));
  }
  return Events{WorkingGroupRegistered{command.id, command.name, protocol}};
}

WorkingGroupState Evolve(WorkingGroupState state, const Event& event) {
  if (const auto* e = std::get_if<WorkingGroupRegistered>(&event)) {
    state.created = true;
    state.id = e->working_group;
    state.name = e->name;
    state.protocol = e->protocol;
  }
  return state;
}

Verdict<Events> Decide(const MeetingState& state, const ScheduleMeeting& command,
                       const Context& context) {
  RETURN_IF_ERROR(detail::RequireRole(context, {Role::kSecretariat}, "schedule a meeting"));
  RETURN_IF_ERROR(CheckOccurredAt(context));
  RETURN_IF_ERROR(CheckId("id", command.id));
  RETURN_IF_ERROR(CheckId("working_group", command.working_group));
  ASSIGN_OR_RETURN(Date starts_on, ParseDate("starts_on", command.starts_on));
  ASSIGN_OR_RETURN(Date ends_on, ParseDate("ends_on", command.ends_on));
  RETURN_IF_ERROR(CheckDateRange(starts_on, ends_on));
  if (context.facts.FindWorkingGroup(command.working_group) == nullptr) {
    return Refuse(
        Refusal::NotFound("Working Group " + command.working_group + " is not registered"));
  }
  if (state.exists()) {
    return Refuse(Refusal::AlreadyExists("meeting " + command.id + " is already scheduled"));
  }
  return Events{MeetingScheduled{command.id, command.working_group, starts_on, ends_on,
                                 command.review_agenda_item}};
}

MeetingState Evolve(MeetingState state, const Event& event) {
  if (const auto* e = std::get_if<MeetingScheduled>(&event)) {
    state.created = true;
    state.id = e->meeting;
    state.working_group = e->working_group;
    state.starts_on = e->starts_on;
    state.ends_on = e->ends_on;
    state.review_agenda_item = e->review_agenda_item;
  }
  return state;
}

std::optional<ConferenceSessionState> PreviousConferenceSession(
    std::span<const ConferenceSessionState> sessions, Date briefing_date) {
  const ConferenceSessionState* best = nullptr;
  for (const auto& session : sessions) {
    if (!session.exists() || !(session.ends_on < briefing_date)) continue;
    if (best == nullptr || std::tie(session.ends_on, session.starts_on, session.id) >
                               std::tie(best->ends_on, best->starts_on, best->id)) {
      best = &session;
    }
  }
  if (best == nullptr) return std::nullopt;
  return *best;
}

}  // namespace dialogue::workflows
