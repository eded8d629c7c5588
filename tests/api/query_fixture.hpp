// The read-side tests' world: an in-memory store filled with workflows events (as the commands
// would append them), read models over it, and the full router with a token per role. Requests go
// through Router::DispatchAsync, in process (testing::DispatchAndWait).
#pragma once

#include <catch2/catch.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "api/http/auth.hpp"
#include "engine/event_store.hpp"
#include "engine/time.hpp"
#include "tests/api/callers.hpp"
#include "tests/api/in_process_api.hpp"
#include "workflows/country_screener.hpp"
#include "workflows/deadline.hpp"
#include "workflows/events.hpp"

namespace dialogue::api::testing {

inline const std::vector<Caller>& QueryCallers() {
  static const std::vector<Caller> kCallers = {
      {"sec", "sec-ana", "secretariat", "", ""},
      {"president", "pres-li", "president", "", ""},
      {"bureau", "bur-eva", "bureau", "", ""},
      {"wg-tip", "wg-tip-chair", "working_group", "", "wg-tip"},
      {"auditor", "aud-bo", "auditor", "", ""},
      {"integration", "int-feed", "integration", "", ""},
      {"state-at", "at-rep", "state", "at", ""},
      {"state-fr", "fr-rep", "state", "fr", ""},
      {"ngo-a", "ngo-a-rep", "stakeholder", "ngo-a", ""},
      {"ngo-b", "ngo-b-rep", "stakeholder", "ngo-b", ""},
      {"ngo-c", "ngo-c-rep", "stakeholder", "ngo-c", ""},
  };
  return kCallers;
}

inline std::string QueryTokensJson() { return TokensJsonFor(QueryCallers()); }

inline workflows::Date Day(const char* text) { return workflows::ParseDate("date", text).value(); }

class QueryFixture : public InProcessApi {
 public:
  QueryFixture() : InProcessApi(Instant("2026-07-20T12:00:00Z"), QueryTokensJson()) {}

  // Appends one event as `actor` acting in `role`, at occurred_at; returns its position.
  uint64_t Append(const workflows::Event& event, const std::string& actor = "sec-ana",
                  const std::string& role = "secretariat",
                  const std::string& occurred_at = "2026-06-01T09:00:00Z",
                  const std::string& on_behalf_of = "") {
    engine::EventMetadata metadata;
    metadata.occurred_at = occurred_at;
    metadata.actor = actor;
    metadata.role = role;
    metadata.on_behalf_of = on_behalf_of;
    engine::AppendRequest request;
    request.writes.push_back({workflows::StreamOf(event),
                              engine::ExpectedVersion::Any(),
                              {workflows::ToProposedEvent(event, metadata)}});
    auto appended = store_->Append(request);
    if (!appended) throw std::runtime_error("append failed: " + appended.error().message);
    return appended->last_position;
  }

  // The reference data and stakeholders of the season:
  // - Conference session cosp-12 (October 2025), the session previous to July 2026 briefings;
  // - Working Groups wg-tip (Trafficking Protocol) and wg-som (Smuggling of Migrants), each with a
  //   meeting taking up the review process in July 2026;
  // - NGOs ngo-a, ngo-b, ngo-c, ngo-d, an IGO igo-x, all entitled at cosp-12 but ngo-c; States
  //   at (State Party) and fr (State Party).
  void RegisterReferenceData() {
    namespace wf = workflows;
    Append(wf::ConferenceSessionRegistered{"cosp-12", "Twelfth session of the Conference",
                                           Day("2025-10-13"), Day("2025-10-17")});
    Append(wf::WorkingGroupRegistered{"wg-tip", "Working Group on Trafficking in Persons",
                                      wf::Instrument::kTip});
    Append(wf::WorkingGroupRegistered{"wg-som", "Working Group on the Smuggling of Migrants",
                                      wf::Instrument::kSom});
    Append(wf::MeetingScheduled{"m-tip-16", "wg-tip", Day("2026-07-14"), Day("2026-07-16"), true});
    Append(wf::MeetingScheduled{"m-som-11", "wg-som", Day("2026-07-21"), Day("2026-07-23"), true});
    const auto ngo = [this](const char* id, const char* name, wf::EcosocStatus status) {
      Append(wf::StakeholderRegistered{id, name, wf::StakeholderCategory::kNgo, status, {}});
    };
    ngo("ngo-a", "Alliance against Trafficking", wf::EcosocStatus::kSpecial);
    ngo("ngo-b", "Borderline Rights", wf::EcosocStatus::kGeneral);
    ngo("ngo-c", "Coalition for Victims", wf::EcosocStatus::kNone);
    ngo("ngo-d", "Dignity Network", wf::EcosocStatus::kRoster);
    Append(wf::StakeholderRegistered{"igo-x",
                                     "Regional Organization X",
                                     wf::StakeholderCategory::kIgo,
                                     wf::EcosocStatus::kNone,
                                     {}});
    Append(wf::StakeholderRegistered{"at",
                                     "Austria",
                                     wf::StakeholderCategory::kStateParty,
                                     wf::EcosocStatus::kNone,
                                     {{wf::Instrument::kTip, wf::InstrumentStatus::kParty}}});
    Append(wf::StakeholderRegistered{
        "fr", "France", wf::StakeholderCategory::kStateParty, wf::EcosocStatus::kNone, {}});
    for (const char* id : {"ngo-a", "ngo-b", "ngo-d", "igo-x"}) {
      Append(wf::ObserverEntitlementRecorded{id, "cosp-12", "17"});
    }
  }

  // Briefing b1 on the margins of m-tip-16 (15 July 2026, Vienna): requested, convened, ngo-a,
  // ngo-b and igo-x invited. Records the positions of its steps.
  void ConveneBriefing() {
    namespace wf = workflows;
    Append(wf::BriefingRequested{"b1", "Victims' assistance in the review process", "pres-li"},
           "pres-li", "president", "2026-05-04T08:00:00Z");
    deadline_ = wf::ConfirmationDeadline(Day("2026-07-15"), "Europe/Vienna", 10).value();
    Append(wf::BriefingConvened{"b1", "m-tip-16", "wg-tip", Day("2026-07-14"), Day("2026-07-16"),
                                Day("2026-07-15"), "Europe/Vienna", deadline_, "bureau-eva"});
    for (const char* id : {"ngo-a", "ngo-b", "igo-x"}) {
      const auto category = std::string(id) == "igo-x" ? wf::StakeholderCategory::kIgo
                                                       : wf::StakeholderCategory::kNgo;
      invited_at_ = Append(wf::StakeholderInvited{"b1", id, category, "cosp-12"});
    }
  }

  // ngo-a confirms with written comments naming Viet Nam; at objects to ngo-b (referral pending).
  void ConfirmAndObject() {
    namespace wf = workflows;
    const std::string comments = "We will present our shelter work in Viet Nam.";
    confirmed_at_ =
        Append(wf::AttendanceConfirmed{"b1", "ngo-a", comments, wf::ScreenForCountries(comments),
                                       Instant("2026-06-20T10:00:00Z")},
               "ngo-a-rep", "stakeholder", "2026-06-20T10:00:00Z");
    Append(wf::ObjectionRaised{"b1", "ngo-b", "at", "Not relevant to the review", "b1.ngo-b",
                               "wg-tip", Instant("2026-06-22T10:00:00Z")},
           "at-rep", "state", "2026-06-22T10:00:00Z");
    objected_at_ = Append(
        wf::ReferredToWorkingGroup{"b1.ngo-b", "b1", "ngo-b", "at", "wg-tip",
                                   "Not relevant to the review", Instant("2026-06-22T10:00:00Z")},
        "at-rep", "state", "2026-06-22T10:00:00Z");
  }

  void DecideReferral() {
    namespace wf = workflows;
    decided_at_ = Append(
        wf::ReferralDecided{"b1.ngo-b", "b1", "ngo-b", "wg-tip", wf::ReferralOutcome::kAdmitted,
                            "Its work concerns victims' protection",
                            Instant("2026-06-30T15:00:00Z")},
        "wg-tip-chair", "working_group", "2026-06-30T15:00:00Z");
  }

  // Briefing b2 on the margins of m-som-11, with ngo-d invited and objected to by fr (pending).
  void SecondBriefingWithPendingReferral() {
    namespace wf = workflows;
    Append(wf::BriefingRequested{"b2", "Smuggling and protection at sea", "pres-li"}, "pres-li",
           "president");
    Append(wf::BriefingConvened{
        "b2", "m-som-11", "wg-som", Day("2026-07-21"), Day("2026-07-23"), Day("2026-07-22"),
        "Europe/Vienna", wf::ConfirmationDeadline(Day("2026-07-22"), "Europe/Vienna", 10).value(),
        "bureau-eva"});
    Append(wf::StakeholderInvited{"b2", "ngo-d", wf::StakeholderCategory::kNgo, "cosp-12"});
    Append(wf::ObjectionRaised{"b2", "ngo-d", "fr", "Grounds", "b2.ngo-d", "wg-som",
                               Instant("2026-06-25T10:00:00Z")},
           "fr-rep", "state");
    Append(wf::ReferredToWorkingGroup{"b2.ngo-d", "b2", "ngo-d", "fr", "wg-som", "Grounds",
                                      Instant("2026-06-25T10:00:00Z")},
           "fr-rep", "state");
  }

  projections::ReadModels& read_models() { return read_models_; }

 protected:
  engine::TimePoint deadline_{};
  uint64_t invited_at_ = 0;    // position of the last invitation to b1
  uint64_t confirmed_at_ = 0;  // position of ngo-a's confirmation
  uint64_t objected_at_ = 0;   // position of the referral of ngo-b
  uint64_t decided_at_ = 0;    // position of the referral decision
};

}  // namespace dialogue::api::testing
