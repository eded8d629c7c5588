// The server's side checked by the auditor's: the engine's Merkle proofs and signed checkpoints
// (engine/) verified by the independent verifier of `dialogue audit` (audit/), for every tree size
// up to 300 and every pair of sizes, and any single flipped bit refused. The one test binary that
// links both: each is the other's oracle, neither calls the other's code.
#include <catch2/catch.hpp>
#include <cstring>
#include <random>

#include "audit/merkle_verify.hpp"
#include "audit/note.hpp"
#include "engine/event_store.hpp"
#include "engine/ledger_checkpoint.hpp"
#include "tests/temp_dir.hpp"

namespace dialogue {
namespace {

audit::Hash ToAudit(const engine::merkle::Hash& hash) {
  audit::Hash out;
  std::memcpy(out.data(), hash.data(), 32);
  return out;
}

std::vector<audit::Hash> ToAudit(const std::vector<engine::merkle::Hash>& hashes) {
  std::vector<audit::Hash> out;
  for (const auto& hash : hashes) out.push_back(ToAudit(hash));
  return out;
}

void Flip(audit::Hash& hash, unsigned bit) { hash[bit / 8 % 32] ^= uint8_t(1u << (bit % 8)); }

void AppendEvents(engine::EventStore& store, int count) {
  for (int i = 0; i < count; ++i) {
    engine::AppendRequest request;
    request.writes.push_back({"stream-" + std::to_string(i % 7),
                              engine::ExpectedVersion::Any(),
                              {{"Numbered", R"({"n":)" + std::to_string(i) + "}", {}}}});
    REQUIRE(store.Append(request));
  }
}

// Every inclusion and consistency proof of every size up to max_size verifies; one flipped bit
// (of the proof, a root or the leaf, chosen by the seeded generator) does not.
void CheckEveryProof(const engine::EventStore& store, uint64_t max_size) {
  std::mt19937 random(20261206);
  std::vector<audit::Hash> roots(max_size + 1);
  std::vector<audit::Hash> leaves;
  for (uint64_t n = 1; n <= max_size; ++n) {
    roots[n] = ToAudit(store.TreeRoot(n).value());
    leaves.push_back(ToAudit(store.TreeNode(0, n - 1).value()));
  }
  for (uint64_t n = 1; n <= max_size; ++n) {
    REQUIRE(audit::RootFromLeafHashes(std::span(leaves.data(), n)) == roots[n]);
    for (uint64_t p = 1; p <= n; ++p) {
      std::vector<audit::Hash> proof = ToAudit(store.InclusionProof(p, n).value());
      REQUIRE(audit::VerifyInclusion(p - 1, n, leaves[p - 1], proof, roots[n]));
      audit::Hash leaf = leaves[p - 1];
      Flip(leaf, random());
      REQUIRE_FALSE(audit::VerifyInclusion(p - 1, n, leaf, proof, roots[n]));
      audit::Hash root = roots[n];
      Flip(root, random());
      REQUIRE_FALSE(audit::VerifyInclusion(p - 1, n, leaves[p - 1], proof, root));
      if (!proof.empty()) {
        Flip(proof[random() % proof.size()], random());
        REQUIRE_FALSE(audit::VerifyInclusion(p - 1, n, leaves[p - 1], proof, roots[n]));
      }
    }
    for (uint64_t m = 1; m <= n; ++m) {
      std::vector<audit::Hash> proof = ToAudit(store.ConsistencyProof(m, n).value());
      REQUIRE(audit::VerifyConsistency(m, n, proof, roots[m], roots[n]));
      if (m == n) continue;
      audit::Hash old_root = roots[m];
      Flip(old_root, random());
      REQUIRE_FALSE(audit::VerifyConsistency(m, n, proof, old_root, roots[n]));
      audit::Hash new_root = roots[n];
      Flip(new_root, random());
      REQUIRE_FALSE(audit::VerifyConsistency(m, n, proof, roots[m], new_root));
      if (!proof.empty()) {
        Flip(proof[random() % proof.size()], random());
        REQUIRE_FALSE(audit::VerifyConsistency(m, n, proof, roots[m], roots[n]));
      }
    }
  }
}

TEST_CASE("The server's proofs verify with the auditor's code for every size up to 300",
          "[interop]") {
  auto store = engine::NewInMemoryEventStore();
  AppendEvents(*store, 300);
  CheckEveryProof(*store, 300);
}

TEST_CASE("The RocksDB store's proofs verify with the auditor's code, across a reopen",
          "[interop]") {
  testing::TempDir dir;
  engine::RocksDbOptions options;
  options.path = dir.path();
  {
    auto store = engine::OpenRocksDbEventStore(options).value();
    AppendEvents(*store, 40);
  }
  auto store = engine::OpenRocksDbEventStore(options).value();
  AppendEvents(*store, 30);
  CheckEveryProof(*store, 70);
}

TEST_CASE("The server's signed checkpoints verify with the auditor's code", "[interop]") {
  auto store = engine::NewInMemoryEventStore();
  auto signer = engine::NoteSigner::Generate("dialogue.test/ledger");
  auto checkpoints = engine::Checkpointer::Open(*store, *signer, "").value();
  const auto key = audit::ParseVerifierKey(signer->verifier_key());
  REQUIRE(key);
  for (int round = 0; round < 5; ++round) {
    const auto signed_note = checkpoints->Current().value();
    const auto checkpoint = audit::VerifyCheckpoint(signed_note->note, *key);
    REQUIRE(checkpoint);
    CHECK(checkpoint->origin == "dialogue.test/ledger");
    CHECK(checkpoint->size == store->Head().position);
    CHECK(checkpoint->root == ToAudit(store->TreeRoot(checkpoint->size).value()));
    // Any one flipped bit of the note (text or signature) fails.
    for (size_t bit = 0; bit < signed_note->note.size() * 8; bit += 7) {
      std::string altered = signed_note->note;
      altered[bit / 8] = static_cast<char>(altered[bit / 8] ^ (1 << (bit % 8)));
      CHECK_FALSE(audit::VerifyCheckpoint(altered, *key));
    }
    AppendEvents(*store, round * 3 + 1);
  }
  // Another key, even of the same name, does not verify it.
  auto other = engine::NoteSigner::Generate("dialogue.test/ledger");
  CHECK_FALSE(audit::VerifyCheckpoint(checkpoints->Current().value()->note,
                                      *audit::ParseVerifierKey(other->verifier_key())));
}

}  // namespace
}  // namespace dialogue
