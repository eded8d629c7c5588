#include "projections/read_models.hpp"

#include <atomic>
#include <mutex>
#include <shared_mutex>
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
using detail::FoldPage;
using detail::MarkSaved;
using detail::ReadAndFold;
using detail::WriteFullSnapshot;

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

  // REQUIRES: fold_mu held, events not empty and paired with `decided`.
  engine::Result<uint64_t> ApplyLocked(const std::vector<engine::RecordedEvent>& events,
                                       std::vector<wf::Event>& decided) {
    const uint64_t reached = data->position;
    if (events.back().position <= reached) return reached;
    if (events.front().position > reached + 1) return CatchUpLocked();
    DecodedPage page;
    page.events.reserve(events.size());
    for (size_t i = 0; i < events.size(); ++i) {
      if (events[i].position <= reached) continue;
      page.events.push_back({events[i].version, std::move(decided[i])});
    }
    page.last_position = events.back().position;
    page.last_hash = events.back().hash;
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

engine::Result<uint64_t> ReadModels::Apply(const std::vector<engine::RecordedEvent>& events,
                                           std::vector<wf::Event> decided) {
  if (events.empty()) return impl_->position.load();
  if (decided.size() != events.size()) return CatchUp();
  // Folded already, by a catch-up that read them (a reader that came between the commit and
  // this call): no lock.
  if (const uint64_t reached = impl_->position.load(); reached >= events.back().position) {
    return reached;
  }
  std::lock_guard fold(impl_->fold_mu);
  return impl_->ApplyLocked(events, decided);
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
  return impl_->data->sessions.Get(id);
}

std::vector<wf::ConferenceSessionState> ReadModels::ConferenceSessions() const {
  std::shared_lock lock(impl_->data_mu);
  return impl_->data->sessions.All();
}

std::optional<Versioned<wf::WorkingGroupState>> ReadModels::WorkingGroup(
    std::string_view id) const {
  std::shared_lock lock(impl_->data_mu);
  return impl_->data->working_groups.Get(id);
}

std::vector<wf::WorkingGroupState> ReadModels::WorkingGroups() const {
  std::shared_lock lock(impl_->data_mu);
  return impl_->data->working_groups.All();
}

std::optional<Versioned<wf::MeetingState>> ReadModels::Meeting(std::string_view id) const {
  std::shared_lock lock(impl_->data_mu);
  return impl_->data->meetings.Get(id);
}

std::vector<wf::MeetingState> ReadModels::Meetings() const {
  std::shared_lock lock(impl_->data_mu);
  return impl_->data->meetings.All();
}

std::optional<Versioned<wf::StakeholderState>> ReadModels::Stakeholder(std::string_view id) const {
  std::shared_lock lock(impl_->data_mu);
  return impl_->data->stakeholders.table.Get(id);
}

std::vector<wf::StakeholderState> ReadModels::Stakeholders() const {
  std::shared_lock lock(impl_->data_mu);
  return impl_->data->stakeholders.table.All();
}

std::optional<Versioned<wf::BriefingState>> ReadModels::Briefing(std::string_view id) const {
  std::shared_lock lock(impl_->data_mu);
  return impl_->data->briefings.table.Get(id);
}

std::vector<wf::BriefingState> ReadModels::Briefings() const {
  std::shared_lock lock(impl_->data_mu);
  return impl_->data->briefings.table.All();
}

std::optional<Versioned<wf::ReferralState>> ReadModels::Referral(std::string_view id) const {
  std::shared_lock lock(impl_->data_mu);
  return impl_->data->referrals.table.Get(id);
}

std::vector<wf::ReferralState> ReadModels::Referrals(const ReferralFilter& filter) const {
  std::shared_lock lock(impl_->data_mu);
  return impl_->data->referrals.List(filter);
}

std::optional<Versioned<wf::ObserverInvitationState>> ReadModels::ObserverInvitation(
    std::string_view id) const {
  std::shared_lock lock(impl_->data_mu);
  return impl_->data->observer_invitations.Get(id);
}

std::optional<Versioned<wf::ContributionRequestState>> ReadModels::ContributionRequest(
    std::string_view id) const {
  std::shared_lock lock(impl_->data_mu);
  return impl_->data->contribution_requests.Get(id);
}

std::optional<Versioned<wf::StakeholderReportState>> ReadModels::Report(std::string_view id) const {
  std::shared_lock lock(impl_->data_mu);
  return impl_->data->reports.Get(id);
}

std::optional<Versioned<wf::StateParticipationState>> ReadModels::StateParticipation(
    std::string_view id) const {
  std::shared_lock lock(impl_->data_mu);
  return impl_->data->state_participations.Get(id);
}

std::vector<wf::Participation> ReadModels::ParticipationsOf(std::string_view stakeholder) const {
  std::shared_lock lock(impl_->data_mu);
  return impl_->data->ParticipationsOf(stakeholder);
}

EligibleList ReadModels::Eligible(wf::Date briefing_date) const {
  std::shared_lock lock(impl_->data_mu);
  const Data& d = *impl_->data;
  return d.stakeholders.Eligible(briefing_date, d.sessions.All(), impl_->rules);
}

std::vector<wf::CloseConfirmationWindow> ReadModels::DueConfirmationWindowCloses(
    wf::TimePoint now) const {
  std::shared_lock lock(impl_->data_mu);
  return impl_->data->briefings.DueConfirmationWindowCloses(now);
}

std::optional<wf::TimePoint> ReadModels::NextConfirmationDeadline() const {
  std::shared_lock lock(impl_->data_mu);
  return impl_->data->briefings.NextConfirmationDeadline();
}

}  // namespace dialogue::projections
