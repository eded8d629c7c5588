#include "api/routes/query_access.hpp"

#include "workflows/participations.hpp"

namespace dialogue::api {

ReadScope ScopeOf(const Principal& principal) {
  if (HasAnyRole(principal, kFullReaders)) return ReadScope::kEverything;
  if (HasAnyRole(principal, {kRoleState, kRoleStakeholder})) return ReadScope::kNamed;
  return ReadScope::kNothing;
}

bool Names(const workflows::BriefingState& briefing, std::string_view stakeholder) {
  if (stakeholder.empty() || !briefing.exists()) return false;
  if (workflows::StatusIn(briefing, stakeholder)) return true;
  for (const auto& [objected, referral] : briefing.referrals) {
    if (referral.objecting_state == stakeholder) return true;
  }
  return false;
}

bool Names(const workflows::ObserverInvitationState& invitation, std::string_view stakeholder) {
  return !stakeholder.empty() && workflows::StatusIn(invitation, stakeholder).has_value();
}

bool Names(const workflows::ContributionRequestState& request, std::string_view stakeholder) {
  return !stakeholder.empty() && workflows::StatusIn(request, stakeholder).has_value();
}

bool Names(const workflows::StakeholderReportState& report, std::string_view stakeholder) {
  return !stakeholder.empty() && workflows::StatusIn(report, stakeholder).has_value();
}

bool Names(const workflows::StateParticipationState& participation, std::string_view stakeholder) {
  return !stakeholder.empty() && workflows::StatusIn(participation, stakeholder).has_value();
}

}  // namespace dialogue::api
