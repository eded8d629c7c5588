// RegisterCommandRoutes and the gate the command areas share.
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

void GateOnReading(app::Prepared& prepared, const workflows::Context& context, std::string noun,
                   bool reads, bool acts_unread) {
  const bool named_reader =
      context.role == workflows::Role::kState || context.role == workflows::Role::kStakeholder;
  if (named_reader && !reads) {
    prepared.unreadable = std::move(noun);
    prepared.acts_unread = acts_unread;
  }
}

}  // namespace dialogue::api
