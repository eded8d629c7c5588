#include "projections/referral_queue.hpp"

#include <algorithm>

namespace dialogue::projections::detail {

void ReferralQueue::Fold(std::string_view id, const wf::Event& event, uint64_t version,
                         ParticipationIndex& participations) {
  auto& node = table.UpsertNode(id);
  const wf::ReferralState& state = node.second.state;
  const wf::ReferralStatus status_before = state.status;
  const std::string working_group_before = state.working_group;
  FoldEntity(table, Kind::kReferral, node, event, version, participations);
  if (status_before == state.status && working_group_before == state.working_group) return;
  if (status_before != wf::ReferralStatus::kNone) {
    by_status.erase(std::make_tuple(status_before, working_group_before, std::string(id)));
  }
  if (state.exists()) by_status.emplace(state.status, state.working_group, std::string(id));
}

void ReferralQueue::Reindex() {
  by_status.clear();
  for (const auto& [id, entry] : table.entries) {
    if (entry.state.exists()) by_status.emplace(entry.state.status, entry.state.working_group, id);
  }
}

std::vector<wf::ReferralState> ReferralQueue::List(const ReferralFilter& filter) const {
  if (!filter.status && filter.working_group.empty()) return table.All();
  std::vector<wf::ReferralState> out;
  auto collect = [&](wf::ReferralStatus status) {
    auto it = by_status.lower_bound(std::make_tuple(status, filter.working_group, std::string()));
    for (; it != by_status.end() && std::get<0>(*it) == status; ++it) {
      if (!filter.working_group.empty() && std::get<1>(*it) != filter.working_group) break;
      out.push_back(table.Find(std::get<2>(*it))->state);
    }
  };
  if (filter.status) {
    collect(*filter.status);
  } else {
    for (auto status : {wf::ReferralStatus::kPending, wf::ReferralStatus::kDecided,
                        wf::ReferralStatus::kWithdrawn}) {
      collect(status);
    }
  }
  std::sort(out.begin(), out.end(),
            [](const wf::ReferralState& a, const wf::ReferralState& b) { return a.id < b.id; });
  return out;
}

}  // namespace dialogue::projections::detail
