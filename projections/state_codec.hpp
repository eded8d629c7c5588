// The JSON form of every state the read models keep, for their snapshots (docs/read-models.md).
//
// Complete by construction: each state's field list is written once and used both to write and to
// read, and a compile-time check counts every state struct's fields, so a field added in workflows/
// fails the build here until the codec learns it. FromJson(ToJson(s)) == s for every state.
// Reading never throws: a missing field, a value of the wrong form or an unknown enum name answers
// kCorruption (a snapshot that does not decode is rebuilt from the log). Pure; thread-safe.
#pragma once

#include <string>

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

// Appends the state's JSON text (one member per field, in the struct's order) to `out`: what a
// snapshot stores.
void AppendJson(std::string& out, const workflows::ConferenceSessionState& state);
void AppendJson(std::string& out, const workflows::WorkingGroupState& state);
void AppendJson(std::string& out, const workflows::MeetingState& state);
void AppendJson(std::string& out, const workflows::StakeholderState& state);
void AppendJson(std::string& out, const workflows::BriefingState& state);
void AppendJson(std::string& out, const workflows::ReferralState& state);
void AppendJson(std::string& out, const workflows::ObserverInvitationState& state);
void AppendJson(std::string& out, const workflows::ContributionRequestState& state);
void AppendJson(std::string& out, const workflows::StakeholderReportState& state);
void AppendJson(std::string& out, const workflows::StateParticipationState& state);

// The same, parsed (for tests and tools).
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
