// Stakeholder reports, paragraph 59(h): relevant stakeholders report to the Conference and/or a
// Working Group, individually or collectively, on their activities and contributions to
// implementing the recommendations approved by the Conference. A stakeholder files only reports
// it co-authors (authorization, 403); every author must be a relevant stakeholder (422 59(h)).
// Stream report-<id>. Pure deciders and folds; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "workflows/events.hpp"
#include "workflows/refusal.hpp"
#include "workflows/values.hpp"

namespace dialogue::workflows {

struct Context;

struct StakeholderReportState {
  bool created = false;  // its first event was folded
  bool exists() const { return created; }
  std::string id;
  std::vector<std::string> authors;
  std::string addressed_to;  // "conference" or a Working Group id
  std::string title;
  std::string text;
  std::string submitted_by;
  TimePoint submitted_at;
  bool operator==(const StakeholderReportState&) const = default;
};

// What addressed_to says for the Conference itself.
inline constexpr std::string_view kAddressedToConference = "conference";

// POST /v1/reports. Role: stakeholder or state acting for one of the authors, or the
// secretariat. Reads facts.stakeholders (every author, 404) and facts.working_groups (when
// addressed to a group, 404).
struct SubmitStakeholderReport {
  std::string id;
  std::vector<std::string> authors;
  std::string addressed_to;
  std::string title;
  std::string text;
};

[[nodiscard]] Verdict<std::vector<Event>> Decide(const StakeholderReportState& state,
                                                 const SubmitStakeholderReport& command,
                                                 const Context& context);
StakeholderReportState Evolve(StakeholderReportState state, const Event& event);

}  // namespace dialogue::workflows
