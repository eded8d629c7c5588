// Prepare: what each command is decided on, for Execute. One overload per command loads the
// command's target (workflows' TargetOf, app/load.hpp), fills the facts its decider reads beside
// it (the meeting a briefing is convened at, the stakeholders an invitation names, ...), and says
// whether the caller may act on a target it cannot read:
//   - a state or stakeholder acts only on what names it (workflows' Names) and is refused as its
//     read would be otherwise (Prepared::unreadable: "this token may not read briefing b1");
//   - 59(d): any State Party objects to a participant of any briefing: its objection is decided,
//     but a refusal names nothing of the briefing (Prepared::acts_unread);
//   - a referral is reached by a State only as the State that objected.
// Routes and the deadline timer name the command; the rest is here (docs/architecture.md).
#pragma once

#include <concepts>
#include <utility>

#include "app/execute.hpp"
#include "projections/read_models.hpp"
#include "workflows/briefing.hpp"
#include "workflows/contribution_request.hpp"
#include "workflows/observer_invitation.hpp"
#include "workflows/reference_data.hpp"
#include "workflows/stakeholder.hpp"
#include "workflows/stakeholder_report.hpp"
#include "workflows/state_participation.hpp"

namespace dialogue::app {

template <class T, class... Ts>
concept OneOf = (std::same_as<T, Ts> || ...);

// The commands decided on their target alone, which only the roles that read everything reach.
template <class Command>
concept DecidedOnTargetAlone =
    OneOf<Command, workflows::RegisterConferenceSession, workflows::RegisterWorkingGroup,
          workflows::RegisterStakeholder, workflows::RequestBriefing, workflows::RescheduleBriefing,
          workflows::PrepareSummary, workflows::SubmitSummary, workflows::CancelBriefing,
          workflows::ReviewContribution, workflows::FundStateParticipation>;

template <DecidedOnTargetAlone Command>
Preparer Prepare(const projections::ReadModels& models, Command command) {
  return PrepareTarget(models, std::move(command));
}

// Every other command has its own Prepare. Reference data and the stakeholder register:
Preparer Prepare(const projections::ReadModels& models, workflows::ScheduleMeeting command);
// Rule 60: the NGO's standing observer invitations are read too, and expected at their versions:
// a change that leaves it without consultative status revokes them in the same append.
Preparer Prepare(const projections::ReadModels& models, workflows::ChangeEcosocStatus command);
Preparer Prepare(const projections::ReadModels& models,
                 workflows::RecordObserverEntitlement command);

// Briefings and referrals (59).
Preparer Prepare(const projections::ReadModels& models, workflows::ConveneBriefing command);
Preparer Prepare(const projections::ReadModels& models, workflows::InviteStakeholders command);
Preparer Prepare(const projections::ReadModels& models, workflows::DeclineInvitation command);
Preparer Prepare(const projections::ReadModels& models, workflows::ConfirmAttendance command);
Preparer Prepare(const projections::ReadModels& models, workflows::RaiseObjection command);
Preparer Prepare(const projections::ReadModels& models, workflows::DecideReferral command);
Preparer Prepare(const projections::ReadModels& models, workflows::WithdrawObjection command);
Preparer Prepare(const projections::ReadModels& models, workflows::RecordAttendance command);

// Observer invitations (60). The secretariat records an invitation for the Working Group of the
// meeting it names (context.working_group, when the caller named none).
Preparer Prepare(const projections::ReadModels& models, workflows::InviteObserver command);
Preparer Prepare(const projections::ReadModels& models,
                 workflows::AnswerObserverInvitation command);
Preparer Prepare(const projections::ReadModels& models,
                 workflows::RevokeObserverInvitation command);

// Written contributions (61) and stakeholder reports (59(h)).
Preparer Prepare(const projections::ReadModels& models, workflows::RequestContributions command);
Preparer Prepare(const projections::ReadModels& models, workflows::SubmitContribution command);
Preparer Prepare(const projections::ReadModels& models, workflows::SubmitStakeholderReport command);

// State participations (58).
Preparer Prepare(const projections::ReadModels& models,
                 workflows::RequestStateParticipation command);
Preparer Prepare(const projections::ReadModels& models,
                 workflows::WithdrawStateParticipation command);

}  // namespace dialogue::app
