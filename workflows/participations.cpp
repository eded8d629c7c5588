#include "workflows/participations.hpp"

#include <algorithm>

namespace dialogue::workflows {
namespace {

std::optional<Participation> Make(std::string_view kind, const std::string& id,
                                  std::optional<std::string_view> status) {
  if (!status) return std::nullopt;
  return Participation{std::string(kind), id, std::string(*status)};
}

template <class Range>
bool Contains(const Range& range, std::string_view value) {
  return std::find(range.begin(), range.end(), value) != range.end();
}

}  // namespace

std::optional<std::string_view> StatusIn(const BriefingState& briefing,
                                         std::string_view stakeholder) {
  if (const Participant* p = briefing.FindParticipant(stakeholder)) return Name(p->status);
  if (Contains(briefing.attending_states, stakeholder)) return "attended";
  return std::nullopt;
}

std::optional<std::string_view> StatusIn(const ObserverInvitationState& invitation,
                                         std::string_view stakeholder) {
  if (!invitation.exists() || invitation.stakeholder != stakeholder) return std::nullopt;
  return Name(invitation.status);
}

std::optional<std::string_view> StatusIn(const ContributionRequestState& request,
                                         std::string_view stakeholder) {
  if (!request.exists() || !Contains(request.stakeholders, stakeholder)) return std::nullopt;
  const Contribution* c = request.FindContribution(stakeholder);
  return c == nullptr ? std::string_view("invited") : Name(c->status);
}

std::optional<std::string_view> StatusIn(const StakeholderReportState& report,
                                         std::string_view stakeholder) {
  if (!report.exists() || !Contains(report.authors, stakeholder)) return std::nullopt;
  return "author";
}

std::optional<std::string_view> StatusIn(const StateParticipationState& participation,
                                         std::string_view stakeholder) {
  if (!participation.exists() || participation.state != stakeholder) return std::nullopt;
  return Name(participation.status);
}

std::optional<Participation> ParticipationIn(const BriefingState& briefing,
                                             std::string_view stakeholder) {
  return Make("briefing", briefing.id, StatusIn(briefing, stakeholder));
}

std::optional<Participation> ParticipationIn(const ObserverInvitationState& invitation,
                                             std::string_view stakeholder) {
  return Make("observer_invitation", invitation.id, StatusIn(invitation, stakeholder));
}

std::optional<Participation> ParticipationIn(const ContributionRequestState& request,
                                             std::string_view stakeholder) {
  return Make("contribution_request", request.id, StatusIn(request, stakeholder));
}

std::optional<Participation> ParticipationIn(const StakeholderReportState& report,
                                             std::string_view stakeholder) {
  return Make("report", report.id, StatusIn(report, stakeholder));
}

std::optional<Participation> ParticipationIn(const StateParticipationState& participation,
                                             std::string_view stakeholder) {
  return Make("state_participation", participation.id, StatusIn(participation, stakeholder));
}

bool Names(const BriefingState& briefing, std::string_view stakeholder) {
  if (stakeholder.empty() || !briefing.exists()) return false;
  if (StatusIn(briefing, stakeholder)) return true;
  for (const auto& [objected, referral] : briefing.referrals) {
    if (referral.objecting_state == stakeholder) return true;
  }
  return false;
}

bool Names(const ObserverInvitationState& invitation, std::string_view stakeholder) {
  return !stakeholder.empty() && StatusIn(invitation, stakeholder).has_value();
}

bool Names(const ContributionRequestState& request, std::string_view stakeholder) {
  return !stakeholder.empty() && StatusIn(request, stakeholder).has_value();
}

bool Names(const StakeholderReportState& report, std::string_view stakeholder) {
  return !stakeholder.empty() && StatusIn(report, stakeholder).has_value();
}

bool Names(const StateParticipationState& participation, std::string_view stakeholder) {
  return !stakeholder.empty() && StatusIn(participation, stakeholder).has_value();
}

}  // namespace dialogue::workflows
