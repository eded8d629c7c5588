#include "workflows/targets.hpp"

#include "workflows/events.hpp"

namespace dialogue::workflows {

std::string StreamOf(const Target<ConferenceSessionState>& t) {
  return ConferenceSessionStream(t.id);
}
std::string StreamOf(const Target<WorkingGroupState>& t) { return WorkingGroupStream(t.id); }
std::string StreamOf(const Target<MeetingState>& t) { return MeetingStream(t.id); }
std::string StreamOf(const Target<StakeholderState>& t) { return StakeholderStream(t.id); }
std::string StreamOf(const Target<BriefingState>& t) { return BriefingStream(t.id); }
std::string StreamOf(const Target<ReferralState>& t) { return ReferralStream(t.id); }
std::string StreamOf(const Target<ObserverInvitationState>& t) {
  return ObserverInvitationStream(t.id);
}
std::string StreamOf(const Target<ContributionRequestState>& t) {
  return ContributionRequestStream(t.id);
}
std::string StreamOf(const Target<StakeholderReportState>& t) { return ReportStream(t.id); }
std::string StreamOf(const Target<StateParticipationState>& t) {
  return StateParticipationStream(t.id);
}

}  // namespace dialogue::workflows
