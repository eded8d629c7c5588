// The command tests' world: an in-memory store on a manual clock, read models over it and the full
// router with a token per caller. Requests go through Router::DispatchAsync, in process
// (testing::DispatchAndWait); the world is built through the commands themselves (POST), as a
// client would.
#pragma once

#include <catch2/catch.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api/http/auth.hpp"
#include "tests/api/callers.hpp"
#include "tests/api/in_process_api.hpp"

namespace dialogue::api::testing {

inline const std::vector<Caller>& CommandCallers() {
  static const std::vector<Caller> kCallers = {
      {"sec", "sec-ana", "secretariat", "", ""},
      {"president", "pres-li", "president", "", ""},
      {"bureau", "bur-eva", "bureau", "", ""},
      {"wg-tip", "wg-tip-chair", "working_group", "", "wg-tip"},
      {"wg-som", "wg-som-chair", "working_group", "", "wg-som"},
      {"state-at", "at-rep", "state", "at", ""},
      {"state-fr", "fr-rep", "state", "fr", ""},
      {"state-ua", "ua-rep", "state", "ua", ""},
      {"ngo-a", "ngo-a-rep", "stakeholder", "ngo-a", ""},
      {"ngo-b", "ngo-b-rep", "stakeholder", "ngo-b", ""},
      {"ngo-c", "ngo-c-rep", "stakeholder", "ngo-c", ""},
      {"igo-x", "igo-x-rep", "stakeholder", "igo-x", ""},
      {"auditor", "aud-bo", "auditor", "", ""},
      {"integration", "int-feed", "integration", "", ""},
  };
  return kCallers;
}

inline std::string CommandTokensJson() { return TokensJsonFor(CommandCallers()); }

class CommandFixture : public InProcessApi {
 public:
  // The clock starts on 1 June 2026, before the July 2026 meetings of the standard world.
  // store: another store than the in-memory one (a RocksDB one, one over injected faults).
  explicit CommandFixture(std::unique_ptr<engine::EventStore> store = nullptr)
      : InProcessApi(Instant("2026-06-01T09:00:00Z"), CommandTokensJson(), std::move(store)) {}

  Answer Post(const std::string& token, const std::string& target, const nlohmann::json& body,
              const HeaderList& headers = {}) {
    return Send("POST", token, target, body.dump(), headers);
  }

  // POST that must answer 201; returns the answer.
  Answer Do(const std::string& token, const std::string& target, const nlohmann::json& body) {
    Answer answer = Post(token, target, body);
    INFO(target << " -> " << answer.status << " " << answer.text);
    REQUIRE(answer.status == 201);
    return answer;
  }

  // The standard world, built through the commands:
  // - Conference sessions cosp-11 (October 2024) and cosp-12 (October 2025);
  // - Working Groups wg-tip (Trafficking Protocol) and wg-som, meetings m-tip-16 (14-16 July
  //   2026, review item), m-som-11 (21-23 July 2026, review item) and m-tip-plain (no review
  //   item);
  // - NGOs ngo-a (special), ngo-b (general), ngo-c (no ECOSOC status), IGO igo-x, all entitled at
  //   cosp-12 but ngo-c; ngo-e entitled only at cosp-11; State Parties at and fr, signatory ua
  //   (signed the Convention, not party).
  void RegisterReferenceData() {
    Do("sec", "/v1/conference-sessions",
       {{"id", "cosp-11"},
        {"title", "Eleventh session"},
        {"starts_on", "2024-10-14"},
        {"ends_on", "2024-10-18"}});
    Do("sec", "/v1/conference-sessions",
       {{"id", "cosp-12"},
        {"title", "Twelfth session"},
        {"starts_on", "2025-10-13"},
        {"ends_on", "2025-10-17"}});
    Do("sec", "/v1/working-groups",
       {{"id", "wg-tip"},
        {"name", "Working Group on Trafficking in Persons"},
        {"protocol", "tip"}});
    Do("sec", "/v1/working-groups",
       {{"id", "wg-som"}, {"name", "Working Group on Smuggling of Migrants"}, {"protocol", "som"}});
    Do("sec", "/v1/meetings",
       {{"id", "m-tip-16"},
        {"working_group", "wg-tip"},
        {"starts_on", "2026-07-14"},
        {"ends_on", "2026-07-16"},
        {"review_agenda_item", true}});
    Do("sec", "/v1/meetings",
       {{"id", "m-som-11"},
        {"working_group", "wg-som"},
        {"starts_on", "2026-07-21"},
        {"ends_on", "2026-07-23"},
        {"review_agenda_item", true}});
    Do("sec", "/v1/meetings",
       {{"id", "m-tip-plain"},
        {"working_group", "wg-tip"},
        {"starts_on", "2026-09-01"},
        {"ends_on", "2026-09-02"},
        {"review_agenda_item", false}});
    const auto ngo = [this](const char* id, const char* ecosoc) {
      Do("sec", "/v1/stakeholders",
         {{"id", id},
          {"name", std::string("NGO ") + id},
          {"category", "ngo"},
          {"ecosoc_status", ecosoc}});
    };
    ngo("ngo-a", "special");
    ngo("ngo-b", "general");
    ngo("ngo-c", "none");
    ngo("ngo-e", "roster");
    Do("sec", "/v1/stakeholders", {{"id", "igo-x"}, {"name", "IGO X"}, {"category", "igo"}});
    Do("sec", "/v1/stakeholders",
       {{"id", "at"},
        {"name", "Austria"},
        {"category", "state_party"},
        {"instruments", {{"tip", "party"}}}});
    Do("sec", "/v1/stakeholders", {{"id", "fr"}, {"name", "France"}, {"category", "state_party"}});
    Do("sec", "/v1/stakeholders",
       {{"id", "ua"}, {"name", "Utopia"}, {"category", "signatory_state"}});
    for (const char* id : {"ngo-a", "ngo-b", "igo-x"}) {
      Do("sec", std::string("/v1/stakeholders/") + id + "/observer-entitlements",
         {{"conference_session", "cosp-12"}});
    }
    Do("sec", "/v1/stakeholders/ngo-e/observer-entitlements", {{"conference_session", "cosp-11"}});
  }

  // Briefing b1 on the margins of m-tip-16, 15 July 2026 (deadline: end of 5 July, Vienna),
  // requested by the President, convened with ngo-a, ngo-b and igo-x invited.
  void ConveneBriefing() {
    Do("president", "/v1/briefings", {{"id", "b1"}, {"title", "Victims and the review"}});
    Do("sec", "/v1/briefings/b1/convening",
       {{"meeting", "m-tip-16"}, {"date", "2026-07-15"}, {"bureau_member", "bur-eva"}});
    Do("sec", "/v1/briefings/b1/invitations", {{"stakeholders", {"ngo-a", "ngo-b", "igo-x"}}});
  }

  // at objects to ngo-b in b1: referral b1.ngo-b pending before wg-tip.
  void ObjectToNgoB() {
    Do("state-at", "/v1/briefings/b1/participants/ngo-b/objection",
       {{"grounds", "Outside the scope of the review"}});
  }
};

}  // namespace dialogue::api::testing
