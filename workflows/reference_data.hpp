// Reference data: Conference sessions, Working Groups and their meetings. Registered by the
// Secretariat; read by the briefing (59(a), 59(c)), observer (60) and contribution (61) rules as
// facts. Pure deciders and folds; thread-safe.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "workflows/events.hpp"
#include "workflows/refusal.hpp"
#include "workflows/values.hpp"

namespace dialogue::workflows {

struct Context;

// --- Conference sessions (stream conference-session-<id>) ---

struct ConferenceSessionState {
  bool created = false;  // its first event was folded
  bool exists() const { return created; }
  std::string id;
  std::string title;
  Date starts_on{};
  Date ends_on{};
  bool operator==(const ConferenceSessionState&) const = default;
};

// POST /v1/conference-sessions. Dates as given ("YYYY-MM-DD").
struct RegisterConferenceSession {
  std::string id;
  std::string title;
  std::string starts_on;
  std::string ends_on;
};

// Role: secretariat. Errors: 400 for bad input, 409 when the session exists.
[[nodiscard]] Verdict<std::vector<Event>> Decide(const ConferenceSessionState& state,
                                                 const RegisterConferenceSession& command,
                                                 const Context& context);
ConferenceSessionState Evolve(ConferenceSessionState state, const Event& event);

// --- Working Groups (stream working-group-<id>) ---

struct WorkingGroupState {
  bool created = false;  // its first event was folded
  bool exists() const { return created; }
  std::string id;
  std::string name;
  std::optional<Instrument> protocol;
  bool operator==(const WorkingGroupState&) const = default;
};

// POST /v1/working-groups. `protocol`: "tip", "som", "firearms", or none.
struct RegisterWorkingGroup {
  std::string id;
  std::string name;
  std::optional<std::string> protocol;
};

[[nodiscard]] Verdict<std::vector<Event>> Decide(const WorkingGroupState& state,
                                                 const RegisterWorkingGroup& command,
                                                 const Context& context);
WorkingGroupState Evolve(WorkingGroupState state, const Event& event);

// --- Meetings (stream meeting-<id>) ---

struct MeetingState {
  bool created = false;  // its first event was folded
  bool exists() const { return created; }
  std::string id;
  std::string working_group;
  Date starts_on{};
  Date ends_on{};
  bool review_agenda_item = false;
  bool operator==(const MeetingState&) const = default;
};

// POST /v1/meetings.
struct ScheduleMeeting {
  std::string id;
  std::string working_group;
  std::string starts_on;
  std::string ends_on;
  bool review_agenda_item = false;
};

// Reads context.facts.working_groups (404 when the group is not there).
[[nodiscard]] Verdict<std::vector<Event>> Decide(const MeetingState& state,
                                                 const ScheduleMeeting& command,
                                                 const Context& context);
MeetingState Evolve(MeetingState state, const Event& event);

// 59(c): the Conference session previous to a briefing on `briefing_date` is the latest one
// whose last day is strictly before that date (ties: the later start, then the greater id).
std::optional<ConferenceSessionState> PreviousConferenceSession(
    std::span<const ConferenceSessionState> sessions, Date briefing_date);

}  // namespace dialogue::workflows
