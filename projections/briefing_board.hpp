// Internal to projections/: the briefings (59), each with the referrals it folds, and the
// confirmation deadlines still open, in deadline order, for the timer service (59(d)). Not
// synchronized itself.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "projections/participation_index.hpp"
#include "projections/table.hpp"
#include "workflows/briefing.hpp"

namespace dialogue::projections::detail {

struct BriefingBoard {
  Table<wf::BriefingState> table;
  std::set<std::pair<wf::TimePoint, std::string>> open_deadlines;  // (deadline, briefing)

  // Folds an event into the briefing `id`: its own when `version` is given, else one of its
  // referrals' (workflows/briefing.hpp).
  void Fold(std::string_view id, const wf::Event& event, std::optional<uint64_t> version,
            ParticipationIndex& participations);
  // After a snapshot load: the open deadlines, from the states.
  void Reindex();

  // Briefings whose confirmation deadline is due for closing at `now`.
  std::vector<wf::CloseConfirmationWindow> DueConfirmationWindowCloses(wf::TimePoint now) const;
  // The earliest confirmation deadline not yet closed, if any.
  std::optional<wf::TimePoint> NextConfirmationDeadline() const;
};

}  // namespace dialogue::projections::detail
