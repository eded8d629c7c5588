// Briefings, paragraph 59: requested by the President, convened on the margins of a Working Group
// meeting, stakeholders invited (59(c)), confirmations by the deadline (59(e)), objections to an
// NGO referred to the Working Group (59(d)), held with States Parties and signatories (59(f)),
// summarized and submitted as a conference room paper (59(g)), screened for country mentions
// (59(b)). Participants live inside the briefing's state; each objection has its own referral
// stream ("referral-<briefing>.<stakeholder>").
//
// A briefing's state is the fold of its own stream and its referral streams, merged by global
// position: Evolve(BriefingState, e) takes both kinds of events (events of other briefings are
// ignored). Pure deciders and folds; thread-safe.
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "workflows/country_screener.hpp"
#include "workflows/events.hpp"
#include "workflows/reference_data.hpp"
#include "workflows/refusal.hpp"
#include "workflows/rules_config.hpp"
#include "workflows/stakeholder.hpp"
#include "workflows/values.hpp"

namespace dialogue::workflows {

struct Context;

enum class BriefingStatus {
  kNone,
  kRequested,
  kConvened,
  kHeld,
  kSummarized,
  kSubmitted,
  kCancelled
};

enum class ParticipantStatus {
  kInvited,
  kConfirmed,
  kDeclined,
  kLapsed,
  kUnderReferral,
  kExcluded,
  kAttended,
  kAbsent,
};

enum class ReferralStatus { kNone, kPending, kDecided, kWithdrawn };

std::string_view Name(BriefingStatus status);     // "requested", ...; kNone: "none"
std::string_view Name(ParticipantStatus status);  // "invited", "under_referral", ...
std::string_view Name(ReferralStatus status);     // "pending", "decided", "withdrawn"

struct Participant {
  std::string stakeholder;
  StakeholderCategory category = StakeholderCategory::kNgo;
  std::string conference_session;  // the session of its entitlement
  ParticipantStatus status = ParticipantStatus::kInvited;
  // While under referral: the status it returns to when admitted or the objection is withdrawn.
  ParticipantStatus status_before_referral = ParticipantStatus::kInvited;
  std::optional<TimePoint> confirmed_at;
  std::string written_comments;
  std::vector<CountryMention> country_mentions;
  bool operator==(const Participant&) const = default;
};

// A referral as the briefing sees it (the referral stream's own state is ReferralState).
struct ReferralSummary {
  std::string id;
  std::string objecting_state;
  ReferralStatus status = ReferralStatus::kNone;
  std::optional<ReferralOutcome> outcome;
  bool operator==(const ReferralSummary&) const = default;
};

struct Summary {
  std::string text;
  std::vector<CountryMention> country_mentions;
  std::string crp_symbol;                             // empty until submitted
  std::optional<std::string> override_justification;  // set when mentions were overridden
  bool operator==(const Summary&) const = default;
};

struct BriefingState {
  std::string id;
  BriefingStatus status = BriefingStatus::kNone;
  std::string title;
  std::string requested_by;
  // Set by convening:
  std::string meeting;
  std::string working_group;
  std::optional<Date> meeting_starts_on;
  std::optional<Date> meeting_ends_on;
  std::optional<Date> date;
  std::string timezone;
  std::optional<TimePoint> confirmation_deadline;
  std::string bureau_member;
  // Participants in invitation order.
  std::vector<Participant> participants;
  std::map<std::string, ReferralSummary> referrals;  // by stakeholder id
  std::vector<TimePoint> closed_deadlines;           // each ConfirmationWindowClosed's deadline
  std::vector<std::string> attending_states;         // 59(f), from BriefingHeld
  std::optional<Summary> summary;
  std::string cancellation_reason;

  bool exists() const { return status != BriefingStatus::kNone; }
  const Participant* FindParticipant(std::string_view stakeholder) const;
  // True when the current deadline has been closed by a ConfirmationWindowClosed.
  bool DeadlineClosed() const;
  bool operator==(const BriefingState&) const = default;
};

// --- Commands (bodies of API.md "Briefings"; dates as given, "YYYY-MM-DD") ---

// POST /v1/briefings. Role: president, or the secretariat on the President's behalf.
struct RequestBriefing {
  std::string id;
  std::string title;
};

// POST /v1/briefings/{id}/convening. Role: secretariat. Reads facts.meetings (404).
struct ConveneBriefing {
  std::string briefing;
  std::string meeting;
  std::string date;
  std::string bureau_member;
  std::optional<std::string> timezone;  // default: rules.default_time_zone
};

// POST /v1/briefings/{id}/invitations. Role: secretariat. Reads facts.conference_sessions
// and facts.stakeholders (the named ones, 404 when missing; for all_eligible, every candidate).
struct InviteStakeholders {
  std::string briefing;
  std::vector<std::string> stakeholders;
  bool all_eligible = false;
};

// POST /v1/briefings/{id}/rescheduling. Role: secretariat.
struct RescheduleBriefing {
  std::string briefing;
  std::string date;
};

// POST /v1/briefings/{id}/participants/{sid}/decline. Role: that stakeholder (state or
// stakeholder role acting for it), or the secretariat.
struct DeclineInvitation {
  std::string briefing;
  std::string stakeholder;
};

// POST /v1/briefings/{id}/participants/{sid}/confirmation. Role: as DeclineInvitation.
struct ConfirmAttendance {
  std::string briefing;
  std::string stakeholder;
  std::string written_comments;  // optional: empty for none
};

// POST /v1/briefings/{id}/participants/{sid}/objection. Role: state (the objector is
// context.stakeholder), or the secretariat recording a State's objection (context.stakeholder
// names the State). Reads facts.stakeholders for the objecting State (404).
struct RaiseObjection {
  std::string briefing;
  std::string stakeholder;
  std::string grounds;
};

// POST /v1/briefings/{id}/attendance. Role: secretariat. Reads facts.stakeholders for `states`.
struct RecordAttendance {
  std::string briefing;
  std::vector<std::string> stakeholders;
  std::vector<std::string> states;
};

// POST /v1/briefings/{id}/summary. Role: secretariat.
struct PrepareSummary {
  std::string briefing;
  std::string text;
};

// POST /v1/briefings/{id}/summary/submission. Role: secretariat.
struct SubmitSummary {
  std::string briefing;
  std::string crp_symbol;
  std::optional<std::string> override_justification;  // override_country_mentions.justification
};

// POST /v1/briefings/{id}/cancellation. Role: secretariat or president.
struct CancelBriefing {
  std::string briefing;
  std::string reason;
};

// From the timer service (role system), never from a client: see DueConfirmationWindowClose.
struct CloseConfirmationWindow {
  std::string briefing;
  TimePoint deadline;
  bool operator==(const CloseConfirmationWindow&) const = default;
};

// Each answers the events to append (on the briefing stream; RaiseObjection also on the referral
// stream, to be appended atomically), or the refusal: kForbidden (role), kInvalidArgument (input,
// occurred_at in the future), kNotFound (the briefing or a named entity), kAlreadyExists, or
// kRuleViolation with the clause code.
[[nodiscard]] Verdict<std::vector<Event>> Decide(const BriefingState& state,
                                                 const RequestBriefing& command,
                                                 const Context& context);
[[nodiscard]] Verdict<std::vector<Event>> Decide(const BriefingState& state,
                                                 const ConveneBriefing& command,
                                                 const Context& context);
[[nodiscard]] Verdict<std::vector<Event>> Decide(const BriefingState& state,
                                                 const InviteStakeholders& command,
                                                 const Context& context);
[[nodiscard]] Verdict<std::vector<Event>> Decide(const BriefingState& state,
                                                 const RescheduleBriefing& command,
                                                 const Context& context);
[[nodiscard]] Verdict<std::vector<Event>> Decide(const BriefingState& state,
                                                 const DeclineInvitation& command,
                                                 const Context& context);
[[nodiscard]] Verdict<std::vector<Event>> Decide(const BriefingState& state,
                                                 const ConfirmAttendance& command,
                                                 const Context& context);
[[nodiscard]] Verdict<std::vector<Event>> Decide(const BriefingState& state,
                                                 const RaiseObjection& command,
                                                 const Context& context);
[[nodiscard]] Verdict<std::vector<Event>> Decide(const BriefingState& state,
                                                 const RecordAttendance& command,
                                                 const Context& context);
[[nodiscard]] Verdict<std::vector<Event>> Decide(const BriefingState& state,
                                                 const PrepareSummary& command,
                                                 const Context& context);
[[nodiscard]] Verdict<std::vector<Event>> Decide(const BriefingState& state,
                                                 const SubmitSummary& command,
                                                 const Context& context);
[[nodiscard]] Verdict<std::vector<Event>> Decide(const BriefingState& state,
                                                 const CancelBriefing& command,
                                                 const Context& context);
[[nodiscard]] Verdict<std::vector<Event>> Decide(const BriefingState& state,
                                                 const CloseConfirmationWindow& command,
                                                 const Context& context);

BriefingState Evolve(BriefingState state, const Event& event);
// The same fold, on the state in place: a briefing's state is a dozen strings and lists, and the
// read models fold it once per event of a replay (no moves of the whole state per event).
void EvolveInPlace(BriefingState& state, const Event& event);

// The deadline timer (RULES.md "Deadlines are durable timers"): the CloseConfirmationWindow due
// at `now` for this briefing, if any — when it is convened (or later, not cancelled), `now` is
// past its current confirmation deadline and that deadline has not been closed yet. The command's
// deadline is the occurred_at to decide it with. Once its ConfirmationWindowClosed is folded,
// nothing is due until a rescheduling makes a new deadline.
std::optional<CloseConfirmationWindow> DueConfirmationWindowClose(const BriefingState& state,
                                                                  TimePoint now);
// The confirmation deadline that DueConfirmationWindowClose will find due once `now` passes it, if
// any: the current one of a briefing convened (or later, not cancelled) not closed yet.
std::optional<TimePoint> OpenConfirmationDeadline(const BriefingState& state);

// 59(c): who may be invited to a briefing on `briefing_date`: the relevant stakeholders entitled
// as observers at the previous Conference session. Sorted by id.
struct Eligibility {
  std::optional<ConferenceSessionState> conference_session;  // none: no previous session
  std::vector<std::string> stakeholders;
};
Eligibility EligibleStakeholders(Date briefing_date,
                                 std::span<const ConferenceSessionState> sessions,
                                 std::span<const StakeholderState> stakeholders,
                                 const RulesConfig& rules);

// --- Referrals (stream referral-<briefing>.<stakeholder>), 59(d) ---

struct ReferralState {
  std::string id;
  std::string briefing;
  std::string stakeholder;
  std::string objecting_state;
  std::string working_group;
  std::string grounds;
  ReferralStatus status = ReferralStatus::kNone;
  std::optional<ReferralOutcome> outcome;
  std::string reasons;  // of the decision or the withdrawal
  std::optional<TimePoint> raised_at;
  std::optional<TimePoint> decided_at;
  std::optional<TimePoint> withdrawn_at;
  bool exists() const { return status != ReferralStatus::kNone; }
  bool operator==(const ReferralState&) const = default;
};

// POST /v1/referrals/{rid}/decision. Role: working_group (the referral's group; context
// .working_group), or the secretariat recording that group's decision.
struct DecideReferral {
  std::string referral;
  std::string outcome;  // "admitted" or "not_admitted"
  std::string reasons;
};

// POST /v1/referrals/{rid}/withdrawal. Role: state (the objector; context.stakeholder), or the
// secretariat recording it.
struct WithdrawObjection {
  std::string referral;
  std::string reasons;
};

[[nodiscard]] Verdict<std::vector<Event>> Decide(const ReferralState& state,
                                                 const DecideReferral& command,
                                                 const Context& context);
[[nodiscard]] Verdict<std::vector<Event>> Decide(const ReferralState& state,
                                                 const WithdrawObjection& command,
                                                 const Context& context);
ReferralState Evolve(ReferralState state, const Event& event);

}  // namespace dialogue::workflows
