// ReadModels: the current state of every Dialogue entity, folded from the log with the workflows'
// own Evolve functions, plus the indexes the HTTP API and the deciders' facts need. Each read
// model is its own type in projections/, with its fold and its queries: the briefing board (open
// confirmation deadlines), the referral queue, the stakeholder register (who was entitled at
// which Conference session) and the participation index; this class holds them under one lock
// and answers for them.
//
// The states are kept in memory; a snapshot of every state with the position it reflects (the
// checkpoint) is stored in the event store's derived-state space, so a restart loads the snapshot
// and folds only the events after it. Rebuild() drops the snapshot and folds the whole log. The
// snapshot's keys and format: docs/read-models.md.
//
// Thread-safe: any number of readers, and Open/CatchUp/SaveSnapshot/Rebuild from any thread (they
// serialize themselves; readers are held up only while one page of events is folded). Readers
// get copies, never references into the maps.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/event_store.hpp"
#include "engine/result.hpp"
#include "projections/queries.hpp"
#include "workflows/briefing.hpp"
#include "workflows/contribution_request.hpp"
#include "workflows/events.hpp"
#include "workflows/observer_invitation.hpp"
#include "workflows/participations.hpp"
#include "workflows/reference_data.hpp"
#include "workflows/stakeholder.hpp"
#include "workflows/stakeholder_report.hpp"
#include "workflows/state_participation.hpp"
#include "workflows/values.hpp"

namespace dialogue::projections {

class ReadModels {
 public:
  // `store` must outlive the read models. `rules` are the readings Eligible() applies (59(c)).
  explicit ReadModels(engine::EventStore& store);
  ReadModels(engine::EventStore& store, workflows::RulesConfig rules);
  ~ReadModels();
  ReadModels(const ReadModels&) = delete;
  ReadModels& operator=(const ReadModels&) = delete;

  // Loads the stored snapshot and catches up to the head; when there is none, or it is of another
  // format version or another log, rebuilds instead. Stores nothing: SaveSnapshot() does.
  [[nodiscard]] engine::Status Open();
  // Folds every event committed after position(), at least up to the head as it was when the
  // call began. Returns the position reached. Long catch-ups read ahead on two helper threads.
  [[nodiscard]] engine::Result<uint64_t> CatchUp();
  // Folds events just committed, as their writer holds them, instead of reading them back from
  // the store: `events` are one append's (AppendResult::events, in position order) and
  // `decided[i]` is events[i] as the command decided it, so that nothing is decoded again.
  // Events at or before position() are passed over; when the first lies beyond position() + 1
  // (another writer's commit came between), or the two lists do not pair up, catches up from the
  // store instead, which folds these too. Returns the position reached. The way a command's own
  // events reach its 201's readers.
  [[nodiscard]] engine::Result<uint64_t> Apply(const std::vector<engine::RecordedEvent>& events,
                                               std::vector<workflows::Event> decided);
  // Stores the states changed since the last snapshot with the checkpoint, in one atomic
  // StateStore::Write. When no snapshot is stored (after Rebuild(), or an Open() that found
  // none usable) stores every state, in writes of about 8 MB, the checkpoint last (a snapshot is
  // read only with its checkpoint). Only one ReadModels per store should save snapshots.
  [[nodiscard]] engine::Status SaveSnapshot();
  // Drops the stored snapshot (StateStore::Clear: the whole derived-state space, the relay's
  // checkpoint too, which is not its resume point and is written again as the relay advances)
  // and folds the whole log again. The new states are stored by the next SaveSnapshot() — call
  // it after Rebuild() to persist the result (as `dialogue rebuild` should).
  [[nodiscard]] engine::Status Rebuild();
  // The last position folded.
  uint64_t position() const;
  // Events of the log passed over instead of folded (kept in the snapshot too): an unknown type,
  // data that does not decode, or an event recorded on another stream than its entity's.
  // Expected 0.
  uint64_t skipped_events() const;

  std::optional<Versioned<workflows::ConferenceSessionState>> ConferenceSession(
      std::string_view id) const;
  std::vector<workflows::ConferenceSessionState> ConferenceSessions() const;
  std::optional<Versioned<workflows::WorkingGroupState>> WorkingGroup(std::string_view id) const;
  std::vector<workflows::WorkingGroupState> WorkingGroups() const;
  std::optional<Versioned<workflows::MeetingState>> Meeting(std::string_view id) const;
  std::vector<workflows::MeetingState> Meetings() const;
  std::optional<Versioned<workflows::StakeholderState>> Stakeholder(std::string_view id) const;
  std::vector<workflows::StakeholderState> Stakeholders() const;
  std::optional<Versioned<workflows::BriefingState>> Briefing(std::string_view id) const;
  std::vector<workflows::BriefingState> Briefings() const;
  std::optional<Versioned<workflows::ReferralState>> Referral(std::string_view id) const;
  std::vector<workflows::ReferralState> Referrals(const ReferralFilter& filter) const;
  std::optional<Versioned<workflows::ObserverInvitationState>> ObserverInvitation(
      std::string_view id) const;
  std::optional<Versioned<workflows::ContributionRequestState>> ContributionRequest(
      std::string_view id) const;
  std::optional<Versioned<workflows::StakeholderReportState>> Report(std::string_view id) const;
  std::optional<Versioned<workflows::StateParticipationState>> StateParticipation(
      std::string_view id) const;

  // Every place the stakeholder takes part (briefings, observer invitations, contribution
  // requests, reports, State participations), in order of first appearance in the log.
  std::vector<workflows::Participation> ParticipationsOf(std::string_view stakeholder) const;

  // 59(c): the previous Conference session for a briefing on that date and the relevant
  // stakeholders entitled at it.
  EligibleList Eligible(workflows::Date briefing_date) const;

  // Briefings whose confirmation deadline is due for closing at `now` (for the timer service).
  std::vector<workflows::CloseConfirmationWindow> DueConfirmationWindowCloses(
      workflows::TimePoint now) const;
  // The earliest confirmation deadline not yet closed, if any (for the timer service's sleep).
  std::optional<workflows::TimePoint> NextConfirmationDeadline() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// As-of reads: an entity's state after the global position `position`, folded from its own
// stream(s) in the store — the cost is proportional to the entity's events, not the log's. A
// briefing's state also folds its referral streams. nullopt when the entity did not exist yet.
template <class State>
using AsOfResult = engine::Result<std::optional<Versioned<State>>>;

AsOfResult<workflows::ConferenceSessionState> ConferenceSessionAsOf(const engine::EventStore& store,
                                                                    std::string_view id,
                                                                    uint64_t position);
AsOfResult<workflows::WorkingGroupState> WorkingGroupAsOf(const engine::EventStore& store,
                                                          std::string_view id, uint64_t position);
AsOfResult<workflows::MeetingState> MeetingAsOf(const engine::EventStore& store,
                                                std::string_view id, uint64_t position);
AsOfResult<workflows::StakeholderState> StakeholderAsOf(const engine::EventStore& store,
                                                        std::string_view id, uint64_t position);
AsOfResult<workflows::BriefingState> BriefingAsOf(const engine::EventStore& store,
                                                  std::string_view id, uint64_t position);
AsOfResult<workflows::ReferralState> ReferralAsOf(const engine::EventStore& store,
                                                  std::string_view id, uint64_t position);
AsOfResult<workflows::ObserverInvitationState> ObserverInvitationAsOf(
    const engine::EventStore& store, std::string_view id, uint64_t position);
AsOfResult<workflows::ContributionRequestState> ContributionRequestAsOf(
    const engine::EventStore& store, std::string_view id, uint64_t position);
AsOfResult<workflows::StakeholderReportState> ReportAsOf(const engine::EventStore& store,
                                                         std::string_view id, uint64_t position);
AsOfResult<workflows::StateParticipationState> StateParticipationAsOf(
    const engine::EventStore& store, std::string_view id, uint64_t position);

}  // namespace dialogue::projections
