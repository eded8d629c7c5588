#include "workflows/briefing.hpp"

#include <algorithm>
#include <set>

#include "workflows/clauses.hpp"
#include "workflows/context.hpp"
#include "workflows/deadline.hpp"
#include "workflows/decider_support.hpp"

namespace dialogue::workflows {
namespace {

using detail::Events;

Refusal UnknownBriefing(std::string_view id) {
  return Refusal::NotFound("briefing " + std::string(id) +
                           " does not exist (the President has not requested it)");
}

// "the briefing of 2026-07-15" once convened, else "briefing b1".
std::string Label(const BriefingState& state) {
  if (state.date) return "the briefing of " + FormatDate(*state.date);
  return "briefing " + state.id;
}

// Why a briefing in `state` cannot take a command that needs it convened and not yet held.
std::string NotConvenedBecause(const BriefingState& state) {
  switch (state.status) {
    case BriefingStatus::kRequested:
      return Label(state) + " has not been convened yet";
    case BriefingStatus::kCancelled:
      return Label(state) + " was cancelled";
    case BriefingStatus::kHeld:
    case BriefingStatus::kSummarized:
    case BriefingStatus::kSubmitted:
      return Label(state) + " has already been held";
    default:
      return Label(state) + " is " + std::string(Name(state.status));
  }
}

bool IsHeldOrLater(BriefingStatus status) {
  return status == BriefingStatus::kHeld || status == BriefingStatus::kSummarized ||
         status == BriefingStatus::kSubmitted;
}

Participant* FindParticipant(BriefingState& state, std::string_view stakeholder) {
  for (auto& p : state.participants) {
    if (p.stakeholder == stakeholder) return &p;
  }
  return nullptr;
}

const ReferralSummary* FindReferral(const BriefingState& state, std::string_view stakeholder) {
  auto it = state.referrals.find(std::string(stakeholder));
  return it == state.referrals.end() ? nullptr : &it->second;
}

// 59(a): the margins window of a meeting.
Check CheckMargins(Date date, std::string_view meeting, Date starts_on, Date ends_on,
                   const RulesConfig& rules) {
  const Date first = starts_on - date::days{rules.margins_days_before_opening};
  const Date last = ends_on + date::days{rules.margins_days_after_closing};
  if (first <= date && date <= last) return {};
  return Refuse(Violation(Clause::k59a,
                          "the date " + FormatDate(date) + " is not on the margins of meeting " +
                              std::string(meeting) + " (" + FormatDate(starts_on) + " to " +
                              FormatDate(ends_on) + "): a briefing on its margins falls between " +
                              FormatDate(first) + " and " + FormatDate(last)));
}

std::string IneligibleBecause(const StakeholderState& stakeholder,
                              const std::optional<ConferenceSessionState>& previous, Date date,
                              const RulesConfig& rules) {
  if (!rules.IsRelevant(stakeholder.category)) {
    std::string why = stakeholder.id + " is " + std::string(Described(stakeholder.category)) +
                      ", not a relevant stakeholder (a non-signatory State, UN entity, "
                      "intergovernmental organization or NGO)";
    if (IsPartyOrSignatoryOfAny(stakeholder)) {
      why += "; States Parties and signatories attend without invitation";
    }
    return why;
  }
  if (!previous) {
    return stakeholder.id + " cannot be entitled: no Conference session ended before " +
           FormatDate(date);
  }
  return stakeholder.id + " was not entitled as an observer at Conference session " + previous->id +
         ", the session previous to the briefing of " + FormatDate(date);
}

ParticipantStatus ReturnFromReferral(const BriefingState& state, ParticipantStatus before) {
  if (before == ParticipantStatus::kInvited && state.DeadlineClosed()) {
    return ParticipantStatus::kLapsed;
  }
  return before;
}

}  // namespace

std::string_view Name(BriefingStatus status) {
  switch (status) {
    case BriefingStatus::kNone:
      return "none";
    case BriefingStatus::kRequested:
      return "requested";
    case BriefingStatus::kConvened:
      return "convened";
    case BriefingStatus::kHeld:
      return "held";
    case BriefingStatus::kSummarized:
      return "summarized";
    case BriefingStatus::kSubmitted:
      return "submitted";
    case BriefingStatus::kCancelled:
      return "cancelled";
  }
  return "unknown";
}

std::string_view Name(ParticipantStatus status) {
  switch (status) {
    case ParticipantStatus::kInvited:
      return "invited";
    case ParticipantStatus::kConfirmed:
      return "confirmed";
    case ParticipantStatus::kDeclined:
      return "declined";
    case ParticipantStatus::kLapsed:
      return "lapsed";
    case ParticipantStatus::kUnderReferral:
      return "under_referral";
    case ParticipantStatus::kExcluded:
      return "excluded";
    case ParticipantStatus::kAttended:
      return "attended";
    case ParticipantStatus::kAbsent:
      return "absent";
  }
  return "unknown";
}

std::string_view Name(ReferralStatus status) {
  switch (status) {
    case ReferralStatus::kNone:
      return "none";
    case ReferralStatus::kPending:
      return "pending";
    case ReferralStatus::kDecided:
      return "decided";
    case ReferralStatus::kWithdrawn:
      return "withdrawn";
  }
  return "unknown";
}

const Participant* BriefingState::FindParticipant(std::string_view stakeholder) const {
  for (const auto& p : participants) {
    if (p.stakeholder == stakeholder) return &p;
  }
  return nullptr;
}

bool BriefingState::DeadlineClosed() const {
  return confirmation_deadline && std::find(closed_deadlines.begin(), closed_deadlines.end(),
                                            *confirmation_deadline) != closed_deadlines.end();
}

// --- Deciders ---

Verdict<Events> Decide(const BriefingState& state, const RequestBriefing& command,
                       const Context& context) {
  RETURN_IF_ERROR(
      detail::RequireRole(context, {Role::kPresident, Role::kSecretariat}, "request a briefing"));
  RETURN_IF_ERROR(CheckOccurredAt(context));
  RETURN_IF_ERROR(CheckId("id", command.id));
  RETURN_IF_ERROR(CheckNotBlank("title", command.title));
  if (context.role == Role::kSecretariat && context.on_behalf_of.empty()) {
    return Refuse(
        Violation(Clause::k59a,
                  "a briefing exists only at the request of the President; the Secretariat "
                  "may record the President's request, naming the President in on_behalf_of"));
  }
  if (state.exists()) {
    return Refuse(Refusal::AlreadyExists("briefing " + command.id + " has already been requested"));
  }
  const std::string requested_by =
      context.role == Role::kPresident ? context.actor : context.on_behalf_of;
  return Events{BriefingRequested{command.id, command.title, requested_by}};
}

Verdict<Events> Decide(const BriefingState& state, const ConveneBriefing& command,
                       const Context& context) {
  RETURN_IF_ERROR(detail::RequireRole(context, {Role::kSecretariat}, "convene a briefing"));
  RETURN_IF_ERROR(CheckOccurredAt(context));
  RETURN_IF_ERROR(CheckId("meeting", command.meeting));
  ASSIGN_OR_RETURN(Date date, ParseDate("date", command.date));
  const std::string timezone = command.timezone.value_or(context.rules.default_time_zone);
  RETURN_IF_ERROR(CheckTimeZone(timezone));
  if (!state.exists()) return Refuse(UnknownBriefing(command.briefing));
  const MeetingState* meeting = context.facts.FindMeeting(command.meeting);
  if (meeting == nullptr) {
    return Refuse(Refusal::NotFound("meeting " + command.meeting + " is not scheduled"));
  }
  if (state.status == BriefingStatus::kCancelled) {
    return Refuse(Violation(Clause::k59a, NotConvenedBecause(state)));
  }
  if (state.status != BriefingStatus::kRequested) {
    return Refuse(Refusal::AlreadyExists("briefing " + state.id + " is already convened, for " +
                                         FormatDate(*state.date) + " on the margins of meeting " +
                                         state.meeting + "; to move it, reschedule it"));
  }
  if (!CheckNotBlank("bureau_member", command.bureau_member)) {
    return Refuse(Violation(
        Clause::k59a, "briefing " + state.id +
                          " cannot be convened without the member of the Bureau who conducts it "
                          "with the Secretariat"));
  }
  RETURN_IF_ERROR(
      CheckMargins(date, meeting->id, meeting->starts_on, meeting->ends_on, context.rules));
  ASSIGN_OR_RETURN(TimePoint deadline,
                   ConfirmationDeadline(date, timezone, context.rules.confirmation_days_before));
  return Events{BriefingConvened{state.id, meeting->id, meeting->working_group, meeting->starts_on,
                                 meeting->ends_on, date, timezone, deadline,
                                 command.bureau_member}};
}

Eligibility EligibleStakeholders(Date briefing_date,
                                 std::span<const ConferenceSessionState> sessions,
                                 std::span<const StakeholderState> stakeholders,
                                 const RulesConfig& rules) {
  Eligibility result;
  result.conference_session = PreviousConferenceSession(sessions, briefing_date);
  if (!result.conference_session) return result;
  for (const auto& s : stakeholders) {
    if (s.exists() && rules.IsRelevant(s.category) &&
        WasEntitledAt(s, result.conference_session->id)) {
      result.stakeholders.push_back(s.id);
    }
  }
  std::sort(result.stakeholders.begin(), result.stakeholders.end());
  result.stakeholders.erase(std::unique(result.stakeholders.begin(), result.stakeholders.end()),
                            result.stakeholders.end());
  return result;
}

Verdict<Events> Decide(const BriefingState& state, const InviteStakeholders& command,
                       const Context& context) {
  RETURN_IF_ERROR(detail::RequireRole(context, {Role::kSecretariat}, "invite stakeholders"));
  RETURN_IF_ERROR(CheckOccurredAt(context));
  if (command.all_eligible && !command.stakeholders.empty()) {
    return Refuse(Refusal::InvalidArgument("give either stakeholders or all_eligible, not both"));
  }
  if (!command.all_eligible && command.stakeholders.empty()) {
    return Refuse(Refusal::InvalidArgument("stakeholders must name at least one stakeholder"));
  }
  RETURN_IF_ERROR(detail::CheckIdList("stakeholders", command.stakeholders));
  if (!state.exists()) return Refuse(UnknownBriefing(command.briefing));
  if (state.status != BriefingStatus::kConvened) {
    return Refuse(Violation(Clause::k59c,
                            NotConvenedBecause(state) +
                                ": invitations go out once a briefing is convened and before it is "
                                "held"));
  }
  const Eligibility eligibility = EligibleStakeholders(
      *state.date, context.facts.conference_sessions, context.facts.stakeholders, context.rules);
  const std::set<std::string> eligible(eligibility.stakeholders.begin(),
                                       eligibility.stakeholders.end());

  std::vector<const StakeholderState*> invitees;
  if (command.all_eligible) {
    if (eligible.empty()) {
      return Refuse(Violation(
          Clause::k59c,
          eligibility.conference_session
              ? "no relevant stakeholder was entitled as an observer at Conference session " +
                    eligibility.conference_session->id + ", the session previous to " + Label(state)
              : "no Conference session ended before " + FormatDate(*state.date) +
                    ", so no stakeholder is entitled to be invited to " + Label(state)));
    }
    for (const auto& id : eligibility.stakeholders) {
      if (state.FindParticipant(id) == nullptr) {
        invitees.push_back(context.facts.FindStakeholder(id));
      }
    }
    if (invitees.empty() && context.rules.refuse_all_eligible_when_none_left) {
      return Refuse(Refusal::AlreadyExists("every stakeholder eligible for " + Label(state) +
                                           " is already invited"));
    }
  } else {
    for (const auto& id : command.stakeholders) {
      const StakeholderState* s = context.facts.FindStakeholder(id);
      if (s == nullptr) {
        return Refuse(Refusal::NotFound("stakeholder " + id + " is not registered"));
      }
      invitees.push_back(s);
    }
    std::vector<std::string> already;
    for (const auto* s : invitees) {
      if (state.FindParticipant(s->id) != nullptr) already.push_back(s->id);
    }
    if (!already.empty()) {
      return Refuse(
          Refusal::AlreadyExists(detail::Quoted(already) + (already.size() == 1 ? " is" : " are") +
                                 " already invited to " + Label(state) + "; nobody was invited"));
    }
    std::string problems;
    for (const auto* s : invitees) {
      if (eligible.count(s->id) != 0) continue;
      if (!problems.empty()) problems += "; ";
      problems += IneligibleBecause(*s, eligibility.conference_session, *state.date, context.rules);
    }
    if (!problems.empty()) {
      return Refuse(Violation(Clause::k59c, problems + "; nobody was invited"));
    }
  }
  Events events;
  for (const auto* s : invitees) {
    events.push_back(
        StakeholderInvited{state.id, s->id, s->category, eligibility.conference_session->id});
  }
  return events;
}

Verdict<Events> Decide(const BriefingState& state, const RescheduleBriefing& command,
                       const Context& context) {
  RETURN_IF_ERROR(detail::RequireRole(context, {Role::kSecretariat}, "reschedule a briefing"));
  RETURN_IF_ERROR(CheckOccurredAt(context));
  ASSIGN_OR_RETURN(Date date, ParseDate("date", command.date));
  if (!state.exists()) return Refuse(UnknownBriefing(command.briefing));
  if (state.status != BriefingStatus::kConvened) {
    return Refuse(Violation(Clause::k59a, NotConvenedBecause(state) +
                                              ": only a convened briefing not yet held "
                                              "can be rescheduled"));
  }
  if (date == *state.date) {
    return Refuse(Refusal::InvalidArgument(Label(state) + " is already on " + FormatDate(date)));
  }
  RETURN_IF_ERROR(CheckMargins(date, state.meeting, *state.meeting_starts_on,
                               *state.meeting_ends_on, context.rules));
  ASSIGN_OR_RETURN(
      TimePoint deadline,
      ConfirmationDeadline(date, state.timezone, context.rules.confirmation_days_before));
  return Events{BriefingRescheduled{state.id, date, *state.date, deadline}};
}

Verdict<Events> Decide(const BriefingState& state, const DeclineInvitation& command,
                       const Context& context) {
  RETURN_IF_ERROR(detail::RequireActingFor(context, command.stakeholder, "decline an invitation"));
  RETURN_IF_ERROR(CheckOccurredAt(context));
  if (!state.exists()) return Refuse(UnknownBriefing(command.briefing));
  const Participant* p = state.FindParticipant(command.stakeholder);
  if (p == nullptr) {
    return Refuse(Violation(Clause::k59e, command.stakeholder + " was not invited to " +
                                              Label(state) + ", so has nothing to decline"));
  }
  if (state.status != BriefingStatus::kConvened) {
    return Refuse(Violation(Clause::k59e, NotConvenedBecause(state) + "; " + command.stakeholder +
                                              "'s answer can no longer be recorded"));
  }
  switch (p->status) {
    case ParticipantStatus::kDeclined:
      return Refuse(Refusal::AlreadyExists(
          command.stakeholder + " has already declined the invitation to " + Label(state)));
    case ParticipantStatus::kExcluded:
      return Refuse(Violation(Clause::k59d,
                              command.stakeholder + " was not admitted to " + Label(state) +
                                  " by the Working Group; there is no invitation left to decline"));
    default:
      break;
  }
  return Events{InvitationDeclined{state.id, command.stakeholder}};
}

Verdict<Events> Decide(const BriefingState& state, const ConfirmAttendance& command,
                       const Context& context) {
  RETURN_IF_ERROR(detail::RequireActingFor(context, command.stakeholder, "confirm attendance"));
  RETURN_IF_ERROR(CheckOccurredAt(context));
  if (!state.exists()) return Refuse(UnknownBriefing(command.briefing));
  const Participant* p = state.FindParticipant(command.stakeholder);
  if (p == nullptr) {
    return Refuse(Violation(Clause::k59e, command.stakeholder + " was not invited to " +
                                              Label(state) +
                                              "; only invited stakeholders confirm"));
  }
  if (state.status != BriefingStatus::kConvened) {
    return Refuse(Violation(Clause::k59e, NotConvenedBecause(state) + "; " + command.stakeholder +
                                              "'s confirmation can no longer be recorded"));
  }
  const ParticipantStatus effective =
      p->status == ParticipantStatus::kUnderReferral ? p->status_before_referral : p->status;
  if (p->status == ParticipantStatus::kExcluded) {
    return Refuse(Violation(Clause::k59d, command.stakeholder + " was not admitted to " +
                                              Label(state) + " by the Working Group"));
  }
  if (effective == ParticipantStatus::kConfirmed) {
    return Refuse(Refusal::AlreadyExists(command.stakeholder +
                                         " has already confirmed attendance at " + Label(state)));
  }
  if (context.occurred_at > *state.confirmation_deadline) {
    return Refuse(
        Violation(Clause::k59e, command.stakeholder + "'s confirmation at " +
                                    FormatLocal(context.occurred_at, state.timezone) + " (" +
                                    state.timezone + ") is after the deadline " +
                                    FormatLocal(*state.confirmation_deadline, state.timezone) +
                                    " for " + Label(state)));
  }
  return Events{AttendanceConfirmed{state.id, command.stakeholder, command.written_comments,
                                    detail::Screen(command.written_comments), context.occurred_at}};
}

Verdict<Events> Decide(const BriefingState& state, const RaiseObjection& command,
                       const Context& context) {
  RETURN_IF_ERROR(detail::RequireRole(context, {Role::kState, Role::kSecretariat},
                                      "object to a participation (only a State Party may)"));
  RETURN_IF_ERROR(CheckOccurredAt(context));
  RETURN_IF_ERROR(CheckNotBlank("grounds", command.grounds));
  if (context.stakeholder.empty()) {
    return Refuse(Refusal::InvalidArgument(
        "the objecting State must be named (the Secretariat records an objection on behalf of "
        "a State)"));
  }
  if (!state.exists()) return Refuse(UnknownBriefing(command.briefing));
  const StakeholderState* objector = context.facts.FindStakeholder(context.stakeholder);
  if (objector == nullptr) {
    return Refuse(Refusal::NotFound("stakeholder " + context.stakeholder + " is not registered"));
  }
  if (!context.rules.MayObject(objector->category)) {
    return Refuse(Violation(Clause::k59d,
                            "only a State Party may object to the "
                            "participation of an NGO; " +
                                objector->id + " is " +
                                std::string(Described(objector->category))));
  }
  const Participant* p = state.FindParticipant(command.stakeholder);
  if (p == nullptr) {
    return Refuse(Violation(Clause::k59d, command.stakeholder + " was not invited to " +
                                              Label(state) +
                                              "; there is no participation to object to"));
  }
  if (!context.rules.IsObjectionTarget(p->category)) {
    return Refuse(Violation(Clause::k59d, "objections concern the participation of NGOs only; " +
                                              p->stakeholder + " is " +
                                              std::string(Described(p->category))));
  }
  if (state.status != BriefingStatus::kConvened) {
    return Refuse(Violation(Clause::k59d,
                            NotConvenedBecause(state) + "; an objection can no longer be raised"));
  }
  if (p->status == ParticipantStatus::kUnderReferral) {
    const ReferralSummary* r = FindReferral(state, p->stakeholder);
    return Refuse(Refusal::AlreadyExists(
        "an objection to " + p->stakeholder + "'s participation in " + Label(state) +
        " is already pending before the Working Group (referral " + (r ? r->id : "") + ")"));
  }
  if (const ReferralSummary* r = FindReferral(state, p->stakeholder);
      r != nullptr && r->status == ReferralStatus::kDecided) {
    return Refuse(Violation(Clause::k59d, "the Working Group has already decided on " +
                                              p->stakeholder + "'s participation in " +
                                              Label(state) + " (" + std::string(Name(*r->outcome)) +
                                              ", referral " + r->id + ")"));
  }
  if (p->status != ParticipantStatus::kInvited && p->status != ParticipantStatus::kConfirmed) {
    return Refuse(Violation(Clause::k59d, p->stakeholder + "'s participation in " + Label(state) +
                                              " is " + std::string(Name(p->status)) +
                                              "; there is nothing to object to"));
  }
  const std::string referral = ReferralId(state.id, p->stakeholder);
  return Events{
      ObjectionRaised{state.id, p->stakeholder, objector->id, command.grounds, referral,
                      state.working_group, context.occurred_at},
      ReferredToWorkingGroup{referral, state.id, p->stakeholder, objector->id, state.working_group,
                             command.grounds, context.occurred_at},
  };
}

Verdict<Events> Decide(const BriefingState& state, const RecordAttendance& command,
                       const Context& context) {
  RETURN_IF_ERROR(detail::RequireRole(context, {Role::kSecretariat}, "record attendance"));
  RETURN_IF_ERROR(CheckOccurredAt(context));
  RETURN_IF_ERROR(detail::CheckIdList("stakeholders", command.stakeholders));
  RETURN_IF_ERROR(detail::CheckIdList("states", command.states));
  for (const auto& id : command.states) {
    if (std::find(command.stakeholders.begin(), command.stakeholders.end(), id) !=
        command.stakeholders.end()) {
      return Refuse(
          Refusal::InvalidArgument(id + " is listed both under stakeholders and under states"));
    }
  }
  if (!state.exists()) return Refuse(UnknownBriefing(command.briefing));
  if (IsHeldOrLater(state.status)) {
    return Refuse(Refusal::AlreadyExists(Label(state) + " is already recorded as held"));
  }
  if (state.status != BriefingStatus::kConvened) {
    return Refuse(Violation(Clause::k59a,
                            NotConvenedBecause(state) + "; only a convened briefing can be held"));
  }
  // No condition on the date: the contract and RULES.md set none, and a briefing convened
  // ten days ahead (so that stakeholders can confirm with their own tokens) could otherwise never
  // be recorded as held by a client, since occurred_at is never in the future (docs/api.md,
  // "Readings"). The event's held_at is the command's occurred_at.
  for (const auto& id : command.stakeholders) {
    const Participant* p = state.FindParticipant(id);
    if (p == nullptr) {
      return Refuse(
          Violation(Clause::k59c, id + " was not invited to " + Label(state) +
                                      "; States Parties and signatories are listed under states"));
    }
    if (p->status == ParticipantStatus::kUnderReferral) {
      return Refuse(
          Violation(Clause::k59d, id + " cannot be recorded as attending " + Label(state) +
                                      ": an objection to its participation is pending before the "
                                      "Working Group"));
    }
    if (p->status == ParticipantStatus::kExcluded) {
      return Refuse(Violation(Clause::k59d, id + " cannot be recorded as attending " +
                                                Label(state) +
                                                ": the Working Group did not admit it"));
    }
    if (p->status != ParticipantStatus::kConfirmed) {
      return Refuse(Violation(Clause::k59e, id + " cannot be recorded as attending " +
                                                Label(state) +
                                                ": it did not confirm its attendance (it is " +
                                                std::string(Name(p->status)) + ")"));
    }
  }
  for (const auto& id : command.states) {
    const StakeholderState* s = context.facts.FindStakeholder(id);
    if (s == nullptr) {
      return Refuse(Refusal::NotFound("stakeholder " + id + " is not registered"));
    }
    if (!IsPartyOrSignatoryOfAny(*s)) {
      return Refuse(Violation(
          Clause::k59f, id + " is " + std::string(Described(s->category)) +
                            ": briefings are open without invitation only to States Parties and "
                            "signatories of the Convention or a Protocol"));
    }
  }
  return Events{BriefingHeld{state.id, command.stakeholders, command.states, context.occurred_at}};
}

Verdict<Events> Decide(const BriefingState& state, const PrepareSummary& command,
                       const Context& context) {
  RETURN_IF_ERROR(detail::RequireRole(context, {Role::kSecretariat}, "prepare a summary"));
  RETURN_IF_ERROR(CheckOccurredAt(context));
  RETURN_IF_ERROR(CheckNotBlank("text", command.text));
  if (!state.exists()) return Refuse(UnknownBriefing(command.briefing));
  if (state.status == BriefingStatus::kSubmitted) {
    return Refuse(Violation(Clause::k59g, "the summary of " + Label(state) +
                                              " has already been submitted as " +
                                              state.summary->crp_symbol));
  }
  if (state.status != BriefingStatus::kHeld && state.status != BriefingStatus::kSummarized) {
    return Refuse(
        Violation(Clause::k59g, "a summary is prepared only once the briefing has been held; " +
                                    Label(state) + " is " + std::string(Name(state.status))));
  }
  return Events{SummaryPrepared{state.id, command.text, detail::Screen(command.text)}};
}

Verdict<Events> Decide(const BriefingState& state, const SubmitSummary& command,
                       const Context& context) {
  RETURN_IF_ERROR(detail::RequireRole(context, {Role::kSecretariat}, "submit a summary"));
  RETURN_IF_ERROR(CheckOccurredAt(context));
  RETURN_IF_ERROR(CheckNotBlank("crp_symbol", command.crp_symbol));
  if (command.override_justification) {
    RETURN_IF_ERROR(
        CheckNotBlank("override_country_mentions.justification", *command.override_justification));
  }
  if (!state.exists()) return Refuse(UnknownBriefing(command.briefing));
  if (state.status == BriefingStatus::kSubmitted) {
    return Refuse(Refusal::AlreadyExists("the summary of " + Label(state) +
                                         " has already been submitted as " +
                                         state.summary->crp_symbol));
  }
  if (state.status != BriefingStatus::kSummarized) {
    return Refuse(Violation(Clause::k59g, "no summary of " + Label(state) +
                                              " has been prepared (it is " +
                                              std::string(Name(state.status)) + ")"));
  }
  if (!state.summary->country_mentions.empty() && !command.override_justification) {
    return Refuse(Violation(
        Clause::k59b,
        "the summary of " + Label(state) + " mentions " +
            detail::DescribeMentions(state.summary->country_mentions) +
            "; prepare a revised summary, or record a justification to submit it as it is"));
  }
  return Events{SummarySubmitted{state.id, command.crp_symbol, command.override_justification}};
}

Verdict<Events> Decide(const BriefingState& state, const CancelBriefing& command,
                       const Context& context) {
  RETURN_IF_ERROR(
      detail::RequireRole(context, {Role::kSecretariat, Role::kPresident}, "cancel a briefing"));
  RETURN_IF_ERROR(CheckOccurredAt(context));
  RETURN_IF_ERROR(CheckNotBlank("reason", command.reason));
  if (!state.exists()) return Refuse(UnknownBriefing(command.briefing));
  if (state.status == BriefingStatus::kCancelled) {
    return Refuse(Refusal::AlreadyExists(Label(state) + " has already been cancelled"));
  }
  if (IsHeldOrLater(state.status)) {
    return Refuse(Violation(Clause::k59a, Label(state) + " has already been held; only a briefing "
                                                         "not yet held can be cancelled"));
  }
  return Events{BriefingCancelled{state.id, command.reason}};
}

Verdict<Events> Decide(const BriefingState& state, const CloseConfirmationWindow& command,
                       const Context& context) {
  RETURN_IF_ERROR(detail::RequireRole(context, {Role::kSystem},
                                      "close a confirmation window (the timer does)"));
  RETURN_IF_ERROR(CheckOccurredAt(context));
  if (context.occurred_at != command.deadline) {
    return Refuse(Refusal::InvalidArgument(
        "a confirmation window closes at its deadline: occurred_at must be " +
        FormatInstant(command.deadline)));
  }
  if (!state.exists()) return Refuse(UnknownBriefing(command.briefing));
  if (!state.confirmation_deadline || state.status == BriefingStatus::kCancelled) {
    return Refuse(Refusal::InvalidArgument(Label(state) +
                                           " has no open confirmation window (it is " +
                                           std::string(Name(state.status)) + ")"));
  }
  if (command.deadline != *state.confirmation_deadline) {
    return Refuse(Refusal::InvalidArgument(
        FormatInstant(command.deadline) + " is not the confirmation deadline of " + Label(state) +
        " (" + FormatInstant(*state.confirmation_deadline) + ")"));
  }
  if (state.DeadlineClosed()) {
    return Refuse(Refusal::AlreadyExists("the confirmation window of " + Label(state) +
                                         " already closed at " + FormatInstant(command.deadline)));
  }
  ConfirmationWindowClosed closed{state.id, command.deadline, {}};
  for (const auto& p : state.participants) {
    if (p.status == ParticipantStatus::kInvited) closed.lapsed.push_back(p.stakeholder);
  }
  return Events{std::move(closed)};
}

std::optional<TimePoint> OpenConfirmationDeadline(const BriefingState& state) {
  const bool open_status = state.status == BriefingStatus::kConvened || IsHeldOrLater(state.status);
  if (!open_status || !state.confirmation_deadline || state.DeadlineClosed()) return std::nullopt;
  return state.confirmation_deadline;
}

std::optional<CloseConfirmationWindow> DueConfirmationWindowClose(const BriefingState& state,
                                                                  TimePoint now) {
  const std::optional<TimePoint> deadline = OpenConfirmationDeadline(state);
  if (!deadline || !(now > *deadline)) return std::nullopt;
  return CloseConfirmationWindow{state.id, *deadline};
}

// --- Fold ---

BriefingState Evolve(BriefingState state, const Event& event) {
  EvolveInPlace(state, event);
  return state;
}

void EvolveInPlace(BriefingState& state, const Event& event) {
  std::visit(
      [&state](const auto& e) {
        using E = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<E, BriefingRequested>) {
          state.id = e.briefing;
          state.status = BriefingStatus::kRequested;
          state.title = e.title;
          state.requested_by = e.requested_by;
        } else if constexpr (std::is_same_v<E, BriefingConvened>) {
          if (e.briefing != state.id) return;
          state.status = BriefingStatus::kConvened;
          state.meeting = e.meeting;
          state.working_group = e.working_group;
          state.meeting_starts_on = e.meeting_starts_on;
          state.meeting_ends_on = e.meeting_ends_on;
          state.date = e.date;
          state.timezone = e.timezone;
          state.confirmation_deadline = e.confirmation_deadline;
          state.bureau_member = e.bureau_member;
        } else if constexpr (std::is_same_v<E, StakeholderInvited>) {
          if (e.briefing != state.id || state.FindParticipant(e.stakeholder) != nullptr) return;
          Participant p;
          p.stakeholder = e.stakeholder;
          p.category = e.category;
          p.conference_session = e.conference_session;
          p.status =
              state.DeadlineClosed() ? ParticipantStatus::kLapsed : ParticipantStatus::kInvited;
          state.participants.push_back(std::move(p));
        } else if constexpr (std::is_same_v<E, BriefingRescheduled>) {
          if (e.briefing != state.id) return;
          state.date = e.date;
          state.confirmation_deadline = e.confirmation_deadline;
          // Lapsing follows the current deadline: a new, open window invites the lapsed again;
          // a deadline already closed (a move back to it) lapses the invited.
          const bool closed = state.DeadlineClosed();
          auto adjust = [closed](ParticipantStatus& s) {
            if (!closed && s == ParticipantStatus::kLapsed) s = ParticipantStatus::kInvited;
            if (closed && s == ParticipantStatus::kInvited) s = ParticipantStatus::kLapsed;
          };
          for (auto& p : state.participants) {
            if (p.status == ParticipantStatus::kUnderReferral) {
              adjust(p.status_before_referral);
            } else {
              adjust(p.status);
            }
          }
        } else if constexpr (std::is_same_v<E, InvitationDeclined>) {
          if (e.briefing != state.id) return;
          if (Participant* p = FindParticipant(state, e.stakeholder)) {
            p->status = ParticipantStatus::kDeclined;
          }
        } else if constexpr (std::is_same_v<E, AttendanceConfirmed>) {
          if (e.briefing != state.id) return;
          if (Participant* p = FindParticipant(state, e.stakeholder)) {
            if (p->status == ParticipantStatus::kUnderReferral) {
              p->status_before_referral = ParticipantStatus::kConfirmed;
            } else {
              p->status = ParticipantStatus::kConfirmed;
            }
            p->confirmed_at = e.confirmed_at;
            p->written_comments = e.written_comments;
            p->country_mentions = e.country_mentions;
          }
        } else if constexpr (std::is_same_v<E, ObjectionRaised>) {
          if (e.briefing != state.id) return;
          if (Participant* p = FindParticipant(state, e.stakeholder)) {
            if (p->status != ParticipantStatus::kUnderReferral) {
              p->status_before_referral = p->status;
              p->status = ParticipantStatus::kUnderReferral;
            }
          }
          state.referrals[e.stakeholder] =
              ReferralSummary{e.referral, e.objecting_state, ReferralStatus::kPending, {}};
        } else if constexpr (std::is_same_v<E, ReferralDecided>) {
          if (e.briefing != state.id) return;
          auto& r = state.referrals[e.stakeholder];
          r.id = e.referral;
          r.status = ReferralStatus::kDecided;
          r.outcome = e.outcome;
          if (Participant* p = FindParticipant(state, e.stakeholder);
              p != nullptr && p->status == ParticipantStatus::kUnderReferral) {
            p->status = e.outcome == ReferralOutcome::kAdmitted
                            ? ReturnFromReferral(state, p->status_before_referral)
                            : ParticipantStatus::kExcluded;
          }
        } else if constexpr (std::is_same_v<E, ObjectionWithdrawn>) {
          if (e.briefing != state.id) return;
          auto& r = state.referrals[e.stakeholder];
          r.id = e.referral;
          r.status = ReferralStatus::kWithdrawn;
          if (Participant* p = FindParticipant(state, e.stakeholder);
              p != nullptr && p->status == ParticipantStatus::kUnderReferral) {
            p->status = ReturnFromReferral(state, p->status_before_referral);
          }
        } else if constexpr (std::is_same_v<E, BriefingHeld>) {
          if (e.briefing != state.id) return;
          state.status = BriefingStatus::kHeld;
          state.attending_states = e.states;
          for (auto& p : state.participants) {
            const bool listed = std::find(e.stakeholders.begin(), e.stakeholders.end(),
                                          p.stakeholder) != e.stakeholders.end();
            if (listed) {
              p.status = ParticipantStatus::kAttended;
            } else if (p.status == ParticipantStatus::kConfirmed) {
              p.status = ParticipantStatus::kAbsent;
            }
          }
        } else if constexpr (std::is_same_v<E, SummaryPrepared>) {
          if (e.briefing != state.id) return;
          state.status = BriefingStatus::kSummarized;
          state.summary = Summary{e.text, e.country_mentions, {}, std::nullopt};
        } else if constexpr (std::is_same_v<E, SummarySubmitted>) {
          if (e.briefing != state.id) return;
          state.status = BriefingStatus::kSubmitted;
          if (!state.summary) state.summary.emplace();
          state.summary->crp_symbol = e.crp_symbol;
          state.summary->override_justification = e.override_justification;
        } else if constexpr (std::is_same_v<E, BriefingCancelled>) {
          if (e.briefing != state.id) return;
          state.status = BriefingStatus::kCancelled;
          state.cancellation_reason = e.reason;
        } else if constexpr (std::is_same_v<E, ConfirmationWindowClosed>) {
          if (e.briefing != state.id) return;
          state.closed_deadlines.push_back(e.deadline);
          for (const auto& id : e.lapsed) {
            if (Participant* p = FindParticipant(state, id);
                p != nullptr && p->status == ParticipantStatus::kInvited) {
              p->status = ParticipantStatus::kLapsed;
            }
          }
        }
      },
      event);
}

// --- Referrals ---

Verdict<Events> Decide(const ReferralState& state, const DecideReferral& command,
                       const Context& context) {
  RETURN_IF_ERROR(detail::RequireRole(context, {Role::kWorkingGroup, Role::kSecretariat},
                                      "decide a referral (the Working Group decides)"));
  RETURN_IF_ERROR(CheckOccurredAt(context));
  auto outcome = ParseReferralOutcome(command.outcome);
  if (!outcome) {
    return Refuse(Refusal::InvalidArgument("outcome \"" + command.outcome +
                                           "\" is not admitted or not_admitted"));
  }
  if (!state.exists()) {
    return Refuse(Refusal::NotFound("referral " + command.referral + " does not exist"));
  }
  if (context.role == Role::kWorkingGroup && context.working_group != state.working_group) {
    return Refuse(Refusal::Forbidden(detail::Who(context) + " may not decide referral " + state.id +
                                     ": it was referred to Working Group " + state.working_group));
  }
  if (state.status == ReferralStatus::kDecided) {
    return Refuse(Refusal::AlreadyExists("referral " + state.id + " was already decided (" +
                                         std::string(Name(*state.outcome)) + ")"));
  }
  if (state.status == ReferralStatus::kWithdrawn) {
    return Refuse(Violation(Clause::k59d, state.objecting_state + " withdrew its objection to " +
                                              state.stakeholder +
                                              "; there is nothing "
                                              "left to decide"));
  }
  if (context.occurred_at < *state.raised_at) {
    return Refuse(Refusal::InvalidArgument("the decision cannot precede the objection, raised at " +
                                           FormatInstant(*state.raised_at)));
  }
  return Events{ReferralDecided{state.id, state.briefing, state.stakeholder, state.working_group,
                                *outcome, command.reasons, context.occurred_at}};
}

Verdict<Events> Decide(const ReferralState& state, const WithdrawObjection& command,
                       const Context& context) {
  RETURN_IF_ERROR(detail::RequireRole(context, {Role::kState, Role::kSecretariat},
                                      "withdraw an objection (only the objecting State may)"));
  RETURN_IF_ERROR(CheckOccurredAt(context));
  if (!state.exists()) {
    return Refuse(Refusal::NotFound("referral " + command.referral + " does not exist"));
  }
  if (context.role == Role::kState && context.stakeholder != state.objecting_state) {
    return Refuse(Refusal::Forbidden(detail::Who(context) +
                                     " may not withdraw the objection in referral " + state.id +
                                     ": only " + state.objecting_state + ", which raised it, may"));
  }
  if (state.status == ReferralStatus::kWithdrawn) {
    return Refuse(
        Refusal::AlreadyExists("the objection in referral " + state.id + " was already withdrawn"));
  }
  if (state.status == ReferralStatus::kDecided) {
    return Refuse(
        Violation(Clause::k59d, "the Working Group has already decided referral " + state.id +
                                    " (" + std::string(Name(*state.outcome)) +
                                    "); an objection may be withdrawn only before the decision"));
  }
  if (context.occurred_at < *state.raised_at) {
    return Refuse(
        Refusal::InvalidArgument("the withdrawal cannot precede the objection, raised at " +
                                 FormatInstant(*state.raised_at)));
  }
  return Events{ObjectionWithdrawn{state.id, state.briefing, state.stakeholder,
                                   state.objecting_state, command.reasons, context.occurred_at}};
}

ReferralState Evolve(ReferralState state, const Event& event) {
  if (const auto* e = std::get_if<ReferredToWorkingGroup>(&event)) {
    state = ReferralState{};
    state.id = e->referral;
    state.briefing = e->briefing;
    state.stakeholder = e->stakeholder;
    state.objecting_state = e->objecting_state;
    state.working_group = e->working_group;
    state.grounds = e->grounds;
    state.status = ReferralStatus::kPending;
    state.raised_at = e->raised_at;
  } else if (const auto* e = std::get_if<ReferralDecided>(&event)) {
    if (e->referral != state.id) return state;
    state.status = ReferralStatus::kDecided;
    state.outcome = e->outcome;
    state.reasons = e->reasons;
    state.decided_at = e->decided_at;
  } else if (const auto* e = std::get_if<ObjectionWithdrawn>(&event)) {
    if (e->referral != state.id) return state;
    state.status = ReferralStatus::kWithdrawn;
    state.reasons = e->reasons;
    state.withdrawn_at = e->withdrawn_at;
  }
  return state;
}

}  // namespace dialogue::workflows
