// RegisterCommandRoutes.
#include "api/routes/command_routes.hpp"

#include "api/routes/routes.hpp"
#include "workflows/events.hpp"

namespace dialogue::api {
void RegisterCommandRoutes(Router& router, ApiContext& context) {
  // Shared by every command route: it lives as long as the routes.
  auto environment = std::make_shared<CommandEnvironment>(context);
  RegisterReferenceDataCommands(router, environment);
  RegisterBriefingCommands(router, environment);
  RegisterParticipationCommands(router, environment);
}

}  // namespace dialogue::api
