// GET /v1/streams/{stream}/history (the audit trail) and the read models' metrics.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/api/query_fixture.hpp"

namespace dialogue::api {
namespace {

using nlohmann::json;
namespace wf = workflows;
using testing::Answer;
using testing::Day;
using testing::Instant;

class HistoryFixture : public testing::QueryFixture {
 public:
  HistoryFixture() {
    RegisterReferenceData();
    ConveneBriefing();
    ConfirmAndObject();
  }
};

TEST_CASE_METHOD(HistoryFixture, "History lists every event of a stream with a sentence",
                 "[query]") {
  auto history = Get("auditor", "/v1/streams/briefing-b1/history");
  REQUIRE(history.status == 200);
  CHECK(history.body["stream"] == "briefing-b1");
  const json& entries = history.body["entries"];
  REQUIRE(entries.size() == 7);
  uint64_t previous = 0;
  for (const auto& entry : entries) {
    CHECK(entry["position"].get<uint64_t>() > previous);
    previous = entry["position"];
    CHECK_FALSE(entry["sentence"].get<std::string>().empty());
  }
  const json& requested = entries[0];
  CHECK(requested["type"] == "BriefingRequested");
  CHECK(requested["actor"] == "pres-li");
  CHECK(requested["occurred_at"] == "2026-05-04T08:00:00Z");
  CHECK(requested["on_behalf_of"].is_null());
  CHECK(requested["sentence"].get<std::string>().find("requested briefing b1") !=
        std::string::npos);

  const json& confirmed = entries[5];
  CHECK(confirmed["type"] == "AttendanceConfirmed");
  CHECK(confirmed["position"] == confirmed_at_);
  CHECK(confirmed["actor"] == "ngo-a-rep");
  const std::string sentence = confirmed["sentence"];
  INFO(sentence);
  CHECK(sentence.find("confirmed attendance at briefing b1 with written comments") !=
        std::string::npos);
  CHECK(sentence.find("1 country name") != std::string::npos);
  CHECK(entries[6]["type"] == "ObjectionRaised");
}

TEST_CASE_METHOD(HistoryFixture, "History names whom the secretariat recorded an act for",
                 "[query]") {
  Append(wf::InvitationDeclined{"b1", "igo-x"}, "sec-ana", "secretariat", "2026-06-23T09:00:00Z",
         "igo-x-rep");
  auto history = Get("sec", "/v1/streams/briefing-b1/history");
  REQUIRE(history.status == 200);
  const json& last = history.body["entries"].back();
  CHECK(last["type"] == "InvitationDeclined");
  CHECK(last["actor"] == "sec-ana");
  CHECK(last["on_behalf_of"] == "igo-x-rep");
  CHECK(last["sentence"].get<std::string>().find("sec-ana") != std::string::npos);
}

TEST_CASE_METHOD(HistoryFixture, "History of a referral stream and of an unknown stream",
                 "[query]") {
  DecideReferral();
  auto referral = Get("integration", "/v1/streams/referral-b1.ngo-b/history");
  REQUIRE(referral.status == 200);
  REQUIRE(referral.body["entries"].size() == 2);
  CHECK(referral.body["entries"][1]["type"] == "ReferralDecided");
  CHECK(referral.body["entries"][1]["sentence"].get<std::string>().find("admitted") !=
        std::string::npos);
  CHECK(Get("sec", "/v1/streams/briefing-none/history").status == 404);
}

TEST_CASE_METHOD(HistoryFixture, "Metrics show the read models' position and lag", "[query]") {
  // A read catches the models up to the head, so the lag is 0 right after it.
  REQUIRE(Get("sec", "/v1/briefings/b1").status == 200);
  auto metrics = Get("auditor", "/metrics");
  REQUIRE(metrics.status == 200);
  const uint64_t head = store().Head().position;
  CHECK(metrics.text.find("dialogue_read_model_position " + std::to_string(head)) !=
        std::string::npos);
  CHECK(metrics.text.find("dialogue_read_model_lag_events 0") != std::string::npos);
  CHECK(metrics.text.find("dialogue_ledger_head_position " + std::to_string(head)) !=
        std::string::npos);

  // Scraped again after an append the projector may not have folded yet: the gauges hold
  // whatever head - position was then, and add up to the head.
  Append(wf::InvitationDeclined{"b1", "igo-x"});
  const std::string text = Get("sec", "/metrics").text;
  const auto gauge = [&text](const std::string& name) {
    const size_t at = text.find("\n" + name + " ");
    REQUIRE(at != std::string::npos);
    return std::stoull(text.substr(at + name.size() + 2));
  };
  const uint64_t lag = gauge("dialogue_read_model_lag_events");
  CHECK(lag <= 1);
  CHECK(gauge("dialogue_read_model_position") + lag == store().Head().position);
}

}  // namespace
}  // namespace dialogue::api
