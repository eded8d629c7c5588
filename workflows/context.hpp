// Context: everything a decider knows besides its aggregate's state and the command — who acts,
// for whom, when (occurred_at) and when it is now, the rules' configuration, and the read-only
// facts from other aggregates that a rule needs (the meeting a briefing is convened on, the
// Conference sessions, the stakeholders a command names, ...). The caller (the api layer, from
// read models) fills what each command's documentation says it reads. Deciders never read a
// clock, a file or a global: the same state, command and context always give the same answer.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/event.hpp"
#include "workflows/reference_data.hpp"
#include "workflows/refusal.hpp"
#include "workflows/rules_config.hpp"
#include "workflows/stakeholder.hpp"
#include "workflows/values.hpp"

namespace dialogue::workflows {

struct Facts {
  std::vector<ConferenceSessionState> conference_sessions;  // 59(c): all of them
  std::vector<WorkingGroupState> working_groups;            // the groups a command names
  std::vector<MeetingState> meetings;                       // the meetings a command names
  std::vector<StakeholderState> stakeholders;               // the stakeholders a command names

  // nullptr when absent (or present but not existing).
  const ConferenceSessionState* FindConferenceSession(std::string_view id) const;
  const WorkingGroupState* FindWorkingGroup(std::string_view id) const;
  const MeetingState* FindMeeting(std::string_view id) const;
  const StakeholderState* FindStakeholder(std::string_view id) const;
};

struct Context {
  TimePoint occurred_at;  // when the act happened: rules are judged at this instant
  TimePoint now;          // the server clock when the command arrived; occurred_at <= now
  std::string actor;      // "sec-ana"
  Role role = Role::kSecretariat;
  std::string on_behalf_of;  // the actor whose act the secretariat records, if any
  // The stakeholder the actor acts for: the token's stakeholder for roles state and stakeholder;
  // for the secretariat recording a stakeholder's act, that stakeholder (or empty).
  std::string stakeholder;
  // The Working Group the actor acts for: the token's group for role working_group; for the
  // secretariat recording a group's act, that group (or empty).
  std::string working_group;
  std::string note;
  RulesConfig rules;
  Facts facts;
};

// kInvalidArgument when occurred_at is after now.
[[nodiscard]] Check CheckOccurredAt(const Context& context);

// The audit metadata of the events a command produces: occurred_at, actor, role, on_behalf_of
// and note (recorded_at is the store's).
engine::EventMetadata MetadataFor(const Context& context);

}  // namespace dialogue::workflows
