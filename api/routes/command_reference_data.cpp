// The reference data commands (secretariat): Conference sessions, Working Groups, meetings and
// the stakeholder register. API.md "Reference data".
#include "api/routes/command_routes.hpp"
#include "workflows/events.hpp"
#include "workflows/observer_invitation.hpp"
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
                    return call.Run(app::PrepareTarget(call.api().read_models, command));
                  });

  AddCommandRoute(router, environment, "/v1/working-groups",
                  {"RegisterWorkingGroup", secretariat_roles, {}, {}, {}}, [](CommandCall& call) {
                    BodyFields& body = call.body();
                    wf::RegisterWorkingGroup command{body.Id("id"), body.String("name"),
                                                     body.OptionalString("protocol")};
                    return call.Run(app::PrepareTarget(call.api().read_models, command));
                  });

  AddCommandRoute(router, environment, "/v1/meetings",
                  {"ScheduleMeeting", secretariat_roles, {}, {}, {}}, [](CommandCall& call) {
                    BodyFields& body = call.body();
                    wf::ScheduleMeeting command{
                        body.Id("id"), body.Id("working_group"), body.CalendarDate("starts_on"),
                        body.CalendarDate("ends_on"), body.Bool("review_agenda_item")};
                    const auto& models = call.api().read_models;
                    return call.Run(app::PrepareTarget(
                        models, command,
                        [&models, group = command.working_group](wf::Context& context, const auto&,
                                                                 app::Prepared&) {
                          context.facts.working_groups = app::WorkingGroupsNamed(models, {group});
                        }));
                  });

  AddCommandRoute(router, environment, "/v1/stakeholders",
                  {"RegisterStakeholder", secretariat_roles, {}, {}, {}}, [](CommandCall& call) {
                    BodyFields& body = call.body();
                    wf::RegisterStakeholder command{body.Id("id"), body.String("name"),
                                                    body.String("category"),
                                                    body.OptionalString("ecosoc_status"),
                                                    body.OptionalStringMap("instruments")};
                    return call.Run(app::PrepareTarget(call.api().read_models, command));
                  });

  AddCommandRoute(
      router, environment, "/v1/stakeholders/{id}/ecosoc-status",
      {"ChangeEcosocStatus", secretariat_roles, {"id"}, {}, {}}, [](CommandCall& call) {
        wf::ChangeEcosocStatus command{call.Param("id"), call.body().String("status")};
        const auto& models = call.api().read_models;
        return call.Run([&models, command](wf::Context&) -> engine::Result<app::Prepared> {
          const auto target = wf::TargetOf(command);
          ASSIGN_OR_RETURN(auto loaded, app::Load(models, target));
          // Rule 60: the NGO's standing observer invitations, revoked in the same append when
          // the change leaves it without consultative status. Each is expected at its version.
          std::vector<wf::ObserverInvitationState> invitations;
          std::vector<std::pair<std::string, uint64_t>> others;
          for (const auto& participation : models.ParticipationsOf(command.stakeholder)) {
            if (participation.kind != "observer_invitation") continue;
            auto invitation = models.ObserverInvitation(participation.id);
            if (!invitation) continue;
            const auto status = invitation->state.status;
            if (status != wf::ObserverInvitationStatus::kInvited &&
                status != wf::ObserverInvitationStatus::kAccepted) {
              continue;
            }
            others.emplace_back(wf::ObserverInvitationStream(participation.id),
                                invitation->version);
            invitations.push_back(std::move(invitation->state));
          }
          app::Prepared prepared;
          prepared.stream = wf::StreamOf(target);
          prepared.version = loaded.version;
          prepared.others = std::move(others);
          prepared.decide = [state = std::move(loaded.state), command,
                             invitations = std::move(invitations)](const wf::Context& context) {
            return wf::DecideEcosocChange(state, command, invitations, context);
          };
          return prepared;
        });
      });

  AddCommandRoute(
      router, environment, "/v1/stakeholders/{id}/observer-entitlements",
      {"RecordObserverEntitlement", secretariat_roles, {"id"}, {}, {}}, [](CommandCall& call) {
        BodyFields& body = call.body();
        wf::RecordObserverEntitlement command{call.Param("id"), body.Id("conference_session"),
                                              body.OptionalString("rule").value_or("")};
        const auto& models = call.api().read_models;
        return call.Run(app::PrepareTarget(models, command,
                                           [&models, session = command.conference_session](
                                               wf::Context& context, const auto&, app::Prepared&) {
                                             if (auto found = models.ConferenceSession(session)) {
                                               context.facts.conference_sessions.push_back(
                                                   std::move(found->state));
                                             }
                                           }));
      });
}

}  // namespace dialogue::api
