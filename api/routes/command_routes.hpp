// Internal to api/: the command routes of each area (api/command_*.cpp), registered by
// RegisterCommandRoutes (api/routes/command_routes.cpp), and the gate they share. Each route reads
// its command from the request and hands app::PrepareTarget to the pipeline, with what it adds: the
// facts a decider reads (app/load.hpp) and who may act unread. docs/api.md "Commands".
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/http/router.hpp"
#include "api/routes/command_pipeline.hpp"
#include "api/routes/query_access.hpp"
#include "app/execute.hpp"
#include "app/load.hpp"
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

// Marks `prepared` unreadable (app::Prepared::unreadable) when the acting role is state or
// stakeholder and `reads` is false. `acts_unread`: the caller may act without reading it.
void GateOnReading(app::Prepared& prepared, const workflows::Context& context, std::string noun,
                   bool reads, bool acts_unread = false);

// The inspection (app::PrepareTarget) of a route a state or stakeholder reaches on an entity that
// must name it (api/routes/query_access.hpp's Names): gated as GateOnReading says, `noun` naming it
// in the refusal.
inline auto ReadableIfNamed(std::string noun) {
  return [noun = std::move(noun)](const workflows::Context& context, const auto& state,
                                  app::Prepared& prepared) {
    GateOnReading(prepared, context, noun, Names(state, context.stakeholder));
  };
}

}  // namespace dialogue::api
