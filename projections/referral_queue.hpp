// Internal to projections/: the referrals of objections to the Working Group (59(e)), by status
// and Working Group, for the queue a Bureau member reads. Not synchronized itself.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "projections/participation_index.hpp"
#include "projections/queries.hpp"
#include "projections/table.hpp"
#include "workflows/briefing.hpp"

namespace dialogue::projections::detail {

struct ReferralQueue {
  Table<wf::ReferralState> table;
  // (status, working group, referral) of every referral that exists.
  std::set<std::tuple<wf::ReferralStatus, std::string, std::string>> by_status;

  // Folds the referral's own event at `version`.
  void Fold(std::string_view id, const wf::Event& event, uint64_t version,
            ParticipationIndex& participations);
  // After a snapshot load: the index, from the states.
  void Reindex();

  // The referrals that pass the filter, in id order.
  std::vector<wf::ReferralState> List(const ReferralFilter& filter) const;
};

}  // namespace dialogue::projections::detail
