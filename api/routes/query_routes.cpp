// The read side of the contract: every entity GET, the lists, the eligible list of 59(c), the
// referral queue and the audit history of a stream (docs/api.md "Reads").
//
// Entity GETs share one path (ReadEntity): ?as_of=POSITION, the read authorization of
// api/routes/query_access.hpp, `ETag: "<version>"` and If-None-Match -> 304. Current states come
// from the read models; every route that reads them is Work::kFromReadModels: the router answers
// it once they have folded the head the request found (a GET after a 201 sees it). As-of states
// are folded from the entity's own streams (projections' *AsOf functions).
#include <algorithm>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <tl/expected.hpp>
#include <vector>

#include "api/http/json_io.hpp"
#include "api/http/params.hpp"
#include "api/http/problem.hpp"
#include "api/routes/query_access.hpp"
#include "api/routes/routes.hpp"
#include "api/routes/views.hpp"
#include "projections/read_models.hpp"
#include "workflows/describe.hpp"
#include "workflows/events.hpp"
#include "workflows/participations.hpp"

namespace dialogue::api {
namespace {

namespace wf = workflows;
namespace pj = projections;
using nlohmann::json;

constexpr size_t kStreamPage = 1000;

// --- Shared pieces ---

HttpResponse Forbidden(const std::string& what) {
  return ProblemResponse(403, "forbidden", "this token may not read " + what);
}

HttpResponse NotFound(const std::string& what, std::optional<uint64_t> as_of) {
  return ProblemResponse(
      404, "not_found",
      "no " + what + (as_of ? " as of position " + std::to_string(*as_of) : std::string()));
}

HttpResponse BadQuery(const std::string& name, const std::string& message) {
  Problem problem = MakeProblem(400, "bad_request", "query parameter " + name + ": " + message);
  problem.errors.push_back({name, message});
  return ProblemResponse(problem);
}

// ?as_of=POSITION: absent -> nullopt; digits only; at most the head (a position that does not
// exist yet has no state).
tl::expected<std::optional<uint64_t>, HttpResponse> AsOfParam(const RequestContext& request,
                                                              const engine::EventStore& store) {
  if (!request.Query("as_of")) return std::optional<uint64_t>();
  auto position = UnsignedQueryParam(request, "as_of", 0);
  if (!position) return tl::unexpected(position.error());
  const uint64_t head = store.HeadPosition();
  if (*position > head) {
    return tl::unexpected(BadQuery("as_of", "position " + std::to_string(*position) +
                                                " is beyond the head of the log (" +
                                                std::to_string(head) + ")"));
  }
  return std::optional<uint64_t>(*position);
}

// True when an If-None-Match header lists the entity tag "<version>" (weak comparison, as RFC 9110
// asks for If-None-Match) or is "*".
bool IfNoneMatchHits(const HttpRequest& request, uint64_t version) {
  auto header = request.headers.Get("If-None-Match");
  if (!header) return false;
  const std::string wanted = std::to_string(version);
  std::string_view rest = *header;
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    std::string_view tag = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    while (!tag.empty() && (tag.front() == ' ' || tag.front() == '\t')) tag.remove_prefix(1);
    while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t')) tag.remove_suffix(1);
    if (tag == "*") return true;
    if (tag.substr(0, 2) == "W/") tag.remove_prefix(2);
    if (tag.size() >= 2 && tag.front() == '"' && tag.back() == '"' &&
        tag.substr(1, tag.size() - 2) == wanted) {
      return true;
    }
  }
  return false;
}

// The position of the last event of `stream` at or before `horizon` whose type is not `ignored`
// (0 when none).
engine::Result<uint64_t> LastPosition(const engine::EventStore& store, const std::string& stream,
                                      uint64_t horizon, std::string_view ignored) {
  uint64_t last = 0;
  uint64_t after = 0;
  for (;;) {
    ASSIGN_OR_RETURN(auto events, store.ReadStream(stream, after, kStreamPage));
    for (const auto& event : events) {
      if (event.position > horizon) return last;
      if (event.type != ignored) last = event.position;
      after = event.version;
    }
    if (events.size() < kStreamPage) return last;
  }
}

// How one kind of entity is read. Built per request (the lambdas may capture path parameters).
template <class State>
struct EntityReader {
  std::string noun;  // "briefing b1", for messages
  std::function<std::optional<pj::Versioned<State>>()> current;
  std::function<pj::AsOfResult<State>(uint64_t position)> as_of;
  // For the kNamed scope: whether the entity (as it stands now) names the stakeholder. Null:
  // reference data, readable by every role the route admits.
  std::function<bool(const State&, const std::string& stakeholder)> names;
  // Whether the representation at `version` is a function of the version alone, so that a
  // matching If-None-Match may answer 304. Null: always (the state is its own stream's fold).
  std::function<engine::Result<bool>(const pj::Versioned<State>&, uint64_t horizon)> cacheable;
  // The body, without `version` (added here). `horizon`: the position the state reflects.
  std::function<engine::Result<json>(const State&, uint64_t horizon, bool as_of)> render;
};

template <class State>
HttpResponse ReadEntity(ApiContext& context, const RequestContext& request,
                        const EntityReader<State>& reader) {
  auto as_of = AsOfParam(request, context.store);
  if (!as_of) return as_of.error();
  std::optional<pj::Versioned<State>> current = reader.current();
  if (current && !current->state.exists()) current.reset();
  const Principal& principal = *request.principal;
  const ReadScope scope = ScopeOf(principal);
  if (scope == ReadScope::kNothing) return Forbidden(reader.noun);
  if (scope == ReadScope::kNamed && reader.names &&
      (!current || !reader.names(current->state, principal.stakeholder))) {
    return Forbidden(reader.noun);
  }

  std::optional<pj::Versioned<State>> entity;
  uint64_t horizon = 0;
  if (*as_of) {
    auto folded = reader.as_of(**as_of);
    if (!folded) return ErrorResponse(folded.error());
    entity = std::move(*folded);
    horizon = **as_of;
  } else {
    entity = std::move(current);
    horizon = context.read_models.position();
  }
  if (!entity || !entity->state.exists()) return NotFound(reader.noun, *as_of);

  const std::string etag = "\"" + std::to_string(entity->version) + "\"";
  if (IfNoneMatchHits(request.request, entity->version)) {
    bool cacheable = true;
    if (reader.cacheable) {
      auto answer = reader.cacheable(*entity, horizon);
      if (!answer) return ErrorResponse(answer.error());
      cacheable = *answer;
    }
    if (cacheable) {
      HttpResponse not_modified;
      not_modified.status = 304;
      not_modified.headers.Set("ETag", etag);
      return not_modified;
    }
  }

  auto body = reader.render(entity->state, horizon, as_of->has_value());
  if (!body) return ErrorResponse(body.error());
  (*body)["version"] = entity->version;
  HttpResponse response = JsonResponse(200, *body);
  response.headers.Set("ETag", etag);
  return response;
}

template <class State>
std::function<engine::Result<json>(const State&, uint64_t, bool)> Plain(
    json (*view)(const State&)) {
  return [view](const State& state, uint64_t, bool) -> engine::Result<json> { return view(state); };
}

// --- Participations (GET /v1/stakeholders/{id}) ---

// Whether the entity a participation points at names `reader` now.
bool ParticipationNames(const pj::ReadModels& models, const wf::Participation& participation,
                        const std::string& reader) {
  const auto names = [&reader](const auto& versioned) {
    return versioned && Names(versioned->state, reader);
  };
  if (participation.kind == "briefing") return names(models.Briefing(participation.id));
  if (participation.kind == "observer_invitation") {
    return names(models.ObserverInvitation(participation.id));
  }
  if (participation.kind == "contribution_request") {
    return names(models.ContributionRequest(participation.id));
  }
  if (participation.kind == "report") return names(models.Report(participation.id));
  if (participation.kind == "state_participation") {
    return names(models.StateParticipation(participation.id));
  }
  return false;
}

// The stakeholder's part in one entity as it stood after `position`.
template <class State>
engine::Result<std::optional<wf::Participation>> ParticipationAsOf(
    const pj::AsOfResult<State>& folded, const std::string& stakeholder) {
  if (!folded) return engine::Fail(folded.error());
  if (!*folded || !(*folded)->state.exists()) return std::optional<wf::Participation>();
  return wf::ParticipationIn((*folded)->state, stakeholder);
}

// The participations as they stood after `position`: those of now, each re-read as of then
// (participations are never removed, so the ones of then are among the ones of now).
engine::Result<std::vector<wf::Participation>> ParticipationsAsOf(
    const engine::EventStore& store, const std::vector<wf::Participation>& now,
    const std::string& stakeholder, uint64_t position) {
  std::vector<wf::Participation> then;
  for (const auto& participation : now) {
    engine::Result<std::optional<wf::Participation>> part = std::optional<wf::Participation>();
    const std::string& id = participation.id;
    if (participation.kind == "briefing") {
      part = ParticipationAsOf(pj::BriefingAsOf(store, id, position), stakeholder);
    } else if (participation.kind == "observer_invitation") {
      part = ParticipationAsOf(pj::ObserverInvitationAsOf(store, id, position), stakeholder);
    } else if (participation.kind == "contribution_request") {
      part = ParticipationAsOf(pj::ContributionRequestAsOf(store, id, position), stakeholder);
    } else if (participation.kind == "report") {
      part = ParticipationAsOf(pj::ReportAsOf(store, id, position), stakeholder);
    } else if (participation.kind == "state_participation") {
      part = ParticipationAsOf(pj::StateParticipationAsOf(store, id, position), stakeholder);
    }
    if (!part) return engine::Fail(part.error());
    if (*part) then.push_back(std::move(**part));
  }
  return then;
}

// --- Route registration by area ---

void RegisterReferenceDataReads(Router& router, ApiContext& context) {
  const auto readers = Access::Roles(kEntityReaders);
  pj::ReadModels& models = context.read_models;
  const engine::EventStore& store = context.store;

  router.Add(
      "GET", "/v1/conference-sessions", readers,
      [&context](const RequestContext&) {
        json list = json::array();
        for (const auto& session : context.read_models.ConferenceSessions()) {
          list.push_back(ConferenceSessionView(session));
        }
        return JsonResponse(200, {{"conference_sessions", std::move(list)}});
      },
      Work::kFromReadModels);
  router.Add(
      "GET", "/v1/conference-sessions/{id}", readers,
      [&context, &models, &store](const RequestContext& request) {
        const std::string& id = request.Param("id");
        EntityReader<wf::ConferenceSessionState> reader;
        reader.noun = "conference session " + id;
        reader.current = [&models, id] { return models.ConferenceSession(id); };
        reader.as_of = [&store, id](uint64_t p) { return pj::ConferenceSessionAsOf(store, id, p); };
        reader.render = Plain(&ConferenceSessionView);
        return ReadEntity(context, request, reader);
      },
      Work::kFromReadModels);

  router.Add(
      "GET", "/v1/working-groups", readers,
      [&context](const RequestContext&) {
        json list = json::array();
        for (const auto& group : context.read_models.WorkingGroups()) {
          list.push_back(WorkingGroupView(group));
        }
        return JsonResponse(200, {{"working_groups", std::move(list)}});
      },
      Work::kFromReadModels);
  router.Add(
      "GET", "/v1/working-groups/{id}", readers,
      [&context, &models, &store](const RequestContext& request) {
        const std::string& id = request.Param("id");
        EntityReader<wf::WorkingGroupState> reader;
        reader.noun = "working group " + id;
        reader.current = [&models, id] { return models.WorkingGroup(id); };
        reader.as_of = [&store, id](uint64_t p) { return pj::WorkingGroupAsOf(store, id, p); };
        reader.render = Plain(&WorkingGroupView);
        return ReadEntity(context, request, reader);
      },
      Work::kFromReadModels);

  // ?working_group=ID keeps that group's meetings.
  router.Add(
      "GET", "/v1/meetings", readers,
      [&context](const RequestContext& request) {
        const auto group = request.Query("working_group");
        json list = json::array();
        for (const auto& meeting : context.read_models.Meetings()) {
          if (group && meeting.working_group != *group) continue;
          list.push_back(MeetingView(meeting));
        }
        return JsonResponse(200, {{"meetings", std::move(list)}});
      },
      Work::kFromReadModels);
  router.Add(
      "GET", "/v1/meetings/{id}", readers,
      [&context, &models, &store](const RequestContext& request) {
        const std::string& id = request.Param("id");
        EntityReader<wf::MeetingState> reader;
        reader.noun = "meeting " + id;
        reader.current = [&models, id] { return models.Meeting(id); };
        reader.as_of = [&store, id](uint64_t p) { return pj::MeetingAsOf(store, id, p); };
        reader.render = Plain(&MeetingView);
        return ReadEntity(context, request, reader);
      },
      Work::kFromReadModels);
}

void RegisterStakeholderReads(Router& router, ApiContext& context) {
  const auto readers = Access::Roles(kEntityReaders);
  pj::ReadModels& models = context.read_models;
  const engine::EventStore& store = context.store;

  // ?category=ngo|igo|... keeps that category.
  router.Add(
      "GET", "/v1/stakeholders", readers,
      [&context](const RequestContext& request) {
        const auto category_text = request.Query("category");
        std::optional<wf::StakeholderCategory> category;
        if (category_text) {
          category = wf::ParseStakeholderCategory(*category_text);
          if (!category) {
            return BadQuery("category",
                            "must be ngo, igo, un_entity, non_signatory_state, signatory_state or "
                            "state_party");
          }
        }
        json list = json::array();
        for (const auto& stakeholder : context.read_models.Stakeholders()) {
          if (category && stakeholder.category != *category) continue;
          list.push_back(StakeholderListEntry(stakeholder));
        }
        return JsonResponse(200, {{"stakeholders", std::move(list)}});
      },
      Work::kFromReadModels);

  // The register is reference data; its participations are not: a state or stakeholder reading
  // another stakeholder sees only the participations it could read directly, those in entities
  // that name the reader too; never another's contribution (GET of it answers such a reader 403,
  // and the contribution request shows each reader its own contribution only).
  router.Add(
      "GET", "/v1/stakeholders/{id}", readers,
      [&context, &models, &store](const RequestContext& request) {
        const std::string& id = request.Param("id");
        const Principal& principal = *request.principal;
        const bool restricted =
            ScopeOf(principal) != ReadScope::kEverything && principal.stakeholder != id;
        EntityReader<wf::StakeholderState> reader;
        reader.noun = "stakeholder " + id;
        reader.current = [&models, id] { return models.Stakeholder(id); };
        reader.as_of = [&store, id](uint64_t p) { return pj::StakeholderAsOf(store, id, p); };
        // Participations come from other streams: the stakeholder's version does not pin
        // them.
        reader.cacheable = [](const pj::Versioned<wf::StakeholderState>&,
                              uint64_t) -> engine::Result<bool> { return false; };
        reader.render = [&models, &store, id, restricted, reader_id = principal.stakeholder](
                            const wf::StakeholderState& state, uint64_t horizon,
                            bool as_of) -> engine::Result<json> {
          std::vector<wf::Participation> participations = models.ParticipationsOf(id);
          if (as_of) {
            ASSIGN_OR_RETURN(participations,
                             ParticipationsAsOf(store, participations, id, horizon));
          }
          if (restricted) {
            std::erase_if(participations, [&](const wf::Participation& p) {
              return p.kind == "contribution_request" || !ParticipationNames(models, p, reader_id);
            });
          }
          return StakeholderView(state, participations);
        };
        return ReadEntity(context, request, reader);
      },
      Work::kFromReadModels);
}

// 304 for a briefing only when no referral event came after the briefing's own last event at
// that version: a referral decision or withdrawal changes a participant without touching the
// briefing's stream. (A referral's first event, ReferredToWorkingGroup, is appended in one batch
// with the briefing's ObjectionRaised, so a reader of that version has seen it.)
engine::Result<bool> BriefingCacheable(const engine::EventStore& store,
                                       const pj::Versioned<wf::BriefingState>& briefing,
                                       uint64_t horizon) {
  ASSIGN_OR_RETURN(
      auto own, store.ReadStream(wf::BriefingStream(briefing.state.id), briefing.version - 1, 1));
  if (own.empty()) return false;
  const uint64_t last_own = own.front().position;
  for (const auto& [stakeholder, referral] : briefing.state.referrals) {
    ASSIGN_OR_RETURN(uint64_t last, LastPosition(store, wf::ReferralStream(referral.id), horizon,
                                                 "ReferredToWorkingGroup"));
    if (last > last_own) return false;
  }
  return true;
}

void RegisterBriefingReads(Router& router, ApiContext& context) {
  const auto readers = Access::Roles(kEntityReaders);
  pj::ReadModels& models = context.read_models;
  const engine::EventStore& store = context.store;
  const auto names = [](const wf::BriefingState& state, const std::string& stakeholder) {
    return Names(state, stakeholder);
  };

  // State and stakeholder principals see the briefings that name them.
  router.Add(
      "GET", "/v1/briefings", readers,
      [&context](const RequestContext& request) {
        const Principal& principal = *request.principal;
        const bool restricted = ScopeOf(principal) != ReadScope::kEverything;
        json list = json::array();
        for (const auto& briefing : context.read_models.Briefings()) {
          if (!briefing.exists()) continue;
          if (restricted && !Names(briefing, principal.stakeholder)) continue;
          list.push_back(BriefingListEntry(briefing));
        }
        return JsonResponse(200, {{"briefings", std::move(list)}});
      },
      Work::kFromReadModels);

  router.Add(
      "GET", "/v1/briefings/{id}", readers,
      [&context, &models, &store, names](const RequestContext& request) {
        const std::string& id = request.Param("id");
        EntityReader<wf::BriefingState> reader;
        reader.noun = "briefing " + id;
        reader.current = [&models, id] { return models.Briefing(id); };
        reader.as_of = [&store, id](uint64_t p) { return pj::BriefingAsOf(store, id, p); };
        reader.names = names;
        reader.cacheable = [&store](const pj::Versioned<wf::BriefingState>& briefing,
                                    uint64_t horizon) {
          return BriefingCacheable(store, briefing, horizon);
        };
        reader.render = Plain(&BriefingView);
        return ReadEntity(context, request, reader);
      },
      Work::kFromReadModels);

  // 59(c): who may be invited. The briefing's date, or ?date=YYYY-MM-DD to preview another (or
  // one for a briefing not convened yet). Always the current state: no as_of.
  router.Add(
      "GET", "/v1/briefings/{id}/eligible", readers,
      [&context](const RequestContext& request) {
        const std::string& id = request.Param("id");
        const Principal& principal = *request.principal;
        if (request.Query("as_of")) {
          return BadQuery("as_of", "the eligible list is computed for now only");
        }
        std::optional<wf::Date> date;
        if (auto text = request.Query("date")) {
          auto parsed = wf::ParseDate("date", *text);
          if (!parsed) return BadQuery("date", "must be a date YYYY-MM-DD");
          date = *parsed;
        }
        auto briefing = context.read_models.Briefing(id);
        if (briefing && !briefing->state.exists()) briefing.reset();
        const ReadScope scope = ScopeOf(principal);
        if (scope == ReadScope::kNothing ||
            (scope == ReadScope::kNamed &&
             (!briefing || !Names(briefing->state, principal.stakeholder)))) {
          return Forbidden("briefing " + id);
        }
        if (!briefing) return NotFound("briefing " + id, std::nullopt);
        if (!date) date = briefing->state.date;
        if (!date) {
          return BadQuery("date", "briefing " + id +
                                      " is not convened yet, so it has no date: give "
                                      "?date=YYYY-MM-DD");
        }
        const pj::EligibleList eligible = context.read_models.Eligible(*date);
        json stakeholders = json::array();
        for (const auto& stakeholder : eligible.stakeholders) {
          stakeholders.push_back(
              {{"id", stakeholder.id},
               {"name", stakeholder.name},
               {"category", wf::Name(stakeholder.category)},
               {"invited", briefing->state.FindParticipant(stakeholder.id) != nullptr}});
        }
        return JsonResponse(200, {{"conference_session", eligible.conference_session
                                                             ? json(eligible.conference_session->id)
                                                             : json(nullptr)},
                                  {"date", wf::FormatDate(*date)},
                                  {"stakeholders", std::move(stakeholders)}});
      },
      Work::kFromReadModels);
}

void RegisterReferralReads(Router& router, ApiContext& context) {
  const auto readers = Access::Roles(kFullReaders);
  pj::ReadModels& models = context.read_models;
  const engine::EventStore& store = context.store;

  // ?status=pending|decided|withdrawn and ?working_group=ID narrow the queue.
  router.Add(
      "GET", "/v1/referrals", readers,
      [&context](const RequestContext& request) {
        pj::ReferralFilter filter;
        if (auto status = request.Query("status")) {
          if (*status == "pending") {
            filter.status = wf::ReferralStatus::kPending;
          } else if (*status == "decided") {
            filter.status = wf::ReferralStatus::kDecided;
          } else if (*status == "withdrawn") {
            filter.status = wf::ReferralStatus::kWithdrawn;
          } else {
            return BadQuery("status", "must be pending, decided or withdrawn");
          }
        }
        if (auto group = request.Query("working_group")) {
          if (!wf::IsValidId(*group)) return BadQuery("working_group", "must be a valid id");
          filter.working_group = *group;
        }
        json list = json::array();
        for (const auto& referral : context.read_models.Referrals(filter)) {
          list.push_back(ReferralView(referral));
        }
        return JsonResponse(200, {{"referrals", std::move(list)}});
      },
      Work::kFromReadModels);

  router.Add(
      "GET", "/v1/referrals/{rid}", readers,
      [&context, &models, &store](const RequestContext& request) {
        const std::string& id = request.Param("rid");
        EntityReader<wf::ReferralState> reader;
        reader.noun = "referral " + id;
        reader.current = [&models, id] { return models.Referral(id); };
        reader.as_of = [&store, id](uint64_t p) { return pj::ReferralAsOf(store, id, p); };
        reader.render = Plain(&ReferralView);
        return ReadEntity(context, request, reader);
      },
      Work::kFromReadModels);
}

void RegisterParagraph58To61Reads(Router& router, ApiContext& context) {
  const auto readers = Access::Roles(kEntityReaders);
  pj::ReadModels& models = context.read_models;
  const engine::EventStore& store = context.store;

  router.Add(
      "GET", "/v1/observer-invitations/{id}", readers,
      [&context, &models, &store](const RequestContext& request) {
        const std::string& id = request.Param("id");
        EntityReader<wf::ObserverInvitationState> reader;
        reader.noun = "observer invitation " + id;
        reader.current = [&models, id] { return models.ObserverInvitation(id); };
        reader.as_of = [&store, id](uint64_t p) {
          return pj::ObserverInvitationAsOf(store, id, p);
        };
        reader.names = [](const wf::ObserverInvitationState& state,
                          const std::string& stakeholder) { return Names(state, stakeholder); };
        reader.render = Plain(&ObserverInvitationView);
        return ReadEntity(context, request, reader);
      },
      Work::kFromReadModels);

  // A state or stakeholder named by the request sees its own contribution only.
  router.Add(
      "GET", "/v1/contribution-requests/{id}", readers,
      [&context, &models, &store](const RequestContext& request) {
        const std::string& id = request.Param("id");
        const Principal& principal = *request.principal;
        const std::string only_for =
            ScopeOf(principal) == ReadScope::kEverything ? std::string() : principal.stakeholder;
        EntityReader<wf::ContributionRequestState> reader;
        reader.noun = "contribution request " + id;
        reader.current = [&models, id] { return models.ContributionRequest(id); };
        reader.as_of = [&store, id](uint64_t p) {
          return pj::ContributionRequestAsOf(store, id, p);
        };
        reader.names = [](const wf::ContributionRequestState& state,
                          const std::string& stakeholder) { return Names(state, stakeholder); };
        reader.render = [only_for](const wf::ContributionRequestState& state, uint64_t,
                                   bool) -> engine::Result<json> {
          return ContributionRequestView(state, only_for);
        };
        return ReadEntity(context, request, reader);
      },
      Work::kFromReadModels);

  router.Add(
      "GET", "/v1/contribution-requests/{id}/contributions/{sid}", readers,
      [&context, &models, &store](const RequestContext& request) {
        const std::string& id = request.Param("id");
        const std::string& sid = request.Param("sid");
        EntityReader<wf::ContributionRequestState> reader;
        reader.noun = "contribution of " + sid + " to contribution request " + id;
        reader.current = [&models, id] { return models.ContributionRequest(id); };
        reader.as_of = [&store, id](uint64_t p) {
          return pj::ContributionRequestAsOf(store, id, p);
        };
        reader.names = [sid](const wf::ContributionRequestState& state,
                             const std::string& stakeholder) {
          return stakeholder == sid && Names(state, stakeholder);
        };
        reader.render = [id, sid](const wf::ContributionRequestState& state, uint64_t horizon,
                                  bool as_of) -> engine::Result<json> {
          const wf::Contribution* contribution = state.FindContribution(sid);
          if (contribution == nullptr) {
            return engine::Fail(engine::Error::NotFound(
                "no contribution of " + sid + " to contribution request " + id +
                (as_of ? " as of position " + std::to_string(horizon) : std::string())));
          }
          return ContributionView(state, *contribution);
        };
        return ReadEntity(context, request, reader);
      },
      Work::kFromReadModels);

  router.Add(
      "GET", "/v1/reports/{id}", readers,
      [&context, &models, &store](const RequestContext& request) {
        const std::string& id = request.Param("id");
        EntityReader<wf::StakeholderReportState> reader;
        reader.noun = "report " + id;
        reader.current = [&models, id] { return models.Report(id); };
        reader.as_of = [&store, id](uint64_t p) { return pj::ReportAsOf(store, id, p); };
        reader.names = [](const wf::StakeholderReportState& state, const std::string& stakeholder) {
          return Names(state, stakeholder);
        };
        reader.render = Plain(&ReportView);
        return ReadEntity(context, request, reader);
      },
      Work::kFromReadModels);

  router.Add(
      "GET", "/v1/state-participations/{id}", readers,
      [&context, &models, &store](const RequestContext& request) {
        const std::string& id = request.Param("id");
        EntityReader<wf::StateParticipationState> reader;
        reader.noun = "state participation " + id;
        reader.current = [&models, id] { return models.StateParticipation(id); };
        reader.as_of = [&store, id](uint64_t p) {
          return pj::StateParticipationAsOf(store, id, p);
        };
        reader.names = [](const wf::StateParticipationState& state,
                          const std::string& stakeholder) { return Names(state, stakeholder); };
        reader.render = Plain(&StateParticipationView);
        return ReadEntity(context, request, reader);
      },
      Work::kFromReadModels);
}

// The audit trail of one stream, every event in version order with its sentence.
void RegisterHistoryReads(Router& router, ApiContext& context) {
  const engine::EventStore& store = context.store;
  router.Add(
      "GET", "/v1/streams/{stream}/history", Access::Roles(kLogReaders),
      [&store](const RequestContext& request) {
        const std::string& stream = request.Param("stream");
        json entries = json::array();
        uint64_t after = 0;
        for (;;) {
          auto events = store.ReadStream(stream, after, kStreamPage);
          if (!events) return ErrorResponse(events.error());
          for (const auto& event : *events) {
            const auto& m = event.metadata;
            entries.push_back(
                {{"position", event.position},
                 {"version", event.version},
                 {"type", event.type},
                 {"occurred_at", m.occurred_at},
                 {"recorded_at", m.recorded_at},
                 {"actor", m.actor},
                 {"role", m.role},
                 {"on_behalf_of", m.on_behalf_of.empty() ? json(nullptr) : json(m.on_behalf_of)},
                 {"sentence", wf::Describe(event)}});
            after = event.version;
          }
          if (events->size() < kStreamPage) break;
        }
        if (entries.empty()) return NotFound("stream " + stream, std::nullopt);
        return JsonResponse(200, {{"stream", stream}, {"entries", std::move(entries)}});
      });
}

}  // namespace

void RegisterQueryRoutes(Router& router, ApiContext& context) {
  RegisterReferenceDataReads(router, context);
  RegisterStakeholderReads(router, context);
  RegisterBriefingReads(router, context);
  RegisterReferralReads(router, context);
  RegisterParagraph58To61Reads(router, context);
  RegisterHistoryReads(router, context);
}

}  // namespace dialogue::api
