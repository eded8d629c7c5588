// Internal to api/: the command routes of each area (api/routes/command_*.cpp), registered by
// RegisterCommandRoutes (api/routes/command_routes.cpp). Each route reads its command from the
// request, checks whom the principal may act for, and hands the command to the pipeline
// (CommandCall::Run); what it is decided on is app::Prepare's (app/prepare.hpp). docs/api.md
// "Commands".
#pragma once

#include <memory>

#include "api/http/router.hpp"
#include "api/routes/command_pipeline.hpp"

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

}  // namespace dialogue::api
