// Observer invitations (60), contribution requests and contributions (61), stakeholder reports
// (59(h)) and State participations (58). API.md "Observers, contributions, reports, State
// participation".
//
// Who acts for which group or stakeholder:
// - an observer invitation is made for the Working Group whose meeting it names: a working_group
//   principal's own group (inviting to another group's meeting is refused by rule 60); the
//   secretariat records it for the meeting's group, or for the group it names in working_group;
// - a contribution request is made for the principal's own group; the secretariat names the group
//   in working_group (without it, rule 61 refuses: Working Groups invite contributions);
// - a report is filed by one of its authors (403 otherwise, as 59(h) says) or the secretariat;
// - a State participation is requested by the State it names, or the secretariat for it.
#include <algorithm>

#include "api/routes/command_routes.hpp"
#include "workflows/contribution_request.hpp"
#include "workflows/events.hpp"
#include "workflows/observer_invitation.hpp"
#include "workflows/stakeholder_report.hpp"
#include "workflows/state_participation.hpp"

namespace dialogue::api {

namespace wf = workflows;

void RegisterParticipationCommands(Router& router,
                                   const std::shared_ptr<CommandEnvironment>& environment) {
  const std::vector<std::string_view> secretariat_roles = {kRoleSecretariat};
  const std::vector<std::string_view> working_group_roles = {kRoleWorkingGroup, kRoleSecretariat};
  const std::vector<std::string_view> participant_roles = {kRoleStakeholder, kRoleState,
                                                           kRoleSecretariat};
  const std::vector<std::string_view> author_roles = {kRoleStakeholder, kRoleSecretariat};
  const std::vector<std::string_view> state_roles = {kRoleState, kRoleSecretariat};

  // --- Paragraph 60 ---

  AddCommandRoute(router, environment, "/v1/observer-invitations",
                  {"InviteObserver", working_group_roles, {}, {}, {}},
                  [](CommandCall& call) -> CommandPlan {
                    BodyFields& body = call.body();
                    wf::InviteObserver command{body.Id("id"), body.Id("meeting"),
                                               body.Id("stakeholder"), body.String("topic")};
                    if (auto group = body.OptionalId("working_group")) {
                      if (auto refusal = call.ActForWorkingGroup(*group, "invite observers")) {
                        return tl::unexpected(std::move(*refusal));
                      }
                    }
                    return call.Run(std::move(command));
                  });

  AddCommandRoute(
      router, environment, "/v1/observer-invitations/{id}/response",
      {"AnswerObserverInvitation", participant_roles, {"id"}, {}, {}}, [](CommandCall& call) {
        wf::AnswerObserverInvitation command{call.Param("id"), call.body().Bool("accepted")};
        return call.Run(std::move(command));
      });

  // Beyond the contract: the revocation of rule 60 recorded by hand (the NGO lost its ECOSOC
  // status before the meeting).
  AddCommandRoute(
      router, environment, "/v1/observer-invitations/{id}/revocation",
      {"RevokeObserverInvitation", working_group_roles, {"id"}, {}, {}}, [](CommandCall& call) {
        wf::RevokeObserverInvitation command{call.Param("id"), call.body().String("reason")};
        return call.Run(std::move(command));
      });

  // --- Paragraph 61 ---

  AddCommandRoute(router, environment, "/v1/contribution-requests",
                  {"RequestContributions", working_group_roles, {}, {}, {}},
                  [](CommandCall& call) -> CommandPlan {
                    BodyFields& body = call.body();
                    wf::RequestContributions command{body.Id("id"), body.IdList("stakeholders"),
                                                     body.CalendarDate("due_on")};
                    if (auto group = body.OptionalId("working_group")) {
                      if (auto refusal = call.ActForWorkingGroup(*group, "request contributions")) {
                        return tl::unexpected(std::move(*refusal));
                      }
                    }
                    return call.Run(std::move(command));
                  });

  AddCommandRoute(router, environment, "/v1/contribution-requests/{id}/contributions/{sid}",
                  {"SubmitContribution", participant_roles, {"id", "sid"}, "sid", {}},
                  [](CommandCall& call) {
                    wf::SubmitContribution command{call.Param("id"), call.Param("sid"),
                                                   call.body().String("text")};
                    return call.Run(std::move(command));
                  });

  AddCommandRoute(
      router, environment, "/v1/contribution-requests/{id}/contributions/{sid}/review",
      {"ReviewContribution", secretariat_roles, {"id", "sid"}, {}, {}}, [](CommandCall& call) {
        BodyFields& body = call.body();
        wf::ReviewContribution command{call.Param("id"), call.Param("sid"), body.String("outcome"),
                                       body.OptionalString("reasons").value_or("")};
        return call.Run(std::move(command));
      });

  // --- Paragraph 59(h) ---

  AddCommandRoute(
      router, environment, "/v1/reports", {"SubmitStakeholderReport", author_roles, {}, {}, {}},
      [](CommandCall& call) -> CommandPlan {
        BodyFields& body = call.body();
        wf::SubmitStakeholderReport command{body.Id("id"), body.IdList("authors"),
                                            body.String("addressed_to"), body.String("title"),
                                            body.String("text")};
        if (body.Has("addressed_to") && command.addressed_to != wf::kAddressedToConference &&
            !workflows::IsValidId(command.addressed_to)) {
          body.Invalid("addressed_to", "must be \"conference\" or a Working Group id");
        }
        if (!call.is_secretariat() &&
            std::find(command.authors.begin(), command.authors.end(),
                      call.principal().stakeholder) == command.authors.end()) {
          // 59(h): a stakeholder files only the reports it co-authors.
          std::string authors;
          for (const auto& id : command.authors) authors += (authors.empty() ? "" : ", ") + id;
          return tl::unexpected(
              ProblemResponse(403, "forbidden",
                              call.principal().actor + " (for " + call.principal().stakeholder +
                                  ") may file only reports its stakeholder co-authors (59(h)); "
                                  "the authors are " +
                                  authors));
        }
        return call.Run(std::move(command));
      });

  // --- Paragraph 58 ---

  AddCommandRoute(
      router, environment, "/v1/state-participations",
      {"RequestStateParticipation", state_roles, {}, {}, {}}, [](CommandCall& call) -> CommandPlan {
        BodyFields& body = call.body();
        wf::RequestStateParticipation command{body.Id("id"), body.Id("state"),
                                              body.String("review_cycle"),
                                              body.OptionalString("instrument")};
        if (body.Has("state") && workflows::IsValidId(command.state)) {
          if (auto refusal = call.ActForStakeholder(command.state, "ask to participate")) {
            return tl::unexpected(std::move(*refusal));
          }
        }
        return call.Run(std::move(command));
      });

  AddCommandRoute(
      router, environment, "/v1/state-participations/{id}/funding",
      {"FundStateParticipation", secretariat_roles, {"id"}, {}, {}}, [](CommandCall& call) {
        BodyFields& body = call.body();
        wf::FundStateParticipation command{call.Param("id"), body.String("source"),
                                           body.Number("amount_usd"), body.String("donor")};
        return call.Run(std::move(command));
      });

  // Beyond the contract: withdrawal at the State's word (58's lifecycle).
  AddCommandRoute(router, environment, "/v1/state-participations/{id}/withdrawal",
                  {"WithdrawStateParticipation", state_roles, {"id"}, {}, {}},
                  [](CommandCall& call) {
                    wf::WithdrawStateParticipation command{
                        call.Param("id"), call.body().OptionalString("reasons").value_or("")};
                    return call.Run(std::move(command));
                  });
}

}  // namespace dialogue::api
