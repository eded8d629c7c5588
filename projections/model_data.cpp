#include "projections/model_data.hpp"

#include <set>
#include <utility>

namespace dialogue::projections::detail {

void Data::Apply(uint64_t version, const wf::Event& event) {
  const Route route = RouteOf(event);
  auto fold = [&](auto& table) {
    FoldEntity(table, route.kind, table.UpsertNode(route.id), event, version, participations);
  };
  switch (route.kind) {
    case Kind::kConferenceSession:
      return fold(sessions);
    case Kind::kWorkingGroup:
      return fold(working_groups);
    case Kind::kMeeting:
      return fold(meetings);
    case Kind::kStakeholder:
      return stakeholders.Fold(route.id, event, version, participations);
    case Kind::kBriefing:
      return briefings.Fold(route.id, event, version, participations);
    case Kind::kReferral:
      referrals.Fold(route.id, event, version, participations);
      // The briefing folds its referrals' events too (workflows/briefing.hpp), without a version.
      if (briefings.table.Find(route.briefing) != nullptr) {
        briefings.Fold(route.briefing, event, {}, participations);
      }
      return;
    case Kind::kObserverInvitation:
      return fold(observer_invitations);
    case Kind::kContributionRequest:
      return fold(contribution_requests);
    case Kind::kReport:
      return fold(reports);
    case Kind::kStateParticipation:
      return fold(state_participations);
  }
}

void Data::RebuildDerivedIndexes() {
  stakeholders.Reindex();
  briefings.Reindex();
  referrals.Reindex();
}

std::vector<wf::Participation> Data::ParticipationsOf(std::string_view stakeholder) const {
  std::vector<wf::Participation> out;
  auto refs = participations.lists.find(stakeholder);
  if (refs == participations.lists.end()) return out;
  auto add = [&](const auto& table, const std::string& id) {
    const auto* entry = table.Find(id);
    if (entry == nullptr) return;
    if (auto participation = wf::ParticipationIn(entry->state, stakeholder)) {
      out.push_back(std::move(*participation));
    }
  };
  std::set<std::pair<Kind, std::string_view>> seen;  // a participation is listed once
  for (const ParticipationRef& ref : refs->second.refs) {
    if (!seen.emplace(ref.kind, ref.id).second) continue;
    switch (ref.kind) {
      case Kind::kBriefing:
        add(briefings.table, ref.id);
        break;
      case Kind::kObserverInvitation:
        add(observer_invitations, ref.id);
        break;
      case Kind::kContributionRequest:
        add(contribution_requests, ref.id);
        break;
      case Kind::kReport:
        add(reports, ref.id);
        break;
      case Kind::kStateParticipation:
        add(state_participations, ref.id);
        break;
      default:
        break;  // no other kind has participants
    }
  }
  return out;
}

void FoldPage(Data& data, const DecodedPage& page) {
  for (const PageEvent& item : page.events) {
    if (item.event) {
      data.Apply(item.version, *item.event);
    } else {
      ++data.skipped;
    }
  }
  if (!page.events.empty()) {
    data.position = page.last_position;
    data.hash = page.last_hash;
  }
}

}  // namespace dialogue::projections::detail
