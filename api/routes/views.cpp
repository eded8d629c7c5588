#include "api/routes/views.hpp"

#include <date/tz.h>

#include <nlohmann/json.hpp>

#include "workflows/values.hpp"

namespace dialogue::api {
namespace {

using nlohmann::json;
namespace wf = workflows;

json OrNull(const std::string& text) { return text.empty() ? json(nullptr) : json(text); }

json OrNull(const std::optional<std::string>& text) { return text ? json(*text) : json(nullptr); }

json InstantOrNull(const std::optional<wf::TimePoint>& instant) {
  return instant ? json(wf::FormatInstant(*instant)) : json(nullptr);
}

json DateOrNull(const std::optional<wf::Date>& day) {
  return day ? json(wf::FormatDate(*day)) : json(nullptr);
}

json Strings(const std::vector<std::string>& items) {
  json out = json::array();
  for (const auto& item : items) out.push_back(item);
  return out;
}

// The deadline as the briefing's zone reads it: "2026-07-05T23:59:59.999999+02:00". Null when
// the zone is unknown to the tz database (it was checked at convening, so only on a broken host).
json LocalInstant(const std::optional<wf::TimePoint>& instant, const std::string& zone) {
  if (!instant || zone.empty()) return nullptr;
  try {
    const auto zoned = date::make_zoned(zone, *instant);
    std::string text = date::format("%FT%T%Ez", zoned);
    // %T prints the fraction of the time point's precision; drop an all-zero fraction so whole
    // seconds read like the UTC instants ("...T09:30:00+01:00").
    const std::string zeros = ".000000";
    if (const size_t dot = text.find(zeros); dot != std::string::npos)
      text.erase(dot, zeros.size());
    return text;
  } catch (const std::exception&) {
    return nullptr;
  }
}

json ParticipantView(const wf::BriefingState& briefing, const wf::Participant& participant) {
  json referral = nullptr;
  if (auto it = briefing.referrals.find(participant.stakeholder); it != briefing.referrals.end()) {
    referral = it->second.id;
  }
  return {{"stakeholder", participant.stakeholder},
          {"category", wf::Name(participant.category)},
          {"status", wf::Name(participant.status)},
          {"confirmed_at", InstantOrNull(participant.confirmed_at)},
          {"written_comments", OrNull(participant.written_comments)},
          {"country_mentions", CountryMentionsView(participant.country_mentions)},
          {"referral", std::move(referral)}};
}

}  // namespace

json CountryMentionsView(const std::vector<wf::CountryMention>& mentions) {
  json out = json::array();
  for (const auto& mention : mentions) {
    out.push_back(
        {{"name", mention.name}, {"country", mention.country}, {"offset", mention.offset}});
  }
  return out;
}

json ConferenceSessionView(const wf::ConferenceSessionState& session) {
  return {{"id", session.id},
          {"title", session.title},
          {"starts_on", wf::FormatDate(session.starts_on)},
          {"ends_on", wf::FormatDate(session.ends_on)}};
}

json WorkingGroupView(const wf::WorkingGroupState& group) {
  return {{"id", group.id},
          {"name", group.name},
          {"protocol", group.protocol ? json(wf::Name(*group.protocol)) : json(nullptr)}};
}

json MeetingView(const wf::MeetingState& meeting) {
  return {{"id", meeting.id},
          {"working_group", meeting.working_group},
          {"starts_on", wf::FormatDate(meeting.starts_on)},
          {"ends_on", wf::FormatDate(meeting.ends_on)},
          {"review_agenda_item", meeting.review_agenda_item}};
}

json StakeholderListEntry(const wf::StakeholderState& stakeholder) {
  json out = {{"id", stakeholder.id},
              {"name", stakeholder.name},
              {"category", wf::Name(stakeholder.category)},
              {"ecosoc_status", wf::Name(stakeholder.ecosoc_status())}};
  if (wf::IsState(stakeholder.category)) {
    json instruments = json::object();
    for (auto instrument : {wf::Instrument::kConvention, wf::Instrument::kTip, wf::Instrument::kSom,
                            wf::Instrument::kFirearms}) {
      const wf::InstrumentStatus status = wf::StatusUnder(stakeholder, instrument);
      if (status != wf::InstrumentStatus::kNone) {
        instruments[std::string(wf::Name(instrument))] = wf::Name(status);
      }
    }
    out["instruments"] = std::move(instruments);
  }
  return out;
}

json StakeholderView(const wf::StakeholderState& stakeholder,
                     const std::vector<wf::Participation>& participations) {
  json out = StakeholderListEntry(stakeholder);
  json entitlements = json::array();
  for (const auto& entitlement : stakeholder.observer_entitlements) {
    entitlements.push_back({{"conference_session", entitlement.conference_session},
                            {"rule", OrNull(entitlement.rule)}});
  }
  out["observer_entitlements"] = std::move(entitlements);
  json parts = json::array();
  for (const auto& participation : participations) {
    parts.push_back(
        {{"kind", participation.kind}, {"id", participation.id}, {"status", participation.status}});
  }
  out["participations"] = std::move(parts);
  json changes = json::array();
  for (const auto& change : stakeholder.ecosoc_changes) {
    changes.push_back({{"status", wf::Name(change.status)},
                       {"effective_at", wf::FormatInstant(change.effective_at)}});
  }
  out["ecosoc_changes"] = std::move(changes);
  return out;
}

json BriefingListEntry(const wf::BriefingState& briefing) {
  return {{"id", briefing.id},
          {"title", briefing.title},
          {"status", wf::Name(briefing.status)},
          {"meeting", OrNull(briefing.meeting)},
          {"working_group", OrNull(briefing.working_group)},
          {"date", DateOrNull(briefing.date)}};
}

json BriefingView(const wf::BriefingState& briefing) {
  json out = BriefingListEntry(briefing);
  out["timezone"] = OrNull(briefing.timezone);
  out["confirmation_deadline"] = InstantOrNull(briefing.confirmation_deadline);
  out["confirmation_deadline_local"] =
      LocalInstant(briefing.confirmation_deadline, briefing.timezone);
  out["confirmation_window_closed"] = briefing.DeadlineClosed();
  out["bureau_member"] = OrNull(briefing.bureau_member);
  out["requested_by"] = OrNull(briefing.requested_by);
  json participants = json::array();
  for (const auto& participant : briefing.participants) {
    participants.push_back(ParticipantView(briefing, participant));
  }
  out["participants"] = std::move(participants);
  out["states"] = Strings(briefing.attending_states);
  if (briefing.summary) {
    out["summary"] = {{"text", briefing.summary->text},
                      {"country_mentions", CountryMentionsView(briefing.summary->country_mentions)},
                      {"crp_symbol", OrNull(briefing.summary->crp_symbol)},
                      {"override_justification", OrNull(briefing.summary->override_justification)}};
  } else {
    out["summary"] = nullptr;
  }
  out["cancellation_reason"] = briefing.status == wf::BriefingStatus::kCancelled
                                   ? json(briefing.cancellation_reason)
                                   : json(nullptr);
  return out;
}

json ReferralView(const wf::ReferralState& referral) {
  return {{"id", referral.id},
          {"briefing", referral.briefing},
          {"stakeholder", referral.stakeholder},
          {"objecting_state", referral.objecting_state},
          {"working_group", referral.working_group},
          {"status", wf::Name(referral.status)},
          {"outcome", referral.outcome ? json(wf::Name(*referral.outcome)) : json(nullptr)},
          {"raised_at", InstantOrNull(referral.raised_at)},
          {"decided_at", InstantOrNull(referral.decided_at)},
          {"withdrawn_at", InstantOrNull(referral.withdrawn_at)},
          {"grounds", OrNull(referral.grounds)},
          {"reasons", OrNull(referral.reasons)}};
}

json ObserverInvitationView(const wf::ObserverInvitationState& invitation) {
  return {{"id", invitation.id},
          {"status", wf::Name(invitation.status)},
          {"meeting", invitation.meeting},
          {"working_group", invitation.working_group},
          {"stakeholder", invitation.stakeholder},
          {"topic", invitation.topic},
          {"meeting_starts_on", wf::FormatDate(invitation.meeting_starts_on)},
          {"meeting_ends_on", wf::FormatDate(invitation.meeting_ends_on)},
          {"revocation_reason", OrNull(invitation.revocation_reason)}};
}

json ContributionView(const wf::ContributionRequestState& request,
                      const wf::Contribution& contribution) {
  return {{"contribution_request", request.id},
          {"stakeholder", contribution.stakeholder},
          {"status", wf::Name(contribution.status)},
          {"text", contribution.text},
          {"country_mentions", CountryMentionsView(contribution.country_mentions)},
          {"submitted_at", wf::FormatInstant(contribution.submitted_at)},
          {"submissions", contribution.submissions},
          {"review_reasons", OrNull(contribution.review_reasons)}};
}

json ContributionRequestView(const wf::ContributionRequestState& request,
                             std::string_view only_for) {
  json contributions = json::array();
  for (const auto& [stakeholder, contribution] : request.contributions) {
    if (!only_for.empty() && stakeholder != only_for) continue;
    contributions.push_back(ContributionView(request, contribution));
  }
  // API.md: "Each has a GET on its path with its current status". A request has one state: it
  // stands once made (each contribution has its own status).
  return {{"id", request.id},
          {"status", "requested"},
          {"working_group", request.working_group},
          {"stakeholders", Strings(request.stakeholders)},
          {"due_on", wf::FormatDate(request.due_on)},
          {"contributions", std::move(contributions)}};
}

json ReportView(const wf::StakeholderReportState& report) {
  return {{"id", report.id},
          {"status", "submitted"},
          {"authors", Strings(report.authors)},
          {"addressed_to", report.addressed_to},
          {"title", report.title},
          {"text", report.text},
          {"submitted_by", OrNull(report.submitted_by)},
          {"submitted_at", wf::FormatInstant(report.submitted_at)}};
}

json StateParticipationView(const wf::StateParticipationState& participation) {
  json fundings = json::array();
  for (const auto& funding : participation.fundings) {
    fundings.push_back({{"source", funding.source},
                        {"amount_usd", funding.amount_usd},
                        {"donor", OrNull(funding.donor)}});
  }
  return {{"id", participation.id},
          {"status", wf::Name(participation.status)},
          {"state", participation.state},
          {"review_cycle", participation.review_cycle},
          {"instrument", wf::Name(participation.instrument)},
          {"fundings", std::move(fundings)},
          {"withdrawal_reasons", OrNull(participation.withdrawal_reasons)}};
}

}  // namespace dialogue::api
