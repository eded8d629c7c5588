// The RFC 9162 §2.1 Merkle tree, as a verifier sees it: leaf and node hashes, the check of an
// inclusion proof (§2.1.3.2) and of a consistency proof (§2.1.4.2), and CompactRange, which builds
// a root from leaves. Written from the RFC, apart from the server's tree (engine/), so that one bug
// cannot hide another. Thread-safe (no shared state).
//
// Leaves are numbered from 0; a tree of size n holds leaves 0..n-1.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "audit/hash.hpp"

namespace dialogue::audit {

// SHA-256(0x00 ‖ data).
Hash LeafHash(std::span<const uint8_t> data);
// SHA-256(0x01 ‖ left ‖ right).
Hash NodeHash(const Hash& left, const Hash& right);
// The root of the empty tree: SHA-256 of nothing.
Hash EmptyRoot();

// True when `proof` (leaf to root) proves that `leaf_hash` is leaf `index` of the tree of `size`
// leaves whose root is `root`. False for index ≥ size.
bool VerifyInclusion(uint64_t index, uint64_t size, const Hash& leaf_hash,
                     std::span<const Hash> proof, const Hash& root);

// True when `proof` proves that the tree of `size1` leaves with root `root1` is a prefix of the
// tree of `size2` leaves with root `root2`. REQUIRES nothing: 0 < size1 ≤ size2 is checked (a proof
// from the empty tree proves nothing, so size1 = 0 is false; size1 = size2 needs an empty proof and
// equal roots). When true and `old_edge` is given, *old_edge receives the old tree's compact range
// (see CompactRange), authenticated by root1 through the proof.
bool VerifyConsistency(uint64_t size1, uint64_t size2, std::span<const Hash> proof,
                       const Hash& root1, const Hash& root2, std::vector<Hash>* old_edge = nullptr);

// The right edge of a tree being built: the roots of the perfect subtrees that its leaves
// decompose into, largest (leftmost) first, one per set bit of the size. Enough to append leaves
// and compute the root without the earlier leaves. Not thread-safe.
class CompactRange {
 public:
  CompactRange() = default;  // the empty tree

  // The range of a tree of `size` leaves from its edge nodes; nullopt unless there is one node per
  // set bit of `size`.
  static std::optional<CompactRange> FromEdge(uint64_t size, std::vector<Hash> nodes);

  void Append(const Hash& leaf_hash);
  uint64_t size() const { return size_; }
  Hash Root() const;  // EmptyRoot() for the empty tree

 private:
  uint64_t size_ = 0;
  std::vector<Hash> nodes_;
};

// The root of the tree whose leaves have these hashes, in order.
Hash RootFromLeafHashes(std::span<const Hash> leaf_hashes);

}  // namespace dialogue::audit
