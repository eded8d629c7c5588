// audit/merkle_verify against the RFC 9162 definitions (tests/audit/naive_merkle.hpp) for every
// tree up to 300 leaves, and against transparency-dev/merkle's golden vectors (tests/data/merkle).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "audit/merkle_verify.hpp"
#include "tests/audit/naive_merkle.hpp"

namespace dialogue::audit {
namespace {

using testing::NaiveLeaf;
using testing::NaiveTree;

constexpr size_t kMaxTreeSize = 300;

std::vector<Hash> LeafHashes(size_t n) {
  std::vector<Hash> leaves;
  for (size_t i = 0; i < n; ++i) {
    const std::string data = "leaf " + std::to_string(i);
    leaves.push_back(NaiveLeaf({data.begin(), data.end()}));
  }
  return leaves;
}

Hash FlipOneBit(Hash hash, std::mt19937& random) {
  const size_t bit = random() % (hash.size() * 8);
  hash[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
  return hash;
}

std::vector<Hash> FlipOneBitOfOne(std::vector<Hash> proof, std::mt19937& random) {
  const size_t which = random() % proof.size();
  proof[which] = FlipOneBit(proof[which], random);
  return proof;
}

TEST_CASE("The leaf and node hashes are RFC 9162's, the empty tree's root is SHA-256 of nothing",
          "[audit][merkle]") {
  const std::vector<uint8_t> data = {'a', 'b', 'c'};
  CHECK(LeafHash(data) == NaiveLeaf(data));
  CHECK(HexOf(EmptyRoot()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(RootFromLeafHashes({}) == EmptyRoot());
  NaiveTree tree(LeafHashes(2));
  CHECK(NodeHash(tree.leaves()[0], tree.leaves()[1]) == tree.Root(2));
}

TEST_CASE("Every leaf's RFC path verifies in every tree up to 300 leaves, a flipped bit fails",
          "[audit][merkle]") {
  NaiveTree tree(LeafHashes(kMaxTreeSize));
  std::mt19937 random(9162);
  size_t proofs = 0;
  for (size_t n = 1; n <= kMaxTreeSize; ++n) {
    const Hash root = tree.Root(n);
    for (size_t m = 0; m < n; ++m) {
      const std::vector<Hash> path = tree.Path(m, n);
      const Hash& leaf = tree.leaves()[m];
      ++proofs;
      if (!VerifyInclusion(m, n, leaf, path, root)) FAIL("leaf " << m << " of " << n);
      if (VerifyInclusion(m, n, FlipOneBit(leaf, random), path, root) ||
          VerifyInclusion(m, n, leaf, path, FlipOneBit(root, random)) ||
          (!path.empty() && VerifyInclusion(m, n, leaf, FlipOneBitOfOne(path, random), root))) {
        FAIL("a flipped bit verified: leaf " << m << " of " << n);
      }
    }
    // Out of range, or the proof of a neighbour.
    CHECK_FALSE(VerifyInclusion(n, n, tree.leaves()[0], tree.Path(0, n), root));
    if (n > 1) CHECK_FALSE(VerifyInclusion(0, n, tree.leaves()[0], tree.Path(1, n), root));
  }
  CHECK(proofs == kMaxTreeSize * (kMaxTreeSize + 1) / 2);
}

TEST_CASE(
    "Every RFC consistency proof verifies between trees up to 300 leaves, a flipped bit fails",
    "[audit][merkle]") {
  NaiveTree tree(LeafHashes(kMaxTreeSize));
  std::mt19937 random(6962);
  for (size_t n = 1; n <= kMaxTreeSize; ++n) {
    const Hash root2 = tree.Root(n);
    for (size_t m = 1; m <= n; ++m) {
      const Hash root1 = tree.Root(m);
      const std::vector<Hash> proof = tree.Proof(m, n);
      if (!VerifyConsistency(m, n, proof, root1, root2)) FAIL("sizes " << m << " and " << n);
      if (VerifyConsistency(m, n, proof, FlipOneBit(root1, random), root2) ||
          VerifyConsistency(m, n, proof, root1, FlipOneBit(root2, random)) ||
          (!proof.empty() &&
           VerifyConsistency(m, n, FlipOneBitOfOne(proof, random), root1, root2))) {
        FAIL("a flipped bit verified: sizes " << m << " and " << n);
      }
    }
    CHECK_FALSE(VerifyConsistency(0, n, {}, EmptyRoot(), root2));
    if (n > 1) {
      CHECK_FALSE(VerifyConsistency(n, n - 1, {}, root2, tree.Root(n - 1)));
      CHECK_FALSE(VerifyConsistency(n - 1, n, {}, tree.Root(n - 1), root2));
    }
  }
}

TEST_CASE("The old tree's edge from a verified consistency proof grows into the new root",
          "[audit][merkle]") {
  constexpr size_t kMaxEdgeTree = 80;
  NaiveTree tree(LeafHashes(kMaxEdgeTree));
  for (size_t n = 2; n <= kMaxEdgeTree; ++n) {
    for (size_t m = 1; m < n; ++m) {
      std::vector<Hash> edge;
      REQUIRE(VerifyConsistency(m, n, tree.Proof(m, n), tree.Root(m), tree.Root(n), &edge));
      std::optional<CompactRange> range = CompactRange::FromEdge(m, edge);
      REQUIRE(range);
      if (range->Root() != tree.Root(m)) FAIL("edge of " << m << " (towards " << n << ")");
      for (size_t i = m; i < n; ++i) range->Append(tree.leaves()[i]);
      if (range->Root() != tree.Root(n)) FAIL("edge of " << m << " grown to " << n);
    }
  }
  CHECK_FALSE(CompactRange::FromEdge(3, {tree.Root(2)}));
}

TEST_CASE("Leaves appended one by one give the RFC root of every size", "[audit][merkle]") {
  NaiveTree tree(LeafHashes(kMaxTreeSize));
  CompactRange range;
  CHECK(range.Root() == EmptyRoot());
  for (size_t n = 1; n <= kMaxTreeSize; ++n) {
    range.Append(tree.leaves()[n - 1]);
    if (range.Root() != tree.Root(n)) FAIL("size " << n);
  }
  CHECK(range.size() == kMaxTreeSize);
  CHECK(RootFromLeafHashes(tree.leaves()) == tree.Root(kMaxTreeSize));
}

// transparency-dev/merkle's testdata (tests/data/merkle/README.md): Go's JSON, byte strings in
// base64, a null proof for none. A value that is not 32 bytes cannot verify.
std::optional<Hash> GoBytes(const nlohmann::json& value) {
  if (!value.is_string()) return std::nullopt;
  return HashFromBase64(value.get<std::string>());
}

std::optional<std::vector<Hash>> GoProof(const nlohmann::json& value) {
  std::vector<Hash> proof;
  if (value.is_null()) return proof;
  for (const nlohmann::json& item : value) {
    const std::optional<Hash> hash = GoBytes(item);
    if (!hash) return std::nullopt;
    proof.push_back(*hash);
  }
  return proof;
}

std::vector<std::filesystem::path> VectorFiles(const std::string& kind) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(
           std::string(DIALOGUE_MERKLE_TESTDATA) + "/" + kind)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

nlohmann::json ReadJson(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return nlohmann::json::parse(text.str());
}

TEST_CASE("transparency-dev/merkle's inclusion vectors hold", "[audit][merkle][golden]") {
  const std::vector<std::filesystem::path> files = VectorFiles("inclusion");
  REQUIRE(files.size() >= 20);
  size_t happy = 0;
  for (const std::filesystem::path& file : files) {
    const nlohmann::json vector = ReadJson(file);
    const std::optional<Hash> root = GoBytes(vector.at("root"));
    const std::optional<Hash> leaf = GoBytes(vector.at("leafHash"));
    const std::optional<std::vector<Hash>> proof = GoProof(vector.at("proof"));
    const bool verified =
        root && leaf && proof &&
        VerifyInclusion(vector.at("leafIdx").get<uint64_t>(), vector.at("treeSize").get<uint64_t>(),
                        *leaf, *proof, *root);
    INFO(file.string());
    CHECK(verified == !vector.at("wantErr").get<bool>());
    happy += verified ? 1 : 0;
  }
  CHECK(happy >= 5);
}

TEST_CASE("transparency-dev/merkle's consistency vectors hold", "[audit][merkle][golden]") {
  const std::vector<std::filesystem::path> files = VectorFiles("consistency");
  REQUIRE(files.size() >= 20);
  size_t happy = 0;
  size_t not_expressible = 0;
  for (const std::filesystem::path& file : files) {
    const nlohmann::json vector = ReadJson(file);
    const std::optional<Hash> root1 = GoBytes(vector.at("root1"));
    const std::optional<Hash> root2 = GoBytes(vector.at("root2"));
    const std::optional<std::vector<Hash>> proof = GoProof(vector.at("proof"));
    INFO(file.string());
    if ((!root1 || !root2) && !vector.at("wantErr").get<bool>()) {
      // Go compares opaque roots of any length when equal sizes need no hashing ("sizes are
      // equal (one) and proof is empty", with 12-byte roots). A 32-byte Hash cannot hold them;
      // the case itself is covered by the tests above.
      CHECK(vector.at("size1") == vector.at("size2"));
      CHECK(vector.at("root1") == vector.at("root2"));
      ++not_expressible;
      continue;
    }
    const bool verified =
        root1 && root2 && proof &&
        VerifyConsistency(vector.at("size1").get<uint64_t>(), vector.at("size2").get<uint64_t>(),
                          *proof, *root1, *root2);
    CHECK(verified == !vector.at("wantErr").get<bool>());
    happy += verified ? 1 : 0;
  }
  CHECK(happy >= 5);
  CHECK(not_expressible == 1);
}

}  // namespace
}  // namespace dialogue::audit
