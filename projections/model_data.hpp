// Internal to projections/: what the read models hold, and how an event is folded into it. One
// Data is every table (an entity's state by id) and the indexes over them; ReadModels (its
// locks, its reads), the page reader and the snapshot work on it. Not synchronized itself.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "projections/page_reader.hpp"
#include "projections/routing.hpp"
#include "workflows/briefing.hpp"
#include "workflows/contribution_request.hpp"
#include "workflows/observer_invitation.hpp"
#include "workflows/participations.hpp"
#include "workflows/reference_data.hpp"
#include "workflows/stakeholder.hpp"
#include "workflows/stakeholder_report.hpp"
#include "workflows/state_participation.hpp"

namespace dialogue::projections::detail {

namespace wf = workflows;

template <class State>
struct Entry {
  State state;
  uint64_t version = 0;  // of the aggregate's own stream
  bool dirty = false;    // changed since the last snapshot
};

// Hashes std::string and std::string_view alike, so lookups by a view allocate nothing.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

template <class State>
struct Table {
  using Map = std::map<std::string, Entry<State>, std::less<>>;
  using Node = typename Map::value_type;

  Table() = default;
  Table(const Table&) = delete;  // `index` points into `entries`
  Table& operator=(const Table&) = delete;

  Map entries;               // in id order, for the listings and the snapshot
  std::vector<Node*> dirty;  // the dirty entries (map nodes never move)
  // Every entry by id, for the fold's lookups: a hash probe instead of a walk down the tree of
  // a 100k-entry map (a cache miss per level). The keys view the map's own keys.
  std::unordered_map<std::string_view, Node*> index;

  Node& UpsertNode(std::string_view id) {
    if (auto found = index.find(id); found != index.end()) return *found->second;
    Node& node = *entries.emplace(std::string(id), Entry<State>{}).first;
    index.emplace(node.first, &node);
    return node;
  }
  Entry<State>& Upsert(std::string_view id) { return UpsertNode(id).second; }
  Entry<State>* Find(std::string_view id) {
    auto found = index.find(id);
    return found == index.end() ? nullptr : &found->second->second;
  }
  const Entry<State>* Find(std::string_view id) const {
    auto found = index.find(id);
    return found == index.end() ? nullptr : &found->second->second;
  }
  void MarkDirty(Node& node) {
    if (node.second.dirty) return;
    node.second.dirty = true;
    dirty.push_back(&node);
  }
};

struct ParticipationRef {
  Kind kind;
  std::string id;
};

// A stakeholder's participations in order of first appearance in the log.
struct ParticipationList {
  std::vector<ParticipationRef> refs;
  bool dirty = false;  // grew since the last snapshot
};

// Everything the read models hold. Not synchronized itself: ReadModels::Impl guards it.
struct Data {
  uint64_t position = 0;  // the last position folded
  std::string hash;       // that event's hash (empty for position 0)
  uint64_t skipped = 0;   // events not folded (unknown type, undecodable, on a foreign stream)

  Table<wf::ConferenceSessionState> sessions;
  Table<wf::WorkingGroupState> working_groups;
  Table<wf::MeetingState> meetings;
  Table<wf::StakeholderState> stakeholders;
  Table<wf::BriefingState> briefings;
  Table<wf::ReferralState> referrals;
  Table<wf::ObserverInvitationState> observer_invitations;
  Table<wf::ContributionRequestState> contribution_requests;
  Table<wf::StakeholderReportState> reports;
  Table<wf::StateParticipationState> state_participations;

  // Indexes, all derived from the tables except `participations` (its order is the log's).
  std::set<std::tuple<wf::ReferralStatus, std::string, std::string>> referrals_by_status;
  std::map<std::string, std::set<std::string>, std::less<>> entitled_at;  // session -> ids
  std::set<std::pair<wf::TimePoint, std::string>> open_deadlines;         // (deadline, briefing)
  // By stakeholder; hashed: the fold looks a stakeholder up for every invitation.
  std::unordered_map<std::string, ParticipationList, StringHash, std::equal_to<>> participations;
  std::vector<std::pair<const std::string, ParticipationList>*>
      dirty_participations;  // the lists that grew since the last snapshot

  // Calls f(kind, table) for every table of `self` (a Data or a const Data).
  template <class Self, class F>
  static void ForEachTable(Self& self, F&& f) {
    f(Kind::kConferenceSession, self.sessions);
    f(Kind::kWorkingGroup, self.working_groups);
    f(Kind::kMeeting, self.meetings);
    f(Kind::kStakeholder, self.stakeholders);
    f(Kind::kBriefing, self.briefings);
    f(Kind::kReferral, self.referrals);
    f(Kind::kObserverInvitation, self.observer_invitations);
    f(Kind::kContributionRequest, self.contribution_requests);
    f(Kind::kReport, self.reports);
    f(Kind::kStateParticipation, self.state_participations);
  }

  // Folds an event recorded on its own entity's stream (the readers checked) at `version`.
  void Apply(uint64_t version, const wf::Event& event);

  // Folds the event into the entity `id` of `table` (its own event when `version` is given) and
  // records the stakeholders the event made participants of it.
  template <class State>
  Entry<State>& Fold(Table<State>& table, Kind kind, std::string_view id, const wf::Event& event,
                     std::optional<uint64_t> version) {
    return Fold(table, kind, table.UpsertNode(id), event, version);
  }
  template <class State>
  Entry<State>& Fold(Table<State>& table, Kind kind, typename Table<State>::Node& node,
                     const wf::Event& event, std::optional<uint64_t> version);
  void FoldBriefing(std::string_view id, const wf::Event& event, std::optional<uint64_t> version);
  void FoldReferral(std::string_view id, const wf::Event& event, uint64_t version);
  void AddParticipation(std::string_view stakeholder, Kind kind, std::string_view id);

  // After a snapshot load: the indexes that are functions of the states.
  void RebuildDerivedIndexes();
};

// Folds a page's events in order, and moves data's position and hash to the page's last.
void FoldPage(Data& data, const DecodedPage& page);

// The open confirmation deadline of a briefing: one that the timer service will have to close.
std::optional<wf::TimePoint> OpenDeadline(const wf::BriefingState& state);

}  // namespace dialogue::projections::detail
