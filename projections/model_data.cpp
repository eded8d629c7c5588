#include "projections/model_data.hpp"

#include <array>
#include <span>
#include <variant>

namespace dialogue::projections::detail {
namespace {

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

// The stakeholders an event may add to an aggregate's participants (workflows::StatusIn
// decides whether it did). Others never start a participation.
std::span<const std::string> NewParticipantsOf(const wf::Event& event) {
  return std::visit(
      Overloaded{
          [](const wf::StakeholderInvited& e) {
            return std::span<const std::string>(&e.stakeholder, 1);
          },
          [](const wf::BriefingHeld& e) { return std::span<const std::string>(e.states); },
          [](const wf::ObserverInvited& e) {
            return std::span<const std::string>(&e.stakeholder, 1);
          },
          [](const wf::ContributionsRequested& e) {
            return std::span<const std::string>(e.stakeholders);
          },
          [](const wf::StakeholderReportSubmitted& e) {
            return std::span<const std::string>(e.authors);
          },
          [](const wf::StateParticipationRequested& e) {
            return std::span<const std::string>(&e.state, 1);
          },
          [](const auto&) { return std::span<const std::string>(); },
      },
      event);
}

// A missing declaration would turn the participants' bookkeeping off without a word (Fold asks
// with `requires`): the aggregates that have participants say so here.
static_assert(requires(const wf::BriefingState& b, const wf::ObserverInvitationState& i,
                       const wf::ContributionRequestState& c, const wf::StakeholderReportState& r,
                       const wf::StateParticipationState& p) {
  wf::StatusIn(b, "");
  wf::StatusIn(i, "");
  wf::StatusIn(c, "");
  wf::StatusIn(r, "");
  wf::StatusIn(p, "");
});

}  // namespace

// The open confirmation deadline of a briefing: one that the timer service will have to close.
// The workflows' own rule answers it (due at the end of time unless already closed).
std::optional<wf::TimePoint> OpenDeadline(const wf::BriefingState& state) {
  auto due = wf::DueConfirmationWindowClose(state, wf::TimePoint::max());
  if (!due) return std::nullopt;
  return due->deadline;
}

void Data::Apply(uint64_t version, const wf::Event& event) {
  const detail::Route route = detail::RouteOf(event);
  switch (route.kind) {
    case Kind::kConferenceSession:
      Fold(sessions, route.kind, route.id, event, version);
      break;
    case Kind::kWorkingGroup:
      Fold(working_groups, route.kind, route.id, event, version);
      break;
    case Kind::kMeeting:
      Fold(meetings, route.kind, route.id, event, version);
      break;
    case Kind::kStakeholder:
      Fold(stakeholders, route.kind, route.id, event, version);
      if (const auto* e = std::get_if<wf::ObserverEntitlementRecorded>(&event)) {
        entitled_at[e->conference_session].emplace(route.id);
      }
      break;
    case Kind::kBriefing:
      FoldBriefing(route.id, event, version);
      break;
    case Kind::kReferral:
      FoldReferral(route.id, event, version);
      // The briefing folds its referrals' events too (workflows/briefing.hpp), without a version.
      if (briefings.Find(route.briefing) != nullptr) FoldBriefing(route.briefing, event, {});
      break;
    case Kind::kObserverInvitation:
      Fold(observer_invitations, route.kind, route.id, event, version);
      break;
    case Kind::kContributionRequest:
      Fold(contribution_requests, route.kind, route.id, event, version);
      break;
    case Kind::kReport:
      Fold(reports, route.kind, route.id, event, version);
      break;
    case Kind::kStateParticipation:
      Fold(state_participations, route.kind, route.id, event, version);
      break;
  }
}

template <class State>
Entry<State>& Data::Fold(Table<State>& table, Kind kind, typename Table<State>::Node& node,
                         const wf::Event& event, std::optional<uint64_t> version) {
  const std::string_view id = node.first;
  Entry<State>& entry = node.second;
  // A participation starts when a stakeholder the event names takes part after it but did not
  // before (workflows::StatusIn decides both).
  const std::span<const std::string> named = NewParticipantsOf(event);
  // Most events name one stakeholder or none: no allocation for up to kInline of them.
  constexpr size_t kInline = 8;
  std::array<char, kInline> took_inline{};
  std::vector<char> took_heap;
  char* took_part = took_inline.data();
  constexpr bool kHasParticipants = requires { wf::StatusIn(entry.state, std::string_view()); };
  if constexpr (kHasParticipants) {
    if (named.size() > kInline) {
      took_heap.resize(named.size());
      took_part = took_heap.data();
    }
    for (size_t i = 0; i < named.size(); ++i) {
      took_part[i] = wf::StatusIn(entry.state, named[i]).has_value();
    }
  }
  if constexpr (requires { wf::EvolveInPlace(entry.state, event); }) {
    wf::EvolveInPlace(entry.state, event);
  } else {
    entry.state = wf::Evolve(std::move(entry.state), event);
  }
  if (version) entry.version = *version;
  table.MarkDirty(node);
  if constexpr (kHasParticipants) {
    for (size_t i = 0; i < named.size(); ++i) {
      if (!took_part[i] && wf::StatusIn(entry.state, named[i])) {
        AddParticipation(named[i], kind, id);
      }
    }
  }
  return entry;
}

void Data::FoldBriefing(std::string_view id, const wf::Event& event,
                        std::optional<uint64_t> version) {
  auto& node = briefings.UpsertNode(id);
  Entry<wf::BriefingState>& entry = node.second;
  const std::optional<wf::TimePoint> before = OpenDeadline(entry.state);
  Fold(briefings, Kind::kBriefing, node, event, version);
  const std::optional<wf::TimePoint> after = OpenDeadline(entry.state);
  if (before != after) {
    if (before) open_deadlines.erase({*before, std::string(id)});
    if (after) open_deadlines.emplace(*after, std::string(id));
  }
}

void Data::FoldReferral(std::string_view id, const wf::Event& event, uint64_t version) {
  auto& node = referrals.UpsertNode(id);
  Entry<wf::ReferralState>& entry = node.second;
  const wf::ReferralStatus status_before = entry.state.status;
  const std::string working_group_before = entry.state.working_group;
  Fold(referrals, Kind::kReferral, node, event, version);
  if (status_before == entry.state.status && working_group_before == entry.state.working_group) {
    return;
  }
  if (status_before != wf::ReferralStatus::kNone) {
    referrals_by_status.erase(
        std::make_tuple(status_before, working_group_before, std::string(id)));
  }
  if (entry.state.exists()) {
    referrals_by_status.emplace(entry.state.status, entry.state.working_group, std::string(id));
  }
}

void Data::AddParticipation(std::string_view stakeholder, Kind kind, std::string_view id) {
  auto it = participations.find(stakeholder);
  if (it == participations.end()) it = participations.try_emplace(std::string(stakeholder)).first;
  it->second.refs.push_back(ParticipationRef{kind, std::string(id)});
  if (!it->second.dirty) {
    it->second.dirty = true;
    dirty_participations.push_back(&*it);
  }
}

void Data::RebuildDerivedIndexes() {
  referrals_by_status.clear();
  for (const auto& [id, entry] : referrals.entries) {
    if (entry.state.exists()) {
      referrals_by_status.emplace(entry.state.status, entry.state.working_group, id);
    }
  }
  entitled_at.clear();
  for (const auto& [id, entry] : stakeholders.entries) {
    for (const auto& entitlement : entry.state.observer_entitlements) {
      entitled_at[entitlement.conference_session].insert(id);
    }
  }
  open_deadlines.clear();
  for (const auto& [id, entry] : briefings.entries) {
    if (auto deadline = OpenDeadline(entry.state)) open_deadlines.emplace(*deadline, id);
  }
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
