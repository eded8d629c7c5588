// The JSON the read endpoints answer: one function per entity, from a workflows state to the
// shape of /work/shared/contract/API.md (docs/api.md "Reads" lists the extra members). Unset
// fields are null, never absent; instants are RFC 3339 UTC, dates "YYYY-MM-DD". The entity's
// `version` is added by the caller (it is not part of the state). Pure functions; thread-safe.
//
// A view with nothing of its own is its state's field list (workflows/state_fields.hpp, the form a
// snapshot stores) less `exists`, with the texts the contract shows as null when empty named: a
// member added to such a state appears in its answer (tests/api/views_test.cpp pins each view).
// The briefing's and the stakeholder's views derive members of their own, and say which.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string_view>
#include <vector>

#include "workflows/briefing.hpp"
#include "workflows/contribution_request.hpp"
#include "workflows/observer_invitation.hpp"
#include "workflows/participations.hpp"
#include "workflows/reference_data.hpp"
#include "workflows/stakeholder.hpp"
#include "workflows/stakeholder_report.hpp"
#include "workflows/state_participation.hpp"

namespace dialogue::api {

nlohmann::json ConferenceSessionView(const workflows::ConferenceSessionState& session);
nlohmann::json WorkingGroupView(const workflows::WorkingGroupState& group);
nlohmann::json MeetingView(const workflows::MeetingState& meeting);

// {id, name, category, ecosoc_status, observer_entitlements:[{conference_session, rule}],
//  participations:[{kind, id, status}], ecosoc_changes:[{status, effective_at}]}, plus for States
// `instruments` ({"convention":"party", ...}: every instrument the State signed or is party to,
// the category standing for the Convention when the register says nothing of it).
nlohmann::json StakeholderView(const workflows::StakeholderState& stakeholder,
                               const std::vector<workflows::Participation>& participations);
// The register's list entry: the same without participations, entitlements and changes.
nlohmann::json StakeholderListEntry(const workflows::StakeholderState& stakeholder);

// The contract's briefing plus requested_by, states (59(f) attendance), confirmation_deadline_local
// (RFC 3339 with the briefing zone's offset), confirmation_window_closed, cancellation_reason and,
// per participant, category and referral (the referral id, or null).
nlohmann::json BriefingView(const workflows::BriefingState& briefing);
// The list entry: {id, title, status, meeting, working_group, date}.
nlohmann::json BriefingListEntry(const workflows::BriefingState& briefing);

// {id, briefing, stakeholder, objecting_state, working_group, status, outcome, raised_at,
//  decided_at} plus grounds, reasons and withdrawn_at.
nlohmann::json ReferralView(const workflows::ReferralState& referral);

nlohmann::json ObserverInvitationView(const workflows::ObserverInvitationState& invitation);

// The request with its contributions; when only_for is not empty, only that stakeholder's
// contribution is listed (a stakeholder reading a request that names it).
nlohmann::json ContributionRequestView(const workflows::ContributionRequestState& request,
                                       std::string_view only_for = {});
// {contribution_request, stakeholder, status, text, country_mentions, submitted_at, submissions,
//  review_reasons}.
nlohmann::json ContributionView(const workflows::ContributionRequestState& request,
                                const workflows::Contribution& contribution);

// A report has no lifecycle past its submission: status is always "submitted".
nlohmann::json ReportView(const workflows::StakeholderReportState& report);
nlohmann::json StateParticipationView(const workflows::StateParticipationState& participation);

// [{name, country, offset}], as rule 59(b)'s screening found them.
nlohmann::json CountryMentionsView(const std::vector<workflows::CountryMention>& mentions);

}  // namespace dialogue::api
