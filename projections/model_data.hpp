// Internal to projections/: everything the read models hold, and how an event is folded into it.
// Each read model is its own type beside this one: the briefing board, the referral queue, the
// stakeholder register and the participation index, each with its fold and its queries; the
// other entities (reference data, observer invitations, contribution requests, reports, State
// participations) are plain tables. ReadModels (its locks, its reads), the page reader and the
// snapshot work on a Data. Not synchronized itself.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "projections/briefing_board.hpp"
#include "projections/page_reader.hpp"
#include "projections/participation_index.hpp"
#include "projections/referral_queue.hpp"
#include "projections/routing.hpp"
#include "projections/stakeholder_register.hpp"
#include "projections/table.hpp"
#include "workflows/contribution_request.hpp"
#include "workflows/observer_invitation.hpp"
#include "workflows/reference_data.hpp"
#include "workflows/stakeholder_report.hpp"
#include "workflows/state_participation.hpp"

namespace dialogue::projections::detail {

struct Data {
  uint64_t position = 0;  // the last position folded
  std::string hash;       // that event's hash (empty for position 0)
  uint64_t skipped = 0;   // events not folded (unknown type, undecodable, on a foreign stream)

  Table<wf::ConferenceSessionState> sessions;
  Table<wf::WorkingGroupState> working_groups;
  Table<wf::MeetingState> meetings;
  StakeholderRegister stakeholders;
  BriefingBoard briefings;
  ReferralQueue referrals;
  Table<wf::ObserverInvitationState> observer_invitations;
  Table<wf::ContributionRequestState> contribution_requests;
  Table<wf::StakeholderReportState> reports;
  Table<wf::StateParticipationState> state_participations;
  ParticipationIndex participations;  // its order is the log's: stored, not derived

  // Calls f(kind, table) for every table of `self` (a Data or a const Data).
  template <class Self, class F>
  static void ForEachTable(Self& self, F&& f) {
    f(Kind::kConferenceSession, self.sessions);
    f(Kind::kWorkingGroup, self.working_groups);
    f(Kind::kMeeting, self.meetings);
    f(Kind::kStakeholder, self.stakeholders.table);
    f(Kind::kBriefing, self.briefings.table);
    f(Kind::kReferral, self.referrals.table);
    f(Kind::kObserverInvitation, self.observer_invitations);
    f(Kind::kContributionRequest, self.contribution_requests);
    f(Kind::kReport, self.reports);
    f(Kind::kStateParticipation, self.state_participations);
  }

  // Folds an event recorded on its own entity's stream (the readers checked) at `version`.
  void Apply(uint64_t version, const wf::Event& event);

  // After a snapshot load: the read models' indexes that are functions of the states.
  void RebuildDerivedIndexes();

  // Every place the stakeholder takes part, in order of first appearance in the log, once each.
  std::vector<wf::Participation> ParticipationsOf(std::string_view stakeholder) const;
};

// Folds a page's events in order, and moves data's position and hash to the page's last.
void FoldPage(Data& data, const DecodedPage& page);

}  // namespace dialogue::projections::detail
