// Events to and from their stored form (type name + JSON object), streams, and the audit
// trail's sentences.
#include "workflows/events.hpp"

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "engine/canonical.hpp"
#include "workflows/describe.hpp"
#include "world.hpp"

namespace dialogue::workflows {
namespace {

using testing::At;

Date D(std::string_view text) { return *ParseDate("date", text); }

// One sample of every event type, in the order of the Event variant.
std::vector<Event> Samples() {
  const TimePoint t = At("2026-07-05T21:59:59Z");
  const std::vector<CountryMention> mentions{{"Viet Nam", "VN", 12}};
  return {
      ConferenceSessionRegistered{"cop-12", "Twelfth session", D("2025-10-13"), D("2025-10-17")},
      WorkingGroupRegistered{"wg-tip", "Trafficking", Instrument::kTip},
      MeetingScheduled{"m1", "wg-tip", D("2026-07-13"), D("2026-07-17"), true},
      StakeholderRegistered{"sig-2",
                            "Signatoria",
                            StakeholderCategory::kSignatoryState,
                            EcosocStatus::kNone,
                            {{Instrument::kTip, InstrumentStatus::kParty}}},
      EcosocStatusChanged{"ngo-a", EcosocStatus::kRoster, t},
      ObserverEntitlementRecorded{"ngo-a", "cop-12", "17"},
      BriefingRequested{"b1", "Outcomes", "pres-lee"},
      BriefingConvened{"b1", "m1", "wg-tip", D("2026-07-13"), D("2026-07-17"), D("2026-07-15"),
                       "Europe/Vienna", t, "bureau-vp"},
      StakeholderInvited{"b1", "ngo-a", StakeholderCategory::kNgo, "cop-12"},
      BriefingRescheduled{"b1", D("2026-07-16"), D("2026-07-15"), t},
      InvitationDeclined{"b1", "ngo-b"},
      AttendanceConfirmed{"b1", "ngo-a", "Our work in Viet Nam", mentions, t},
      ObjectionRaised{"b1", "ngo-a", "sp-1", "grounds", "b1.ngo-a", "wg-tip", t},
      ReferredToWorkingGroup{"b1.ngo-a", "b1", "ngo-a", "sp-1", "wg-tip", "grounds", t},
      ReferralDecided{"b1.ngo-a", "b1", "ngo-a", "wg-tip", ReferralOutcome::kNotAdmitted, "reasons",
                      t},
      ObjectionWithdrawn{"b1.ngo-a", "b1", "ngo-a", "sp-1", "reasons", t},
      BriefingHeld{"b1", {"ngo-a"}, {"sp-1", "sig-2"}, t},
      SummaryPrepared{"b1", "Our work in Viet Nam", mentions},
      SummarySubmitted{"b1", "CRP.1", std::string("quoted")},
      BriefingCancelled{"b1", "no quorum"},
      ConfirmationWindowClosed{"b1", t, {"ngo-b", "ngo-c"}},
      ObserverInvited{"oi-1", "m1", "wg-tip", "ngo-a", "tip-art6-para3", D("2026-07-13"),
                      D("2026-07-17")},
      ObserverInvitationAnswered{"oi-1", "ngo-a", true},
      ObserverInvitationRevoked{"oi-1", "ngo-a", "lost status"},
      ContributionsRequested{"cr-1", "wg-tip", {"ngo-a", "ngo-b"}, D("2026-09-30")},
      ContributionSubmitted{"cr-1", "ngo-a", "text", mentions, ContributionStatus::kUnderReview, t},
      ContributionReviewed{"cr-1", "ngo-a", ContributionStatus::kReturned, "remove names"},
      StakeholderReportSubmitted{
          "r-1", {"ngo-a", "igo-x"}, "conference", "Title", "Text", "ngo-a", t},
      StateParticipationRequested{"sp-req", "sig-2", "second cycle", Instrument::kConvention},
      StateParticipationFunded{"sp-req", "voluntary_contributions", 12500.5, "Donoria"},
      StateParticipationWithdrawn{"sp-req", "sig-2", "reasons"},
  };
}

TEST_CASE("Every event type round-trips through its stored form", "[events]") {
  const auto samples = Samples();
  REQUIRE(samples.size() == std::variant_size_v<Event>);
  REQUIRE(AllEventTypes().size() == samples.size());
  for (size_t i = 0; i < samples.size(); ++i) {
    const Event& e = samples[i];
    INFO(TypeOf(e));
    CHECK(e.index() == i);
    CHECK(TypeOf(e) == AllEventTypes()[i]);
    const std::string data = DataOf(e);
    CHECK(nlohmann::json::parse(data).is_object());
    // Already in the engine's canonical form: ToProposedEvent says so, and the store trusts it.
    CHECK(engine::CanonicalizeData(data).value_or("") == data);
    CHECK(ToProposedEvent(e, {}).canonical);
    auto back = DecodeEvent(TypeOf(e), data);
    REQUIRE(back);
    CHECK(*back == e);
  }
}

TEST_CASE("Event data uses the contract's snake_case names", "[events]") {
  const auto confirmed = nlohmann::json::parse(DataOf(Samples()[11]));
  CHECK(confirmed["briefing"] == "b1");
  CHECK(confirmed["stakeholder"] == "ngo-a");
  CHECK(confirmed["written_comments"] == "Our work in Viet Nam");
  CHECK(confirmed["country_mentions"] ==
        nlohmann::json::parse(R"([{"name":"Viet Nam","country":"VN","offset":12}])"));
  CHECK(confirmed["confirmed_at"] == "2026-07-05T21:59:59Z");
  const auto group = nlohmann::json::parse(DataOf(WorkingGroupRegistered{"wg", "n", {}}));
  CHECK(group["protocol"].is_null());
  const auto stakeholder = nlohmann::json::parse(DataOf(Samples()[3]));
  CHECK(stakeholder["instruments"] == nlohmann::json::parse(R"({"tip":"party"})"));
  CHECK(stakeholder["category"] == "signatory_state");
}

TEST_CASE("Each event names its stream", "[events]") {
  const auto samples = Samples();
  CHECK(StreamOf(samples[0]) == "conference-session-cop-12");
  CHECK(StreamOf(samples[1]) == "working-group-wg-tip");
  CHECK(StreamOf(samples[2]) == "meeting-m1");
  CHECK(StreamOf(samples[4]) == "stakeholder-ngo-a");
  CHECK(StreamOf(samples[12]) == "briefing-b1");
  CHECK(StreamOf(samples[13]) == "referral-b1.ngo-a");
  CHECK(StreamOf(samples[20]) == "briefing-b1");
  CHECK(StreamOf(samples[21]) == "observer-invitation-oi-1");
  CHECK(StreamOf(samples[24]) == "contribution-request-cr-1");
  CHECK(StreamOf(samples[27]) == "report-r-1");
  CHECK(StreamOf(samples[28]) == "state-participation-sp-req");
}

TEST_CASE("Every event's stream has a kind, the stream's name up to its id", "[events]") {
  for (const Event& event : Samples()) {
    const std::string stream = StreamOf(event);
    INFO(stream);
    const std::string_view kind = StreamKind(stream);
    REQUIRE_FALSE(kind.empty());
    CHECK(stream.starts_with(std::string(kind) + "-"));
  }
  CHECK(StreamKind("conference-session-cop-12") == "conference-session");
  CHECK(StreamKind("referral-b1.ngo-a") == "referral");
  CHECK(StreamKind("report-r-1") == "report");  // not "report-r"
  CHECK(StreamKind("briefing-") == "");         // no id
  CHECK(StreamKind("briefings-b1") == "");
  CHECK(StreamKind("") == "");
}

TEST_CASE("Stored events that do not decode are errors, not exceptions", "[events]") {
  CHECK(DecodeEvent("NoSuchEvent", "{}").error().code == engine::ErrorCode::kInvalidArgument);
  CHECK(DecodeEvent("BriefingRequested", "not json").error().code ==
        engine::ErrorCode::kCorruption);
  CHECK(DecodeEvent("BriefingRequested", "[1]").error().code == engine::ErrorCode::kCorruption);
  CHECK(DecodeEvent("BriefingRequested", R"({"briefing":"b1"})").error().code ==
        engine::ErrorCode::kCorruption);
  CHECK(DecodeEvent("BriefingConvened", R"({"briefing":"b1","meeting":"m1","working_group":"w",
      "meeting_starts_on":"2026-02-30","meeting_ends_on":"2026-07-17","date":"2026-07-15",
      "timezone":"Europe/Vienna","confirmation_deadline":"2026-07-05T21:59:59Z",
      "bureau_member":"x"})")
            .error()
            .code == engine::ErrorCode::kCorruption);
  // An optional field may be absent.
  auto submitted = DecodeEvent("SummarySubmitted", R"({"briefing":"b1","crp_symbol":"C"})");
  REQUIRE(submitted);
  CHECK_FALSE(std::get<SummarySubmitted>(*submitted).override_justification);
}

TEST_CASE("The direct decoder reads every event type's stored form as the document does",
          "[events][decoder]") {
  auto samples = Samples();
  // Multi-byte UTF-8 read as it is, by both.
  samples.push_back(AttendanceConfirmed{"b1",
                                        "ngo-a",
                                        "C\xC3\xB4te d\xE2\x80\x99Ivoire \xF0\x9F\x8C\x8D",
                                        {{"C\xC3\xB4te d\xE2\x80\x99Ivoire", "CI", 0}},
                                        At("2026-07-05T21:59:59Z")});
  samples.push_back(WorkingGroupRegistered{"wg", "n", {}});  // an optional field, null
  for (const Event& e : samples) {
    INFO(TypeOf(e));
    const std::string data = DataOf(e);
    const auto direct = DecodeEventDirect(TypeOf(e), data);
    if (std::holds_alternative<StateParticipationFunded>(e)) {
      CHECK_FALSE(direct);  // an amount (a double): left to the document
      continue;
    }
    REQUIRE(direct);  // the compact form DataOf writes needs no document
    CHECK(*direct == e);
    // Insignificant whitespace anywhere between tokens.
    const std::string pretty = nlohmann::json::parse(data).dump(2);
    const auto spaced = DecodeEventDirect(TypeOf(e), " \t\r\n" + pretty + "\n");
    REQUIRE(spaced);
    CHECK(*spaced == e);
  }
}

TEST_CASE("The direct decoder gives up on what it does not read, and DecodeEvent still does",
          "[events][decoder]") {
  const std::string requested = R"({"briefing":"b1","requested_by":"pres-lee","title":"T"})";
  REQUIRE(DecodeEventDirect("BriefingRequested", requested));
  struct Case {
    std::string data;
    bool decodes;  // through the document
  };
  const std::vector<Case> cases{
      {R"({"briefing":"b\"1","requested_by":"p","title":"T"})", true},                // an escape
      {R"({"briefing":"b\u00e91","requested_by":"p","title":"T"})", true},            // \u escape
      {R"({"briefing":"b1","requested_by":"p","title":"T","extra":1})", true},        // unknown key
      {R"({"briefing":"b0","briefing":"b1","requested_by":"p","title":"T"})", true},  // repeated
      {R"({"briefing":"b1","requested_by":"p"})", false},                // a field missing
      {R"({"briefing":1,"requested_by":"p","title":"T"})", false},       // a bad value
      {R"({"briefing":"b1","requested_by":"p","title":"T"} x)", false},  // trailing text
      {R"({"briefing":"b1","requested_by":"p","title":"T",})", false},   // trailing comma
      {R"({"briefing":"b1","requested_by":"p","title":"T")", false},     // cut short
      {"{\"briefing\":\"b\xFF\",\"requested_by\":\"p\",\"title\":\"T\"}", false},      // not UTF-8
      {"{\"briefing\":\"b\xC0\xAF\",\"requested_by\":\"p\",\"title\":\"T\"}", false},  // overlong
      {"{\"briefing\":\"b\xED\xA0\x80\",\"requested_by\":\"p\",\"title\":\"T\"}",
       false},                                                                   // surrogate
      {"{\"briefing\":\"b\n\",\"requested_by\":\"p\",\"title\":\"T\"}", false},  // raw control
      {"", false},
      {"[]", false},
      {"null", false},
  };
  for (const auto& [data, decodes] : cases) {
    INFO(data);
    CHECK_FALSE(DecodeEventDirect("BriefingRequested", data));
    const auto decoded = DecodeEvent("BriefingRequested", data);
    CHECK(decoded.has_value() == decodes);
    if (!decoded) CHECK(decoded.error().code == engine::ErrorCode::kCorruption);
  }
  auto escaped = DecodeEvent("BriefingRequested", cases[0].data);
  REQUIRE(escaped);
  CHECK(std::get<BriefingRequested>(*escaped).briefing == "b\"1");
  // Offsets: plain unsigned integers only.
  for (const char* offset : {"-1", "1.0", "1e2", "01", "18446744073709551616"}) {
    INFO(offset);
    const std::string data = std::string(R"({"briefing":"b1","text":"t","country_mentions":)") +
                             R"([{"name":"n","country":"VN","offset":)" + offset + "}]}";
    CHECK_FALSE(DecodeEventDirect("SummaryPrepared", data));
    CHECK(DecodeEvent("SummaryPrepared", data).has_value() ==
          DecodeEventViaDocument("SummaryPrepared", data).has_value());
  }
  CHECK_FALSE(DecodeEventDirect("NoSuchEvent", "{}"));
}

TEST_CASE("Wherever the direct decoder answers, the document decodes the same event",
          "[events][decoder]") {
  // Every sample's stored form cut short at every byte, each byte replaced and each position
  // given an extra byte, from a set of bytes that matter to JSON and UTF-8.
  const std::string bytes = std::string("\"\\{}[],:0-.e") + "\x80\xC3\xE2\n";
  size_t mutations = 0;
  size_t answered = 0;
  size_t mismatches = 0;
  auto check = [&](std::string_view type, const std::string& data) {
    ++mutations;
    const auto direct = DecodeEventDirect(type, data);
    const auto document = DecodeEventViaDocument(type, data);
    const auto decoded = DecodeEvent(type, data);
    if (direct) {
      ++answered;
      if (!document || !(*document == *direct)) ++mismatches;
    }
    // DecodeEvent answers as the document does, errors and all.
    if (decoded.has_value() != document.has_value()) {
      ++mismatches;
    } else if (decoded) {
      if (!(*decoded == *document)) ++mismatches;
    } else if (decoded.error().message != document.error().message) {
      ++mismatches;
    }
  };
  for (const Event& e : Samples()) {
    const std::string_view type = TypeOf(e);
    const std::string data = DataOf(e);
    for (size_t i = 0; i <= data.size(); ++i) {
      check(type, data.substr(0, i));
      for (char b : bytes) {
        std::string inserted = data;
        inserted.insert(inserted.begin() + static_cast<ptrdiff_t>(i), b);
        check(type, inserted);
        if (i < data.size() && data[i] != b) {
          std::string replaced = data;
          replaced[i] = b;
          check(type, replaced);
        }
      }
    }
  }
  INFO(mutations << " mutated inputs, " << answered << " answered by the direct decoder");
  CHECK(mismatches == 0);
  CHECK(answered > 0);
  CHECK(answered < mutations);
}

TEST_CASE("ToProposedEvent carries type, data and the caller's metadata", "[events]") {
  engine::EventMetadata metadata;
  metadata.actor = "sec-ana";
  metadata.occurred_at = "2026-06-01T10:00:00Z";
  const auto proposed = ToProposedEvent(Samples()[10], metadata);
  CHECK(proposed.type == "InvitationDeclined");
  CHECK(proposed.data == R"({"briefing":"b1","stakeholder":"ngo-b"})");
  CHECK(proposed.metadata == metadata);

  engine::RecordedEvent recorded;
  recorded.type = proposed.type;
  recorded.data = proposed.data;
  CHECK(DecodeEvent(recorded) == Event{InvitationDeclined{"b1", "ngo-b"}});
}

engine::RecordedEvent Recorded(const Event& e, std::string actor, std::string role,
                               std::string on_behalf_of = "") {
  engine::RecordedEvent r;
  r.type = std::string(TypeOf(e));
  r.data = DataOf(e);
  r.metadata.actor = std::move(actor);
  r.metadata.role = std::move(role);
  r.metadata.on_behalf_of = std::move(on_behalf_of);
  return r;
}

TEST_CASE("The audit trail reads as plain sentences", "[events][describe]") {
  const AttendanceConfirmed confirmed{"b1", "ngo-a", "Thanks", {}, At("2026-06-01T10:00:00Z")};
  CHECK(Describe(Recorded(confirmed, "sec-ana", "secretariat")) ==
        "sec-ana recorded, for ngo-a, confirmation of attendance at briefing b1 with written "
        "comments");
  CHECK(Describe(Recorded(confirmed, "rep-ngo-a", "stakeholder")) ==
        "rep-ngo-a, for ngo-a, confirmed attendance at briefing b1 with written comments");
  CHECK(Describe(Recorded(BriefingRequested{"b1", "Outcomes", "pres-lee"}, "pres-lee",
                          "president")) == "pres-lee requested briefing b1 (\"Outcomes\")");
  CHECK(Describe(Recorded(BriefingRequested{"b1", "Outcomes", "pres-lee"}, "sec-ana", "secretariat",
                          "pres-lee")) ==
        "sec-ana recorded, for pres-lee, the request for briefing b1 (\"Outcomes\")");
  CHECK(Describe(
            Recorded(ConfirmationWindowClosed{"b1", At("2026-07-05T21:59:59Z"), {"ngo-b", "ngo-c"}},
                     "system", "system")) ==
        "system closed the confirmation window of briefing b1 at "
        "2026-07-05T21:59:59Z; lapsed: ngo-b and ngo-c");
  CHECK(Describe(Recorded(Samples()[13], "rep-sp-1", "state")) ==
        "sp-1's objection to ngo-a's participation in briefing b1 was referred to Working Group "
        "wg-tip (rule 59(d))");
  for (const Event& e : Samples()) {
    INFO(TypeOf(e));
    const std::string sentence = Describe(Recorded(e, "sec-ana", "secretariat"));
    if (!std::holds_alternative<ReferredToWorkingGroup>(e)) {  // the one impersonal sentence
      CHECK(sentence.find("sec-ana") != std::string::npos);
    }
    CHECK(sentence.find('\n') == std::string::npos);
  }
  // Move-assigned: g++ 12 at -O3 warns falsely (-Wrestrict) on assigning short literals.
  engine::RecordedEvent broken;
  broken.type = std::string("Mystery");
  broken.metadata.actor = std::string("x");
  CHECK(Describe(broken) == "x recorded an event of type Mystery");
}

}  // namespace
}  // namespace dialogue::workflows
