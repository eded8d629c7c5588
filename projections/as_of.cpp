// As-of reads (projections/read_models.hpp): an entity's state after a global position, folded
// from its own stream(s) in the store with the workflows' Evolve.
#include <algorithm>
#include <utility>
#include <vector>

#include "projections/read_models.hpp"
#include "projections/routing.hpp"

namespace dialogue::projections {
namespace {

namespace wf = workflows;
using detail::Kind;

constexpr size_t kStreamPageSize = 1000;

struct StreamEvent {
  uint64_t position = 0;
  uint64_t version = 0;
  wf::Event event;
};

// The events of entity `id`'s own stream at or before `position`, in version (and so position)
// order. Events the read models' catch-up passes over are passed over here too: undecodable ones
// and those naming another entity than the stream's.
engine::Result<std::vector<StreamEvent>> ReadUpTo(const engine::EventStore& store, Kind kind,
                                                  std::string_view id, uint64_t position) {
  const std::string stream = std::string(detail::KindName(kind)) + "-" + std::string(id);
  std::vector<StreamEvent> out;
  uint64_t after_version = 0;
  while (true) {
    ASSIGN_OR_RETURN(auto page, store.ReadStream(stream, after_version, kStreamPageSize));
    for (const auto& recorded : page) {
      if (recorded.position > position) return out;
      auto event = wf::DecodeEvent(recorded.type, recorded.data);
      if (!event) continue;
      const detail::Route route = detail::RouteOf(*event);
      if (route.kind != kind || route.id != id) continue;
      out.push_back(StreamEvent{recorded.position, recorded.version, std::move(*event)});
    }
    if (page.size() < kStreamPageSize) return out;
    after_version = page.back().version;
  }
}

template <class State>
AsOfResult<State> FoldAsOf(const engine::EventStore& store, Kind kind, std::string_view id,
                           uint64_t position) {
  ASSIGN_OR_RETURN(std::vector<StreamEvent> events, ReadUpTo(store, kind, id, position));
  if (events.empty()) return std::nullopt;
  State state;
  for (const auto& e : events) state = wf::Evolve(std::move(state), e.event);
  if (!state.exists()) return std::nullopt;
  return Versioned<State>{std::move(state), events.back().version};
}

}  // namespace

AsOfResult<wf::ConferenceSessionState> ConferenceSessionAsOf(const engine::EventStore& store,
                                                             std::string_view id,
                                                             uint64_t position) {
  return FoldAsOf<wf::ConferenceSessionState>(store, Kind::kConferenceSession, id, position);
}

AsOfResult<wf::WorkingGroupState> WorkingGroupAsOf(const engine::EventStore& store,
                                                   std::string_view id, uint64_t position) {
  return FoldAsOf<wf::WorkingGroupState>(store, Kind::kWorkingGroup, id, position);
}

AsOfResult<wf::MeetingState> MeetingAsOf(const engine::EventStore& store, std::string_view id,
                                         uint64_t position) {
  return FoldAsOf<wf::MeetingState>(store, Kind::kMeeting, id, position);
}

AsOfResult<wf::StakeholderState> StakeholderAsOf(const engine::EventStore& store,
                                                 std::string_view id, uint64_t position) {
  return FoldAsOf<wf::StakeholderState>(store, Kind::kStakeholder, id, position);
}

AsOfResult<wf::BriefingState> BriefingAsOf(const engine::EventStore& store, std::string_view id,
                                           uint64_t position) {
  ASSIGN_OR_RETURN(std::vector<StreamEvent> own, ReadUpTo(store, Kind::kBriefing, id, position));
  if (own.empty()) return std::nullopt;
  const uint64_t version = own.back().version;

  // The referral streams the briefing had opened by then, merged in by global position.
  std::vector<StreamEvent> merged;
  for (const auto& e : own) {
    const auto* raised = std::get_if<wf::ObjectionRaised>(&e.event);
    if (raised == nullptr) continue;
    ASSIGN_OR_RETURN(std::vector<StreamEvent> referral,
                     ReadUpTo(store, Kind::kReferral, raised->referral, position));
    std::move(referral.begin(), referral.end(), std::back_inserter(merged));
  }
  if (!merged.empty()) {
    std::move(own.begin(), own.end(), std::back_inserter(merged));
    std::sort(merged.begin(), merged.end(),
              [](const StreamEvent& a, const StreamEvent& b) { return a.position < b.position; });
    // Two objections to the same stakeholder share one referral stream: read it once.
    merged.erase(std::unique(merged.begin(), merged.end(),
                             [](const StreamEvent& a, const StreamEvent& b) {
                               return a.position == b.position;
                             }),
                 merged.end());
  } else {
    merged = std::move(own);
  }

  wf::BriefingState state;
  for (const auto& e : merged) state = wf::Evolve(std::move(state), e.event);
  if (!state.exists()) return std::nullopt;
  return Versioned<wf::BriefingState>{std::move(state), version};
}

AsOfResult<wf::ReferralState> ReferralAsOf(const engine::EventStore& store, std::string_view id,
                                           uint64_t position) {
  return FoldAsOf<wf::ReferralState>(store, Kind::kReferral, id, position);
}

AsOfResult<wf::ObserverInvitationState> ObserverInvitationAsOf(const engine::EventStore& store,
                                                               std::string_view id,
                                                               uint64_t position) {
  return FoldAsOf<wf::ObserverInvitationState>(store, Kind::kObserverInvitation, id, position);
}

AsOfResult<wf::ContributionRequestState> ContributionRequestAsOf(const engine::EventStore& store,
                                                                 std::string_view id,
                                                                 uint64_t position) {
  return FoldAsOf<wf::ContributionRequestState>(store, Kind::kContributionRequest, id, position);
}

AsOfResult<wf::StakeholderReportState> ReportAsOf(const engine::EventStore& store,
                                                  std::string_view id, uint64_t position) {
  return FoldAsOf<wf::StakeholderReportState>(store, Kind::kReport, id, position);
}

AsOfResult<wf::StateParticipationState> StateParticipationAsOf(const engine::EventStore& store,
                                                               std::string_view id,
                                                               uint64_t position) {
  return FoldAsOf<wf::StateParticipationState>(store, Kind::kStateParticipation, id, position);
}

}  // namespace dialogue::projections
