// The briefing and referral commands, paragraph 59. API.md "Briefings (paragraph 59)".
//
// Every briefing command targets the briefing's stream and expects its referral streams at the
// versions loaded (the briefing's state folds them). An objection writes the briefing stream
// (ObjectionRaised) and the referral stream (ReferredToWorkingGroup) in one append: the referral
// stream must not exist yet, or — after a withdrawn objection — must still be at the version
// loaded. The answer's stream/version are the briefing's: the path names the briefing's
// participant. Referral decisions and withdrawals target the referral stream.
#include <type_traits>

#include "api/routes/command_routes.hpp"
#include "api/routes/query_access.hpp"
#include "workflows/briefing.hpp"
#include "workflows/events.hpp"

namespace dialogue::api {
namespace {

namespace wf = workflows;

// Who reaches a briefing command: the full readers only (kReaders), or also states and
// stakeholders, who act on a briefing that names them (kNamed) or, 59(d), object to a
// participation in any briefing (kAnyState: the refusals then name nothing of it).
enum class Reach { kReaders, kNamed, kAnyState };

template <class Command, class FillFacts>
app::Preparer BriefingPreparer(const projections::ReadModels& models, Command command,
                               FillFacts fill_facts, Reach reach = Reach::kReaders) {
  std::string noun = "briefing " + wf::TargetOf(command).id;
  return app::PrepareTarget(
      models, std::move(command),
      [fill_facts = std::move(fill_facts), reach, noun = std::move(noun)](
          wf::Context& context, const wf::BriefingState& state, app::Prepared& prepared) {
        fill_facts(context, state);
        if (reach == Reach::kReaders) return;
        const bool exists = state.exists();
        GateOnReading(prepared, context, noun, exists && Names(state, context.stakeholder),
                      reach == Reach::kAnyState && exists);
      });
}

template <class Command>
app::Preparer BriefingPreparer(const projections::ReadModels& models, Command command,
                               Reach reach = Reach::kReaders) {
  return BriefingPreparer(
      models, std::move(command), [](wf::Context&, const wf::BriefingState&) {}, reach);
}

// A state reaches a referral only as the State that objected (WithdrawObjection).
template <class Command>
app::Preparer ReferralPreparer(const projections::ReadModels& models, Command command) {
  std::string noun = "referral " + command.referral;
  return app::PrepareTarget(
      models, std::move(command),
      [noun = std::move(noun)](wf::Context& context, const wf::ReferralState& state,
                               app::Prepared& prepared) {
        const bool reads = state.exists() && state.objecting_state == context.stakeholder;
        GateOnReading(prepared, context, noun, reads);
      });
}

}  // namespace

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
                    return call.Run(BriefingPreparer(call.api().read_models, command));
                  });

  AddCommandRoute(router, environment, "/v1/briefings/{id}/convening",
                  {"ConveneBriefing", secretariat_roles, {"id"}, {}, {}}, [](CommandCall& call) {
                    BodyFields& body = call.body();
                    wf::ConveneBriefing command{call.Param("id"), body.Id("meeting"),
                                                body.CalendarDate("date"),
                                                body.OptionalString("bureau_member").value_or(""),
                                                body.OptionalString("timezone")};
                    const auto& models = call.api().read_models;
                    return call.Run(BriefingPreparer(
                        models, command,
                        [&models, meeting = command.meeting](wf::Context& context, const auto&) {
                          context.facts.meetings = app::MeetingsNamed(models, {meeting});
                        }));
                  });

  AddCommandRoute(
      router, environment, "/v1/briefings/{id}/invitations",
      {"InviteStakeholders", secretariat_roles, {"id"}, {}, {}}, [](CommandCall& call) {
        BodyFields& body = call.body();
        wf::InviteStakeholders command{call.Param("id"), body.IdList("stakeholders", false),
                                       body.OptionalBool("all_eligible").value_or(false)};
        const auto& models = call.api().read_models;
        return call.Run(
            BriefingPreparer(models, command, [&models](wf::Context& context, const auto&) {
              // 59(c) reads every session and, for all_eligible, every candidate.
              context.facts.conference_sessions = models.ConferenceSessions();
              context.facts.stakeholders = models.Stakeholders();
            }));
      });

  AddCommandRoute(
      router, environment, "/v1/briefings/{id}/rescheduling",
      {"RescheduleBriefing", secretariat_roles, {"id"}, {}, {}}, [](CommandCall& call) {
        wf::RescheduleBriefing command{call.Param("id"), call.body().CalendarDate("date")};
        return call.Run(BriefingPreparer(call.api().read_models, command));
      });

  AddCommandRoute(
      router, environment, "/v1/briefings/{id}/participants/{sid}/decline",
      {"DeclineInvitation", participant_roles, {"id", "sid"}, "sid", {}}, [](CommandCall& call) {
        wf::DeclineInvitation command{call.Param("id"), call.Param("sid")};
        return call.Run(BriefingPreparer(call.api().read_models, command, Reach::kNamed));
      });

  AddCommandRoute(
      router, environment, "/v1/briefings/{id}/participants/{sid}/confirmation",
      {"ConfirmAttendance", participant_roles, {"id", "sid"}, "sid", {}}, [](CommandCall& call) {
        wf::ConfirmAttendance command{call.Param("id"), call.Param("sid"),
                                      call.body().OptionalString("written_comments").value_or("")};
        return call.Run(BriefingPreparer(call.api().read_models, command, Reach::kNamed));
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
        const auto& models = call.api().read_models;
        return call.Run(BriefingPreparer(
            models, command,
            [&models, ngo = command.stakeholder](wf::Context& context, const auto&) {
              context.facts.stakeholders =
                  app::StakeholdersNamed(models, {context.stakeholder, ngo});
            },
            Reach::kAnyState));
      });

  AddCommandRoute(router, environment, "/v1/referrals/{rid}/decision",
                  {"DecideReferral", working_group_roles, {}, {}, {"rid"}}, [](CommandCall& call) {
                    BodyFields& body = call.body();
                    wf::DecideReferral command{call.Param("rid"), body.String("outcome"),
                                               body.OptionalString("reasons").value_or("")};
                    return call.Run(ReferralPreparer(call.api().read_models, command));
                  });

  AddCommandRoute(router, environment, "/v1/referrals/{rid}/withdrawal",
                  {"WithdrawObjection", state_roles, {}, {}, {"rid"}}, [](CommandCall& call) {
                    wf::WithdrawObjection command{
                        call.Param("rid"), call.body().OptionalString("reasons").value_or("")};
                    return call.Run(ReferralPreparer(call.api().read_models, command));
                  });

  AddCommandRoute(router, environment, "/v1/briefings/{id}/attendance",
                  {"RecordAttendance", secretariat_roles, {"id"}, {}, {}}, [](CommandCall& call) {
                    BodyFields& body = call.body();
                    wf::RecordAttendance command{call.Param("id"),
                                                 body.IdList("stakeholders", false),
                                                 body.IdList("states", false)};
                    std::vector<std::string> named = command.stakeholders;
                    named.insert(named.end(), command.states.begin(), command.states.end());
                    const auto& models = call.api().read_models;
                    return call.Run(BriefingPreparer(
                        models, command, [&models, named](wf::Context& context, const auto&) {
                          context.facts.stakeholders = app::StakeholdersNamed(models, named);
                        }));
                  });

  AddCommandRoute(router, environment, "/v1/briefings/{id}/summary",
                  {"PrepareSummary", secretariat_roles, {"id"}, {}, {}}, [](CommandCall& call) {
                    wf::PrepareSummary command{call.Param("id"), call.body().String("text")};
                    return call.Run(BriefingPreparer(call.api().read_models, command));
                  });

  AddCommandRoute(router, environment, "/v1/briefings/{id}/summary/submission",
                  {"SubmitSummary", secretariat_roles, {"id"}, {}, {}}, [](CommandCall& call) {
                    BodyFields& body = call.body();
                    wf::SubmitSummary command{
                        call.Param("id"), body.String("crp_symbol"),
                        body.OptionalNestedString("override_country_mentions", "justification")};
                    return call.Run(BriefingPreparer(call.api().read_models, command));
                  });

  AddCommandRoute(router, environment, "/v1/briefings/{id}/cancellation",
                  {"CancelBriefing", president_roles, {"id"}, {}, {}}, [](CommandCall& call) {
                    wf::CancelBriefing command{call.Param("id"), call.body().String("reason")};
                    return call.Run(BriefingPreparer(call.api().read_models, command));
                  });
}

}  // namespace dialogue::api
