// The reference data commands (secretariat): Conference sessions, Working Groups, meetings and
// the stakeholder register. API.md "Reference data".
#include "api/routes/command_routes.hpp"
#include "workflows/events.hpp"
#include "workflows/reference_data.hpp"
#include "workflows/stakeholder.hpp"

namespace dialogue::api {

void RegisterReferenceDataCommands(Router& router,
                                   const std::shared_ptr<CommandEnvironment>& environment) {
  namespace wf = workflows;
  const std::vector<std::string_view> secretariat_roles = {kRoleSecretariat};

  AddCommandRoute(router, environment, "/v1/conference-sessions",
                  {"RegisterConferenceSession", secretariat_roles, {}, {}, {}},
                  [](CommandCall& call) {
                    BodyFields& body = call.body();
                    wf::RegisterConferenceSession command{body.Id("id"), body.String("title"),
                                                          body.CalendarDate("starts_on"),
                                                          body.CalendarDate("ends_on")};
                    return call.Run(std::move(command));
                  });

  AddCommandRoute(router, environment, "/v1/working-groups",
                  {"RegisterWorkingGroup", secretariat_roles, {}, {}, {}}, [](CommandCall& call) {
                    BodyFields& body = call.body();
                    wf::RegisterWorkingGroup command{body.Id("id"), body.String("name"),
                                                     body.OptionalString("protocol")};
                    return call.Run(std::move(command));
                  });

  AddCommandRoute(router, environment, "/v1/meetings",
                  {"ScheduleMeeting", secretariat_roles, {}, {}, {}}, [](CommandCall& call) {
                    BodyFields& body = call.body();
                    wf::ScheduleMeeting command{
                        body.Id("id"), body.Id("working_group"), body.CalendarDate("starts_on"),
                        body.CalendarDate("ends_on"), body.Bool("review_agenda_item")};
                    return call.Run(std::move(command));
                  });

  AddCommandRoute(router, environment, "/v1/stakeholders",
                  {"RegisterStakeholder", secretariat_roles, {}, {}, {}}, [](CommandCall& call) {
                    BodyFields& body = call.body();
                    wf::RegisterStakeholder command{body.Id("id"), body.String("name"),
                                                    body.String("category"),
                                                    body.OptionalString("ecosoc_status"),
                                                    body.OptionalStringMap("instruments")};
                    return call.Run(std::move(command));
                  });

  AddCommandRoute(router, environment, "/v1/stakeholders/{id}/ecosoc-status",
                  {"ChangeEcosocStatus", secretariat_roles, {"id"}, {}, {}}, [](CommandCall& call) {
                    wf::ChangeEcosocStatus command{call.Param("id"), call.body().String("status")};
                    return call.Run(std::move(command));
                  });

  AddCommandRoute(
      router, environment, "/v1/stakeholders/{id}/observer-entitlements",
      {"RecordObserverEntitlement", secretariat_roles, {"id"}, {}, {}}, [](CommandCall& call) {
        BodyFields& body = call.body();
        wf::RecordObserverEntitlement command{call.Param("id"), body.Id("conference_session"),
                                              body.OptionalString("rule").value_or("")};
        return call.Run(std::move(command));
      });
}

}  // namespace dialogue::api
