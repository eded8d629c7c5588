#include "world.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <iostream>

#include <date/tz.h>

namespace dialogue::workflows::testing {
namespace {

template <class S>
std::vector<S> Values(const std::map<std::string, S>& map) {
  std::vector<S> out;
  for (const auto& [id, state] : map) out.push_back(state);
  return out;
}

template <class R>
void RequireOk(const R& result, const char* what) {
  if (!result) {
    FAIL(what << ": " << result.error().message);
  }
}

}  // namespace

TimePoint At(std::string_view rfc3339) {
  auto parsed = ParseInstant(rfc3339);
  if (!parsed) {
    std::cerr << "bad instant in a test: " << rfc3339 << "\n";
    std::abort();
  }
  return *parsed;
}

TimePoint Local(std::string_view local, std::string_view zone) {
  // Parsed by hand: date::parse trips a false -Wmaybe-uninitialized in g++ 12 at -O3.
  auto bad = [&] {
    std::cerr << "bad local time in a test: " << local << "\n";
    std::abort();
  };
  if (local.size() < 19 || local[10] != ' ' || local[13] != ':' || local[16] != ':') bad();
  auto day = ParseDate("local", local.substr(0, 10));
  if (!day) bad();
  auto number = [&](size_t from, size_t len) {
    long n = 0;
    for (size_t i = from; i < from + len; ++i) {
      if (local[i] < '0' || local[i] > '9') bad();
      n = n * 10 + (local[i] - '0');
    }
    return n;
  };
  std::chrono::microseconds time = std::chrono::hours{number(11, 2)} +
                                   std::chrono::minutes{number(14, 2)} +
                                   std::chrono::seconds{number(17, 2)};
  if (local.size() > 19) {
    if (local[19] != '.' || local.size() != 26) bad();
    time += std::chrono::microseconds{number(20, 6)};
  }
  const date::local_time<std::chrono::microseconds> t{day->time_since_epoch() + time};
  return std::chrono::time_point_cast<std::chrono::microseconds>(
      date::locate_zone(std::string(zone))->to_sys(t, date::choose::earliest));
}

Context World::As(Role role, std::string actor, TimePoint occurred_at, std::string stakeholder,
                  std::string working_group) const {
  Context context;
  context.occurred_at = occurred_at;
  context.now = kNow;
  context.actor = std::move(actor);
  context.role = role;
  context.stakeholder = std::move(stakeholder);
  context.working_group = std::move(working_group);
  context.facts.conference_sessions = Values(sessions);
  context.facts.working_groups = Values(groups);
  context.facts.meetings = Values(meetings);
  context.facts.stakeholders = Values(stakeholders);
  return context;
}

void World::Fold(const Event& event) {
  const std::string stream = StreamOf(event);
  log.push_back(Recorded{stream, event});
  auto after = [&](std::string_view prefix) -> std::string {
    return stream.rfind(prefix, 0) == 0 ? stream.substr(prefix.size()) : std::string();
  };
  if (auto id = after("conference-session-"); !id.empty()) {
    sessions[id] = Evolve(sessions[id], event);
  } else if (auto id = after("working-group-"); !id.empty()) {
    groups[id] = Evolve(groups[id], event);
  } else if (auto id = after("meeting-"); !id.empty()) {
    meetings[id] = Evolve(meetings[id], event);
  } else if (auto id = after("stakeholder-"); !id.empty()) {
    stakeholders[id] = Evolve(stakeholders[id], event);
  } else if (auto id = after("briefing-"); !id.empty()) {
    briefings[id] = Evolve(briefings[id], event);
  } else if (auto id = after("referral-"); !id.empty()) {
    referrals[id] = Evolve(referrals[id], event);
    // The briefing folds its referral streams too.
    const std::string briefing = std::visit(
        [](const auto& e) -> std::string {
          if constexpr (requires { e.briefing; }) {
            return e.briefing;
          } else {
            return "";
          }
        },
        event);
    briefings[briefing] = Evolve(briefings[briefing], event);
  } else if (auto id = after("observer-invitation-"); !id.empty()) {
    observer_invitations[id] = Evolve(observer_invitations[id], event);
  } else if (auto id = after("contribution-request-"); !id.empty()) {
    contribution_requests[id] = Evolve(contribution_requests[id], event);
  } else if (auto id = after("report-"); !id.empty()) {
    reports[id] = Evolve(reports[id], event);
  } else if (auto id = after("state-participation-"); !id.empty()) {
    state_participations[id] = Evolve(state_participations[id], event);
  } else {
    FAIL("event on an unknown stream: " << stream);
  }
}

void World::Session(const std::string& id, const std::string& starts_on,
                    const std::string& ends_on) {
  RequireOk(Do(RegisterConferenceSession{id, "Session " + id, starts_on, ends_on},
               Secretariat(At("2024-01-01T00:00:00Z"))),
            "register session");
}

void World::WorkingGroup(const std::string& id) {
  RequireOk(Do(RegisterWorkingGroup{id, "Working Group " + id, std::string("tip")},
               Secretariat(At("2024-01-01T00:00:00Z"))),
            "register group");
}

void World::Meeting(const std::string& id, const std::string& working_group,
                    const std::string& starts_on, const std::string& ends_on,
                    bool review_agenda_item) {
  RequireOk(Do(ScheduleMeeting{id, working_group, starts_on, ends_on, review_agenda_item},
               Secretariat(At("2024-01-01T00:00:00Z"))),
            "schedule meeting");
}

void World::Stakeholder(const std::string& id, const std::string& category,
                        const std::string& ecosoc,
                        std::vector<std::pair<std::string, std::string>> instruments) {
  RegisterStakeholder command{id, "Name of " + id, category, std::nullopt, std::move(instruments)};
  if (category == "ngo") command.ecosoc_status = ecosoc;
  RequireOk(Do(command, Secretariat(At("2024-01-01T00:00:00Z"))), "register stakeholder");
}

void World::Entitle(const std::string& stakeholder, const std::string& session) {
  RequireOk(Do(RecordObserverEntitlement{stakeholder, session, ""},
               Secretariat(At("2024-01-01T00:00:00Z"))),
            "record entitlement");
}

void World::Standard() {
  Session("cop-11", "2024-10-14", "2024-10-18");
  Session("cop-12", "2025-10-13", "2025-10-17");
  WorkingGroup("wg-tip");
  WorkingGroup("wg-som");
  Meeting("m1", "wg-tip", "2026-07-13", "2026-07-17");
  Meeting("m-som", "wg-som", "2026-07-13", "2026-07-17");
  for (const char* id : {"ngo-a", "ngo-b", "ngo-c", "ngo-d", "ngo-e"}) {
    Stakeholder(id, "ngo", "general");
  }
  Stakeholder("igo-x", "igo");
  Stakeholder("un-y", "un_entity");
  Stakeholder("nss-z", "non_signatory_state");
  Stakeholder("sp-1", "state_party");
  Stakeholder("sp-2", "state_party");
  Stakeholder("sig-2", "signatory_state");
  for (const char* id : {"ngo-a", "ngo-b", "ngo-c", "igo-x", "un-y", "nss-z", "sp-1"}) {
    Entitle(id, "cop-12");
  }
  Entitle("ngo-d", "cop-11");
}

void World::Convened(const std::string& id, const std::string& date) {
  RequireOk(Do(RequestBriefing{id, "Briefing " + id}, President(At("2026-05-01T09:00:00Z"))),
            "request briefing");
  RequireOk(Do(ConveneBriefing{id, "m1", date, "bureau-vp", std::nullopt},
               Secretariat(At("2026-05-02T09:00:00Z"))),
            "convene briefing");
}

}  // namespace dialogue::workflows::testing
