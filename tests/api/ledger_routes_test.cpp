// The verifiable history's endpoints (the contract's "Verifiable history"): who may read them,
// their forms, and the 400s of their parameters. The proofs' correctness against RFC 9162 is the
// engine's test (tests/engine/merkle_test.cpp) and the auditor's (tests/audit/).
#include <catch2/catch.hpp>

#include "engine/merkle.hpp"
#include "tests/api/query_fixture.hpp"

namespace dialogue::api::testing {
namespace {

namespace wf = workflows;
using nlohmann::json;

class LedgerFixture : public QueryFixture {
 public:
  LedgerFixture() { RegisterReferenceData(); }

  json HexList(const std::vector<engine::merkle::Hash>& hashes) {
    json list = json::array();
    for (const auto& hash : hashes) list.push_back(engine::merkle::ToHex(hash));
    return list;
  }
};

TEST_CASE_METHOD(LedgerFixture, "The log's readers, and only they, read the verifiable history",
                 "[ledger]") {
  const char* kTargets[] = {"/v1/ledger/public-key", "/v1/ledger/checkpoint",
                            "/v1/ledger/proof/inclusion?position=1&tree_size=1",
                            "/v1/ledger/proof/consistency?from=1&to=2"};
  for (const char* target : kTargets) {
    INFO(target);
    for (const char* reader : {"sec", "president", "bureau", "wg-tip", "auditor", "integration"}) {
      INFO(reader);
      CHECK(Get(reader, target).status == 200);
    }
    for (const char* other : {"state-at", "ngo-a"}) {
      INFO(other);
      const Answer refused = Get(other, target);
      CHECK(refused.status == 403);
      CHECK(refused.code() == "forbidden");
    }
    CHECK(Get("", target).status == 401);
  }
}

TEST_CASE_METHOD(LedgerFixture, "The public key and the checkpoint are signed-note text",
                 "[ledger]") {
  const Answer key = Get("auditor", "/v1/ledger/public-key");
  CHECK(key.content_type == "text/plain; charset=utf-8");
  CHECK(key.text == signer().verifier_key());
  CHECK(key.text.rfind("dialogue.test/ledger+", 0) == 0);

  const Answer checkpoint = Get("auditor", "/v1/ledger/checkpoint");
  REQUIRE(checkpoint.status == 200);
  CHECK(checkpoint.content_type == "text/plain; charset=utf-8");
  const std::string body =
      engine::CheckpointBody("dialogue.test/ledger", Head(), store().TreeRoot(Head()).value());
  CHECK(checkpoint.text.rfind(body + "\n\xE2\x80\x94 dialogue.test/ledger ", 0) == 0);
  CHECK(checkpoint.text.back() == '\n');
  // The same tree, the same note; a longer one, a new note.
  CHECK(Get("sec", "/v1/ledger/checkpoint").text == checkpoint.text);
  Append(wf::EcosocStatusChanged{"ngo-a", wf::EcosocStatus::kGeneral,
                                 Instant("2026-06-01T09:00:00Z")});
  const Answer grown = Get("auditor", "/v1/ledger/checkpoint");
  CHECK(grown.text != checkpoint.text);
  CHECK(grown.text.find("\n" + std::to_string(Head()) + "\n") != std::string::npos);
}

TEST_CASE_METHOD(LedgerFixture, "Proofs are the store's, in hex, with the leaf's hash",
                 "[ledger]") {
  const uint64_t head = Head();
  REQUIRE(head >= 5);
  const Answer inclusion =
      Get("auditor", "/v1/ledger/proof/inclusion?position=3&tree_size=" + std::to_string(head));
  REQUIRE(inclusion.status == 200);
  CHECK(inclusion.body["position"] == 3);
  CHECK(inclusion.body["tree_size"] == head);
  CHECK(inclusion.body["hashes"] == HexList(store().InclusionProof(3, head).value()));
  const engine::RecordedEvent third = store().ReadAll(2, 1).value().at(0);
  // The leaf is SHA-256(0x00 || the 32 bytes of the event's chain hash).
  std::string raw;
  for (size_t i = 0; i < third.hash.size(); i += 2) {
    raw.push_back(static_cast<char>(std::stoi(third.hash.substr(i, 2), nullptr, 16)));
  }
  CHECK(inclusion.body["leaf_hash"] == engine::merkle::ToHex(engine::merkle::LeafHash(raw)));
  CHECK(inclusion.body["leaf_hash"] == engine::merkle::ToHex(store().TreeNode(0, 2).value()));

  const Answer consistency =
      Get("auditor", "/v1/ledger/proof/consistency?from=2&to=" + std::to_string(head));
  REQUIRE(consistency.status == 200);
  CHECK(consistency.body == json{{"from", 2},
                                 {"to", head},
                                 {"hashes", HexList(store().ConsistencyProof(2, head).value())}});
  const Answer same = Get("auditor", "/v1/ledger/proof/consistency?from=4&to=4");
  CHECK(same.body["hashes"] == json::array());
}

TEST_CASE_METHOD(LedgerFixture, "Out-of-range and malformed proof parameters are 400 problems",
                 "[ledger]") {
  const std::string head = std::to_string(Head());
  const std::string beyond = std::to_string(Head() + 1);
  const std::vector<std::string> kBad = {
      "/v1/ledger/proof/inclusion",
      "/v1/ledger/proof/inclusion?position=1",
      "/v1/ledger/proof/inclusion?tree_size=1",
      "/v1/ledger/proof/inclusion?position=0&tree_size=1",
      "/v1/ledger/proof/inclusion?position=2&tree_size=1",
      "/v1/ledger/proof/inclusion?position=1&tree_size=" + beyond,
      "/v1/ledger/proof/inclusion?position=x&tree_size=1",
      "/v1/ledger/proof/inclusion?position=-1&tree_size=1",
      "/v1/ledger/proof/inclusion?position=1.5&tree_size=2",
      "/v1/ledger/proof/inclusion?position=&tree_size=1",
      "/v1/ledger/proof/inclusion?position=1&tree_size=99999999999999999999999",
      "/v1/ledger/proof/consistency",
      "/v1/ledger/proof/consistency?from=1",
      "/v1/ledger/proof/consistency?to=1",
      "/v1/ledger/proof/consistency?from=0&to=1",
      "/v1/ledger/proof/consistency?from=3&to=2",
      "/v1/ledger/proof/consistency?from=1&to=" + beyond,
      "/v1/ledger/proof/consistency?from=a&to=2",
  };
  for (const std::string& target : kBad) {
    INFO(target);
    const Answer answer = Get("auditor", target);
    CHECK(answer.status == 400);
    CHECK(answer.code() == "bad_request");
    CHECK(answer.content_type == "application/problem+json");
  }
  CHECK(
      Get("auditor", "/v1/ledger/proof/inclusion?position=" + head + "&tree_size=" + head).status ==
      200);
}

}  // namespace
}  // namespace dialogue::api::testing
