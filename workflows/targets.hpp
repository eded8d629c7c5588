// Which entity each command is decided against: TargetOf(command) names the state type (through
// Target<State>) and the entity's id, and StreamOf(target) its stream. The one place that says so:
// the application layer loads the target this names (app/execute.hpp), and the workflows' test
// world decides against it (tests/workflows/world.hpp).
#pragma once

#include <string>

#include "workflows/briefing.hpp"
#include "workflows/contribution_request.hpp"
#include "workflows/observer_invitation.hpp"
#include "workflows/reference_data.hpp"
#include "workflows/stakeholder.hpp"
#include "workflows/stakeholder_report.hpp"
#include "workflows/state_participation.hpp"

namespace dialogue::workflows {

// The entity of type State with this id.
template <class State>
struct Target {
  std::string id;
};

// --- Reference data and the stakeholder register ---
inline Target<ConferenceSessionState> TargetOf(const RegisterConferenceSession& c) {
  return {c.id};
}
inline Target<WorkingGroupState> TargetOf(const RegisterWorkingGroup& c) { return {c.id}; }
inline Target<MeetingState> TargetOf(const ScheduleMeeting& c) { return {c.id}; }
inline Target<StakeholderState> TargetOf(const RegisterStakeholder& c) { return {c.id}; }
inline Target<StakeholderState> TargetOf(const ChangeEcosocStatus& c) { return {c.stakeholder}; }
inline Target<StakeholderState> TargetOf(const RecordObserverEntitlement& c) {
  return {c.stakeholder};
}

// --- Paragraph 59: briefings and referrals ---
inline Target<BriefingState> TargetOf(const RequestBriefing& c) { return {c.id}; }
inline Target<BriefingState> TargetOf(const ConveneBriefing& c) { return {c.briefing}; }
inline Target<BriefingState> TargetOf(const InviteStakeholders& c) { return {c.briefing}; }
inline Target<BriefingState> TargetOf(const RescheduleBriefing& c) { return {c.briefing}; }
inline Target<BriefingState> TargetOf(const DeclineInvitation& c) { return {c.briefing}; }
inline Target<BriefingState> TargetOf(const ConfirmAttendance& c) { return {c.briefing}; }
inline Target<BriefingState> TargetOf(const RaiseObjection& c) { return {c.briefing}; }
inline Target<BriefingState> TargetOf(const RecordAttendance& c) { return {c.briefing}; }
inline Target<BriefingState> TargetOf(const PrepareSummary& c) { return {c.briefing}; }
inline Target<BriefingState> TargetOf(const SubmitSummary& c) { return {c.briefing}; }
inline Target<BriefingState> TargetOf(const CancelBriefing& c) { return {c.briefing}; }
inline Target<BriefingState> TargetOf(const CloseConfirmationWindow& c) { return {c.briefing}; }
inline Target<ReferralState> TargetOf(const DecideReferral& c) { return {c.referral}; }
inline Target<ReferralState> TargetOf(const WithdrawObjection& c) { return {c.referral}; }

// --- Paragraph 60 ---
inline Target<ObserverInvitationState> TargetOf(const InviteObserver& c) { return {c.id}; }
inline Target<ObserverInvitationState> TargetOf(const AnswerObserverInvitation& c) {
  return {c.observer_invitation};
}
inline Target<ObserverInvitationState> TargetOf(const RevokeObserverInvitation& c) {
  return {c.observer_invitation};
}

// --- Paragraph 61 ---
inline Target<ContributionRequestState> TargetOf(const RequestContributions& c) { return {c.id}; }
inline Target<ContributionRequestState> TargetOf(const SubmitContribution& c) {
  return {c.contribution_request};
}
inline Target<ContributionRequestState> TargetOf(const ReviewContribution& c) {
  return {c.contribution_request};
}

// --- Paragraph 59(h) ---
inline Target<StakeholderReportState> TargetOf(const SubmitStakeholderReport& c) { return {c.id}; }

// --- Paragraph 58 ---
inline Target<StateParticipationState> TargetOf(const RequestStateParticipation& c) {
  return {c.id};
}
inline Target<StateParticipationState> TargetOf(const FundStateParticipation& c) {
  return {c.state_participation};
}
inline Target<StateParticipationState> TargetOf(const WithdrawStateParticipation& c) {
  return {c.state_participation};
}

// The stream of each kind of target (workflows/events.hpp names the streams).
std::string StreamOf(const Target<ConferenceSessionState>& target);
std::string StreamOf(const Target<WorkingGroupState>& target);
std::string StreamOf(const Target<MeetingState>& target);
std::string StreamOf(const Target<StakeholderState>& target);
std::string StreamOf(const Target<BriefingState>& target);
std::string StreamOf(const Target<ReferralState>& target);
std::string StreamOf(const Target<ObserverInvitationState>& target);
std::string StreamOf(const Target<ContributionRequestState>& target);
std::string StreamOf(const Target<StakeholderReportState>& target);
std::string StreamOf(const Target<StateParticipationState>& target);

}  // namespace dialogue::workflows
