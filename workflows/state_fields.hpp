// The field list of every state the read models keep (field_codec.hpp): what a snapshot stores
// of each (docs/read-models.md, "Snapshot") and, for most states, what its HTTP view shows
// (api/routes/views.cpp, less "exists"). "exists" stores `created` for the states that keep it
// apart from their status.
//
// Complete by construction: the compile-time counts below fail the build when a state gains or
// loses a member, until its list here learns it (and, if the stored form changes,
// kSnapshotFormatVersion in projections/snapshot.cpp is bumped).
#pragma once

#include "workflows/briefing.hpp"
#include "workflows/contribution_request.hpp"
#include "workflows/field_codec.hpp"
#include "workflows/observer_invitation.hpp"
#include "workflows/reference_data.hpp"
#include "workflows/stakeholder.hpp"
#include "workflows/stakeholder_report.hpp"
#include "workflows/state_participation.hpp"

namespace dialogue::workflows {

static_assert(codec::FieldCount<ConferenceSessionState>() == 5);
static_assert(codec::FieldCount<WorkingGroupState>() == 4);
static_assert(codec::FieldCount<MeetingState>() == 6);
static_assert(codec::FieldCount<StakeholderState>() == 8);
static_assert(codec::FieldCount<EcosocChange>() == 2);
static_assert(codec::FieldCount<ObserverEntitlement>() == 2);
static_assert(codec::FieldCount<BriefingState>() == 18);
static_assert(codec::FieldCount<Participant>() == 8);
static_assert(codec::FieldCount<ReferralSummary>() == 4);
static_assert(codec::FieldCount<Summary>() == 4);
static_assert(codec::FieldCount<ReferralState>() == 12);
static_assert(codec::FieldCount<ObserverInvitationState>() == 9);
static_assert(codec::FieldCount<ContributionRequestState>() == 6);
static_assert(codec::FieldCount<Contribution>() == 7);
static_assert(codec::FieldCount<StakeholderReportState>() == 8);
static_assert(codec::FieldCount<StateParticipationState>() == 7);
static_assert(codec::FieldCount<Funding>() == 3);

template <class V>
void Fields(V& v, ConferenceSessionState& s) {
  v("exists", s.created);
  v("id", s.id);
  v("title", s.title);
  v("starts_on", s.starts_on);
  v("ends_on", s.ends_on);
}

template <class V>
void Fields(V& v, WorkingGroupState& s) {
  v("exists", s.created);
  v("id", s.id);
  v("name", s.name);
  v("protocol", s.protocol);
}

template <class V>
void Fields(V& v, MeetingState& s) {
  v("exists", s.created);
  v("id", s.id);
  v("working_group", s.working_group);
  v("starts_on", s.starts_on);
  v("ends_on", s.ends_on);
  v("review_agenda_item", s.review_agenda_item);
}

template <class V>
void Fields(V& v, EcosocChange& s) {
  v("effective_at", s.effective_at);
  v("status", s.status);
}

template <class V>
void Fields(V& v, ObserverEntitlement& s) {
  v("conference_session", s.conference_session);
  v("rule", s.rule);
}

template <class V>
void Fields(V& v, StakeholderState& s) {
  v("exists", s.created);
  v("id", s.id);
  v("name", s.name);
  v("category", s.category);
  v("registered_ecosoc_status", s.registered_ecosoc_status);
  v("ecosoc_changes", s.ecosoc_changes);
  v("instruments", s.instruments);
  v("observer_entitlements", s.observer_entitlements);
}

template <class V>
void Fields(V& v, Participant& s) {
  v("stakeholder", s.stakeholder);
  v("category", s.category);
  v("conference_session", s.conference_session);
  v("status", s.status);
  v("status_before_referral", s.status_before_referral);
  v("confirmed_at", s.confirmed_at);
  v("written_comments", s.written_comments);
  v("country_mentions", s.country_mentions);
}

template <class V>
void Fields(V& v, ReferralSummary& s) {
  v("id", s.id);
  v("objecting_state", s.objecting_state);
  v("status", s.status);
  v("outcome", s.outcome);
}

template <class V>
void Fields(V& v, Summary& s) {
  v("text", s.text);
  v("country_mentions", s.country_mentions);
  v("crp_symbol", s.crp_symbol);
  v("override_justification", s.override_justification);
}

template <class V>
void Fields(V& v, BriefingState& s) {
  v("id", s.id);
  v("status", s.status);
  v("title", s.title);
  v("requested_by", s.requested_by);
  v("meeting", s.meeting);
  v("working_group", s.working_group);
  v("meeting_starts_on", s.meeting_starts_on);
  v("meeting_ends_on", s.meeting_ends_on);
  v("date", s.date);
  v("timezone", s.timezone);
  v("confirmation_deadline", s.confirmation_deadline);
  v("bureau_member", s.bureau_member);
  v("participants", s.participants);
  v("referrals", s.referrals);
  v("closed_deadlines", s.closed_deadlines);
  v("attending_states", s.attending_states);
  v("summary", s.summary);
  v("cancellation_reason", s.cancellation_reason);
}

template <class V>
void Fields(V& v, ReferralState& s) {
  v("id", s.id);
  v("briefing", s.briefing);
  v("stakeholder", s.stakeholder);
  v("objecting_state", s.objecting_state);
  v("working_group", s.working_group);
  v("grounds", s.grounds);
  v("status", s.status);
  v("outcome", s.outcome);
  v("reasons", s.reasons);
  v("raised_at", s.raised_at);
  v("decided_at", s.decided_at);
  v("withdrawn_at", s.withdrawn_at);
}

template <class V>
void Fields(V& v, ObserverInvitationState& s) {
  v("id", s.id);
  v("status", s.status);
  v("meeting", s.meeting);
  v("working_group", s.working_group);
  v("stakeholder", s.stakeholder);
  v("topic", s.topic);
  v("meeting_starts_on", s.meeting_starts_on);
  v("meeting_ends_on", s.meeting_ends_on);
  v("revocation_reason", s.revocation_reason);
}

template <class V>
void Fields(V& v, Contribution& s) {
  v("stakeholder", s.stakeholder);
  v("text", s.text);
  v("country_mentions", s.country_mentions);
  v("status", s.status);
  v("submitted_at", s.submitted_at);
  v("submissions", s.submissions);
  v("review_reasons", s.review_reasons);
}

template <class V>
void Fields(V& v, ContributionRequestState& s) {
  v("exists", s.created);
  v("id", s.id);
  v("working_group", s.working_group);
  v("stakeholders", s.stakeholders);
  v("due_on", s.due_on);
  v("contributions", s.contributions);
}

template <class V>
void Fields(V& v, StakeholderReportState& s) {
  v("exists", s.created);
  v("id", s.id);
  v("authors", s.authors);
  v("addressed_to", s.addressed_to);
  v("title", s.title);
  v("text", s.text);
  v("submitted_by", s.submitted_by);
  v("submitted_at", s.submitted_at);
}

template <class V>
void Fields(V& v, Funding& s) {
  v("source", s.source);
  v("amount_usd", s.amount_usd);
  v("donor", s.donor);
}

template <class V>
void Fields(V& v, StateParticipationState& s) {
  v("id", s.id);
  v("status", s.status);
  v("state", s.state);
  v("review_cycle", s.review_cycle);
  v("instrument", s.instrument);
  v("fundings", s.fundings);
  v("withdrawal_reasons", s.withdrawal_reasons);
}

}  // namespace dialogue::workflows
