// Observer invitations, paragraph 60: a Working Group invites an NGO with ECOSOC consultative
// status to attend, as observer, a meeting of that group that takes up the review-process agenda
// item, on a topic of prevention or of assistance to and protection of victims. The NGO accepts
// or declines; the invitation is revoked if the NGO loses its ECOSOC status before the meeting.
// Stream observer-invitation-<id>. Pure deciders and folds; thread-safe.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "workflows/events.hpp"
#include "workflows/refusal.hpp"
#include "workflows/rules_config.hpp"
#include "workflows/stakeholder.hpp"
#include "workflows/values.hpp"

namespace dialogue::workflows {

struct Context;

enum class ObserverInvitationStatus { kNone, kInvited, kAccepted, kDeclined, kRevoked };
std::string_view Name(ObserverInvitationStatus status);  // "invited", "accepted", ...

// The topics an invitation records (the text's list is "in particular", not closed; these are the
// ones Dialogue accepts).
const std::vector<std::string_view>& ObserverTopics();

struct ObserverInvitationState {
  std::string id;
  ObserverInvitationStatus status = ObserverInvitationStatus::kNone;
  std::string meeting;
  std::string working_group;
  std::string stakeholder;
  std::string topic;
  Date meeting_starts_on{};
  Date meeting_ends_on{};
  std::string revocation_reason;
  bool exists() const { return status != ObserverInvitationStatus::kNone; }
  bool operator==(const ObserverInvitationState&) const = default;
};

// POST /v1/observer-invitations. Role: working_group (context.working_group), or the secretariat
// recording a group's invitation (context.working_group set; without it, 422 60). Reads
// facts.meetings and facts.stakeholders (404).
struct InviteObserver {
  std::string id;
  std::string meeting;
  std::string stakeholder;
  std::string topic;
};

// POST /v1/observer-invitations/{id}/response. Role: that stakeholder, or the secretariat.
struct AnswerObserverInvitation {
  std::string observer_invitation;
  bool accepted = false;
};

// Revocation after the NGO lost its ECOSOC status, before the meeting. Role: secretariat, or the
// inviting Working Group. Reads facts.stakeholders for the NGO (404).
struct RevokeObserverInvitation {
  std::string observer_invitation;
  std::string reason;
  bool operator==(const RevokeObserverInvitation&) const = default;
};

[[nodiscard]] Verdict<std::vector<Event>> Decide(const ObserverInvitationState& state,
                                                 const InviteObserver& command,
                                                 const Context& context);
[[nodiscard]] Verdict<std::vector<Event>> Decide(const ObserverInvitationState& state,
                                                 const AnswerObserverInvitation& command,
                                                 const Context& context);
[[nodiscard]] Verdict<std::vector<Event>> Decide(const ObserverInvitationState& state,
                                                 const RevokeObserverInvitation& command,
                                                 const Context& context);
ObserverInvitationState Evolve(ObserverInvitationState state, const Event& event);

// The revocation due at `now`, if any: the invitation stands (invited or accepted), the NGO's
// ECOSOC status at `now` no longer allows it and the meeting has not begun (its first day in
// rules.default_time_zone). Decide it with occurred_at = now.
std::optional<RevokeObserverInvitation> DueObserverRevocation(const ObserverInvitationState& state,
                                                              const StakeholderState& stakeholder,
                                                              TimePoint now,
                                                              const RulesConfig& rules);

// POST /v1/stakeholders/{id}/ecosoc-status with rule 60's consequence decided with it: the change
// of status and, when it leaves the NGO without consultative status, the revocation of each of its
// `invitations` still standing whose meeting has not begun at context.occurred_at (RULES.md, 60:
// "revoked if the NGO loses ECOSOC status before the meeting"). One decision, appended at once:
// a GET right after the change sees the invitations revoked. Invitations of other stakeholders
// are ignored.
[[nodiscard]] Verdict<std::vector<Event>> DecideEcosocChange(
    const StakeholderState& stakeholder, const ChangeEcosocStatus& command,
    std::span<const ObserverInvitationState> invitations, const Context& context);

}  // namespace dialogue::workflows
