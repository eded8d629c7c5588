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
  return wf::codec::ToDocument(mentions);
}

json ConferenceSessionView(const wf::ConferenceSessionState& session) {
  return FromFieldList(session);
}

json WorkingGroupView(const wf::WorkingGroupState& group) { return FromFieldList(group); }

json MeetingView(const wf::MeetingState& meeting) { return FromFieldList(meeting); }

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
