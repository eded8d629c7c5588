#include "engine/merkle.hpp"

#include <bit>
#include <cstring>

#include "engine/codec.hpp"
#include "engine/sha256.hpp"

namespace dialogue::engine::merkle {
namespace {

// The largest power of two strictly smaller than n. REQUIRES: n >= 2.
uint64_t SplitPoint(uint64_t n) { return std::bit_floor(n - 1); }

// MTH(D[start : start + size]) from stored perfect subtrees. REQUIRES: size >= 1.
Result<Hash> SubtreeRoot(uint64_t start, uint64_t size, const NodeReader& read) {
  if (std::has_single_bit(size) && start % size == 0) {
    return read(static_cast<unsigned>(std::countr_zero(size)), start / size);
  }
  const uint64_t k = SplitPoint(size);
  ASSIGN_OR_RETURN(const Hash left, SubtreeRoot(start, k, read));
  ASSIGN_OR_RETURN(const Hash right, SubtreeRoot(start + k, size - k, read));
  return NodeHash(left, right);
}

// PATH(m, D[start : start + size]), appended to out leaf first (RFC 9162 section 2.1.3.1).
Status Path(uint64_t m, uint64_t start, uint64_t size, const NodeReader& read,
            std::vector<Hash>& out) {
  if (size <= 1) return {};
  const uint64_t k = SplitPoint(size);
  if (m < k) {
    RETURN_IF_ERROR(Path(m, start, k, read, out));
    ASSIGN_OR_RETURN(Hash sibling, SubtreeRoot(start + k, size - k, read));
    out.push_back(sibling);
  } else {
    RETURN_IF_ERROR(Path(m - k, start + k, size - k, read, out));
    ASSIGN_OR_RETURN(Hash sibling, SubtreeRoot(start, k, read));
    out.push_back(sibling);
  }
  return {};
}

// SUBPROOF(m, D[start : start + size], whole) (RFC 9162 section 2.1.4.1).
Status SubProof(uint64_t m, uint64_t start, uint64_t size, bool whole, const NodeReader& read,
                std::vector<Hash>& out) {
  if (m == size) {
    if (whole) return {};
    ASSIGN_OR_RETURN(Hash root, SubtreeRoot(start, size, read));
    out.push_back(root);
    return {};
  }
  const uint64_t k = SplitPoint(size);
  if (m <= k) {
    RETURN_IF_ERROR(SubProof(m, start, k, whole, read, out));
    ASSIGN_OR_RETURN(Hash right, SubtreeRoot(start + k, size - k, read));
    out.push_back(right);
  } else {
    RETURN_IF_ERROR(SubProof(m - k, start + k, size - k, false, read, out));
    ASSIGN_OR_RETURN(Hash left, SubtreeRoot(start, k, read));
    out.push_back(left);
  }
  return {};
}

}  // namespace

Hash LeafHash(std::string_view leaf_data) {
  static constexpr char kLeafPrefix[1] = {'\x00'};
  return Sha256({std::string_view(kLeafPrefix, 1), leaf_data});
}

Hash NodeHash(const Hash& left, const Hash& right) {
  static constexpr char kNodePrefix[1] = {'\x01'};
  return Sha256({std::string_view(kNodePrefix, 1), AsBytes(left), AsBytes(right)});
}

Hash EmptyRoot() { return Sha256({}); }

std::string_view AsBytes(const Hash& hash) {
  return std::string_view(reinterpret_cast<const char*>(hash.data()), hash.size());
}

std::optional<Hash> FromBytes(std::string_view bytes) {
  if (bytes.size() != 32) return std::nullopt;
  Hash out;
  std::memcpy(out.data(), bytes.data(), 32);
  return out;
}

std::string ToHex(const Hash& hash) { return codec::ToHex(AsBytes(hash)); }

Result<CompactRange> CompactRange::Load(uint64_t size, const NodeReader& read) {
  CompactRange range;
  range.size_ = size;
  uint64_t start = 0;
  for (int level = 63; level >= 0; --level) {
    const uint64_t width = uint64_t{1} << level;
    if ((size & width) == 0) continue;
    ASSIGN_OR_RETURN(Hash hash, read(static_cast<unsigned>(level), start / width));
    range.hashes_.push_back(hash);
    start += width;
  }
  return range;
}

void CompactRange::Append(const Hash& leaf_hash,
                          const std::function<void(const Node&)>& completed) {
  Node node{0, size_, leaf_hash};
  completed(node);
  // Each trailing one bit of the old size is a perfect subtree that the new leaf's subtree
  // completes, lowest level first.
  for (uint64_t bits = size_; bits & 1; bits >>= 1) {
    node.hash = NodeHash(hashes_.back(), node.hash);
    hashes_.pop_back();
    ++node.level;
    node.index >>= 1;
    completed(node);
  }
  hashes_.push_back(node.hash);
  ++size_;
}

Hash CompactRange::Root() const {
  if (hashes_.empty()) return EmptyRoot();
  Hash root = hashes_.back();
  for (size_t i = hashes_.size() - 1; i-- > 0;) root = NodeHash(hashes_[i], root);
  return root;
}

Result<Hash> RootAt(uint64_t size, const NodeReader& read) {
  if (size == 0) return EmptyRoot();
  return SubtreeRoot(0, size, read);
}

Result<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t size, const NodeReader& read) {
  if (index >= size) {
    return Fail(Error::InvalidArgument("leaf " + std::to_string(index) +
                                       " is not in a tree of size " + std::to_string(size)));
  }
  std::vector<Hash> proof;
  RETURN_IF_ERROR(Path(index, 0, size, read, proof));
  return proof;
}

Result<std::vector<Hash>> ConsistencyProof(uint64_t from, uint64_t to, const NodeReader& read) {
  if (from == 0 || from > to) {
    return Fail(Error::InvalidArgument("no consistency proof from size " + std::to_string(from) +
                                       " to size " + std::to_string(to)));
  }
  std::vector<Hash> proof;
  if (from == to) return proof;
  RETURN_IF_ERROR(SubProof(from, 0, to, true, read, proof));
  return proof;
}

}  // namespace dialogue::engine::merkle
