// RulesConfig: every reading Dialogue takes of paragraphs 58-61 where the text is open
// (RULES.md, marked **Reading**), in one place, with the project's defaults. docs/rules.md
// explains each field. A plain value; thread-safe to share once built.
#pragma once

#include <string>
#include <vector>

#include "workflows/values.hpp"

namespace dialogue::workflows {

struct RulesConfig {
  // 59(a): "on the margins" of a meeting = from this many days before it opens ...
  int margins_days_before_opening = 1;
  // ... to this many days after it closes (calendar dates, inclusive).
  int margins_days_after_closing = 2;

  // 59(e): the last day to confirm is the briefing date minus this many calendar days; the
  // deadline is the last instant of that day in the briefing's time zone.
  int confirmation_days_before = 10;

  // 59(e), 60, 61: the zone of a briefing convened without one, and the zone in which meeting
  // dates and contribution due dates are read.
  std::string default_time_zone = "Europe/Vienna";

  // 59(c), 59(h): the "relevant stakeholders" paragraph 59 speaks of.
  std::vector<StakeholderCategory> relevant_categories = {
      StakeholderCategory::kNonSignatoryState, StakeholderCategory::kUnEntity,
      StakeholderCategory::kIgo, StakeholderCategory::kNgo};

  // 59(c): {"all_eligible": true} when every eligible stakeholder is already invited is refused
  // (409 already_exists) rather than accepted with no event.
  bool refuse_all_eligible_when_none_left = true;

  // 59(d): who may object (only States Parties) and whose participation may be objected to
  // (only NGOs).
  std::vector<StakeholderCategory> may_object = {StakeholderCategory::kStateParty};
  std::vector<StakeholderCategory> objection_targets = {StakeholderCategory::kNgo};

  // 60: the ECOSOC consultative statuses that allow an observer invitation (valid when invited).
  std::vector<EcosocStatus> observer_ecosoc_statuses = {
      EcosocStatus::kGeneral, EcosocStatus::kSpecial, EcosocStatus::kRoster};

  // 61: whether a contribution may be submitted after the request's due date (read in
  // default_time_zone). The text sets no deadline; the request does.
  bool accept_contributions_after_due_date = false;

  // 58: the only funding source accepted, and the instrument of a request that names none.
  std::string voluntary_contributions_source = "voluntary_contributions";
  Instrument default_participation_instrument = Instrument::kConvention;

  // Across all rules: the earliest occurred_at accepted. No act under these procedures predates
  // the Mechanism, which the Conference established at its ninth session (resolution 9/1, Vienna,
  // 15-19 October 2018); an earlier instant is a typo or a probe, not a late record.
  TimePoint earliest_occurred_at = TimePoint(Date(date::year(2018) / 10 / 15));

  bool IsRelevant(StakeholderCategory category) const;
  bool MayObject(StakeholderCategory category) const;
  bool IsObjectionTarget(StakeholderCategory category) const;
  bool AllowsObserver(EcosocStatus status) const;
};

}  // namespace dialogue::workflows
