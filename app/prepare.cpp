#include "app/prepare.hpp"

#include <string>
#include <utility>
#include <vector>

#include "app/load.hpp"
#include "workflows/participations.hpp"

namespace dialogue::app {
namespace {

namespace wf = workflows;
using projections::ReadModels;

// Marks `prepared` unreadable when the acting role is state or stakeholder and `reads` is false.
// `acts_unread`: the caller may act without reading it.
void GateOnReading(Prepared& prepared, const wf::Context& context, std::string noun, bool reads,
                   bool acts_unread = false) {
  const bool named_reader =
      context.role == wf::Role::kState || context.role == wf::Role::kStakeholder;
  if (named_reader && !reads) {
    prepared.unreadable = std::move(noun);
    prepared.acts_unread = acts_unread;
  }
}

// The inspection of a command a state or stakeholder reaches on an entity that must name it.
auto ReadableIfNamed(std::string noun) {
  return
      [noun = std::move(noun)](const wf::Context& context, const auto& state, Prepared& prepared) {
        GateOnReading(prepared, context, noun, wf::Names(state, context.stakeholder));
      };
}

// Who reaches a briefing command: the full readers only (kReaders), or also states and
// stakeholders, who act on a briefing that names them (kNamed) or, 59(d), object to a
// participation in any briefing (kAnyState: the refusals then name nothing of it).
enum class Reach { kReaders, kNamed, kAnyState };

template <class Command, class FillFacts>
Preparer BriefingPreparer(const ReadModels& models, Command command, FillFacts fill_facts,
                          Reach reach = Reach::kReaders) {
  std::string noun = "briefing " + wf::TargetOf(command).id;
  return PrepareTarget(
      models, std::move(command),
      [fill_facts = std::move(fill_facts), reach, noun = std::move(noun)](
          wf::Context& context, const wf::BriefingState& state, Prepared& prepared) {
        fill_facts(context, state);
        if (reach == Reach::kReaders) return;
        // Names is false for a briefing that does not exist.
        GateOnReading(prepared, context, noun, wf::Names(state, context.stakeholder),
                      reach == Reach::kAnyState && state.exists());
      });
}

template <class Command>
Preparer BriefingPreparer(const ReadModels& models, Command command,
                          Reach reach = Reach::kReaders) {
  return BriefingPreparer(
      models, std::move(command), [](wf::Context&, const wf::BriefingState&) {}, reach);
}

// A state reaches a referral only as the State that objected (WithdrawObjection).
template <class Command>
Preparer ReferralPreparer(const ReadModels& models, Command command) {
  std::string noun = "referral " + command.referral;
  return PrepareTarget(
      models, std::move(command),
      [noun = std::move(noun)](wf::Context& context, const wf::ReferralState& state,
                               Prepared& prepared) {
        const bool reads = state.exists() && state.objecting_state == context.stakeholder;
        GateOnReading(prepared, context, noun, reads);
      });
}

}  // namespace

// --- Reference data and the stakeholder register ---

Preparer Prepare(const ReadModels& models, wf::ScheduleMeeting command) {
  std::string group = command.working_group;
  return PrepareTarget(
      models, std::move(command),
      [&models, group = std::move(group)](wf::Context& context, const auto&, Prepared&) {
        context.facts.working_groups = WorkingGroupsNamed(models, {group});
      });
}

Preparer Prepare(const ReadModels& models, wf::ChangeEcosocStatus command) {
  return [&models, command = std::move(command)](wf::Context&) -> Preparation {
    const auto target = wf::TargetOf(command);
    ASSIGN_OR_RETURN(auto loaded, Load(models, target));
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
      others.emplace_back(wf::ObserverInvitationStream(participation.id), invitation->version);
      invitations.push_back(std::move(invitation->state));
    }
    Prepared prepared;
    prepared.stream = wf::StreamOf(target);
    prepared.version = loaded.version;
    prepared.others = std::move(others);
    prepared.decide = [state = std::move(loaded.state), command,
                       invitations = std::move(invitations)](const wf::Context& context) {
      return wf::DecideEcosocChange(state, command, invitations, context);
    };
    return prepared;
  };
}

Preparer Prepare(const ReadModels& models, wf::RecordObserverEntitlement command) {
  std::string session = command.conference_session;
  return PrepareTarget(
      models, std::move(command),
      [&models, session = std::move(session)](wf::Context& context, const auto&, Prepared&) {
        if (auto found = models.ConferenceSession(session)) {
          context.facts.conference_sessions.push_back(std::move(found->state));
        }
      });
}

// --- Briefings and referrals (59) ---

Preparer Prepare(const ReadModels& models, wf::ConveneBriefing command) {
  std::string meeting = command.meeting;
  return BriefingPreparer(
      models, std::move(command),
      [&models, meeting = std::move(meeting)](wf::Context& context, const auto&) {
        context.facts.meetings = MeetingsNamed(models, {meeting});
      });
}

Preparer Prepare(const ReadModels& models, wf::InviteStakeholders command) {
  return BriefingPreparer(models, std::move(command), [&models](wf::Context& context, const auto&) {
    // 59(c) reads every session and, for all_eligible, every candidate.
    context.facts.conference_sessions = models.ConferenceSessions();
    context.facts.stakeholders = models.Stakeholders();
  });
}

Preparer Prepare(const ReadModels& models, wf::DeclineInvitation command) {
  return BriefingPreparer(models, std::move(command), Reach::kNamed);
}

Preparer Prepare(const ReadModels& models, wf::ConfirmAttendance command) {
  return BriefingPreparer(models, std::move(command), Reach::kNamed);
}

Preparer Prepare(const ReadModels& models, wf::RaiseObjection command) {
  std::string ngo = command.stakeholder;
  return BriefingPreparer(
      models, std::move(command),
      [&models, ngo = std::move(ngo)](wf::Context& context, const auto&) {
        context.facts.stakeholders = StakeholdersNamed(models, {context.stakeholder, ngo});
      },
      Reach::kAnyState);
}

Preparer Prepare(const ReadModels& models, wf::DecideReferral command) {
  return ReferralPreparer(models, std::move(command));
}

Preparer Prepare(const ReadModels& models, wf::WithdrawObjection command) {
  return ReferralPreparer(models, std::move(command));
}

Preparer Prepare(const ReadModels& models, wf::RecordAttendance command) {
  std::vector<std::string> named = command.stakeholders;
  named.insert(named.end(), command.states.begin(), command.states.end());
  return BriefingPreparer(models, std::move(command),
                          [&models, named = std::move(named)](wf::Context& context, const auto&) {
                            context.facts.stakeholders = StakeholdersNamed(models, named);
                          });
}

// --- Observer invitations (60) ---

Preparer Prepare(const ReadModels& models, wf::InviteObserver command) {
  return PrepareTarget(
      models, command,
      [&models, command](wf::Context& context, const auto&, Prepared&) -> engine::Status {
        auto meeting = models.Meeting(command.meeting);
        if (context.working_group.empty()) {
          // The secretariat records the invitation of the meeting's group.
          if (!meeting) {
            return engine::Fail(
                engine::Error::NotFound("meeting " + command.meeting + " is not scheduled"));
          }
          context.working_group = meeting->state.working_group;
        }
        if (meeting) context.facts.meetings.push_back(std::move(meeting->state));
        context.facts.stakeholders = StakeholdersNamed(models, {command.stakeholder});
        return {};
      });
}

Preparer Prepare(const ReadModels& models, wf::AnswerObserverInvitation command) {
  std::string noun = "observer invitation " + command.observer_invitation;
  return PrepareTarget(models, std::move(command), ReadableIfNamed(std::move(noun)));
}

Preparer Prepare(const ReadModels& models, wf::RevokeObserverInvitation command) {
  return PrepareTarget(
      models, std::move(command),
      [&models](wf::Context& context, const wf::ObserverInvitationState& state, Prepared&) {
        if (state.exists()) {
          context.facts.stakeholders = StakeholdersNamed(models, {state.stakeholder});
        }
      });
}

// --- Written contributions (61) and stakeholder reports (59(h)) ---

Preparer Prepare(const ReadModels& models, wf::RequestContributions command) {
  std::vector<std::string> stakeholders = command.stakeholders;
  return PrepareTarget(models, std::move(command),
                       [&models, stakeholders = std::move(stakeholders)](wf::Context& context,
                                                                         const auto&, Prepared&) {
                         if (!context.working_group.empty()) {
                           context.facts.working_groups =
                               WorkingGroupsNamed(models, {context.working_group});
                         }
                         context.facts.stakeholders = StakeholdersNamed(models, stakeholders);
                       });
}

Preparer Prepare(const ReadModels& models, wf::SubmitContribution command) {
  std::string noun = "contribution request " + command.contribution_request;
  return PrepareTarget(models, std::move(command), ReadableIfNamed(std::move(noun)));
}

Preparer Prepare(const ReadModels& models, wf::SubmitStakeholderReport command) {
  return PrepareTarget(
      models, command, [&models, command](wf::Context& context, const auto&, Prepared&) {
        context.facts.stakeholders = StakeholdersNamed(models, command.authors);
        if (command.addressed_to != wf::kAddressedToConference) {
          context.facts.working_groups = WorkingGroupsNamed(models, {command.addressed_to});
        }
      });
}

// --- State participations (58) ---

Preparer Prepare(const ReadModels& models, wf::RequestStateParticipation command) {
  std::string state = command.state;
  return PrepareTarget(
      models, std::move(command),
      [&models, state = std::move(state)](wf::Context& context, const auto&, Prepared&) {
        context.facts.stakeholders = StakeholdersNamed(models, {state});
      });
}

Preparer Prepare(const ReadModels& models, wf::WithdrawStateParticipation command) {
  std::string noun = "state participation " + command.state_participation;
  return PrepareTarget(models, std::move(command), ReadableIfNamed(std::move(noun)));
}

}  // namespace dialogue::app
