// A test world for the workflows: every aggregate's state, folded from the events the deciders
// produce, and contexts whose facts hold all the reference data and stakeholders — what the api
// layer will do from read models. Test-only; not thread-safe.
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "engine/result.hpp"
#include "workflows/briefing.hpp"
#include "workflows/context.hpp"
#include "workflows/contribution_request.hpp"
#include "workflows/events.hpp"
#include "workflows/observer_invitation.hpp"
#include "workflows/reference_data.hpp"
#include "workflows/stakeholder.hpp"
#include "workflows/stakeholder_report.hpp"
#include "workflows/state_participation.hpp"
#include "workflows/targets.hpp"

namespace dialogue::workflows::testing {

// An RFC 3339 instant; aborts the test on bad text.
TimePoint At(std::string_view rfc3339);

// A local wall-clock time "YYYY-MM-DD HH:MM:SS[.ffffff]" in `zone`, as a UTC instant (the
// earliest, if the local time is ambiguous).
TimePoint Local(std::string_view local, std::string_view zone = "Europe/Vienna");

// The server's "now" in tests, well after every date the tests use.
inline const TimePoint kNow = At("2030-01-01T00:00:00Z");

// The error's rule code, or "" when the result is a success or another error.
template <class T>
std::string RuleOf(const Verdict<T>& result) {
  if (result || result.error().code != RefusalCode::kRuleViolation) return "";
  return result.error().rule;
}

template <class T>
bool Failed(const Verdict<T>& result, RefusalCode code) {
  return !result && result.error().code == code;
}

struct Recorded {
  std::string stream;
  Event event;
};

class World {
 public:
  // A context for `role`, with every fact of this world. `stakeholder` and `working_group` say
  // whom the actor acts for.
  Context As(Role role, std::string actor, TimePoint occurred_at, std::string stakeholder = "",
             std::string working_group = "") const;
  Context Secretariat(TimePoint occurred_at) const {
    return As(Role::kSecretariat, "sec-ana", occurred_at);
  }
  Context President(TimePoint occurred_at) const {
    return As(Role::kPresident, "pres-lee", occurred_at);
  }
  Context StakeholderRep(std::string stakeholder, TimePoint occurred_at) const {
    return As(Role::kStakeholder, "rep-" + stakeholder, occurred_at, stakeholder);
  }
  Context StateRep(std::string state, TimePoint occurred_at) const {
    return As(Role::kState, "rep-" + state, occurred_at, state);
  }
  Context Group(std::string working_group, TimePoint occurred_at) const {
    return As(Role::kWorkingGroup, "chair-" + working_group, occurred_at, "", working_group);
  }
  Context System(TimePoint occurred_at) const { return As(Role::kSystem, "system", occurred_at); }

  // Decides `command` against its aggregate's current state; on success folds the events into
  // this world (and the log) and returns them. Throws when the first event is not on the stream
  // of the command's target: TargetOf must name the entity the decider writes.
  template <class Command>
  Verdict<std::vector<Event>> Do(const Command& command, const Context& context) {
    auto events = Decide(StateFor(command), command, context);
    if (events) {
      if (!events->empty() && StreamOf(events->front()) != StreamOf(TargetOf(command))) {
        throw std::logic_error("TargetOf names " + StreamOf(TargetOf(command)) +
                               " but the decider wrote " + StreamOf(events->front()) + " first");
      }
      for (const auto& e : *events) Fold(e);
    }
    return events;
  }

  // Decides `command` against its aggregate's current state without folding anything.
  template <class Command>
  Verdict<std::vector<Event>> Try(const Command& command, const Context& context) const {
    return Decide(StateFor(command), command, context);
  }

  // Folds one event into the states (routing by its stream) and appends it to the log.
  void Fold(const Event& event);

  // Shorthands that REQUIRE success: reference data and stakeholders.
  void Session(const std::string& id, const std::string& starts_on, const std::string& ends_on);
  void WorkingGroup(const std::string& id);
  void Meeting(const std::string& id, const std::string& working_group,
               const std::string& starts_on, const std::string& ends_on,
               bool review_agenda_item = true);
  void Stakeholder(const std::string& id, const std::string& category,
                   const std::string& ecosoc = "none",
                   std::vector<std::pair<std::string, std::string>> instruments = {});
  void Entitle(const std::string& stakeholder, const std::string& session);

  // A standard setting: sessions cop-11 (2024-10-14..18) and cop-12 (2025-10-13..17), group
  // wg-tip with meeting m1 (2026-07-13..17, review item), NGOs ngo-a..ngo-d (general ECOSOC),
  // igo-x, un-y, nss-z (non-signatory State), entitled at cop-12 (ngo-d only at cop-11),
  // State Party sp-1, signatory sig-2, NGO ngo-e never entitled.
  void Standard();

  // Brings briefing `id` to convened on `date` (by default 2026-07-15, deadline 2026-07-05).
  void Convened(const std::string& id, const std::string& date = "2026-07-15");

  const BriefingState& Briefing(const std::string& id) { return briefings[id]; }

  std::map<std::string, ConferenceSessionState> sessions;
  std::map<std::string, WorkingGroupState> groups;
  std::map<std::string, MeetingState> meetings;
  std::map<std::string, StakeholderState> stakeholders;
  std::map<std::string, BriefingState> briefings;
  std::map<std::string, ReferralState> referrals;
  std::map<std::string, ObserverInvitationState> observer_invitations;
  std::map<std::string, ContributionRequestState> contribution_requests;
  std::map<std::string, StakeholderReportState> reports;
  std::map<std::string, StateParticipationState> state_participations;
  std::vector<Recorded> log;

 private:
  template <class S>
  static S Get(const std::map<std::string, S>& map, const std::string& id) {
    auto it = map.find(id);
    return it == map.end() ? S{} : it->second;
  }

  // The state of the entity the command targets (workflows/targets.hpp), empty when unknown.
  template <class Command>
  auto StateFor(const Command& command) const {
    const auto target = TargetOf(command);
    return Get(MapOf(target), target.id);
  }

  const auto& MapOf(const Target<ConferenceSessionState>&) const { return sessions; }
  const auto& MapOf(const Target<WorkingGroupState>&) const { return groups; }
  const auto& MapOf(const Target<MeetingState>&) const { return meetings; }
  const auto& MapOf(const Target<StakeholderState>&) const { return stakeholders; }
  const auto& MapOf(const Target<BriefingState>&) const { return briefings; }
  const auto& MapOf(const Target<ReferralState>&) const { return referrals; }
  const auto& MapOf(const Target<ObserverInvitationState>&) const { return observer_invitations; }
  const auto& MapOf(const Target<ContributionRequestState>&) const { return contribution_requests; }
  const auto& MapOf(const Target<StakeholderReportState>&) const { return reports; }
  const auto& MapOf(const Target<StateParticipationState>&) const { return state_participations; }
};

}  // namespace dialogue::workflows::testing
