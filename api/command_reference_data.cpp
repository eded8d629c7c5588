// The reference data commands (secretariat): Conference sessions, Working Groups, meetings and
// the stakeholder register. API.md "Reference data".
#include "api/command_routes.hpp"
#include "workflows/events.hpp"
#include "workflows/observer_invitation.hpp"
#include "workflows/reference_data.hpp"
#include "workflows/stakeholder.hpp"

namespace dialogue::api {

void RegisterReferenceDataCommands(Router& router,
                                   const std::shared_ptr<CommandEnvironment>& environment) {
  namespace wf = workflows;
  const std::vector<std::string_view> secretariat_roles = {kRoleSecretariat};

  AddCommandRoute(
      router, environment, "/v1/conference-sessions",
      {"RegisterConferenceSession", secretariat_roles, {}, {}, {}}, [](CommandCall& call) {
        BodyFields& body = call.body();
        wf::RegisterConferenceSession command{body.Id("id"), body.String("title"),
                                              body.CalendarDate("starts_on"),
                                              body.CalendarDate("ends_on")};
        const auto& models = call.api().read_models;
        return call.Run([&models, command](wf::Context&) -> engine::Result<PreparedCommand> {
          return PrepareOn(wf::ConferenceSessionStream(command.id),
                           models.ConferenceSession(command.id), command);
        });
      });

  AddCommandRoute(
      router, environment, "/v1/working-groups",
      {"RegisterWorkingGroup", secretariat_roles, {}, {}, {}}, [](CommandCall& call) {
        BodyFields& body = call.body();
        wf::RegisterWorkingGroup command{body.Id("id"), body.String("name"),
                                         body.OptionalString("protocol")};
        const auto& models = call.api().read_models;
        return call.Run([&models, command](wf::Context&) -> engine::Result<PreparedCommand> {
          return PrepareOn(wf::WorkingGroupStream(command.id), models.WorkingGroup(command.id),
                           command);
        });
      });

  AddCommandRoute(
      router, environment, "/v1/meetings", {"ScheduleMeeting", secretariat_roles, {}, {}, {}},
      [](CommandCall& call) {
        BodyFields& body = call.body();
        wf::ScheduleMeeting command{body.Id("id"), body.Id("working_group"),
                                    body.CalendarDate("starts_on"), body.CalendarDate("ends_on"),
                                    body.Bool("review_agenda_item")};
        const auto& models = call.api().read_models;
        return call.Run(
            [&models, command](wf::Context& context) -> engine::Result<PreparedCommand> {
              context.facts.working_groups = WorkingGroupsNamed(models, {command.working_group});
              return PrepareOn(wf::MeetingStream(command.id), models.Meeting(command.id), command);
            });
      });

  AddCommandRoute(
      router, environment, "/v1/stakeholders",
      {"RegisterStakeholder", secretariat_roles, {}, {}, {}}, [](CommandCall& call) {
        BodyFields& body = call.body();
        wf::RegisterStakeholder command{body.Id("id"), body.String("name"), body.String("category"),
                                        body.OptionalString("ecosoc_status"),
                                        body.OptionalStringMap("instruments")};
        const auto& models = call.api().read_models;
        return call.Run([&models, command](wf::Context&) -> engine::Result<PreparedCommand> {
          return PrepareOn(wf::StakeholderStream(command.id), models.Stakeholder(command.id),
                           command);
        });
      });

  AddCommandRoute(
      router, environment, "/v1/stakeholders/{id}/ecosoc-status",
      {"ChangeEcosocStatus", secretariat_roles, {"id"}, {}, {}}, [](CommandCall& call) {
        wf::ChangeEcosocStatus command{call.Param("id"), call.body().String("status")};
        const auto& models = call.api().read_models;
        return call.Run([&models, command](wf::Context&) -> engine::Result<PreparedCommand> {
          auto [state, version] = StateOrEmpty(models.Stakeholder(command.stakeholder));
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
          PreparedCommand prepared;
          prepared.stream = wf::StakeholderStream(command.stakeholder);
          prepared.version = version;
          prepared.others = std::move(others);
          prepared.decide = [state = std::move(state), command,
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
        return call.Run(
            [&models, command](wf::Context& context) -> engine::Result<PreparedCommand> {
              if (auto session = models.ConferenceSession(command.conference_session)) {
                context.facts.conference_sessions.push_back(std::move(session->state));
              }
              return PrepareOn(wf::StakeholderStream(command.stakeholder),
                               models.Stakeholder(command.stakeholder), command);
            });
      });
}

}  // namespace dialogue::api
