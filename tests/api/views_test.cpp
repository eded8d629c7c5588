// The read endpoints' JSON, view by view: the members the contract names, and null (never an empty
// text, never absent) where a field is unset. Most views are their state's field list
// (workflows/state_fields.hpp) less `exists`; these pin every member, so a member added to a state
// shows here before it shows in an answer.
#include "api/routes/views.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

namespace dialogue::api {
namespace {

using nlohmann::json;
namespace wf = workflows;

wf::TimePoint At(std::string_view text) { return wf::ParseInstant(text).value(); }
wf::Date Day(std::string_view text) { return wf::ParseDate("date", text).value(); }

TEST_CASE("Reference data views hold the state's fields, not `exists`", "[views]") {
  CHECK(ConferenceSessionView({true, "cop-12", "Twelfth", Day("2024-10-14"), Day("2024-10-18")}) ==
        json{{"id", "cop-12"},
             {"title", "Twelfth"},
             {"starts_on", "2024-10-14"},
             {"ends_on", "2024-10-18"}});
  CHECK(WorkingGroupView({true, "wg-tip", "Trafficking", wf::Instrument::kTip}) ==
        json{{"id", "wg-tip"}, {"name", "Trafficking"}, {"protocol", "tip"}});
  CHECK(WorkingGroupView({true, "wg-c", "Convention", std::nullopt}) ==
        json{{"id", "wg-c"}, {"name", "Convention"}, {"protocol", nullptr}});
  CHECK(MeetingView({true, "m1", "wg-tip", Day("2026-07-14"), Day("2026-07-16"), true}) ==
        json{{"id", "m1"},
             {"working_group", "wg-tip"},
             {"starts_on", "2026-07-14"},
             {"ends_on", "2026-07-16"},
             {"review_agenda_item", true}});
}

TEST_CASE("A referral's view: unset texts and instants are null", "[views]") {
  wf::ReferralState r;
  r.id = "b1.ngo-a";
  r.briefing = "b1";
  r.stakeholder = "ngo-a";
  r.objecting_state = "state-p";
  r.working_group = "wg-tip";
  r.status = wf::ReferralStatus::kPending;
  r.raised_at = At("2026-06-01T10:00:00Z");
  CHECK(ReferralView(r) == json{{"id", "b1.ngo-a"},
                                {"briefing", "b1"},
                                {"stakeholder", "ngo-a"},
                                {"objecting_state", "state-p"},
                                {"working_group", "wg-tip"},
                                {"status", "pending"},
                                {"outcome", nullptr},
                                {"raised_at", "2026-06-01T10:00:00Z"},
                                {"decided_at", nullptr},
                                {"withdrawn_at", nullptr},
                                {"grounds", nullptr},
                                {"reasons", nullptr}});
  r.grounds = "Outside the scope";
  r.status = wf::ReferralStatus::kDecided;
  r.outcome = wf::ReferralOutcome::kAdmitted;
  r.reasons = "Within the scope after all";
  r.decided_at = At("2026-06-20T10:00:00.5Z");
  const json decided = ReferralView(r);
  CHECK(decided["grounds"] == "Outside the scope");
  CHECK(decided["outcome"] == "admitted");
  CHECK(decided["reasons"] == "Within the scope after all");
  CHECK(decided["decided_at"] == wf::FormatInstant(*r.decided_at));
  CHECK(decided.size() == 12);
}

TEST_CASE("An observer invitation's view", "[views]") {
  wf::ObserverInvitationState oi;
  oi.id = "oi-1";
  oi.status = wf::ObserverInvitationStatus::kInvited;
  oi.meeting = "m1";
  oi.working_group = "wg-tip";
  oi.stakeholder = "ngo-a";
  oi.topic = "";
  oi.meeting_starts_on = Day("2026-07-14");
  oi.meeting_ends_on = Day("2026-07-16");
  const json expected = {{"id", "oi-1"},
                         {"status", "invited"},
                         {"meeting", "m1"},
                         {"working_group", "wg-tip"},
                         {"stakeholder", "ngo-a"},
                         {"topic", ""},  // only the reason is null when empty
                         {"meeting_starts_on", "2026-07-14"},
                         {"meeting_ends_on", "2026-07-16"},
                         {"revocation_reason", nullptr}};
  CHECK(ObserverInvitationView(oi) == expected);
  oi.status = wf::ObserverInvitationStatus::kRevoked;
  oi.revocation_reason = "Lost ECOSOC status.";
  CHECK(ObserverInvitationView(oi)["revocation_reason"] == "Lost ECOSOC status.");
}

TEST_CASE("A contribution request's view lists its contributions", "[views]") {
  wf::ContributionRequestState cr;
  cr.created = true;
  cr.id = "cr-1";
  cr.working_group = "wg-tip";
  cr.stakeholders = {"ngo-a", "ngo-b"};
  cr.due_on = Day("2026-09-01");
  wf::Contribution a;
  a.stakeholder = "ngo-a";
  a.text = "Our view.";
  a.country_mentions = {wf::CountryMention{"Viet Nam", "VN", 3}};
  a.status = wf::ContributionStatus::kAccepted;
  a.submitted_at = At("2026-08-01T09:00:00Z");
  a.submissions = 1;
  cr.contributions["ngo-a"] = a;
  wf::Contribution b = a;
  b.stakeholder = "ngo-b";
  b.country_mentions.clear();
  b.status = wf::ContributionStatus::kReturned;
  b.submissions = 2;
  b.review_reasons = "Please remove the country reference";
  cr.contributions["ngo-b"] = b;

  const json view_a = {
      {"contribution_request", "cr-1"},
      {"stakeholder", "ngo-a"},
      {"status", "accepted"},
      {"text", "Our view."},
      {"country_mentions", {{{"name", "Viet Nam"}, {"country", "VN"}, {"offset", 3}}}},
      {"submitted_at", "2026-08-01T09:00:00Z"},
      {"submissions", 1},
      {"review_reasons", nullptr}};
  CHECK(ContributionView(cr, a) == view_a);
  const json all = ContributionRequestView(cr);
  CHECK(all == json{{"id", "cr-1"},
                    {"status", "requested"},
                    {"working_group", "wg-tip"},
                    {"stakeholders", {"ngo-a", "ngo-b"}},
                    {"due_on", "2026-09-01"},
                    {"contributions", {view_a, ContributionView(cr, b)}}});
  CHECK(all["contributions"][1]["review_reasons"] == "Please remove the country reference");
  const json only_b = ContributionRequestView(cr, "ngo-b");
  REQUIRE(only_b["contributions"].size() == 1);
  CHECK(only_b["contributions"][0]["stakeholder"] == "ngo-b");
}

TEST_CASE("A report's and a State participation's views", "[views]") {
  wf::StakeholderReportState report;
  report.created = true;
  report.id = "r-1";
  report.authors = {"ngo-a"};
  report.addressed_to = "conference";
  report.title = "Title";
  report.text = "Text";
  report.submitted_at = At("2026-08-01T09:00:00Z");
  CHECK(ReportView(report) == json{{"id", "r-1"},
                                   {"status", "submitted"},
                                   {"authors", {"ngo-a"}},
                                   {"addressed_to", "conference"},
                                   {"title", "Title"},
                                   {"text", "Text"},
                                   {"submitted_by", nullptr},
                                   {"submitted_at", "2026-08-01T09:00:00Z"}});

  wf::StateParticipationState sp;
  sp.id = "sp-1";
  sp.status = wf::StateParticipationStatus::kFunded;
  sp.state = "state-s";
  sp.review_cycle = "second";
  sp.instrument = wf::Instrument::kSom;
  sp.fundings = {{"voluntary_contributions", 25000.5, "Norway"}, {"regular_budget", 100, ""}};
  CHECK(
      StateParticipationView(sp) ==
      json{{"id", "sp-1"},
           {"status", "funded"},
           {"state", "state-s"},
           {"review_cycle", "second"},
           {"instrument", "som"},
           {"fundings",
            {{{"source", "voluntary_contributions"}, {"amount_usd", 25000.5}, {"donor", "Norway"}},
             {{"source", "regular_budget"}, {"amount_usd", 100.0}, {"donor", nullptr}}}},
           {"withdrawal_reasons", nullptr}});
}

}  // namespace
}  // namespace dialogue::api
