// The log as an RFC 9162 Merkle tree (docs/storage.md, "Merkle tree"): the server's side, which
// builds the tree as events are appended and answers roots and proofs from stored node hashes.
// The auditor's verifier (audit/) is written apart and shares none of this code.
//
// Leaf i is the event at position i + 1; its leaf data is the 32 raw bytes of the event's chain
// hash. A node is identified by (level, index): the perfect subtree over leaves
// [index * 2^level, (index + 1) * 2^level). Level 0 nodes are leaf hashes.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/result.hpp"

namespace dialogue::engine::merkle {

using Hash = std::array<unsigned char, 32>;

// SHA-256(0x00 || leaf_data) and SHA-256(0x01 || left || right) (RFC 9162 section 2.1.1).
Hash LeafHash(std::string_view leaf_data);
Hash NodeHash(const Hash& left, const Hash& right);
// The root of the empty tree: SHA-256 of nothing.
Hash EmptyRoot();

std::string_view AsBytes(const Hash& hash);
// nullopt unless bytes holds exactly 32 bytes.
std::optional<Hash> FromBytes(std::string_view bytes);
std::string ToHex(const Hash& hash);

// Reads the hash of a complete node. Implementations read what the store keeps.
using NodeReader = std::function<Result<Hash>(unsigned level, uint64_t index)>;

// The right edge of a tree: the roots of its perfect subtrees, largest (leftmost) first, one per
// bit set in the tree's size. Enough to append leaves and to compute the root, without any read.
// Not thread-safe.
class CompactRange {
 public:
  // A node that an append completed.
  struct Node {
    unsigned level = 0;
    uint64_t index = 0;
    Hash hash{};
  };

  CompactRange() = default;
  // The range of the tree of `size` leaves, from its O(log size) perfect subtrees' hashes.
  static Result<CompactRange> Load(uint64_t size, const NodeReader& read);

  uint64_t size() const { return size_; }
  // Appends the leaf whose leaf hash is leaf_hash; calls completed(node) for the leaf (level 0)
  // and for every interior node it completes, lowest level first.
  void Append(const Hash& leaf_hash, const std::function<void(const Node&)>& completed);
  // The tree's root (EmptyRoot() for size 0).
  Hash Root() const;

  bool operator==(const CompactRange&) const = default;

 private:
  uint64_t size_ = 0;
  std::vector<Hash> hashes_;  // one per bit set in size_, most significant first
};

// The root of the tree of the first `size` leaves. REQUIRES: every node it reads is complete.
Result<Hash> RootAt(uint64_t size, const NodeReader& read);
// The RFC 9162 inclusion proof (section 2.1.3.1) of leaf `index` in the tree of `size` leaves,
// leaf to root. Errors: kInvalidArgument unless index < size.
Result<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t size, const NodeReader& read);
// The RFC 9162 consistency proof (section 2.1.4.1) between the trees of sizes `from` and `to`;
// empty when from == to. Errors: kInvalidArgument unless 0 < from <= to.
Result<std::vector<Hash>> ConsistencyProof(uint64_t from, uint64_t to, const NodeReader& read);

}  // namespace dialogue::engine::merkle
