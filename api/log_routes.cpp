// The log endpoints: pages of events, the ledger head and its verification.
#include <nlohmann/json.hpp>

#include "api/event_json.hpp"
#include "api/json_io.hpp"
#include "api/params.hpp"
#include "api/problem.hpp"
#include "api/routes.hpp"

namespace dialogue::api {
namespace {

HttpResponse EventPage(const engine::Result<std::vector<engine::RecordedEvent>>& events,
                       const engine::EventStore& store) {
  if (!events) return ErrorResponse(events.error());
  nlohmann::json list = nlohmann::json::array();
  for (const auto& event : *events) list.push_back(EventToJson(event));
  // Read after the events, so that head is never behind the last event listed.
  return JsonResponse(200, {{"events", std::move(list)}, {"head", store.Head().position}});
}

}  // namespace

void RegisterLogRoutes(Router& router, ApiContext& context) {
  const auto readers = Access::Roles(kLogReaders);
  engine::EventStore& store = context.store;

  router.Add("GET", "/v1/events", readers, [&store](const RequestContext& request) {
    auto after = UnsignedQueryParam(request, "after", 0);
    if (!after) return after.error();
    auto limit = PageLimit(request);
    if (!limit) return limit.error();
    return EventPage(store.ReadAll(*after, *limit), store);
  });

  router.Add("GET", "/v1/streams/{stream}/events", readers,
             [&store](const RequestContext& request) {
               auto after = UnsignedQueryParam(request, "after", 0);
               if (!after) return after.error();
               auto limit = PageLimit(request);
               if (!limit) return limit.error();
               const std::string& stream = request.Param("stream");
               auto version = store.StreamVersion(stream);
               if (!version) return ErrorResponse(version.error());
               if (*version == 0) {
                 return ProblemResponse(404, "not_found", "no stream " + stream);
               }
               return EventPage(store.ReadStream(stream, *after, *limit), store);
             });

  router.Add(
      "GET", "/v1/ledger/head", readers,
      [&store](const RequestContext&) {
        const engine::LedgerHead head = store.Head();
        return JsonResponse(200, {{"position", head.position}, {"hash", head.hash}});
      },
      Work::kFromMemory);

  router.Add("GET", "/v1/ledger/verify", readers, [&store](const RequestContext&) {
    auto report = store.Verify();
    if (!report) return ErrorResponse(report.error());
    return JsonResponse(
        200, {{"ok", report->ok},
              {"head", report->head.position},
              {"head_hash", report->head.hash},
              {"first_bad_position", report->first_bad_position
                                         ? nlohmann::json(*report->first_bad_position)
                                         : nlohmann::json(nullptr)},
              {"problem", report->ok ? nlohmann::json(nullptr) : nlohmann::json(report->problem)}});
  });
}

}  // namespace dialogue::api
