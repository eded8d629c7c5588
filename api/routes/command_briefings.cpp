// The briefing and referral commands, paragraph 59. API.md "Briefings (paragraph 59)". Each
// route reads its command from the request; app::Prepare (app/prepare.cpp) says what it is decided
// on and who may reach it.
//
// Every briefing command targets the briefing's stream and expects its referral streams at the
// versions loaded (the briefing's state folds them). An objection writes the briefing stream
// (ObjectionRaised) and the referral stream (ReferredToWorkingGroup) in one append: the referral
// stream must not exist yet, or — after a withdrawn objection — must still be at the version
// loaded. The answer's stream/version are the briefing's: the path names the briefing's
// participant. Referral decisions and withdrawals target the referral stream.
#include "api/routes/command_routes.hpp"
#include "workflows/briefing.hpp"
#include "workflows/events.hpp"

namespace dialogue::api {

namespace wf = workflows;

void RegisterBriefingCommands(Router& router,
                              const std::shared_ptr<CommandEnvironment>& environment) {
  const std::vector<std::string_view> secretariat_roles = {kRoleSecretariat};
  const std::vector<std::string_view> president_roles = {kRolePresident, kRoleSecretariat};
  const std::vector<std::string_view> participant_roles = {kRoleStakeholder, kRoleState,
                                                           kRoleSecretariat};
  const std::vector<std::string_view> state_roles = {kRoleState, kRoleSecretariat};
  const std::vector<std::string_view> working_group_roles = {kRoleWorkingGroup, kRoleSecretariat};

  AddCommandRoute(router, environment, "/v1/briefings",
                  {"RequestBriefing", president_roles, {}, {}, {}}, [](CommandCall& call) {
                    BodyFields& body = call.body();
                    wf::RequestBriefing command{body.Id("id"), body.String("title")};
                    return call.Run(std::move(command));
                  });

  AddCommandRoute(router, environment, "/v1/briefings/{id}/convening",
                  {"ConveneBriefing", secretariat_roles, {"id"}, {}, {}}, [](CommandCall& call) {
                    BodyFields& body = call.body();
                    wf::ConveneBriefing command{call.Param("id"), body.Id("meeting"),
                                                body.CalendarDate("date"),
                                                body.OptionalString("bureau_member").value_or(""),
                                                body.OptionalString("timezone")};
                    return call.Run(std::move(command));
                  });

  AddCommandRoute(router, environment, "/v1/briefings/{id}/invitations",
                  {"InviteStakeholders", secretariat_roles, {"id"}, {}, {}}, [](CommandCall& call) {
                    BodyFields& body = call.body();
                    wf::InviteStakeholders command{
                        call.Param("id"), body.IdList("stakeholders", false),
                        body.OptionalBool("all_eligible").value_or(false)};
                    return call.Run(std::move(command));
                  });

  AddCommandRoute(
      router, environment, "/v1/briefings/{id}/rescheduling",
      {"RescheduleBriefing", secretariat_roles, {"id"}, {}, {}}, [](CommandCall& call) {
        wf::RescheduleBriefing command{call.Param("id"), call.body().CalendarDate("date")};
        return call.Run(std::move(command));
      });

  AddCommandRoute(router, environment, "/v1/briefings/{id}/participants/{sid}/decline",
                  {"DeclineInvitation", participant_roles, {"id", "sid"}, "sid", {}},
                  [](CommandCall& call) {
                    wf::DeclineInvitation command{call.Param("id"), call.Param("sid")};
                    return call.Run(std::move(command));
                  });

  AddCommandRoute(
      router, environment, "/v1/briefings/{id}/participants/{sid}/confirmation",
      {"ConfirmAttendance", participant_roles, {"id", "sid"}, "sid", {}}, [](CommandCall& call) {
        wf::ConfirmAttendance command{call.Param("id"), call.Param("sid"),
                                      call.body().OptionalString("written_comments").value_or("")};
        return call.Run(std::move(command));
      });

  // The objecting State is the principal's stakeholder; the secretariat names it in
  // objecting_state (a State principal may repeat its own id there, nothing else).
  AddCommandRoute(
      router, environment, "/v1/briefings/{id}/participants/{sid}/objection",
      {"RaiseObjection", state_roles, {"id", "sid"}, {}, {}}, [](CommandCall& call) -> CommandPlan {
        BodyFields& body = call.body();
        wf::RaiseObjection command{call.Param("id"), call.Param("sid"), body.String("grounds")};
        auto objecting_state = body.OptionalId("objecting_state");
        if (call.is_secretariat() && !objecting_state && !body.Has("objecting_state")) {
          body.Invalid("objecting_state",
                       "is required when the secretariat records a State's objection");
        }
        if (objecting_state) {
          if (auto refusal = call.ActForStakeholder(*objecting_state, "object")) {
            return tl::unexpected(std::move(*refusal));
          }
        }
        return call.Run(std::move(command));
      });

  AddCommandRoute(router, environment, "/v1/referrals/{rid}/decision",
                  {"DecideReferral", working_group_roles, {}, {}, {"rid"}}, [](CommandCall& call) {
                    BodyFields& body = call.body();
                    wf::DecideReferral command{call.Param("rid"), body.String("outcome"),
                                               body.OptionalString("reasons").value_or("")};
                    return call.Run(std::move(command));
                  });

  AddCommandRoute(router, environment, "/v1/referrals/{rid}/withdrawal",
                  {"WithdrawObjection", state_roles, {}, {}, {"rid"}}, [](CommandCall& call) {
                    wf::WithdrawObjection command{
                        call.Param("rid"), call.body().OptionalString("reasons").value_or("")};
                    return call.Run(std::move(command));
                  });

  AddCommandRoute(router, environment, "/v1/briefings/{id}/attendance",
                  {"RecordAttendance", secretariat_roles, {"id"}, {}, {}}, [](CommandCall& call) {
                    BodyFields& body = call.body();
                    wf::RecordAttendance command{call.Param("id"),
                                                 body.IdList("stakeholders", false),
                                                 body.IdList("states", false)};
                    return call.Run(std::move(command));
                  });

  AddCommandRoute(router, environment, "/v1/briefings/{id}/summary",
                  {"PrepareSummary", secretariat_roles, {"id"}, {}, {}}, [](CommandCall& call) {
                    wf::PrepareSummary command{call.Param("id"), call.body().String("text")};
                    return call.Run(std::move(command));
                  });

  AddCommandRoute(router, environment, "/v1/briefings/{id}/summary/submission",
                  {"SubmitSummary", secretariat_roles, {"id"}, {}, {}}, [](CommandCall& call) {
                    BodyFields& body = call.body();
                    wf::SubmitSummary command{
                        call.Param("id"), body.String("crp_symbol"),
                        body.OptionalNestedString("override_country_mentions", "justification")};
                    return call.Run(std::move(command));
                  });

  AddCommandRoute(router, environment, "/v1/briefings/{id}/cancellation",
                  {"CancelBriefing", president_roles, {"id"}, {}, {}}, [](CommandCall& call) {
                    wf::CancelBriefing command{call.Param("id"), call.body().String("reason")};
                    return call.Run(std::move(command));
                  });
}

}  // namespace dialogue::api
