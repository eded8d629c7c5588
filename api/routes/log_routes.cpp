// The log endpoints: pages of events, the ledger head and its verification, and the verifiable
// history: the signing key, signed checkpoints and Merkle proofs (docs/verifiable-history.md).
#include <nlohmann/json.hpp>

#include "api/http/json_io.hpp"
#include "api/http/params.hpp"
#include "api/http/problem.hpp"
#include "api/routes/routes.hpp"
#include "engine/event_json.hpp"

namespace dialogue::api {
namespace {

HttpResponse EventPage(const engine::Result<std::vector<engine::RecordedEvent>>& events,
                       const engine::EventStore& store) {
  if (!events) return ErrorResponse(events.error());
  nlohmann::json list = nlohmann::json::array();
  for (const auto& event : *events) list.push_back(engine::EventToJson(event));
  // Read after the events, so that head is never behind the last event listed.
  return JsonResponse(200, {{"events", std::move(list)}, {"head", store.HeadPosition()}});
}

nlohmann::json HexList(const std::vector<engine::merkle::Hash>& hashes) {
  nlohmann::json list = nlohmann::json::array();
  for (const engine::merkle::Hash& hash : hashes) list.push_back(engine::merkle::ToHex(hash));
  return list;
}

HttpResponse TextResponse(std::string body) {
  HttpResponse response;
  response.headers.Set("Content-Type", "text/plain; charset=utf-8");
  response.body = std::move(body);
  return response;
}

// A required positive integer query parameter: missing, empty, not an integer or 0 -> 400.
tl::expected<uint64_t, HttpResponse> RequiredPosition(const RequestContext& request,
                                                      const std::string& name) {
  if (!request.Query(name)) {
    return tl::unexpected(
        ProblemResponse(400, "bad_request", "query parameter " + name + " is required"));
  }
  auto value = UnsignedQueryParam(request, name, 0);
  if (value && *value == 0) {
    return tl::unexpected(
        ProblemResponse(400, "bad_request", "query parameter " + name + " must be at least 1"));
  }
  return value;
}

HttpResponse ProofRefused(const engine::Error& error) {
  if (error.code == engine::ErrorCode::kInvalidArgument) {
    return ProblemResponse(400, "bad_request", error.message);
  }
  return ErrorResponse(error);
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

  router.Add(
      "GET", "/v1/ledger/public-key", readers,
      [&context](const RequestContext&) {
        if (context.ledger_signer == nullptr) {
          return ProblemResponse(503, "unavailable", "this server has no ledger signing key");
        }
        return TextResponse(context.ledger_signer->verifier_key());
      },
      Work::kFromMemory);

  router.Add("GET", "/v1/ledger/checkpoint", readers, [&context](const RequestContext&) {
    if (context.checkpoints == nullptr) {
      return ProblemResponse(503, "unavailable", "this server has no ledger signing key");
    }
    auto checkpoint = context.checkpoints->Current();
    if (!checkpoint) return ErrorResponse(checkpoint.error());
    return TextResponse((*checkpoint)->note);
  });

  router.Add("GET", "/v1/ledger/proof/inclusion", readers, [&store](const RequestContext& request) {
    auto position = RequiredPosition(request, "position");
    if (!position) return position.error();
    auto tree_size = RequiredPosition(request, "tree_size");
    if (!tree_size) return tree_size.error();
    engine::merkle::Hash leaf;
    auto proof = store.InclusionProof(*position, *tree_size, &leaf);
    if (!proof) return ProofRefused(proof.error());
    return JsonResponse(200, {{"position", *position},
                              {"tree_size", *tree_size},
                              {"leaf_hash", engine::merkle::ToHex(leaf)},
                              {"hashes", HexList(*proof)}});
  });

  router.Add(
      "GET", "/v1/ledger/proof/consistency", readers, [&store](const RequestContext& request) {
        auto from = RequiredPosition(request, "from");
        if (!from) return from.error();
        auto to = RequiredPosition(request, "to");
        if (!to) return to.error();
        auto proof = store.ConsistencyProof(*from, *to);
        if (!proof) return ProofRefused(proof.error());
        return JsonResponse(200, {{"from", *from}, {"to", *to}, {"hashes", HexList(*proof)}});
      });

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
