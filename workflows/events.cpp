#include "workflows/events.hpp"

#include <array>
#include <utility>

#include <nlohmann/json.hpp>

#include "workflows/field_codec.hpp"

namespace dialogue::workflows {
namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 31> kTypeNames{
    "ConferenceSessionRegistered",
    "WorkingGroupRegistered",
    "MeetingScheduled",
    "StakeholderRegistered",
    "EcosocStatusChanged",
    "ObserverEntitlementRecorded",
    "BriefingRequested",
    "BriefingConvened",
    "StakeholderInvited",
    "BriefingRescheduled",
    "InvitationDeclined",
    "AttendanceConfirmed",
    "ObjectionRaised",
    "ReferredToWorkingGroup",
    "ReferralDecided",
    "ObjectionWithdrawn",
    "BriefingHeld",
    "SummaryPrepared",
    "SummarySubmitted",
    "BriefingCancelled",
    "ConfirmationWindowClosed",
    "ObserverInvited",
    "ObserverInvitationAnswered",
    "ObserverInvitationRevoked",
    "ContributionsRequested",
    "ContributionSubmitted",
    "ContributionReviewed",
    "StakeholderReportSubmitted",
    "StateParticipationRequested",
    "StateParticipationFunded",
    "StateParticipationWithdrawn",
};
static_assert(kTypeNames.size() == std::variant_size_v<Event>);

}  // namespace

// --- Field lists: one per event type (field_codec.hpp), in this namespace for the codec's lookup.

template <class V>
void Fields(V& v, ConferenceSessionRegistered& e) {
  v("conference_session", e.conference_session);
  v("title", e.title);
  v("starts_on", e.starts_on);
  v("ends_on", e.ends_on);
}
template <class V>
void Fields(V& v, WorkingGroupRegistered& e) {
  v("working_group", e.working_group);
  v("name", e.name);
  v("protocol", e.protocol);
}
template <class V>
void Fields(V& v, MeetingScheduled& e) {
  v("meeting", e.meeting);
  v("working_group", e.working_group);
  v("starts_on", e.starts_on);
  v("ends_on", e.ends_on);
  v("review_agenda_item", e.review_agenda_item);
}
template <class V>
void Fields(V& v, StakeholderRegistered& e) {
  v("stakeholder", e.stakeholder);
  v("name", e.name);
  v("category", e.category);
  v("ecosoc_status", e.ecosoc_status);
  v("instruments", e.instruments);
}
template <class V>
void Fields(V& v, EcosocStatusChanged& e) {
  v("stakeholder", e.stakeholder);
  v("status", e.status);
  v("effective_at", e.effective_at);
}
template <class V>
void Fields(V& v, ObserverEntitlementRecorded& e) {
  v("stakeholder", e.stakeholder);
  v("conference_session", e.conference_session);
  v("rule", e.rule);
}
template <class V>
void Fields(V& v, BriefingRequested& e) {
  v("briefing", e.briefing);
  v("title", e.title);
  v("requested_by", e.requested_by);
}
template <class V>
void Fields(V& v, BriefingConvened& e) {
  v("briefing", e.briefing);
  v("meeting", e.meeting);
  v("working_group", e.working_group);
  v("meeting_starts_on", e.meeting_starts_on);
  v("meeting_ends_on", e.meeting_ends_on);
  v("date", e.date);
  v("timezone", e.timezone);
  v("confirmation_deadline", e.confirmation_deadline);
  v("bureau_member", e.bureau_member);
}
template <class V>
void Fields(V& v, StakeholderInvited& e) {
  v("briefing", e.briefing);
  v("stakeholder", e.stakeholder);
  v("category", e.category);
  v("conference_session", e.conference_session);
}
template <class V>
void Fields(V& v, BriefingRescheduled& e) {
  v("briefing", e.briefing);
  v("date", e.date);
  v("previous_date", e.previous_date);
  v("confirmation_deadline", e.confirmation_deadline);
}
template <class V>
void Fields(V& v, InvitationDeclined& e) {
  v("briefing", e.briefing);
  v("stakeholder", e.stakeholder);
}
template <class V>
void Fields(V& v, AttendanceConfirmed& e) {
  v("briefing", e.briefing);
  v("stakeholder", e.stakeholder);
  v("written_comments", e.written_comments);
  v("country_mentions", e.country_mentions);
  v("confirmed_at", e.confirmed_at);
}
template <class V>
void Fields(V& v, ObjectionRaised& e) {
  v("briefing", e.briefing);
  v("stakeholder", e.stakeholder);
  v("objecting_state", e.objecting_state);
  v("grounds", e.grounds);
  v("referral", e.referral);
  v("working_group", e.working_group);
  v("raised_at", e.raised_at);
}
template <class V>
void Fields(V& v, ReferredToWorkingGroup& e) {
  v("referral", e.referral);
  v("briefing", e.briefing);
  v("stakeholder", e.stakeholder);
  v("objecting_state", e.objecting_state);
  v("working_group", e.working_group);
  v("grounds", e.grounds);
  v("raised_at", e.raised_at);
}
template <class V>
void Fields(V& v, ReferralDecided& e) {
  v("referral", e.referral);
  v("briefing", e.briefing);
  v("stakeholder", e.stakeholder);
  v("working_group", e.working_group);
  v("outcome", e.outcome);
  v("reasons", e.reasons);
  v("decided_at", e.decided_at);
}
template <class V>
void Fields(V& v, ObjectionWithdrawn& e) {
  v("referral", e.referral);
  v("briefing", e.briefing);
  v("stakeholder", e.stakeholder);
  v("objecting_state", e.objecting_state);
  v("reasons", e.reasons);
  v("withdrawn_at", e.withdrawn_at);
}
template <class V>
void Fields(V& v, BriefingHeld& e) {
  v("briefing", e.briefing);
  v("stakeholders", e.stakeholders);
  v("states", e.states);
  v("held_at", e.held_at);
}
template <class V>
void Fields(V& v, SummaryPrepared& e) {
  v("briefing", e.briefing);
  v("text", e.text);
  v("country_mentions", e.country_mentions);
}
template <class V>
void Fields(V& v, SummarySubmitted& e) {
  v("briefing", e.briefing);
  v("crp_symbol", e.crp_symbol);
  v("override_justification", e.override_justification);
}
template <class V>
void Fields(V& v, BriefingCancelled& e) {
  v("briefing", e.briefing);
  v("reason", e.reason);
}
template <class V>
void Fields(V& v, ConfirmationWindowClosed& e) {
  v("briefing", e.briefing);
  v("deadline", e.deadline);
  v("lapsed", e.lapsed);
}
template <class V>
void Fields(V& v, ObserverInvited& e) {
  v("observer_invitation", e.observer_invitation);
  v("meeting", e.meeting);
  v("working_group", e.working_group);
  v("stakeholder", e.stakeholder);
  v("topic", e.topic);
  v("meeting_starts_on", e.meeting_starts_on);
  v("meeting_ends_on", e.meeting_ends_on);
}
template <class V>
void Fields(V& v, ObserverInvitationAnswered& e) {
  v("observer_invitation", e.observer_invitation);
  v("stakeholder", e.stakeholder);
  v("accepted", e.accepted);
}
template <class V>
void Fields(V& v, ObserverInvitationRevoked& e) {
  v("observer_invitation", e.observer_invitation);
  v("stakeholder", e.stakeholder);
  v("reason", e.reason);
}
template <class V>
void Fields(V& v, ContributionsRequested& e) {
  v("contribution_request", e.contribution_request);
  v("working_group", e.working_group);
  v("stakeholders", e.stakeholders);
  v("due_on", e.due_on);
}
template <class V>
void Fields(V& v, ContributionSubmitted& e) {
  v("contribution_request", e.contribution_request);
  v("stakeholder", e.stakeholder);
  v("text", e.text);
  v("country_mentions", e.country_mentions);
  v("status", e.status);
  v("submitted_at", e.submitted_at);
}
template <class V>
void Fields(V& v, ContributionReviewed& e) {
  v("contribution_request", e.contribution_request);
  v("stakeholder", e.stakeholder);
  v("outcome", e.outcome);
  v("reasons", e.reasons);
}
template <class V>
void Fields(V& v, StakeholderReportSubmitted& e) {
  v("report", e.report);
  v("authors", e.authors);
  v("addressed_to", e.addressed_to);
  v("title", e.title);
  v("text", e.text);
  v("submitted_by", e.submitted_by);
  v("submitted_at", e.submitted_at);
}
template <class V>
void Fields(V& v, StateParticipationRequested& e) {
  v("state_participation", e.state_participation);
  v("state", e.state);
  v("review_cycle", e.review_cycle);
  v("instrument", e.instrument);
}
template <class V>
void Fields(V& v, StateParticipationFunded& e) {
  v("state_participation", e.state_participation);
  v("source", e.source);
  v("amount_usd", e.amount_usd);
  v("donor", e.donor);
}
template <class V>
void Fields(V& v, StateParticipationWithdrawn& e) {
  v("state_participation", e.state_participation);
  v("state", e.state);
  v("reasons", e.reasons);
}

namespace {

constexpr auto kAbsent = codec::Absent::kOptionalIsNull;  // events gained optional fields

template <class T>
engine::Result<Event> DecodeAs(const json& data, std::string_view type) {
  T event{};
  std::string problem;
  if (!codec::FromDocument<kAbsent>(data, event, &problem)) {
    return engine::Fail(
        engine::Error::Corruption(std::string(type) + " event data does not decode: " + problem));
  }
  return Event{std::move(event)};
}

template <size_t... I>
engine::Result<Event> DecodeIndex(size_t index, const json& data, std::string_view type,
                                  std::index_sequence<I...>) {
  using Decoder = engine::Result<Event> (*)(const json&, std::string_view);
  static constexpr std::array<Decoder, sizeof...(I)> kDecoders{
      &DecodeAs<std::variant_alternative_t<I, Event>>...};
  return kDecoders[index](data, type);
}

// The direct decoder: the stored text straight into the typed event (codec::FromText). Where it
// gives up, DecodeEvent decodes through the document, so which data decodes, to what, and with
// which error stays the same; the tests check the two agree on every sample and on thousands of
// mutated ones.
template <class T>
std::optional<Event> DirectAs(std::string_view data) {
  T event{};
  if (!codec::FromText<kAbsent>(data, event)) return std::nullopt;
  return Event{std::move(event)};
}

template <size_t... I>
std::optional<Event> DirectIndex(size_t index, std::string_view data, std::index_sequence<I...>) {
  using Decoder = std::optional<Event> (*)(std::string_view);
  static constexpr std::array<Decoder, sizeof...(I)> kDecoders{
      &DirectAs<std::variant_alternative_t<I, Event>>...};
  return kDecoders[index](data);
}

// The position of `type` in kTypeNames; kTypeNames.size() when unknown.
size_t TypeIndex(std::string_view type) {
  size_t index = 0;
  while (index < kTypeNames.size() && kTypeNames[index] != type) ++index;
  return index;
}

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

}  // namespace

std::string ConferenceSessionStream(std::string_view id) {
  return "conference-session-" + std::string(id);
}
std::string WorkingGroupStream(std::string_view id) { return "working-group-" + std::string(id); }
std::string MeetingStream(std::string_view id) { return "meeting-" + std::string(id); }
std::string StakeholderStream(std::string_view id) { return "stakeholder-" + std::string(id); }
std::string BriefingStream(std::string_view id) { return "briefing-" + std::string(id); }
std::string ReferralStream(std::string_view referral_id) {
  return "referral-" + std::string(referral_id);
}
std::string ObserverInvitationStream(std::string_view id) {
  return "observer-invitation-" + std::string(id);
}
std::string ContributionRequestStream(std::string_view id) {
  return "contribution-request-" + std::string(id);
}
std::string ReportStream(std::string_view id) { return "report-" + std::string(id); }
std::string StateParticipationStream(std::string_view id) {
  return "state-participation-" + std::string(id);
}

std::string_view StreamKind(std::string_view stream) {
  for (std::string_view kind : kStreamKinds) {
    if (stream.size() > kind.size() + 1 && stream.starts_with(kind) && stream[kind.size()] == '-') {
      return kind;
    }
  }
  return {};
}

std::string ReferralId(std::string_view briefing, std::string_view stakeholder) {
  return std::string(briefing) + "." + std::string(stakeholder);
}

std::string StreamOf(const Event& event) {
  return std::visit(
      Overloaded{
          [](const ConferenceSessionRegistered& e) {
            return ConferenceSessionStream(e.conference_session);
          },
          [](const WorkingGroupRegistered& e) { return WorkingGroupStream(e.working_group); },
          [](const MeetingScheduled& e) { return MeetingStream(e.meeting); },
          [](const StakeholderRegistered& e) { return StakeholderStream(e.stakeholder); },
          [](const EcosocStatusChanged& e) { return StakeholderStream(e.stakeholder); },
          [](const ObserverEntitlementRecorded& e) { return StakeholderStream(e.stakeholder); },
          [](const ReferredToWorkingGroup& e) { return ReferralStream(e.referral); },
          [](const ReferralDecided& e) { return ReferralStream(e.referral); },
          [](const ObjectionWithdrawn& e) { return ReferralStream(e.referral); },
          [](const ObserverInvited& e) { return ObserverInvitationStream(e.observer_invitation); },
          [](const ObserverInvitationAnswered& e) {
            return ObserverInvitationStream(e.observer_invitation);
          },
          [](const ObserverInvitationRevoked& e) {
            return ObserverInvitationStream(e.observer_invitation);
          },
          [](const ContributionsRequested& e) {
            return ContributionRequestStream(e.contribution_request);
          },
          [](const ContributionSubmitted& e) {
            return ContributionRequestStream(e.contribution_request);
          },
          [](const ContributionReviewed& e) {
            return ContributionRequestStream(e.contribution_request);
          },
          [](const StakeholderReportSubmitted& e) { return ReportStream(e.report); },
          [](const StateParticipationRequested& e) {
            return StateParticipationStream(e.state_participation);
          },
          [](const StateParticipationFunded& e) {
            return StateParticipationStream(e.state_participation);
          },
          [](const StateParticipationWithdrawn& e) {
            return StateParticipationStream(e.state_participation);
          },
          // Every other event belongs to its briefing.
          [](const auto& e) { return BriefingStream(e.briefing); },
      },
      event);
}

std::string_view TypeOf(const Event& event) { return kTypeNames[event.index()]; }

const std::vector<std::string_view>& AllEventTypes() {
  static const std::vector<std::string_view> kAll(kTypeNames.begin(), kTypeNames.end());
  return kAll;
}

std::string DataOf(const Event& event) {
  return std::visit([](const auto& e) { return codec::ToDocument(e).dump(); }, event);
}

engine::ProposedEvent ToProposedEvent(const Event& event, engine::EventMetadata metadata) {
  // DataOf writes an object's dump(): the engine's canonical form.
  return engine::ProposedEvent{std::string(TypeOf(event)), DataOf(event), std::move(metadata),
                               /*canonical=*/true};
}

std::optional<Event> DecodeEventDirect(std::string_view type, std::string_view data) {
  const size_t index = TypeIndex(type);
  if (index == kTypeNames.size()) return std::nullopt;
  return DirectIndex(index, data, std::make_index_sequence<kTypeNames.size()>{});
}

engine::Result<Event> DecodeEventViaDocument(std::string_view type, std::string_view data) {
  const size_t index = TypeIndex(type);
  if (index == kTypeNames.size()) {
    return engine::Fail(
        engine::Error::InvalidArgument("unknown event type \"" + std::string(type) + "\""));
  }
  json parsed = json::parse(data, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return engine::Fail(
        engine::Error::Corruption(std::string(type) + " event data is not a JSON object"));
  }
  return DecodeIndex(index, parsed, type, std::make_index_sequence<kTypeNames.size()>{});
}

engine::Result<Event> DecodeEvent(std::string_view type, std::string_view data) {
  if (auto event = DecodeEventDirect(type, data)) return std::move(*event);
  return DecodeEventViaDocument(type, data);
}

engine::Result<Event> DecodeEvent(const engine::RecordedEvent& recorded) {
  return DecodeEvent(recorded.type, recorded.data);
}

std::string_view Name(ReferralOutcome outcome) {
  return outcome == ReferralOutcome::kAdmitted ? "admitted" : "not_admitted";
}

std::optional<ReferralOutcome> ParseReferralOutcome(std::string_view text) {
  if (text == "admitted") return ReferralOutcome::kAdmitted;
  if (text == "not_admitted") return ReferralOutcome::kNotAdmitted;
  return std::nullopt;
}

std::string_view Name(ContributionStatus status) {
  switch (status) {
    case ContributionStatus::kAccepted:
      return "accepted";
    case ContributionStatus::kUnderReview:
      return "under_review";
    case ContributionStatus::kReturned:
      return "returned";
  }
  return "unknown";
}

std::optional<ContributionStatus> ParseContributionStatus(std::string_view text) {
  if (text == "accepted") return ContributionStatus::kAccepted;
  if (text == "under_review") return ContributionStatus::kUnderReview;
  if (text == "returned") return ContributionStatus::kReturned;
  return std::nullopt;
}

}  // namespace dialogue::workflows
