// A stakeholder's participations: where a stakeholder takes part, read from the states of the
// aggregates that name it (GET /v1/stakeholders/{id} "participations"). Each function answers
// the stakeholder's part in one aggregate, or nothing when it takes none; a read model gathers
// them. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "workflows/briefing.hpp"
#include "workflows/contribution_request.hpp"
#include "workflows/observer_invitation.hpp"
#include "workflows/stakeholder_report.hpp"
#include "workflows/state_participation.hpp"

namespace dialogue::workflows {

struct Participation {
  // "briefing", "observer_invitation", "contribution_request", "report", "state_participation"
  std::string kind;
  std::string id;
  // The stakeholder's status there: a participant status ("confirmed"), "attended" for a State
  // recorded at a briefing under 59(f), an invitation's status, a contribution's status
  // ("invited" before it submits), "author" of a report, a State participation's status.
  std::string status;
  bool operator==(const Participation&) const = default;
};

std::optional<Participation> ParticipationIn(const BriefingState& briefing,
                                             std::string_view stakeholder);
std::optional<Participation> ParticipationIn(const ObserverInvitationState& invitation,
                                             std::string_view stakeholder);
std::optional<Participation> ParticipationIn(const ContributionRequestState& request,
                                             std::string_view stakeholder);
std::optional<Participation> ParticipationIn(const StakeholderReportState& report,
                                             std::string_view stakeholder);
std::optional<Participation> ParticipationIn(const StateParticipationState& participation,
                                             std::string_view stakeholder);

// Participation::status alone, without copying anything: the read models ask it of every event
// that may add a participant, before and after the fold.
std::optional<std::string_view> StatusIn(const BriefingState& briefing,
                                         std::string_view stakeholder);
std::optional<std::string_view> StatusIn(const ObserverInvitationState& invitation,
                                         std::string_view stakeholder);
std::optional<std::string_view> StatusIn(const ContributionRequestState& request,
                                         std::string_view stakeholder);
std::optional<std::string_view> StatusIn(const StakeholderReportState& report,
                                         std::string_view stakeholder);
std::optional<std::string_view> StatusIn(const StateParticipationState& participation,
                                         std::string_view stakeholder);

// Whether an entity names a stakeholder, i.e. the stakeholder takes part in it:
// - a briefing: an invited participant (whatever its status), a State recorded as attending
//   (59(f)), or the State that objected to a participant (59(d));
// - an observer invitation: its invitee; a contribution request: an invited NGO;
// - a report: one of its authors; a State participation: its State.
bool Names(const BriefingState& briefing, std::string_view stakeholder);
bool Names(const ObserverInvitationState& invitation, std::string_view stakeholder);
bool Names(const ContributionRequestState& request, std::string_view stakeholder);
bool Names(const StakeholderReportState& report, std::string_view stakeholder);
bool Names(const StateParticipationState& participation, std::string_view stakeholder);

}  // namespace dialogue::workflows
