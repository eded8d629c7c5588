// The JSON shape of every entity GET and list of the read side.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tests/api/query_fixture.hpp"

namespace dialogue::api {
namespace {

using nlohmann::json;
namespace wf = workflows;
using testing::Answer;
using testing::Day;
using testing::Instant;

class EntityFixture : public testing::QueryFixture {
 public:
  EntityFixture() {
    RegisterReferenceData();
    ConveneBriefing();
    ConfirmAndObject();
  }
};

TEST_CASE_METHOD(EntityFixture, "Reference data reads as the contract's shapes", "[query]") {
  auto session = Get("sec", "/v1/conference-sessions/cosp-12");
  REQUIRE(session.status == 200);
  CHECK(session.body == json{{"id", "cosp-12"},
                             {"title", "Twelfth session of the Conference"},
                             {"starts_on", "2025-10-13"},
                             {"ends_on", "2025-10-17"},
                             {"version", 1}});
  CHECK(session.etag == "\"1\"");

  auto group = Get("ngo-a", "/v1/working-groups/wg-tip");
  REQUIRE(group.status == 200);
  CHECK(group.body == json{{"id", "wg-tip"},
                           {"name", "Working Group on Trafficking in Persons"},
                           {"protocol", "tip"},
                           {"version", 1}});

  auto meeting = Get("state-at", "/v1/meetings/m-tip-16");
  REQUIRE(meeting.status == 200);
  CHECK(meeting.body == json{{"id", "m-tip-16"},
                             {"working_group", "wg-tip"},
                             {"starts_on", "2026-07-14"},
                             {"ends_on", "2026-07-16"},
                             {"review_agenda_item", true},
                             {"version", 1}});

  CHECK(Get("sec", "/v1/meetings/m-none").status == 404);
  CHECK(Get("sec", "/v1/working-groups/wg-none").body.value("code", "") == "not_found");
}

TEST_CASE_METHOD(EntityFixture, "Reference lists hold every entry and take their filters",
                 "[query]") {
  auto sessions = Get("ngo-c", "/v1/conference-sessions");
  REQUIRE(sessions.status == 200);
  REQUIRE(sessions.body["conference_sessions"].size() == 1);
  CHECK(sessions.body["conference_sessions"][0]["id"] == "cosp-12");

  auto groups = Get("bureau", "/v1/working-groups");
  REQUIRE(groups.status == 200);
  CHECK(groups.body["working_groups"].size() == 2);

  auto meetings = Get("sec", "/v1/meetings?working_group=wg-som");
  REQUIRE(meetings.status == 200);
  REQUIRE(meetings.body["meetings"].size() == 1);
  CHECK(meetings.body["meetings"][0]["id"] == "m-som-11");
  CHECK(Get("sec", "/v1/meetings").body["meetings"].size() == 2);

  auto ngos = Get("sec", "/v1/stakeholders?category=ngo");
  REQUIRE(ngos.status == 200);
  std::vector<std::string> ids;
  for (const auto& entry : ngos.body["stakeholders"]) ids.push_back(entry["id"]);
  std::sort(ids.begin(), ids.end());
  CHECK(ids == std::vector<std::string>{"ngo-a", "ngo-b", "ngo-c", "ngo-d"});
  CHECK(Get("sec", "/v1/stakeholders").body["stakeholders"].size() == 7);
  auto bad = Get("sec", "/v1/stakeholders?category=club");
  CHECK(bad.status == 400);
  CHECK(bad.body["errors"][0]["field"] == "category");
}

TEST_CASE_METHOD(EntityFixture, "A stakeholder reads with entitlements, participations and version",
                 "[query]") {
  auto ngo = Get("sec", "/v1/stakeholders/ngo-a");
  REQUIRE(ngo.status == 200);
  CHECK(ngo.body["id"] == "ngo-a");
  CHECK(ngo.body["name"] == "Alliance against Trafficking");
  CHECK(ngo.body["category"] == "ngo");
  CHECK(ngo.body["ecosoc_status"] == "special");
  CHECK(ngo.body["observer_entitlements"] ==
        json::array({{{"conference_session", "cosp-12"}, {"rule", "17"}}}));
  CHECK(ngo.body["participations"] ==
        json::array({{{"kind", "briefing"}, {"id", "b1"}, {"status", "confirmed"}}}));
  CHECK(ngo.body["version"] == 2);
  CHECK(ngo.etag == "\"2\"");
  CHECK_FALSE(ngo.body.contains("instruments"));

  auto state = Get("sec", "/v1/stakeholders/at");
  REQUIRE(state.status == 200);
  CHECK(state.body["category"] == "state_party");
  CHECK(state.body["instruments"] == json{{"convention", "party"}, {"tip", "party"}});
  CHECK(state.body["participations"] == json::array());
}

TEST_CASE_METHOD(EntityFixture, "A briefing reads with participants, deadline and null summary",
                 "[query]") {
  auto briefing = Get("sec", "/v1/briefings/b1");
  REQUIRE(briefing.status == 200);
  const json& b = briefing.body;
  CHECK(b["id"] == "b1");
  CHECK(b["title"] == "Victims' assistance in the review process");
  CHECK(b["status"] == "convened");
  CHECK(b["meeting"] == "m-tip-16");
  CHECK(b["working_group"] == "wg-tip");
  CHECK(b["date"] == "2026-07-15");
  CHECK(b["timezone"] == "Europe/Vienna");
  // The end of 5 July in Vienna (CEST, UTC+2).
  CHECK(b["confirmation_deadline"] == "2026-07-05T21:59:59Z");
  CHECK(b["confirmation_deadline_local"] == "2026-07-05T23:59:59+02:00");
  CHECK(b["confirmation_window_closed"] == false);
  CHECK(b["bureau_member"] == "bureau-eva");
  CHECK(b["requested_by"] == "pres-li");
  CHECK(b["summary"].is_null());
  CHECK(b["states"] == json::array());
  CHECK(b["cancellation_reason"].is_null());
  CHECK(b["version"] == 7);  // requested, convened, 3 invitations, a confirmation, an objection
  REQUIRE(b["participants"].size() == 3);
  const json& a = b["participants"][0];
  CHECK(a["stakeholder"] == "ngo-a");
  CHECK(a["category"] == "ngo");
  CHECK(a["status"] == "confirmed");
  CHECK(a["confirmed_at"] == "2026-06-20T10:00:00Z");
  CHECK(a["written_comments"] == "We will present our shelter work in Viet Nam.");
  CHECK(a["country_mentions"] ==
        json::array({{{"name", "Viet Nam"}, {"country", "VN"}, {"offset", 36}}}));
  CHECK(a["referral"].is_null());
  const json& ngo_b = b["participants"][1];
  CHECK(ngo_b["status"] == "under_referral");
  CHECK(ngo_b["confirmed_at"].is_null());
  CHECK(ngo_b["written_comments"].is_null());
  CHECK(ngo_b["referral"] == "b1.ngo-b");
  CHECK(b["participants"][2]["category"] == "igo");
}

// The members of a JSON object, in order.
std::vector<std::string> KeysOf(const json& object) {
  std::vector<std::string> keys;
  for (const auto& [key, value] : object.items()) keys.push_back(key);
  return keys;
}

// The views are derived from the states' field lists (api/routes/views.cpp): a field added to a
// state must not reach the API unannounced. These pin each view's members.
TEST_CASE_METHOD(EntityFixture, "Each view has exactly its members whatever the state holds",
                 "[query]") {
  using Keys = std::vector<std::string>;
  DecideReferral();
  Append(wf::BriefingHeld{"b1", {"ngo-a", "ngo-b"}, {"at"}, Instant("2026-07-15T09:00:00Z")},
         "sec-ana", "secretariat", "2026-07-15T13:00:00Z");
  Append(wf::SummaryPrepared{"b1", "Shelters.", {}});
  auto briefing = Get("sec", "/v1/briefings/b1");
  REQUIRE(briefing.status == 200);
  CHECK(KeysOf(briefing.body) == Keys{"bureau_member", "cancellation_reason",
                                      "confirmation_deadline", "confirmation_deadline_local",
                                      "confirmation_window_closed", "date", "id", "meeting",
                                      "participants", "requested_by", "states", "status", "summary",
                                      "timezone", "title", "version", "working_group"});
  CHECK(KeysOf(briefing.body["participants"][0]) ==
        Keys{"category", "confirmed_at", "country_mentions", "referral", "stakeholder", "status",
             "written_comments"});
  CHECK(KeysOf(briefing.body["summary"]) ==
        Keys{"country_mentions", "crp_symbol", "override_justification", "text"});
  // A summary prepared, not yet submitted: no symbol, no justification.
  CHECK(briefing.body["summary"]["crp_symbol"].is_null());
  CHECK(briefing.body["summary"]["override_justification"].is_null());

  auto list = Get("sec", "/v1/briefings");
  REQUIRE(list.status == 200);
  CHECK(KeysOf(list.body["briefings"][0]) ==
        Keys{"date", "id", "meeting", "status", "title", "working_group"});

  auto stakeholders = Get("sec", "/v1/stakeholders");
  REQUIRE(stakeholders.status == 200);
  for (const auto& entry : stakeholders.body["stakeholders"]) {
    const bool state = entry["category"] == "state_party";
    CHECK(KeysOf(entry) == (state ? Keys{"category", "ecosoc_status", "id", "instruments", "name"}
                                  : Keys{"category", "ecosoc_status", "id", "name"}));
  }
  auto ngo = Get("sec", "/v1/stakeholders/ngo-a");
  REQUIRE(ngo.status == 200);
  CHECK(KeysOf(ngo.body) == Keys{"category", "ecosoc_changes", "ecosoc_status", "id", "name",
                                 "observer_entitlements", "participations", "version"});
  auto state = Get("sec", "/v1/stakeholders/at");
  REQUIRE(state.status == 200);
  CHECK(KeysOf(state.body) == Keys{"category", "ecosoc_changes", "ecosoc_status", "id",
                                   "instruments", "name", "observer_entitlements", "participations",
                                   "version"});
}

TEST_CASE_METHOD(EntityFixture, "A briefing not yet convened has nulls for what convening sets",
                 "[query]") {
  Append(wf::BriefingRequested{"b9", "Later", "pres-li"}, "pres-li", "president");
  auto briefing = Get("sec", "/v1/briefings/b9");
  REQUIRE(briefing.status == 200);
  for (const char* field : {"meeting", "working_group", "date", "timezone", "confirmation_deadline",
                            "confirmation_deadline_local", "bureau_member", "summary"}) {
    INFO(field);
    CHECK(briefing.body[field].is_null());
  }
  CHECK(briefing.body["status"] == "requested");
  CHECK(briefing.body["participants"] == json::array());
}

TEST_CASE_METHOD(EntityFixture, "A held briefing's summary reads with its mentions and CRP symbol",
                 "[query]") {
  DecideReferral();
  Append(wf::BriefingHeld{"b1", {"ngo-a", "ngo-b"}, {"at"}, Instant("2026-07-15T09:00:00Z")},
         "sec-ana", "secretariat", "2026-07-15T13:00:00Z");
  const std::string text = "Participants discussed shelters; one mentioned Türkiye.";
  Append(wf::SummaryPrepared{"b1", text, wf::ScreenForCountries(text)});
  Append(wf::SummarySubmitted{"b1", "CTOC/COP/WG.4/2026/CRP.1", "General reference only"});
  auto briefing = Get("auditor", "/v1/briefings/b1");
  REQUIRE(briefing.status == 200);
  CHECK(briefing.body["status"] == "submitted");
  CHECK(briefing.body["states"] == json::array({"at"}));
  const json& summary = briefing.body["summary"];
  CHECK(summary["text"] == text);
  REQUIRE(summary["country_mentions"].size() == 1);
  CHECK(summary["country_mentions"][0]["country"] == "TR");
  CHECK(summary["crp_symbol"] == "CTOC/COP/WG.4/2026/CRP.1");
  CHECK(summary["override_justification"] == "General reference only");
  CHECK(briefing.body["participants"][0]["status"] == "attended");
  CHECK(briefing.body["participants"][1]["status"] == "attended");
}

TEST_CASE_METHOD(EntityFixture, "The briefing list gives one entry per briefing", "[query]") {
  SecondBriefingWithPendingReferral();
  auto list = Get("president", "/v1/briefings");
  REQUIRE(list.status == 200);
  REQUIRE(list.body["briefings"].size() == 2);
  json b1;
  for (const auto& entry : list.body["briefings"]) {
    if (entry["id"] == "b1") b1 = entry;
  }
  CHECK(b1 == json{{"id", "b1"},
                   {"title", "Victims' assistance in the review process"},
                   {"status", "convened"},
                   {"meeting", "m-tip-16"},
                   {"working_group", "wg-tip"},
                   {"date", "2026-07-15"}});
}

TEST_CASE_METHOD(EntityFixture, "The eligible list names the previous session and who may come",
                 "[query]") {
  auto eligible = Get("sec", "/v1/briefings/b1/eligible");
  REQUIRE(eligible.status == 200);
  CHECK(eligible.body["conference_session"] == "cosp-12");
  CHECK(eligible.body["date"] == "2026-07-15");
  std::map<std::string, bool> invited;
  for (const auto& entry : eligible.body["stakeholders"]) {
    CHECK(entry.contains("name"));
    CHECK(entry.contains("category"));
    invited[entry["id"]] = entry["invited"];
  }
  // ngo-c was not entitled at cosp-12; States are not invited (59(f)).
  CHECK(invited == std::map<std::string, bool>{
                       {"igo-x", true}, {"ngo-a", true}, {"ngo-b", true}, {"ngo-d", false}});

  // Before the first session ended nobody is eligible.
  auto early = Get("sec", "/v1/briefings/b1/eligible?date=2025-10-15");
  REQUIRE(early.status == 200);
  CHECK(early.body["conference_session"].is_null());
  CHECK(early.body["stakeholders"] == json::array());
  CHECK(Get("sec", "/v1/briefings/b1/eligible?date=15-07-2026").status == 400);
  CHECK(Get("sec", "/v1/briefings/none/eligible").status == 404);
}

TEST_CASE_METHOD(EntityFixture, "A briefing without a date needs ?date= for its eligible list",
                 "[query]") {
  Append(wf::BriefingRequested{"b9", "Later", "pres-li"}, "pres-li", "president");
  auto refused = Get("sec", "/v1/briefings/b9/eligible");
  CHECK(refused.status == 400);
  CHECK(refused.body["errors"][0]["field"] == "date");
  auto preview = Get("sec", "/v1/briefings/b9/eligible?date=2026-09-01");
  REQUIRE(preview.status == 200);
  CHECK(preview.body["conference_session"] == "cosp-12");
  CHECK(preview.body["stakeholders"].size() == 4);
}

TEST_CASE_METHOD(EntityFixture, "A referral reads with its objecting State, status and times",
                 "[query]") {
  auto pending = Get("wg-tip", "/v1/referrals/b1.ngo-b");
  REQUIRE(pending.status == 200);
  CHECK(pending.body["id"] == "b1.ngo-b");
  CHECK(pending.body["briefing"] == "b1");
  CHECK(pending.body["stakeholder"] == "ngo-b");
  CHECK(pending.body["objecting_state"] == "at");
  CHECK(pending.body["working_group"] == "wg-tip");
  CHECK(pending.body["status"] == "pending");
  CHECK(pending.body["outcome"].is_null());
  CHECK(pending.body["raised_at"] == "2026-06-22T10:00:00Z");
  CHECK(pending.body["decided_at"].is_null());
  CHECK(pending.body["grounds"] == "Not relevant to the review");
  CHECK(pending.body["version"] == 1);

  DecideReferral();
  auto decided = Get("wg-tip", "/v1/referrals/b1.ngo-b");
  REQUIRE(decided.status == 200);
  CHECK(decided.body["status"] == "decided");
  CHECK(decided.body["outcome"] == "admitted");
  CHECK(decided.body["decided_at"] == "2026-06-30T15:00:00Z");
  CHECK(decided.etag == "\"2\"");
  CHECK(Get("sec", "/v1/referrals/b1.ngo-z").status == 404);
}

TEST_CASE_METHOD(EntityFixture, "Observer invitations, contributions, reports and participations",
                 "[query]") {
  Append(wf::ObserverInvited{"oi-1", "m-tip-16", "wg-tip", "ngo-b", "tip-art6-para3",
                             Day("2026-07-14"), Day("2026-07-16")},
         "wg-tip-chair", "working_group");
  Append(wf::ObserverInvitationAnswered{"oi-1", "ngo-b", true}, "ngo-b-rep", "stakeholder");
  auto invitation = Get("sec", "/v1/observer-invitations/oi-1");
  REQUIRE(invitation.status == 200);
  CHECK(invitation.body == json{{"id", "oi-1"},
                                {"status", "accepted"},
                                {"meeting", "m-tip-16"},
                                {"working_group", "wg-tip"},
                                {"stakeholder", "ngo-b"},
                                {"topic", "tip-art6-para3"},
                                {"meeting_starts_on", "2026-07-14"},
                                {"meeting_ends_on", "2026-07-16"},
                                {"revocation_reason", nullptr},
                                {"version", 2}});

  Append(wf::ContributionsRequested{"cr-1", "wg-tip", {"ngo-a", "ngo-b"}, Day("2026-08-31")},
         "wg-tip-chair", "working_group");
  const std::string text = "Screening of victims at borders with Mexico needs funds.";
  Append(wf::ContributionSubmitted{"cr-1", "ngo-a", text, wf::ScreenForCountries(text),
                                   wf::ContributionStatus::kUnderReview,
                                   Instant("2026-07-01T08:00:00Z")},
         "ngo-a-rep", "stakeholder");
  auto request = Get("sec", "/v1/contribution-requests/cr-1");
  REQUIRE(request.status == 200);
  CHECK(request.body["status"] == "requested");  // API.md: each GET has its current status
  CHECK(request.body["working_group"] == "wg-tip");
  CHECK(request.body["stakeholders"] == json::array({"ngo-a", "ngo-b"}));
  CHECK(request.body["due_on"] == "2026-08-31");
  CHECK(request.body["contributions"].size() == 1);
  CHECK(request.body["version"] == 2);

  auto contribution = Get("sec", "/v1/contribution-requests/cr-1/contributions/ngo-a");
  REQUIRE(contribution.status == 200);
  CHECK(contribution.body["stakeholder"] == "ngo-a");
  CHECK(contribution.body["status"] == "under_review");
  CHECK(contribution.body["text"] == text);
  CHECK(contribution.body["country_mentions"][0]["country"] == "MX");
  CHECK(contribution.body["submitted_at"] == "2026-07-01T08:00:00Z");
  CHECK(contribution.body["submissions"] == 1);
  CHECK(contribution.body["version"] == 2);
  CHECK(contribution.etag == "\"2\"");
  // Invited but not submitted yet: no contribution.
  CHECK(Get("sec", "/v1/contribution-requests/cr-1/contributions/ngo-b").status == 404);

  Append(wf::ContributionReviewed{"cr-1", "ngo-a", wf::ContributionStatus::kReturned,
                                  "Please remove the country reference"});
  auto returned = Get("sec", "/v1/contribution-requests/cr-1/contributions/ngo-a");
  CHECK(returned.body["status"] == "returned");
  CHECK(returned.body["review_reasons"] == "Please remove the country reference");

  Append(wf::StakeholderReportSubmitted{"r-1",
                                        {"ngo-a", "igo-x"},
                                        "wg-tip",
                                        "Shelters 2026",
                                        "What we did.",
                                        "ngo-a",
                                        Instant("2026-07-02T08:00:00Z")},
         "ngo-a-rep", "stakeholder");
  auto report = Get("sec", "/v1/reports/r-1");
  REQUIRE(report.status == 200);
  CHECK(report.body == json{{"id", "r-1"},
                            {"status", "submitted"},
                            {"authors", {"ngo-a", "igo-x"}},
                            {"addressed_to", "wg-tip"},
                            {"title", "Shelters 2026"},
                            {"text", "What we did."},
                            {"submitted_by", "ngo-a"},
                            {"submitted_at", "2026-07-02T08:00:00Z"},
                            {"version", 1}});

  Append(wf::StateParticipationRequested{"sp-1", "fr", "cycle-2", wf::Instrument::kSom}, "fr-rep",
         "state");
  Append(wf::StateParticipationFunded{"sp-1", "voluntary_contributions", 25000, "Norway"});
  auto participation = Get("sec", "/v1/state-participations/sp-1");
  REQUIRE(participation.status == 200);
  CHECK(participation.body["status"] == "funded");
  CHECK(participation.body["state"] == "fr");
  CHECK(participation.body["review_cycle"] == "cycle-2");
  CHECK(participation.body["instrument"] == "som");
  CHECK(participation.body["fundings"] == json::array({{{"source", "voluntary_contributions"},
                                                        {"amount_usd", 25000.0},
                                                        {"donor", "Norway"}}}));
  CHECK(participation.body["version"] == 2);

  for (const char* missing : {"/v1/observer-invitations/oi-9", "/v1/contribution-requests/cr-9",
                              "/v1/reports/r-9", "/v1/state-participations/sp-9"}) {
    INFO(missing);
    CHECK(Get("sec", missing).status == 404);
  }
}

TEST_CASE_METHOD(EntityFixture,
                 "A read waits for the read models at the head the request found; without a "
                 "projector it folds on its own thread",
                 "[query]") {
  // Read models that nothing keeps at the head, behind a store that went on without them.
  projections::ReadModels behind(store());
  REQUIRE(behind.Open());
  const uint64_t opened_at = Head();
  Append(wf::StakeholderRegistered{
      "ngo-late", "Late NGO", wf::StakeholderCategory::kNgo, wf::EcosocStatus::kSpecial, {}});
  ApiContext bare{store(), clock(), metrics(), behind};
  const ReadGate gate = ReadModelsGate(bare);
  CHECK(behind.position() == opened_at);
  CHECK_FALSE(gate.ready());
  std::optional<bool> folded;
  gate.await([&folded](bool ok) { folded = ok; });
  CHECK(folded == true);  // called before await returned
  CHECK(behind.position() == Head());
  CHECK(gate.ready());
  CHECK(behind.Stakeholder("ngo-late").has_value());

  // The served path: the same append is read at once through the projector's fold.
  auto late = Get("sec", "/v1/stakeholders/ngo-late");
  CHECK(late.status == 200);
}

}  // namespace
}  // namespace dialogue::api
