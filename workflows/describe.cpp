#include "workflows/describe.hpp"

#include <variant>

#include "workflows/clauses.hpp"

namespace dialogue::workflows {
namespace {

// How an event reads: `verb` after the actor ("confirmed attendance at ..."), `noun` after
// "recorded, for X," ("confirmation of attendance at ..."), and `subject`, the party whose act it
// is when that may differ from the actor. `impersonal` events read as a whole sentence.
struct Phrase {
  std::string subject;
  std::string verb;
  std::string noun;
  std::string impersonal;
};

std::string List(const std::vector<std::string>& items) {
  if (items.empty()) return "none";
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += i + 1 == items.size() ? " and " : ", ";
    out += items[i];
  }
  return out;
}

std::string WithComments(const AttendanceConfirmed& e) {
  std::string out =
      e.written_comments.empty() ? " without written comments" : " with written comments";
  if (!e.country_mentions.empty()) {
    out += " (mentioning " + std::to_string(e.country_mentions.size()) + " country name" +
           (e.country_mentions.size() == 1 ? "" : "s") + ")";
  }
  return out;
}

std::string To(const std::string& addressed_to) {
  return addressed_to == "conference" ? std::string("the Conference")
                                      : "Working Group " + addressed_to;
}

Phrase PhraseOf(const Event& event) {
  return std::visit(
      [](const auto& e) -> Phrase {
        using E = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<E, ConferenceSessionRegistered>) {
          const std::string what = "Conference session " + e.conference_session + " (" +
                                   FormatDate(e.starts_on) + " to " + FormatDate(e.ends_on) + ")";
          return {"", "registered " + what, "the registration of " + what, ""};
        } else if constexpr (std::is_same_v<E, WorkingGroupRegistered>) {
          const std::string what = "Working Group " + e.working_group + " (" + e.name + ")";
          return {"", "registered " + what, "the registration of " + what, ""};
        } else if constexpr (std::is_same_v<E, MeetingScheduled>) {
          const std::string what = "meeting " + e.meeting + " of Working Group " + e.working_group +
                                   " from " + FormatDate(e.starts_on) + " to " +
                                   FormatDate(e.ends_on) +
                                   (e.review_agenda_item ? ", taking up the review process" : "");
          return {"", "scheduled " + what, "the scheduling of " + what, ""};
        } else if constexpr (std::is_same_v<E, StakeholderRegistered>) {
          const std::string what = "stakeholder " + e.stakeholder + " (" + e.name + ", " +
                                   std::string(Name(e.category)) + ")";
          return {"", "registered " + what, "the registration of " + what, ""};
        } else if constexpr (std::is_same_v<E, EcosocStatusChanged>) {
          const std::string what =
              e.stakeholder + "'s ECOSOC status as " + std::string(Name(e.status));
          return {"", "recorded " + what, what, ""};
        } else if constexpr (std::is_same_v<E, ObserverEntitlementRecorded>) {
          const std::string what =
              "that " + e.stakeholder + " was entitled as an observer at Conference session " +
              e.conference_session + (e.rule.empty() ? "" : " (rule " + e.rule + ")");
          return {"", "recorded " + what, what, ""};
        } else if constexpr (std::is_same_v<E, BriefingRequested>) {
          const std::string what = "briefing " + e.briefing + " (\"" + e.title + "\")";
          return {e.requested_by, "requested " + what, "the request for " + what, ""};
        } else if constexpr (std::is_same_v<E, BriefingConvened>) {
          const std::string what = "briefing " + e.briefing + " for " + FormatDate(e.date) +
                                   " on the margins of meeting " + e.meeting + ", with " +
                                   e.bureau_member + " of the Bureau";
          return {"", "convened " + what, "the convening of " + what, ""};
        } else if constexpr (std::is_same_v<E, StakeholderInvited>) {
          const std::string what = e.stakeholder + " to briefing " + e.briefing;
          return {"", "invited " + what, "the invitation of " + what, ""};
        } else if constexpr (std::is_same_v<E, BriefingRescheduled>) {
          const std::string what = "briefing " + e.briefing + " from " +
                                   FormatDate(e.previous_date) + " to " + FormatDate(e.date);
          return {"", "rescheduled " + what, "the rescheduling of " + what, ""};
        } else if constexpr (std::is_same_v<E, InvitationDeclined>) {
          return {e.stakeholder, "declined the invitation to briefing " + e.briefing,
                  "the decline of the invitation to briefing " + e.briefing, ""};
        } else if constexpr (std::is_same_v<E, AttendanceConfirmed>) {
          return {e.stakeholder, "confirmed attendance at briefing " + e.briefing + WithComments(e),
                  "confirmation of attendance at briefing " + e.briefing + WithComments(e), ""};
        } else if constexpr (std::is_same_v<E, ObjectionRaised>) {
          const std::string what =
              "to " + e.stakeholder + "'s participation in briefing " + e.briefing;
          return {e.objecting_state, "objected " + what, "an objection " + what, ""};
        } else if constexpr (std::is_same_v<E, ReferredToWorkingGroup>) {
          return {"", "", "",
                  e.objecting_state + "'s objection to " + e.stakeholder +
                      "'s participation in briefing " + e.briefing +
                      " was referred to Working Group " + e.working_group + " (rule " +
                      std::string(Code(Clause::k59d)) + ")"};
        } else if constexpr (std::is_same_v<E, ReferralDecided>) {
          const std::string what =
              "referral " + e.referral + ": " + e.stakeholder +
              (e.outcome == ReferralOutcome::kAdmitted ? " admitted to" : " not admitted to") +
              " briefing " + e.briefing;
          return {e.working_group, "decided " + what, "the decision on " + what, ""};
        } else if constexpr (std::is_same_v<E, ObjectionWithdrawn>) {
          const std::string what =
              "the objection to " + e.stakeholder + "'s participation in briefing " + e.briefing;
          return {e.objecting_state, "withdrew " + what, "the withdrawal of " + what, ""};
        } else if constexpr (std::is_same_v<E, BriefingHeld>) {
          const std::string what = "briefing " + e.briefing + " as held, attended by " +
                                   "stakeholders " + List(e.stakeholders) + " and States " +
                                   List(e.states);
          return {"", "recorded " + what, what, ""};
        } else if constexpr (std::is_same_v<E, SummaryPrepared>) {
          std::string what = "the summary of briefing " + e.briefing;
          if (!e.country_mentions.empty()) {
            what += " (mentioning " + std::to_string(e.country_mentions.size()) + " country name" +
                    (e.country_mentions.size() == 1 ? "" : "s") + ")";
          }
          return {"", "prepared " + what, "the preparation of " + what, ""};
        } else if constexpr (std::is_same_v<E, SummarySubmitted>) {
          std::string what =
              "the summary of briefing " + e.briefing + " to the Working Group as " + e.crp_symbol;
          if (e.override_justification) what += ", overriding its country mentions";
          return {"", "submitted " + what, "the submission of " + what, ""};
        } else if constexpr (std::is_same_v<E, BriefingCancelled>) {
          const std::string what = "briefing " + e.briefing + " (" + e.reason + ")";
          return {"", "cancelled " + what, "the cancellation of " + what, ""};
        } else if constexpr (std::is_same_v<E, ConfirmationWindowClosed>) {
          const std::string what = "the confirmation window of briefing " + e.briefing + " at " +
                                   FormatInstant(e.deadline) + "; lapsed: " + List(e.lapsed);
          return {"", "closed " + what, "the closing of " + what, ""};
        } else if constexpr (std::is_same_v<E, ObserverInvited>) {
          const std::string what =
              e.stakeholder + " to observe meeting " + e.meeting + " (" + e.topic + ")";
          return {e.working_group, "invited " + what, "the invitation of " + what, ""};
        } else if constexpr (std::is_same_v<E, ObserverInvitationAnswered>) {
          const std::string what = "observer invitation " + e.observer_invitation;
          return {e.stakeholder, (e.accepted ? "accepted " : "declined ") + what,
                  (e.accepted ? "the acceptance of " : "the decline of ") + what, ""};
        } else if constexpr (std::is_same_v<E, ObserverInvitationRevoked>) {
          const std::string what = "observer invitation " + e.observer_invitation + " of " +
                                   e.stakeholder + " (" + e.reason + ")";
          return {"", "revoked " + what, "the revocation of " + what, ""};
        } else if constexpr (std::is_same_v<E, ContributionsRequested>) {
          const std::string what = "written contributions from " + List(e.stakeholders) + " by " +
                                   FormatDate(e.due_on) + " (request " + e.contribution_request +
                                   ")";
          return {e.working_group, "requested " + what, "a request for " + what, ""};
        } else if constexpr (std::is_same_v<E, ContributionSubmitted>) {
          const std::string what = "a written contribution to request " + e.contribution_request +
                                   " (" + std::string(Name(e.status)) + ")";
          return {e.stakeholder, "submitted " + what, what, ""};
        } else if constexpr (std::is_same_v<E, ContributionReviewed>) {
          const std::string what = e.stakeholder + "'s contribution to request " +
                                   e.contribution_request + ": " + std::string(Name(e.outcome));
          return {"", "reviewed " + what, "the review of " + what, ""};
        } else if constexpr (std::is_same_v<E, StakeholderReportSubmitted>) {
          const std::string what = "report " + e.report + " (\"" + e.title + "\") by " +
                                   List(e.authors) + " to " + To(e.addressed_to);
          return {e.submitted_by, "submitted " + what, "the submission of " + what, ""};
        } else if constexpr (std::is_same_v<E, StateParticipationRequested>) {
          const std::string what = "participation as a State under review for the " +
                                   std::string(Name(e.instrument)) + ", review cycle " +
                                   e.review_cycle + " (" + e.state_participation + ")";
          return {e.state, "asked for " + what, "a request for " + what, ""};
        } else if constexpr (std::is_same_v<E, StateParticipationFunded>) {
          const std::string what = "State participation " + e.state_participation + " by " +
                                   e.donor + " from " + e.source;
          return {"", "recorded funding of " + what, "funding of " + what, ""};
        } else if constexpr (std::is_same_v<E, StateParticipationWithdrawn>) {
          const std::string what = "State participation " + e.state_participation;
          return {e.state, "withdrew " + what, "the withdrawal of " + what, ""};
        }
      },
      event);
}

}  // namespace

std::string Describe(const Event& event, const engine::EventMetadata& metadata) {
  const Phrase phrase = PhraseOf(event);
  if (!phrase.impersonal.empty()) return phrase.impersonal;
  const std::string actor = metadata.actor.empty() ? std::string("someone") : metadata.actor;
  if (!metadata.on_behalf_of.empty() && metadata.on_behalf_of != actor) {
    return actor + " recorded, for " + metadata.on_behalf_of + ", " + phrase.noun;
  }
  if (metadata.role == "secretariat" && !phrase.subject.empty() && phrase.subject != actor) {
    return actor + " recorded, for " + phrase.subject + ", " + phrase.noun;
  }
  if (!phrase.subject.empty() && phrase.subject != actor) {
    return actor + ", for " + phrase.subject + ", " + phrase.verb;
  }
  return actor + " " + phrase.verb;
}

std::string Describe(const engine::RecordedEvent& recorded) {
  auto event = DecodeEvent(recorded);
  if (!event) {
    const std::string actor =
        recorded.metadata.actor.empty() ? std::string("someone") : recorded.metadata.actor;
    return actor + " recorded an event of type " + recorded.type;
  }
  return Describe(*event, recorded.metadata);
}

}  // namespace dialogue::workflows
