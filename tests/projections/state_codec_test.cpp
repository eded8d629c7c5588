// The states' field lists (workflows/state_fields.hpp) through the codec (workflows/
// field_codec.hpp), as a snapshot writes and reads them.
#include "workflows/state_fields.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/projections/test_support.hpp"

namespace dialogue::projections {
namespace {

using nlohmann::json;
using testing::At;
using testing::Day;
namespace wf = workflows;
namespace codec = workflows::codec;

constexpr auto kAbsent = codec::Absent::kIsAnError;

template <class State>
json ToJson(const State& state) {
  return codec::ToDocument(state);
}

// The document reader, with the field at fault as the error's message.
template <class State>
engine::Status FromJson(const json& j, State& out) {
  std::string problem;
  if (codec::FromDocument<kAbsent>(j, out, &problem)) return {};
  return engine::Fail(engine::Error::Corruption(problem));
}

// Through the text form, as a snapshot stores it: read back through the document, and directly
// wherever the direct reader answers (a text with escapes it leaves to the document). The
// document writer's form reads back the same.
template <class State>
State RoundTrip(const State& state) {
  std::string text;
  codec::AppendText(text, state);
  CHECK(json::parse(text) == ToJson(state));
  State back;
  auto decoded = FromJson(json::parse(text), back);
  if (!decoded) FAIL(decoded.error().message);
  State direct;
  if (codec::FromText<kAbsent>(text, direct)) CHECK(direct == back);
  return back;
}

std::vector<wf::CountryMention> Mentions() {
  return {wf::CountryMention{"Viet Nam", "VN", 12}, wf::CountryMention{"Türkiye", "TR", 40}};
}

wf::BriefingState FullBriefing() {
  wf::BriefingState b;
  b.id = "b1";
  b.status = wf::BriefingStatus::kSummarized;
  b.title = "Prevention \"and\" victims\n\ttab\x01\x1f\r/";
  b.requested_by = "pres-1";
  b.meeting = "m-tip";
  b.working_group = "wg-tip";
  b.meeting_starts_on = Day("2026-07-14");
  b.meeting_ends_on = Day("2026-07-16");
  b.date = Day("2026-07-15");
  b.timezone = "Europe/Vienna";
  b.confirmation_deadline = At("2026-07-05T21:59:59Z");
  b.bureau_member = "bureau-1";
  wf::Participant p;
  p.stakeholder = "ngo-a";
  p.category = wf::StakeholderCategory::kNgo;
  p.conference_session = "cop-12";
  p.status = wf::ParticipantStatus::kUnderReferral;
  p.status_before_referral = wf::ParticipantStatus::kConfirmed;
  p.confirmed_at = At("2026-06-10T09:00:00.5Z");
  p.written_comments = "Comments in Viet Nam — and Türkiye \\ ünïcödé";
  p.country_mentions = Mentions();
  b.participants.push_back(p);
  wf::Participant q;
  q.stakeholder = "igo-d";
  q.category = wf::StakeholderCategory::kIgo;
  q.status = wf::ParticipantStatus::kLapsed;
  b.participants.push_back(q);
  b.referrals["ngo-a"] = wf::ReferralSummary{"b1.ngo-a", "state-p", wf::ReferralStatus::kDecided,
                                             wf::ReferralOutcome::kNotAdmitted};
  b.referrals["ngo-c"] =
      wf::ReferralSummary{"b1.ngo-c", "state-p", wf::ReferralStatus::kPending, std::nullopt};
  b.closed_deadlines = {At("2026-07-01T21:59:59Z"), At("2026-07-05T21:59:59Z")};
  b.attending_states = {"state-p", "state-s"};
  b.summary = wf::Summary{"The summary.", Mentions(), "CRP.1", std::string("Justified.")};
  b.cancellation_reason = "none";
  return b;
}

TEST_CASE("Every briefing field survives the round trip", "[codec]") {
  const wf::BriefingState full = FullBriefing();
  CHECK(RoundTrip(full) == full);

  wf::BriefingState sparse;  // optionals unset, empty collections
  sparse.id = "b2";
  sparse.status = wf::BriefingStatus::kRequested;
  CHECK(RoundTrip(sparse) == sparse);
  CHECK(RoundTrip(wf::BriefingState{}) == wf::BriefingState{});

  wf::BriefingState empty_summary = full;
  empty_summary.summary = wf::Summary{};
  CHECK(RoundTrip(empty_summary) == empty_summary);
}

TEST_CASE("Every reference data field survives the round trip", "[codec]") {
  const wf::ConferenceSessionState session{true, "cop-12", "Twelfth", Day("2024-10-14"),
                                           Day("2024-10-18")};
  CHECK(RoundTrip(session) == session);

  const wf::WorkingGroupState tip{true, "wg-tip", "Trafficking", wf::Instrument::kTip};
  const wf::WorkingGroupState convention{true, "wg-c", "Convention", std::nullopt};
  CHECK(RoundTrip(tip) == tip);
  CHECK(RoundTrip(convention) == convention);

  const wf::MeetingState meeting{true, "m1", "wg-tip", Day("2026-07-14"), Day("2026-07-16"), true};
  CHECK(RoundTrip(meeting) == meeting);
}

TEST_CASE("Every stakeholder field survives the round trip", "[codec]") {
  wf::StakeholderState s;
  s.created = true;
  s.id = "state-x";
  s.name = "State X";
  s.category = wf::StakeholderCategory::kSignatoryState;
  s.registered_ecosoc_status = wf::EcosocStatus::kRoster;
  s.ecosoc_changes = {{At("2026-01-01T00:00:00Z"), wf::EcosocStatus::kGeneral},
                      {At("2026-02-01T00:00:00.000001Z"), wf::EcosocStatus::kNone}};
  s.instruments = {{wf::Instrument::kConvention, wf::InstrumentStatus::kSignatory},
                   {wf::Instrument::kTip, wf::InstrumentStatus::kParty},
                   {wf::Instrument::kFirearms, wf::InstrumentStatus::kNone}};
  s.observer_entitlements = {{"cop-11", ""}, {"cop-12", "17"}};
  CHECK(RoundTrip(s) == s);
  CHECK(RoundTrip(wf::StakeholderState{}) == wf::StakeholderState{});
}

TEST_CASE("Every referral field survives the round trip", "[codec]") {
  wf::ReferralState r;
  r.id = "b1.ngo-a";
  r.briefing = "b1";
  r.stakeholder = "ngo-a";
  r.objecting_state = "state-p";
  r.working_group = "wg-tip";
  r.grounds = "Grounds.";
  r.status = wf::ReferralStatus::kWithdrawn;
  r.outcome = wf::ReferralOutcome::kAdmitted;
  r.reasons = "Reasons.";
  r.raised_at = At("2026-06-12T09:00:00Z");
  r.decided_at = At("2026-06-13T09:00:00Z");
  r.withdrawn_at = At("2026-06-14T09:00:00Z");
  CHECK(RoundTrip(r) == r);
  CHECK(RoundTrip(wf::ReferralState{}) == wf::ReferralState{});
}

TEST_CASE(
    "Every observer invitation, contribution, report and State participation field "
    "survives the round trip",
    "[codec]") {
  wf::ObserverInvitationState oi;
  oi.id = "oi-1";
  oi.status = wf::ObserverInvitationStatus::kRevoked;
  oi.meeting = "m-tip";
  oi.working_group = "wg-tip";
  oi.stakeholder = "ngo-a";
  oi.topic = "prevention";
  oi.meeting_starts_on = Day("2026-07-14");
  oi.meeting_ends_on = Day("2026-07-16");
  oi.revocation_reason = "Lost ECOSOC status.";
  CHECK(RoundTrip(oi) == oi);

  wf::ContributionRequestState cr;
  cr.created = true;
  cr.id = "cr-1";
  cr.working_group = "wg-tip";
  cr.stakeholders = {"ngo-a", "ngo-b"};
  cr.due_on = Day("2026-08-01");
  cr.contributions["ngo-a"] = wf::Contribution{"ngo-a",
                                               "Text in Viet Nam.",
                                               Mentions(),
                                               wf::ContributionStatus::kReturned,
                                               At("2026-06-21T09:00:00Z"),
                                               2,
                                               "Names a country."};
  cr.contributions["ngo-b"] = wf::Contribution{
      "ngo-b", "Text.", {}, wf::ContributionStatus::kUnderReview, At("2026-06-22T09:00:00Z"),
      1,       ""};
  CHECK(RoundTrip(cr) == cr);

  wf::StakeholderReportState report;
  report.created = true;
  report.id = "r-1";
  report.authors = {"ngo-a", "igo-d"};
  report.addressed_to = "conference";
  report.title = "Title";
  report.text = "Text";
  report.submitted_by = "ngo-a";
  report.submitted_at = At("2026-07-18T09:00:00Z");
  CHECK(RoundTrip(report) == report);
  CHECK(RoundTrip(wf::StakeholderReportState{}) == wf::StakeholderReportState{});

  wf::StateParticipationState sp;
  sp.id = "sp-1";
  sp.status = wf::StateParticipationStatus::kWithdrawn;
  sp.state = "state-s";
  sp.review_cycle = "second-cycle";
  sp.instrument = wf::Instrument::kSom;
  sp.fundings = {{"voluntary_contributions", 25000.5, "donor-x"},
                 {"voluntary_contributions", 0.1 + 0.2, "donor-y"}};
  sp.withdrawal_reasons = "Reasons.";
  CHECK(RoundTrip(sp) == sp);
}

TEST_CASE("A state that does not decode is refused, never thrown", "[codec]") {
  json good = ToJson(FullBriefing());
  wf::BriefingState out;

  SECTION("a missing field") {
    json bad = good;
    bad.erase("timezone");
    auto decoded = FromJson(bad, out);
    REQUIRE_FALSE(decoded);
    CHECK(decoded.error().code == engine::ErrorCode::kCorruption);
    CHECK_THAT(decoded.error().message, Catch::Contains("timezone"));
  }
  SECTION("an unknown enum name") {
    json bad = good;
    bad["participants"][0]["status"] = "dancing";
    CHECK_FALSE(FromJson(bad, out));
  }
  SECTION("a value of the wrong type") {
    json bad = good;
    bad["closed_deadlines"] = "2026-07-05T21:59:59Z";
    CHECK_FALSE(FromJson(bad, out));
  }
  SECTION("a bad instant") {
    json bad = good;
    bad["confirmation_deadline"] = "yesterday";
    CHECK_FALSE(FromJson(bad, out));
  }
  SECTION("a nested struct without its fields") {
    wf::ContributionRequestState cr;
    json j = ToJson(cr);
    j["contributions"]["ngo-a"] = json::object();
    CHECK_FALSE(FromJson(j, cr));
  }
  SECTION("an int field takes integers only") {
    wf::ContributionRequestState cr;
    cr.contributions["ngo-a"].submissions = 1;
    json j = ToJson(cr);
    j["contributions"]["ngo-a"]["submissions"] = -1;
    REQUIRE(FromJson(j, cr));  // an int may be negative
    CHECK(cr.contributions["ngo-a"].submissions == -1);
    j["contributions"]["ngo-a"]["offset"] = 1.5;  // unknown keys are ignored
    CHECK(FromJson(j, cr));
    j["contributions"]["ngo-a"]["submissions"] = 1.5;
    CHECK_FALSE(FromJson(j, cr));
  }
  SECTION("not an object") { CHECK_FALSE(FromJson(json::array(), out)); }
}

TEST_CASE("The direct reader reads what the writer writes, or leaves it to the document",
          "[codec]") {
  wf::StakeholderState s;
  s.created = true;
  s.id = "ngo-a";
  s.name = "Association pour la Défense";
  s.category = wf::StakeholderCategory::kNgo;
  s.ecosoc_changes = {{At("2026-01-01T00:00:00Z"), wf::EcosocStatus::kGeneral}};
  s.instruments = {{wf::Instrument::kTip, wf::InstrumentStatus::kParty}};
  s.observer_entitlements = {{"cop-12", "17"}};
  std::string text;
  codec::AppendText(text, s);
  wf::StakeholderState direct;
  REQUIRE(codec::FromText<kAbsent>(text, direct));
  CHECK(direct == s);
  CHECK(codec::FromText<kAbsent>("  " + text + "\n", direct));  // insignificant white space

  wf::StakeholderState out;
  SECTION("an escaped character") {
    const wf::BriefingState full = FullBriefing();  // its title has quotes and control characters
    std::string briefing;
    codec::AppendText(briefing, full);
    wf::BriefingState back;
    CHECK_FALSE(codec::FromText<kAbsent>(briefing, back));
    REQUIRE(FromJson(json::parse(briefing), back));
    CHECK(back == full);
  }
  SECTION("a negative integer") {
    wf::ContributionRequestState cr;
    cr.contributions["ngo-a"].submissions = -1;
    std::string request;
    codec::AppendText(request, cr);
    wf::ContributionRequestState back;
    CHECK_FALSE(codec::FromText<kAbsent>(request, back));
    REQUIRE(FromJson(json::parse(request), back));
    CHECK(back == cr);
  }
  SECTION("an unknown key") {
    json j = json::parse(text);
    j["extra"] = 1;
    CHECK_FALSE(codec::FromText<kAbsent>(j.dump(), out));
    CHECK(FromJson(j, out));
  }
  SECTION("a missing field, a repeated key, trailing bytes") {
    json j = json::parse(text);
    j.erase("name");
    CHECK_FALSE(codec::FromText<kAbsent>(j.dump(), out));
    CHECK_FALSE(FromJson(j, out));
    CHECK_FALSE(codec::FromText<kAbsent>(R"({"id":"a","id":"b"})", out));
    CHECK_FALSE(codec::FromText<kAbsent>(text + "x", out));
  }
  SECTION("an optional field left out, where the policy allows it") {
    json j = json::parse(text);
    j.erase("registered_ecosoc_status");  // not optional: still refused
    CHECK_FALSE(codec::FromText<codec::Absent::kOptionalIsNull>(j.dump(), out));
    wf::ReferralState r;
    r.id = "b1.ngo-a";
    r.decided_at = At("2026-07-01T00:00:00Z");
    json referral = ToJson(r);
    referral.erase("decided_at");
    wf::ReferralState back;
    CHECK_FALSE(codec::FromText<kAbsent>(referral.dump(), back));
    REQUIRE(codec::FromText<codec::Absent::kOptionalIsNull>(referral.dump(), back));
    CHECK_FALSE(back.decided_at.has_value());
  }
}

// Where the direct reader answers, the document reader must give the same state: a snapshot entry
// is read by the first and, where it gives up, by the second.
template <class State>
void CheckAgreement(const State& state, size_t& mutations, size_t& answered, size_t& mismatches) {
  const std::string bytes = std::string("\"\\{}[],:0-.e") + "\x80\xC3\xE2\n";
  std::string text;
  codec::AppendText(text, state);
  auto check = [&](const std::string& data) {
    ++mutations;
    State direct;
    if (!codec::FromText<kAbsent>(data, direct)) return;
    ++answered;
    const json parsed = json::parse(data, nullptr, /*allow_exceptions=*/false);
    State document;
    if (parsed.is_discarded() || !codec::FromDocument<kAbsent>(parsed, document) ||
        !(document == direct)) {
      ++mismatches;
      UNSCOPED_INFO("the readers disagree on " << data);
    }
  };
  for (size_t i = 0; i <= text.size(); ++i) {
    check(text.substr(0, i));
    for (char b : bytes) {
      std::string inserted = text;
      inserted.insert(inserted.begin() + static_cast<ptrdiff_t>(i), b);
      check(inserted);
      if (i < text.size() && text[i] != b) {
        std::string replaced = text;
        replaced[i] = b;
        check(replaced);
      }
    }
  }
}

TEST_CASE("Wherever the direct reader answers, the document reads the same state", "[codec]") {
  size_t mutations = 0, answered = 0, mismatches = 0;
  wf::BriefingState briefing = FullBriefing();
  briefing.title = "Prevention and victims";  // no escapes: the direct reader reads it
  briefing.participants[0].written_comments = "Comments in Viet Nam — and Türkiye";
  CheckAgreement(briefing, mutations, answered, mismatches);
  wf::StakeholderState s;
  s.created = true;
  s.id = "state-x";
  s.category = wf::StakeholderCategory::kSignatoryState;
  s.ecosoc_changes = {{At("2026-01-01T00:00:00Z"), wf::EcosocStatus::kGeneral}};
  s.instruments = {{wf::Instrument::kTip, wf::InstrumentStatus::kParty}};
  s.observer_entitlements = {{"cop-12", "17"}};
  CheckAgreement(s, mutations, answered, mismatches);
  INFO(mutations << " mutated inputs, " << answered << " answered by the direct reader");
  CHECK(mismatches == 0);
  CHECK(answered > 0);
  CHECK(answered < mutations);
}

TEST_CASE("Every field list names every member of its state", "[codec]") {
  CHECK(codec::ListedFields<wf::BriefingState>() == codec::FieldCount<wf::BriefingState>());
  CHECK(codec::ListedFields<wf::Participant>() == codec::FieldCount<wf::Participant>());
  CHECK(codec::ListedFields<wf::StakeholderState>() == codec::FieldCount<wf::StakeholderState>());
  CHECK(codec::ListedFields<wf::ReferralState>() == codec::FieldCount<wf::ReferralState>());
  CHECK(codec::ListedFields<wf::ContributionRequestState>() ==
        codec::FieldCount<wf::ContributionRequestState>());
  CHECK(codec::ListedFields<wf::StateParticipationState>() ==
        codec::FieldCount<wf::StateParticipationState>());
  CHECK(codec::ListedFields<wf::CountryMention>() == codec::FieldCount<wf::CountryMention>());
}

}  // namespace
}  // namespace dialogue::projections
