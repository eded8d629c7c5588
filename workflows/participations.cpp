#include "workflows/participations.hpp"

#include <algorithm>

namespace dialogue::workflows {

std::optional<Participation> ParticipationIn(const BriefingState& briefing,
                                             std::string_view stakeholder) {
  if (const Participant* p = briefing.FindParticipant(stakeholder)) {
    return Participation{"briefing", briefing.id, std::string(Name(p->status))};
  }
  if (std::find(briefing.attending_states.begin(), briefing.attending_states.end(), stakeholder) !=
      briefing.attending_states.end()) {
    return Participation{"briefing", briefing.id, "attended"};
  }
  return std::nullopt;
}

std::optional<Participation> ParticipationIn(const ObserverInvitationState& invitation,
                                             std::string_view stakeholder) {
  if (!invitation.exists() || invitation.stakeholder != stakeholder) return std::nullopt;
  return Participation{"observer_invitation", invitation.id, std::string(Name(invitation.status))};
}

std::optional<Participation> ParticipationIn(const ContributionRequestState& request,
                                             std::string_view stakeholder) {
  if (!request.exists() || std::find(request.stakeholders.begin(), request.stakeholders.end(),
                                     stakeholder) == request.stakeholders.end()) {
    return std::nullopt;
  }
  const Contribution* c = request.FindContribution(stakeholder);
  return Participation{"contribution_request", request.id,
                       c == nullptr ? std::string("invited") : std::string(Name(c->status))};
}

std::optional<Participation> ParticipationIn(const StakeholderReportState& report,
                                             std::string_view stakeholder) {
  if (!report.exists() || std::find(report.authors.begin(), report.authors.end(), stakeholder) ==
                              report.authors.end()) {
    return std::nullopt;
  }
  return Participation{"report", report.id, "author"};
}

std::optional<Participation> ParticipationIn(const StateParticipationState& participation,
                                             std::string_view stakeholder) {
  if (!participation.exists() || participation.state != stakeholder) return std::nullopt;
  return Participation{"state_participation", participation.id,
                       std::string(Name(participation.status))};
}

}  // namespace dialogue::workflows
