#include "projections/read_models.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <tuple>
#include <utility>

#include "projections/model_data.hpp"
#include "projections/page_reader.hpp"
#include "projections/snapshot.hpp"

namespace dialogue::projections {
namespace {

namespace wf = workflows;
using detail::ChangedSnapshot;
using detail::Data;
using detail::DecodedPage;
using detail::Entry;
using detail::FoldPage;
using detail::Kind;
using detail::MarkSaved;
using detail::ParticipationRef;
using detail::ReadAndFold;
using detail::Table;
using detail::WriteFullSnapshot;

template <class State>
std::optional<Versioned<State>> Copy(const Table<State>& table, std::string_view id) {
  const Entry<State>* entry = table.Find(id);
  if (entry == nullptr || !entry->state.exists()) return std::nullopt;
  return Versioned<State>{entry->state, entry->version};
}

template <class State>
std::vector<State> CopyAll(const Table<State>& table) {
  std::vector<State> out;
  out.reserve(table.entries.size());
  for (const auto& [id, entry] : table.entries) {
    if (entry.state.exists()) out.push_back(entry.state);
  }
  return out;
}

}  // namespace

struct ReadModels::Impl {
  Impl(engine::EventStore& s, wf::RulesConfig r) : store(s), rules(std::move(r)) {}

  engine::EventStore& store;
  const wf::RulesConfig rules;

  // Serializes Open, CatchUp, SaveSnapshot and Rebuild: the one writer of `data`.
  std::mutex fold_mu;
  // Guards `data`: shared by readers, exclusive while a page is folded or data is swapped.
  mutable std::shared_mutex data_mu;
  std::unique_ptr<Data> data = std::make_unique<Data>();  // GUARDED_BY(data_mu)
  std::atomic<uint64_t> position{0};                      // mirrors data->position
  std::atomic<uint64_t> skipped{0};                       // mirrors data->skipped
  uint64_t snapshot_position = 0;  // GUARDED_BY(fold_mu): the checkpoint last written or loaded
  bool has_snapshot = false;       // GUARDED_BY(fold_mu)

  // Folds a page into the live data, readers held up meanwhile. REQUIRES: fold_mu held.
  void FoldLive(const DecodedPage& page) {
    std::unique_lock lock(data_mu);
    FoldPage(*data, page);
    position.store(data->position);
    skipped.store(data->skipped);
  }

  // REQUIRES: fold_mu held.
  engine::Result<uint64_t> CatchUpLocked() {
    // Only this thread writes `data` now: reading data->position needs no lock.
    return ReadAndFold(store, data->position, [this](const DecodedPage& page) { FoldLive(page); });
  }

  // REQUIRES: fold_mu held, events not empty.
  engine::Result<uint64_t> ApplyLocked(const std::vector<engine::RecordedEvent>& events) {
    const uint64_t reached = data->position;
    if (events.back().position <= reached) return reached;
    if (events.front().position > reached + 1) return CatchUpLocked();
    DecodedPage page;
    page.events.reserve(events.size());
    for (const engine::RecordedEvent& e : events) {
      if (e.position <= reached) continue;
      detail::AddToPage(page, {e.position, e.stream, e.version, e.type, e.data, e.hash});
    }
    FoldLive(page);
    return data->position;
  }

  // Folds the whole log into a fresh Data, without touching the live one. REQUIRES: fold_mu held.
  engine::Result<std::unique_ptr<Data>> FoldAll() {
    auto fresh = std::make_unique<Data>();
    RETURN_IF_ERROR(
        ReadAndFold(store, 0, [&fresh](const DecodedPage& page) { FoldPage(*fresh, page); }));
    return fresh;
  }

  void Install(std::unique_ptr<Data> fresh) {
    std::unique_lock lock(data_mu);
    data = std::move(fresh);
    position.store(data->position);
    skipped.store(data->skipped);
  }

  // Writes the entries changed since the last snapshot and the checkpoint, in one
  // StateStore::Write. With no snapshot stored (after a rebuild), writes everything. REQUIRES:
  // fold_mu held.
  engine::Status SaveSnapshotLocked() {
    {
      // Shared: readers go on; the fold cannot run (fold_mu).
      std::shared_lock lock(data_mu);
      if (has_snapshot) {
        const engine::StateStore::Batch write = ChangedSnapshot(*data, snapshot_position);
        if (write.puts.empty()) return {};
        RETURN_IF_ERROR(store.state().Write(write));
      } else {
        RETURN_IF_ERROR(WriteFullSnapshot(store, *data));
      }
    }
    std::unique_lock lock(data_mu);
    MarkSaved(*data);
    snapshot_position = data->position;
    has_snapshot = true;
    return {};
  }

  // Drops the stored snapshot and folds the whole log into new data; every entry is then dirty,
  // for the next SaveSnapshotLocked. REQUIRES: fold_mu held.
  engine::Status RebuildLocked() {
    // First drop the snapshot: if the fold fails or the process dies, the next Open folds all.
    RETURN_IF_ERROR(store.state().Clear());
    has_snapshot = false;
    snapshot_position = 0;
    ASSIGN_OR_RETURN(std::unique_ptr<Data> fresh, FoldAll());
    Install(std::move(fresh));
    return {};
  }
};

ReadModels::ReadModels(engine::EventStore& store) : ReadModels(store, wf::RulesConfig{}) {}

ReadModels::ReadModels(engine::EventStore& store, wf::RulesConfig rules)
    : impl_(std::make_unique<Impl>(store, std::move(rules))) {}

ReadModels::~ReadModels() = default;

engine::Status ReadModels::Open() {
  std::lock_guard fold(impl_->fold_mu);
  ASSIGN_OR_RETURN(std::unique_ptr<Data> loaded, detail::LoadSnapshot(impl_->store));
  if (loaded == nullptr) return impl_->RebuildLocked();
  impl_->snapshot_position = loaded->position;
  impl_->has_snapshot = true;
  impl_->Install(std::move(loaded));
  RETURN_IF_ERROR(impl_->CatchUpLocked());
  return {};
}

engine::Result<uint64_t> ReadModels::CatchUp() {
  // Already at the head: the common case under concurrent commands, whose catch-ups fold each
  // other's events. No lock taken, no read of the store (an iterator per call, serialized).
  const uint64_t head = impl_->store.HeadPosition();
  if (const uint64_t reached = impl_->position.load(); reached >= head) return reached;
  std::lock_guard fold(impl_->fold_mu);
  // Another catch-up may have folded up to the head while this one waited for the lock.
  if (const uint64_t reached = impl_->position.load(); reached >= head) return reached;
  return impl_->CatchUpLocked();
}

engine::Result<uint64_t> ReadModels::Apply(const std::vector<engine::RecordedEvent>& events) {
  if (events.empty()) return impl_->position.load();
  // Folded already, by a catch-up that read them (a reader that came between the commit and
  // this call): no lock.
  if (const uint64_t reached = impl_->position.load(); reached >= events.back().position) {
    return reached;
  }
  std::lock_guard fold(impl_->fold_mu);
  return impl_->ApplyLocked(events);
}

engine::Status ReadModels::SaveSnapshot() {
  std::lock_guard fold(impl_->fold_mu);
  return impl_->SaveSnapshotLocked();
}

engine::Status ReadModels::Rebuild() {
  std::lock_guard fold(impl_->fold_mu);
  return impl_->RebuildLocked();
}

uint64_t ReadModels::position() const { return impl_->position.load(); }

uint64_t ReadModels::skipped_events() const { return impl_->skipped.load(); }

std::optional<Versioned<wf::ConferenceSessionState>> ReadModels::ConferenceSession(
    std::string_view id) const {
  std::shared_lock lock(impl_->data_mu);
  return Copy(impl_->data->sessions, id);
}

std::vector<wf::ConferenceSessionState> ReadModels::ConferenceSessions() const {
  std::shared_lock lock(impl_->data_mu);
  return CopyAll(impl_->data->sessions);
}

std::optional<Versioned<wf::WorkingGroupState>> ReadModels::WorkingGroup(
    std::string_view id) const {
  std::shared_lock lock(impl_->data_mu);
  return Copy(impl_->data->working_groups, id);
}

std::vector<wf::WorkingGroupState> ReadModels::WorkingGroups() const {
  std::shared_lock lock(impl_->data_mu);
  return CopyAll(impl_->data->working_groups);
}

std::optional<Versioned<wf::MeetingState>> ReadModels::Meeting(std::string_view id) const {
  std::shared_lock lock(impl_->data_mu);
  return Copy(impl_->data->meetings, id);
}

std::vector<wf::MeetingState> ReadModels::Meetings() const {
  std::shared_lock lock(impl_->data_mu);
  return CopyAll(impl_->data->meetings);
}

std::optional<Versioned<wf::StakeholderState>> ReadModels::Stakeholder(std::string_view id) const {
  std::shared_lock lock(impl_->data_mu);
  return Copy(impl_->data->stakeholders, id);
}

std::vector<wf::StakeholderState> ReadModels::Stakeholders() const {
  std::shared_lock lock(impl_->data_mu);
  return CopyAll(impl_->data->stakeholders);
}

std::optional<Versioned<wf::BriefingState>> ReadModels::Briefing(std::string_view id) const {
  std::shared_lock lock(impl_->data_mu);
  return Copy(impl_->data->briefings, id);
}

std::vector<wf::BriefingState> ReadModels::Briefings() const {
  std::shared_lock lock(impl_->data_mu);
  return CopyAll(impl_->data->briefings);
}

std::optional<Versioned<wf::ReferralState>> ReadModels::Referral(std::string_view id) const {
  std::shared_lock lock(impl_->data_mu);
  return Copy(impl_->data->referrals, id);
}

std::vector<wf::ReferralState> ReadModels::Referrals(const ReferralFilter& filter) const {
  std::shared_lock lock(impl_->data_mu);
  const Data& d = *impl_->data;
  std::vector<wf::ReferralState> out;
  if (!filter.status && filter.working_group.empty()) return CopyAll(d.referrals);
  auto collect = [&](wf::ReferralStatus status) {
    auto it = d.referrals_by_status.lower_bound(
        std::make_tuple(status, filter.working_group, std::string()));
    for (; it != d.referrals_by_status.end() && std::get<0>(*it) == status; ++it) {
      if (!filter.working_group.empty() && std::get<1>(*it) != filter.working_group) break;
      out.push_back(d.referrals.Find(std::get<2>(*it))->state);
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

std::optional<Versioned<wf::ObserverInvitationState>> ReadModels::ObserverInvitation(
    std::string_view id) const {
  std::shared_lock lock(impl_->data_mu);
  return Copy(impl_->data->observer_invitations, id);
}

std::optional<Versioned<wf::ContributionRequestState>> ReadModels::ContributionRequest(
    std::string_view id) const {
  std::shared_lock lock(impl_->data_mu);
  return Copy(impl_->data->contribution_requests, id);
}

std::optional<Versioned<wf::StakeholderReportState>> ReadModels::Report(std::string_view id) const {
  std::shared_lock lock(impl_->data_mu);
  return Copy(impl_->data->reports, id);
}

std::optional<Versioned<wf::StateParticipationState>> ReadModels::StateParticipation(
    std::string_view id) const {
  std::shared_lock lock(impl_->data_mu);
  return Copy(impl_->data->state_participations, id);
}

std::vector<wf::Participation> ReadModels::ParticipationsOf(std::string_view stakeholder) const {
  std::shared_lock lock(impl_->data_mu);
  const Data& d = *impl_->data;
  std::vector<wf::Participation> out;
  auto refs = d.participations.find(stakeholder);
  if (refs == d.participations.end()) return out;
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
        add(d.briefings, ref.id);
        break;
      case Kind::kObserverInvitation:
        add(d.observer_invitations, ref.id);
        break;
      case Kind::kContributionRequest:
        add(d.contribution_requests, ref.id);
        break;
      case Kind::kReport:
        add(d.reports, ref.id);
        break;
      case Kind::kStateParticipation:
        add(d.state_participations, ref.id);
        break;
      default:
        break;  // no other kind has participants
    }
  }
  return out;
}

EligibleList ReadModels::Eligible(wf::Date briefing_date) const {
  std::shared_lock lock(impl_->data_mu);
  const Data& d = *impl_->data;
  const std::vector<wf::ConferenceSessionState> sessions = CopyAll(d.sessions);
  EligibleList out;
  const auto previous = wf::PreviousConferenceSession(sessions, briefing_date);
  if (!previous) return out;
  // Only the stakeholders entitled at that session can qualify; the workflows' own rule decides.
  std::vector<wf::StakeholderState> candidates;
  if (auto entitled = d.entitled_at.find(previous->id); entitled != d.entitled_at.end()) {
    for (const std::string& id : entitled->second) {
      if (const auto* entry = d.stakeholders.Find(id)) candidates.push_back(entry->state);
    }
  }
  const wf::Eligibility eligibility =
      wf::EligibleStakeholders(briefing_date, sessions, candidates, impl_->rules);
  out.conference_session = eligibility.conference_session;
  for (const std::string& id : eligibility.stakeholders) {
    auto it = std::find_if(candidates.begin(), candidates.end(),
                           [&id](const wf::StakeholderState& s) { return s.id == id; });
    if (it != candidates.end()) out.stakeholders.push_back(std::move(*it));
  }
  return out;
}

std::vector<wf::CloseConfirmationWindow> ReadModels::DueConfirmationWindowCloses(
    wf::TimePoint now) const {
  std::shared_lock lock(impl_->data_mu);
  const Data& d = *impl_->data;
  std::vector<wf::CloseConfirmationWindow> out;
  for (const auto& [deadline, id] : d.open_deadlines) {
    if (!(now > deadline)) break;
    if (const auto* entry = d.briefings.Find(id)) {
      if (auto due = wf::DueConfirmationWindowClose(entry->state, now)) {
        out.push_back(std::move(*due));
      }
    }
  }
  return out;
}

std::optional<wf::TimePoint> ReadModels::NextConfirmationDeadline() const {
  std::shared_lock lock(impl_->data_mu);
  const Data& d = *impl_->data;
  if (d.open_deadlines.empty()) return std::nullopt;
  return d.open_deadlines.begin()->first;
}

}  // namespace dialogue::projections
