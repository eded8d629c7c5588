// Loading what a command is decided on, from the read models: its target's state and version (the
// entity TargetOf names, workflows/targets.hpp), and the facts a decider reads beside it.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "engine/result.hpp"
#include "projections/read_models.hpp"
#include "workflows/targets.hpp"

namespace dialogue::app {

// A target as loaded: its state (the empty state when it does not exist), the version of its
// stream (0: it does not exist), and further streams the state folds, with their versions (0:
// not yet): a decision on the state applies only if none of them moved either.
template <class State>
struct Loaded {
  State state;
  uint64_t version = 0;
  std::vector<std::pair<std::string, uint64_t>> others;
};

// One read of each kind of entity (absent: nullopt).
std::optional<projections::Versioned<workflows::ConferenceSessionState>> Find(
    const projections::ReadModels& models,
    const workflows::Target<workflows::ConferenceSessionState>& target);
std::optional<projections::Versioned<workflows::WorkingGroupState>> Find(
    const projections::ReadModels& models,
    const workflows::Target<workflows::WorkingGroupState>& target);
std::optional<projections::Versioned<workflows::MeetingState>> Find(
    const projections::ReadModels& models,
    const workflows::Target<workflows::MeetingState>& target);
std::optional<projections::Versioned<workflows::StakeholderState>> Find(
    const projections::ReadModels& models,
    const workflows::Target<workflows::StakeholderState>& target);
std::optional<projections::Versioned<workflows::ReferralState>> Find(
    const projections::ReadModels& models,
    const workflows::Target<workflows::ReferralState>& target);
std::optional<projections::Versioned<workflows::ObserverInvitationState>> Find(
    const projections::ReadModels& models,
    const workflows::Target<workflows::ObserverInvitationState>& target);
std::optional<projections::Versioned<workflows::ContributionRequestState>> Find(
    const projections::ReadModels& models,
    const workflows::Target<workflows::ContributionRequestState>& target);
std::optional<projections::Versioned<workflows::StakeholderReportState>> Find(
    const projections::ReadModels& models,
    const workflows::Target<workflows::StakeholderReportState>& target);
std::optional<projections::Versioned<workflows::StateParticipationState>> Find(
    const projections::ReadModels& models,
    const workflows::Target<workflows::StateParticipationState>& target);

// A target that is its stream alone.
template <class State>
engine::Result<Loaded<State>> Load(const projections::ReadModels& models,
                                   const workflows::Target<State>& target) {
  Loaded<State> loaded;
  if (auto found = Find(models, target)) {
    loaded.state = std::move(found->state);
    loaded.version = found->version;
  }
  return loaded;
}

// A briefing folds its referral streams too: their versions are read between two reads of the
// briefing and kept only if the briefing did not change meanwhile, so the state decided on is
// exactly the one those versions (and the briefing's own) describe. VersionConflict when the
// briefing kept changing.
engine::Result<Loaded<workflows::BriefingState>> Load(
    const projections::ReadModels& models,
    const workflows::Target<workflows::BriefingState>& target);

// The facts a decider reads: the named entities that exist (absent ones are left out, so the
// decider answers 404 for them).
std::vector<workflows::StakeholderState> StakeholdersNamed(const projections::ReadModels& models,
                                                           const std::vector<std::string>& ids);
std::vector<workflows::MeetingState> MeetingsNamed(const projections::ReadModels& models,
                                                   const std::vector<std::string>& ids);
std::vector<workflows::WorkingGroupState> WorkingGroupsNamed(const projections::ReadModels& models,
                                                             const std::vector<std::string>& ids);

}  // namespace dialogue::app
