// The events of paragraphs 58-61: one struct per event type (past tense, as the contract names
// them), the `Event` variant of all of them, the stream each belongs to, and the conversion to
// and from the stored form (type name + JSON object text, snake_case fields named like the
// contract's request bodies). Every event carries all its aggregate's fold needs: events are
// self-contained facts. Plain values and pure functions; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "engine/event.hpp"
#include "engine/result.hpp"
#include "workflows/country_screener.hpp"
#include "workflows/values.hpp"

namespace dialogue::workflows {

// --- Reference data (streams conference-session-, working-group-, meeting-) ---

struct ConferenceSessionRegistered {
  std::string conference_session;
  std::string title;
  Date starts_on;
  Date ends_on;
  bool operator==(const ConferenceSessionRegistered&) const = default;
};

struct WorkingGroupRegistered {
  std::string working_group;
  std::string name;
  std::optional<Instrument> protocol;  // tip, som, firearms; none for a group on the Convention
  bool operator==(const WorkingGroupRegistered&) const = default;
};

struct MeetingScheduled {
  std::string meeting;
  std::string working_group;
  Date starts_on;
  Date ends_on;
  bool review_agenda_item = false;  // the meeting takes up the review-process item (para. 15)
  bool operator==(const MeetingScheduled&) const = default;
};

// --- Stakeholders (stream stakeholder-) ---

struct StakeholderRegistered {
  std::string stakeholder;
  std::string name;
  StakeholderCategory category = StakeholderCategory::kNgo;
  EcosocStatus ecosoc_status = EcosocStatus::kNone;
  std::map<Instrument, InstrumentStatus> instruments;  // States only; may be empty
  bool operator==(const StakeholderRegistered&) const = default;
};

struct EcosocStatusChanged {
  std::string stakeholder;
  EcosocStatus status = EcosocStatus::kNone;
  TimePoint effective_at;  // the command's occurred_at: the status holds from then on
  bool operator==(const EcosocStatusChanged&) const = default;
};

struct ObserverEntitlementRecorded {
  std::string stakeholder;
  std::string conference_session;
  std::string rule;  // optional: the rule of procedure (14-17) under which, e.g. "17"
  bool operator==(const ObserverEntitlementRecorded&) const = default;
};

// --- Briefings (stream briefing-) ---

struct BriefingRequested {
  std::string briefing;
  std::string title;
  std::string requested_by;  // the President's actor id
  bool operator==(const BriefingRequested&) const = default;
};

struct BriefingConvened {
  std::string briefing;
  std::string meeting;
  std::string working_group;  // the meeting's group, at convening
  Date meeting_starts_on;
  Date meeting_ends_on;
  Date date;
  std::string timezone;
  TimePoint confirmation_deadline;
  std::string bureau_member;
  bool operator==(const BriefingConvened&) const = default;
};

// One event per invited stakeholder.
struct StakeholderInvited {
  std::string briefing;
  std::string stakeholder;
  StakeholderCategory category = StakeholderCategory::kNgo;
  std::string conference_session;  // the previous session at which it was entitled (59(c))
  bool operator==(const StakeholderInvited&) const = default;
};

struct BriefingRescheduled {
  std::string briefing;
  Date date;
  Date previous_date;
  TimePoint confirmation_deadline;
  bool operator==(const BriefingRescheduled&) const = default;
};

struct InvitationDeclined {
  std::string briefing;
  std::string stakeholder;
  bool operator==(const InvitationDeclined&) const = default;
};

struct AttendanceConfirmed {
  std::string briefing;
  std::string stakeholder;
  std::string written_comments;                  // empty when none were given
  std::vector<CountryMention> country_mentions;  // screening of written_comments (59(b))
  TimePoint confirmed_at;                        // the command's occurred_at
  bool operator==(const AttendanceConfirmed&) const = default;
};

// On the briefing stream; appended atomically with ReferredToWorkingGroup on the referral stream.
struct ObjectionRaised {
  std::string briefing;
  std::string stakeholder;  // the NGO objected to
  std::string objecting_state;
  std::string grounds;
  std::string referral;  // "<briefing>.<stakeholder>"
  std::string working_group;
  TimePoint raised_at;
  bool operator==(const ObjectionRaised&) const = default;
};

// --- Referrals (stream referral-<briefing>.<stakeholder>) ---

struct ReferredToWorkingGroup {
  std::string referral;
  std::string briefing;
  std::string stakeholder;
  std::string objecting_state;
  std::string working_group;
  std::string grounds;
  TimePoint raised_at;
  bool operator==(const ReferredToWorkingGroup&) const = default;
};

enum class ReferralOutcome { kAdmitted, kNotAdmitted };

struct ReferralDecided {
  std::string referral;
  std::string briefing;
  std::string stakeholder;
  std::string working_group;
  ReferralOutcome outcome = ReferralOutcome::kAdmitted;
  std::string reasons;
  TimePoint decided_at;
  bool operator==(const ReferralDecided&) const = default;
};

struct ObjectionWithdrawn {
  std::string referral;
  std::string briefing;
  std::string stakeholder;
  std::string objecting_state;
  std::string reasons;
  TimePoint withdrawn_at;
  bool operator==(const ObjectionWithdrawn&) const = default;
};

// --- Briefings, continued ---

struct BriefingHeld {
  std::string briefing;
  std::vector<std::string> stakeholders;  // invited, confirmed participants that attended
  std::vector<std::string> states;        // States Parties and signatories (59(f))
  TimePoint held_at;
  bool operator==(const BriefingHeld&) const = default;
};

struct SummaryPrepared {
  std::string briefing;
  std::string text;
  std::vector<CountryMention> country_mentions;
  bool operator==(const SummaryPrepared&) const = default;
};

struct SummarySubmitted {
  std::string briefing;
  std::string crp_symbol;
  std::optional<std::string> override_justification;  // set when mentions were overridden
  bool operator==(const SummarySubmitted&) const = default;
};

struct BriefingCancelled {
  std::string briefing;
  std::string reason;
  bool operator==(const BriefingCancelled&) const = default;
};

// Appended by the timer service (actor "system") with occurred_at = deadline.
struct ConfirmationWindowClosed {
  std::string briefing;
  TimePoint deadline;
  std::vector<std::string> lapsed;  // participants still invited at the deadline
  bool operator==(const ConfirmationWindowClosed&) const = default;
};

// --- Observer invitations, paragraph 60 (stream observer-invitation-) ---

struct ObserverInvited {
  std::string observer_invitation;
  std::string meeting;
  std::string working_group;
  std::string stakeholder;
  std::string topic;
  Date meeting_starts_on;
  Date meeting_ends_on;
  bool operator==(const ObserverInvited&) const = default;
};

struct ObserverInvitationAnswered {
  std::string observer_invitation;
  std::string stakeholder;
  bool accepted = false;
  bool operator==(const ObserverInvitationAnswered&) const = default;
};

struct ObserverInvitationRevoked {
  std::string observer_invitation;
  std::string stakeholder;
  std::string reason;
  bool operator==(const ObserverInvitationRevoked&) const = default;
};

// --- Written contributions, paragraph 61 (stream contribution-request-) ---

struct ContributionsRequested {
  std::string contribution_request;
  std::string working_group;
  std::vector<std::string> stakeholders;
  Date due_on;
  bool operator==(const ContributionsRequested&) const = default;
};

enum class ContributionStatus { kAccepted, kUnderReview, kReturned };

struct ContributionSubmitted {
  std::string contribution_request;
  std::string stakeholder;
  std::string text;
  std::vector<CountryMention> country_mentions;
  ContributionStatus status = ContributionStatus::kAccepted;  // accepted or under_review
  TimePoint submitted_at;
  bool operator==(const ContributionSubmitted&) const = default;
};

struct ContributionReviewed {
  std::string contribution_request;
  std::string stakeholder;
  ContributionStatus outcome = ContributionStatus::kAccepted;  // accepted or returned
  std::string reasons;
  bool operator==(const ContributionReviewed&) const = default;
};

// --- Stakeholder reports, 59(h) (stream report-) ---

struct StakeholderReportSubmitted {
  std::string report;
  std::vector<std::string> authors;
  std::string addressed_to;  // "conference" or a Working Group id
  std::string title;
  std::string text;
  std::string submitted_by;  // the author stakeholder that filed it
  TimePoint submitted_at;
  bool operator==(const StakeholderReportSubmitted&) const = default;
};

// --- State participation, paragraph 58 (stream state-participation-) ---

struct StateParticipationRequested {
  std::string state_participation;
  std::string state;
  std::string review_cycle;
  Instrument instrument = Instrument::kConvention;
  bool operator==(const StateParticipationRequested&) const = default;
};

struct StateParticipationFunded {
  std::string state_participation;
  std::string source;
  double amount_usd = 0;
  std::string donor;
  bool operator==(const StateParticipationFunded&) const = default;
};

struct StateParticipationWithdrawn {
  std::string state_participation;
  std::string state;
  std::string reasons;
  bool operator==(const StateParticipationWithdrawn&) const = default;
};

using Event = std::variant<
    ConferenceSessionRegistered, WorkingGroupRegistered, MeetingScheduled, StakeholderRegistered,
    EcosocStatusChanged, ObserverEntitlementRecorded, BriefingRequested, BriefingConvened,
    StakeholderInvited, BriefingRescheduled, InvitationDeclined, AttendanceConfirmed,
    ObjectionRaised, ReferredToWorkingGroup, ReferralDecided, ObjectionWithdrawn, BriefingHeld,
    SummaryPrepared, SummarySubmitted, BriefingCancelled, ConfirmationWindowClosed, ObserverInvited,
    ObserverInvitationAnswered, ObserverInvitationRevoked, ContributionsRequested,
    ContributionSubmitted, ContributionReviewed, StakeholderReportSubmitted,
    StateParticipationRequested, StateParticipationFunded, StateParticipationWithdrawn>;

// Stream names: "<kind>-<id>", as in the contract.
std::string ConferenceSessionStream(std::string_view id);
std::string WorkingGroupStream(std::string_view id);
std::string MeetingStream(std::string_view id);
std::string StakeholderStream(std::string_view id);
std::string BriefingStream(std::string_view id);
std::string ReferralStream(std::string_view referral_id);
std::string ObserverInvitationStream(std::string_view id);
std::string ContributionRequestStream(std::string_view id);
std::string ReportStream(std::string_view id);
std::string StateParticipationStream(std::string_view id);

// The referral id of an objection: "<briefing id>.<stakeholder id>".
std::string ReferralId(std::string_view briefing, std::string_view stakeholder);

// The stream an event is appended to.
std::string StreamOf(const Event& event);

// Every kind of entity a stream holds: the prefix each *Stream function above writes, without
// its dash. One list: the read models' kinds (projections/routing.hpp) are these, in this order.
inline constexpr std::array<std::string_view, 10> kStreamKinds{
    "conference-session",
    "working-group",
    "meeting",
    "stakeholder",
    "briefing",
    "referral",
    "observer-invitation",
    "contribution-request",
    "report",
    "state-participation",
};

// The kind of entity a stream holds, from its name: "briefing" for "briefing-b1",
// "conference-session" for "conference-session-cop-11"; "" for a name no workflow writes.
std::string_view StreamKind(std::string_view stream);

// The contract's type name: "AttendanceConfirmed".
std::string_view TypeOf(const Event& event);

// Every event type name, in the order of the Event variant.
const std::vector<std::string_view>& AllEventTypes();

// The event's data as JSON object text (keys sorted, compact).
std::string DataOf(const Event& event);

// Type and data, plus the caller's metadata, ready for engine::EventStore::Append.
engine::ProposedEvent ToProposedEvent(const Event& event, engine::EventMetadata metadata);

// Back from the stored form. kInvalidArgument for an unknown type; kCorruption for data that
// does not decode as that type. Never throws.
[[nodiscard]] engine::Result<Event> DecodeEvent(std::string_view type, std::string_view data);
[[nodiscard]] engine::Result<Event> DecodeEvent(const engine::RecordedEvent& recorded);

// The two ways DecodeEvent decodes, exposed for the tests that hold them to each other.
// DecodeEventDirect reads the text straight into the event and gives up (nullopt) on anything
// outside the compact form DataOf writes (an escape, an unknown or repeated key, a fraction, bad
// input); DecodeEventViaDocument parses an nlohmann document first and decodes every valid form.
// DecodeEvent tries the first, then the second: wherever the first answers, both must agree.
std::optional<Event> DecodeEventDirect(std::string_view type, std::string_view data);
[[nodiscard]] engine::Result<Event> DecodeEventViaDocument(std::string_view type,
                                                           std::string_view data);

std::string_view Name(ReferralOutcome outcome);  // "admitted", "not_admitted"
std::optional<ReferralOutcome> ParseReferralOutcome(std::string_view text);
std::string_view Name(ContributionStatus status);  // "accepted", "under_review", "returned"
std::optional<ContributionStatus> ParseContributionStatus(std::string_view text);

}  // namespace dialogue::workflows
