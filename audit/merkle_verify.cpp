#include "audit/merkle_verify.hpp"

#include <algorithm>
#include <bit>
#include <utility>

namespace dialogue::audit {
namespace {

constexpr uint8_t kLeafPrefix[] = {0x00};
constexpr uint8_t kNodePrefix[] = {0x01};

// Shifts fn and sn right together until fn is odd or zero: climbs from a node that is the last
// of its level (fn = sn, a left child without a sibling) to its first ancestor that is a right
// child.
void ClimbToRightChild(uint64_t& fn, uint64_t& sn) {
  while ((fn & 1) == 0 && fn != 0) {
    fn >>= 1;
    sn >>= 1;
  }
}

}  // namespace

Hash LeafHash(std::span<const uint8_t> data) { return Sha256({kLeafPrefix, data}); }

Hash NodeHash(const Hash& left, const Hash& right) { return Sha256({kNodePrefix, left, right}); }

Hash EmptyRoot() { return Sha256({}); }

// RFC 9162 §2.1.3.2, step by step.
bool VerifyInclusion(uint64_t index, uint64_t size, const Hash& leaf_hash,
                     std::span<const Hash> proof, const Hash& root) {
  if (index >= size) return false;
  uint64_t fn = index;
  uint64_t sn = size - 1;
  Hash r = leaf_hash;
  for (const Hash& p : proof) {
    if (sn == 0) return false;
    if ((fn & 1) == 1 || fn == sn) {
      r = NodeHash(p, r);
      ClimbToRightChild(fn, sn);
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && r == root;
}

// RFC 9162 §2.1.4.2, step by step. The nodes folded into fr (the first node and every left sibling
// met on the way up) are the old tree's compact range, smallest first.
bool VerifyConsistency(uint64_t size1, uint64_t size2, std::span<const Hash> proof,
                       const Hash& root1, const Hash& root2, std::vector<Hash>* old_edge) {
  if (size1 == 0 || size1 > size2) return false;
  if (size1 == size2) return proof.empty() && root1 == root2;
  if (proof.empty()) return false;

  std::vector<Hash> path;
  path.reserve(proof.size() + 1);
  if (std::has_single_bit(size1)) path.push_back(root1);
  path.insert(path.end(), proof.begin(), proof.end());

  uint64_t fn = size1 - 1;
  uint64_t sn = size2 - 1;
  while ((fn & 1) == 1) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr = path[0];
  Hash sr = path[0];
  std::vector<Hash> edge{path[0]};
  for (size_t i = 1; i < path.size(); ++i) {
    const Hash& c = path[i];
    if (sn == 0) return false;
    if ((fn & 1) == 1 || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      edge.push_back(c);
      ClimbToRightChild(fn, sn);
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (!(fr == root1 && sr == root2 && sn == 0)) return false;
  if (old_edge != nullptr) {
    std::reverse(edge.begin(), edge.end());
    *old_edge = std::move(edge);
  }
  return true;
}

std::optional<CompactRange> CompactRange::FromEdge(uint64_t size, std::vector<Hash> nodes) {
  if (nodes.size() != static_cast<size_t>(std::popcount(size))) return std::nullopt;
  CompactRange range;
  range.size_ = size;
  range.nodes_ = std::move(nodes);
  return range;
}

void CompactRange::Append(const Hash& leaf_hash) {
  nodes_.push_back(leaf_hash);
  // Each trailing 1 bit of the old size is a perfect subtree the new leaf completes a level of.
  for (uint64_t s = size_; (s & 1) == 1; s >>= 1) {
    const Hash right = nodes_.back();
    nodes_.pop_back();
    nodes_.back() = NodeHash(nodes_.back(), right);
  }
  ++size_;
}

Hash CompactRange::Root() const {
  if (nodes_.empty()) return EmptyRoot();
  Hash root = nodes_.back();
  for (size_t i = nodes_.size() - 1; i-- > 0;) root = NodeHash(nodes_[i], root);
  return root;
}

Hash RootFromLeafHashes(std::span<const Hash> leaf_hashes) {
  CompactRange range;
  for (const Hash& leaf_hash : leaf_hashes) range.Append(leaf_hash);
  return range.Root();
}

}  // namespace dialogue::audit
