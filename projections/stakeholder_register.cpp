#include "projections/stakeholder_register.hpp"

#include <algorithm>
#include <variant>

namespace dialogue::projections::detail {

void StakeholderRegister::Fold(std::string_view id, const wf::Event& event, uint64_t version,
                               ParticipationIndex& participations) {
  FoldEntity(table, Kind::kStakeholder, table.UpsertNode(id), event, version, participations);
  if (const auto* e = std::get_if<wf::ObserverEntitlementRecorded>(&event)) {
    auto& ids = entitled_at[e->conference_session];
    ids.emplace_hint(ids.end(), id);  // in order, usually: as Table::UpsertNode
  }
}

void StakeholderRegister::Reindex() {
  entitled_at.clear();
  for (const auto& [id, entry] : table.entries) {
    for (const auto& entitlement : entry.state.observer_entitlements) {
      entitled_at[entitlement.conference_session].insert(id);
    }
  }
}

EligibleList StakeholderRegister::Eligible(wf::Date briefing_date,
                                           const std::vector<wf::ConferenceSessionState>& sessions,
                                           const wf::RulesConfig& rules) const {
  EligibleList out;
  const auto previous = wf::PreviousConferenceSession(sessions, briefing_date);
  if (!previous) return out;
  // Only the stakeholders entitled at that session can qualify; the workflows' own rule decides.
  std::vector<wf::StakeholderState> candidates;
  if (auto entitled = entitled_at.find(previous->id); entitled != entitled_at.end()) {
    for (const std::string& id : entitled->second) {
      if (const auto* entry = table.Find(id)) candidates.push_back(entry->state);
    }
  }
  const wf::Eligibility eligibility =
      wf::EligibleStakeholders(briefing_date, sessions, candidates, rules);
  out.conference_session = eligibility.conference_session;
  for (const std::string& id : eligibility.stakeholders) {
    auto it = std::find_if(candidates.begin(), candidates.end(),
                           [&id](const wf::StakeholderState& s) { return s.id == id; });
    if (it != candidates.end()) out.stakeholders.push_back(std::move(*it));
  }
  return out;
}

}  // namespace dialogue::projections::detail
