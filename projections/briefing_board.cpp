#include "projections/briefing_board.hpp"

namespace dialogue::projections::detail {

void BriefingBoard::Fold(std::string_view id, const wf::Event& event,
                         std::optional<uint64_t> version, ParticipationIndex& participations) {
  auto& node = table.UpsertNode(id);
  const std::optional<wf::TimePoint> before = wf::OpenConfirmationDeadline(node.second.state);
  FoldEntity(table, Kind::kBriefing, node, event, version, participations);
  const std::optional<wf::TimePoint> after = wf::OpenConfirmationDeadline(node.second.state);
  if (before != after) {
    if (before) open_deadlines.erase({*before, std::string(id)});
    if (after) open_deadlines.emplace(*after, std::string(id));
  }
}

void BriefingBoard::Reindex() {
  open_deadlines.clear();
  for (const auto& [id, entry] : table.entries) {
    if (auto deadline = wf::OpenConfirmationDeadline(entry.state))
      open_deadlines.emplace(*deadline, id);
  }
}

std::vector<wf::CloseConfirmationWindow> BriefingBoard::DueConfirmationWindowCloses(
    wf::TimePoint now) const {
  std::vector<wf::CloseConfirmationWindow> out;
  for (const auto& [deadline, id] : open_deadlines) {
    if (!(now > deadline)) break;
    if (const auto* entry = table.Find(id)) {
      if (auto due = wf::DueConfirmationWindowClose(entry->state, now)) {
        out.push_back(std::move(*due));
      }
    }
  }
  return out;
}

std::optional<wf::TimePoint> BriefingBoard::NextConfirmationDeadline() const {
  if (open_deadlines.empty()) return std::nullopt;
  return open_deadlines.begin()->first;
}

}  // namespace dialogue::projections::detail
