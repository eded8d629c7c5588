// Internal to api/: the command routes of each area (api/command_*.cpp), registered by
// RegisterCommandRoutes (api/command_routes.cpp), and the loaders they share: an entity's state
// and version from the read models, and the facts a decider reads. docs/api.md "Commands".
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/command_pipeline.hpp"
#include "api/query_access.hpp"
#include "api/router.hpp"
#include "engine/result.hpp"
#include "projections/read_models.hpp"
#include "workflows/briefing.hpp"
#include "workflows/reference_data.hpp"
#include "workflows/stakeholder.hpp"

namespace dialogue::api {

// POST /v1/conference-sessions, /v1/working-groups, /v1/meetings, /v1/stakeholders and the
// stakeholder register's ecosoc-status and observer-entitlements.
void RegisterReferenceDataCommands(Router& router,
                                   const std::shared_ptr<CommandEnvironment>& environment);

// POST /v1/briefings and every briefing and referral command (paragraph 59).
void RegisterBriefingCommands(Router& router,
                              const std::shared_ptr<CommandEnvironment>& environment);

// POST of observer invitations (60), contribution requests and contributions (61), reports
// (59(h)) and State participations (58).
void RegisterParticipationCommands(Router& router,
                                   const std::shared_ptr<CommandEnvironment>& environment);

// An entity's state and version, or the empty state and version 0 when it does not exist.
template <class State>
std::pair<State, uint64_t> StateOrEmpty(std::optional<projections::Versioned<State>> loaded) {
  if (!loaded) return {State{}, 0};
  return {std::move(loaded->state), loaded->version};
}

// Binds command to the entity as loaded: its state and version, or the empty state and version 0
// when it does not exist (the decider then answers 404, or creates it).
template <class State, class Command>
PreparedCommand PrepareOn(std::string stream, std::optional<projections::Versioned<State>> loaded,
                          Command command) {
  auto [state, version] = StateOrEmpty(std::move(loaded));
  return Prepare(std::move(stream), std::move(state), version, std::move(command));
}

// Marks `prepared` unreadable (see PreparedCommand::unreadable) when the acting role is state or
// stakeholder and `reads` is false. `acts_unread`: the caller may act without reading it.
PreparedCommand GateOnReading(PreparedCommand prepared, const workflows::Context& context,
                              std::string noun, bool reads, bool acts_unread = false);

// PrepareOn for a route a state or stakeholder reaches on an entity that must name it
// (api/query_access.hpp's Names): gated as GateOnReading says, `noun` naming it in the refusal.
template <class State, class Command>
PreparedCommand PrepareOnNamed(std::string stream,
                               std::optional<projections::Versioned<State>> loaded, Command command,
                               const workflows::Context& context, std::string noun) {
  const bool reads = loaded && Names(loaded->state, context.stakeholder);
  return GateOnReading(PrepareOn(std::move(stream), std::move(loaded), std::move(command)), context,
                       std::move(noun), reads);
}

// A briefing's state and version, and the version of each of its referral streams (the
// briefing's state folds them too): a decision on the briefing applies only if none moved.
struct LoadedBriefing {
  workflows::BriefingState state;
  uint64_t version = 0;
  std::vector<std::pair<std::string, uint64_t>> referral_streams;
};
[[nodiscard]] engine::Result<LoadedBriefing> LoadBriefing(const projections::ReadModels& models,
                                                          const std::string& id);

// The facts a decider reads: the named entities that exist (absent ones are left out, so the
// decider answers 404 for them).
std::vector<workflows::StakeholderState> StakeholdersNamed(const projections::ReadModels& models,
                                                           const std::vector<std::string>& ids);
std::vector<workflows::MeetingState> MeetingsNamed(const projections::ReadModels& models,
                                                   const std::vector<std::string>& ids);
std::vector<workflows::WorkingGroupState> WorkingGroupsNamed(const projections::ReadModels& models,
                                                             const std::vector<std::string>& ids);

}  // namespace dialogue::api
