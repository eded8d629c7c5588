#include "api/routes/views.hpp"

#include <algorithm>
#include <string_view>
#include <type_traits>

#include <date/tz.h>

#include <nlohmann/json.hpp>

#include "workflows/state_fields.hpp"
#include "workflows/values.hpp"

namespace dialogue::api {
namespace {

using nlohmann::json;
namespace wf = workflows;

// A state as its field list writes it (workflows/state_fields.hpp, the same values a snapshot
// stores), less `exists`, which is the read model's own, and less the members named in
// `left_out` (the view writes those itself); the texts named in `null_when_empty` are null when
// empty: the contract's "unset fields are null".
class FieldListView {
 public:
  FieldListView(std::initializer_list<std::string_view> null_when_empty,
                std::initializer_list<std::string_view> left_out)
      : null_when_empty_(null_when_empty), left_out_(left_out) {}

  template <class T>
  void operator()(const char* name, const T& value) {
    if (name == std::string_view("exists") || Names(left_out_, name)) return;
    if constexpr (std::is_same_v<T, std::string>) {
      if (value.empty() && Names(null_when_empty_, name)) {
        out_[name] = nullptr;
        return;
      }
    }
    out_[name] = wf::codec::ToDocument(value);
  }
  json Take() { return std::move(out_); }

 private:
  static bool Names(std::initializer_list<std::string_view> names, std::string_view name) {
    return std::find(names.begin(), names.end(), name) != names.end();
  }

  std::initializer_list<std::string_view> null_when_empty_;
  std::initializer_list<std::string_view> left_out_;
  json out_ = json::object();
};

template <class State>
json FromFieldList(const State& state, std::initializer_list<std::string_view> null_when_empty = {},
                   std::initializer_list<std::string_view> left_out = {}) {
  FieldListView view(null_when_empty, left_out);
  // The view only reads: the field lists take non-const references to serve the readers too.
  Fields(view, const_cast<State&>(state));
  return view.Take();
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

// A participant as the briefing's view shows it: its referral's id beside it, less the session of
// its entitlement and the status it had before a referral (bookkeeping of the fold).
json ParticipantView(const wf::BriefingState& briefing, const wf::Participant& participant) {
  json out = FromFieldList(participant, {"written_comments"},
                           {"conference_session", "status_before_referral"});
  const auto referral = briefing.referrals.find(participant.stakeholder);
  out["referral"] =
      referral == briefing.referrals.end() ? json(nullptr) : json(referral->second.id);
  return out;
}

// A stakeholder's fields that its list entry and its view share: the ECOSOC status as of now
// (from the registered one and the changes), and a State's status under each instrument.
json StakeholderFields(const wf::StakeholderState& stakeholder,
                       std::initializer_list<std::string_view> left_out) {
  json out = FromFieldList(stakeholder, {}, left_out);
  out["ecosoc_status"] = wf::Name(stakeholder.ecosoc_status());
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

}  // namespace

json CountryMentionsView(const std::vector<wf::CountryMention>& mentions) {
  return wf::codec::ToDocument(mentions);
}

json ConferenceSessionView(const wf::ConferenceSessionState& session) {
  return FromFieldList(session);
}

json WorkingGroupView(const wf::WorkingGroupState& group) { return FromFieldList(group); }

json MeetingView(const wf::MeetingState& meeting) { return FromFieldList(meeting); }

json StakeholderListEntry(const wf::StakeholderState& stakeholder) {
  return StakeholderFields(stakeholder, {"registered_ecosoc_status", "ecosoc_changes",
                                         "instruments", "observer_entitlements"});
}

json StakeholderView(const wf::StakeholderState& stakeholder,
                     const std::vector<wf::Participation>& participations) {
  json out = StakeholderFields(
      stakeholder, {"registered_ecosoc_status", "instruments", "observer_entitlements"});
  json entitlements = json::array();
  for (const auto& entitlement : stakeholder.observer_entitlements) {
    entitlements.push_back(FromFieldList(entitlement, {"rule"}));
  }
  out["observer_entitlements"] = std::move(entitlements);
  json parts = json::array();
  for (const auto& participation : participations) {
    parts.push_back(
        {{"kind", participation.kind}, {"id", participation.id}, {"status", participation.status}});
  }
  out["participations"] = std::move(parts);
  return out;
}

json BriefingListEntry(const wf::BriefingState& briefing) {
  return FromFieldList(briefing, {"meeting", "working_group"},
                       {"requested_by", "meeting_starts_on", "meeting_ends_on", "timezone",
                        "confirmation_deadline", "bureau_member", "participants", "referrals",
                        "closed_deadlines", "attending_states", "summary", "cancellation_reason"});
}

json BriefingView(const wf::BriefingState& briefing) {
  // Less the meeting's dates, the referrals (each participant names its own) and the deadlines
  // closed (confirmation_window_closed says whether the current one is), and less what the view
  // writes its own way below.
  json out = FromFieldList(
      briefing, {"meeting", "working_group", "timezone", "bureau_member", "requested_by"},
      {"meeting_starts_on", "meeting_ends_on", "participants", "referrals", "closed_deadlines",
       "attending_states", "summary", "cancellation_reason"});
  out["confirmation_deadline_local"] =
      LocalInstant(briefing.confirmation_deadline, briefing.timezone);
  out["confirmation_window_closed"] = briefing.DeadlineClosed();
  json participants = json::array();
  for (const auto& participant : briefing.participants) {
    participants.push_back(ParticipantView(briefing, participant));
  }
  out["participants"] = std::move(participants);
  out["states"] = wf::codec::ToDocument(briefing.attending_states);
  out["summary"] =
      briefing.summary ? FromFieldList(*briefing.summary, {"crp_symbol"}, {}) : json(nullptr);
  // The reason only once cancelled.
  out["cancellation_reason"] = briefing.status == wf::BriefingStatus::kCancelled
                                   ? json(briefing.cancellation_reason)
                                   : json(nullptr);
  return out;
}

json ReferralView(const wf::ReferralState& referral) {
  return FromFieldList(referral, {"grounds", "reasons"});
}

json ObserverInvitationView(const wf::ObserverInvitationState& invitation) {
  return FromFieldList(invitation, {"revocation_reason"});
}

json ContributionView(const wf::ContributionRequestState& request,
                      const wf::Contribution& contribution) {
  json out = FromFieldList(contribution, {"review_reasons"});
  out["contribution_request"] = request.id;
  return out;
}

json ContributionRequestView(const wf::ContributionRequestState& request,
                             std::string_view only_for) {
  json contributions = json::array();
  for (const auto& [stakeholder, contribution] : request.contributions) {
    if (!only_for.empty() && stakeholder != only_for) continue;
    contributions.push_back(ContributionView(request, contribution));
  }
  json out = FromFieldList(request, {}, {"contributions"});
  // API.md: "Each has a GET on its path with its current status". A request has one state: it
  // stands once made (each contribution has its own status).
  out["status"] = "requested";
  out["contributions"] = std::move(contributions);
  return out;
}

json ReportView(const wf::StakeholderReportState& report) {
  json out = FromFieldList(report, {"submitted_by"});
  out["status"] = "submitted";
  return out;
}

json StateParticipationView(const wf::StateParticipationState& participation) {
  json out = FromFieldList(participation, {"withdrawal_reasons"});
  for (auto& funding : out["fundings"]) {
    if (funding["donor"] == "") funding["donor"] = nullptr;
  }
  return out;
}

}  // namespace dialogue::api
