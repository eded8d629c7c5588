// The JSON form of every state the read models keep, for their snapshots (docs/read-models.md).
//
// Complete by construction: each state's field list is written once and used both to write and to
// read, and a compile-time check counts every state struct's fields, so a field added in workflows/
// fails the build here until the codec learns it. FromJson(ToJson(s)) == s for every state.
// Reading never throws: a missing field, a value of the wrong form or an unknown enum name answers
// kCorruption (a snapshot that does not decode is rebuilt from the log). Pure; thread-safe.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "engine/result.hpp"
#include "workflows/briefing.hpp"
#include "workflows/contribution_request.hpp"
#include "workflows/observer_invitation.hpp"
#include "workflows/reference_data.hpp"
#include "workflows/stakeholder.hpp"
#include "workflows/stakeholder_report.hpp"
#include "workflows/state_participation.hpp"

namespace dialogue::projections {

nlohmann::json ToJson(const workflows::ConferenceSessionState& state);
nlohmann::json ToJson(const workflows::WorkingGroupState& state);
nlohmann::json ToJson(const workflows::MeetingState& state);
nlohmann::json ToJson(const workflows::StakeholderState& state);
nlohmann::json ToJson(const workflows::BriefingState& state);
nlohmann::json ToJson(const workflows::ReferralState& state);
nlohmann::json ToJson(const workflows::ObserverInvitationState& state);
nlohmann::json ToJson(const workflows::ContributionRequestState& state);
nlohmann::json ToJson(const workflows::StakeholderReportState& state);
nlohmann::json ToJson(const workflows::StateParticipationState& state);

// Each replaces `out` entirely on success; on failure `out` is unspecified.
[[nodiscard]] engine::Status FromJson(const nlohmann::json& json,
                                      workflows::ConferenceSessionState& out);
[[nodiscard]] engine::Status FromJson(const nlohmann::json& json,
                                      workflows::WorkingGroupState& out);
[[nodiscard]] engine::Status FromJson(const nlohmann::json& json, workflows::MeetingState& out);
[[nodiscard]] engine::Status FromJson(const nlohmann::json& json, workflows::StakeholderState& out);
[[nodiscard]] engine::Status FromJson(const nlohmann::json& json, workflows::BriefingState& out);
[[nodiscard]] engine::Status FromJson(const nlohmann::json& json, workflows::ReferralState& out);
[[nodiscard]] engine::Status FromJson(const nlohmann::json& json,
                                      workflows::ObserverInvitationState& out);
[[nodiscard]] engine::Status FromJson(const nlohmann::json& json,
                                      workflows::ContributionRequestState& out);
[[nodiscard]] engine::Status FromJson(const nlohmann::json& json,
                                      workflows::StakeholderReportState& out);
[[nodiscard]] engine::Status FromJson(const nlohmann::json& json,
                                      workflows::StateParticipationState& out);

}  // namespace dialogue::projections
