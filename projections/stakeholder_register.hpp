// Internal to projections/: the stakeholders, and who was entitled as an observer at which
// Conference session, from which the eligible list of 59(c) is drawn. Not synchronized itself.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "projections/participation_index.hpp"
#include "projections/queries.hpp"
#include "projections/table.hpp"
#include "workflows/briefing.hpp"
#include "workflows/reference_data.hpp"
#include "workflows/rules_config.hpp"
#include "workflows/stakeholder.hpp"

namespace dialogue::projections::detail {

struct StakeholderRegister {
  Table<wf::StakeholderState> table;
  std::map<std::string, std::set<std::string>, std::less<>> entitled_at;  // session -> ids

  // Folds the stakeholder's own event at `version`.
  void Fold(std::string_view id, const wf::Event& event, uint64_t version,
            ParticipationIndex& participations);
  // After a snapshot load: the entitlements, from the states.
  void Reindex();

  // 59(c): the session before `briefing_date` among `sessions` and the stakeholders entitled at
  // it that the workflows' rule (under `rules`) admits, in id order.
  EligibleList Eligible(wf::Date briefing_date,
                        const std::vector<wf::ConferenceSessionState>& sessions,
                        const wf::RulesConfig& rules) const;
};

}  // namespace dialogue::projections::detail
