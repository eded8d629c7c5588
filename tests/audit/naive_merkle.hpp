// A deliberately naive Merkle tree for the audit tests: the recursive definitions of RFC 9162
// §2.1.1 (MTH), §2.1.3.1 (PATH) and §2.1.4.1 (PROOF/SUBPROOF) written as they read, over leaf
// hashes, with SHA-256 straight from OpenSSL. It shares no code with audit/merkle_verify.cpp,
// which it checks. Subtree roots are memoized (the definitions ask for the same ones many times).
#pragma once

#include <openssl/sha.h>

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "audit/hash.hpp"

namespace dialogue::audit::testing {

inline Hash NaiveSha256(const std::vector<uint8_t>& bytes) {
  Hash out{};
  SHA256(bytes.data(), bytes.size(), out.data());
  return out;
}

inline Hash NaiveLeaf(const std::vector<uint8_t>& data) {
  std::vector<uint8_t> bytes{0x00};
  bytes.insert(bytes.end(), data.begin(), data.end());
  return NaiveSha256(bytes);
}

class NaiveTree {
 public:
  explicit NaiveTree(std::vector<Hash> leaf_hashes) : leaves_(std::move(leaf_hashes)) {}

  size_t size() const { return leaves_.size(); }
  const std::vector<Hash>& leaves() const { return leaves_; }

  // MTH(D[begin:end]).
  Hash Root(size_t begin, size_t end) {
    if (begin == end) return NaiveSha256({});
    if (end - begin == 1) return leaves_[begin];
    if (const auto it = memo_.find({begin, end}); it != memo_.end()) return it->second;
    const size_t k = LargestPowerOfTwoBelow(end - begin);
    std::vector<uint8_t> bytes{0x01};
    const Hash left = Root(begin, begin + k);
    const Hash right = Root(begin + k, end);
    bytes.insert(bytes.end(), left.begin(), left.end());
    bytes.insert(bytes.end(), right.begin(), right.end());
    return memo_[{begin, end}] = NaiveSha256(bytes);
  }
  Hash Root(size_t n) { return Root(0, n); }

  // PATH(m, D[0:n]).
  std::vector<Hash> Path(size_t m, size_t n) { return Path(m, 0, n); }
  // PROOF(m, D[0:n]) = SUBPROOF(m, D[0:n], true).
  std::vector<Hash> Proof(size_t m, size_t n) { return Subproof(m, 0, n, true); }

 private:
  static size_t LargestPowerOfTwoBelow(size_t n) {  // k < n ≤ 2k
    size_t k = 1;
    while (2 * k < n) k *= 2;
    return k;
  }

  std::vector<Hash> Path(size_t m, size_t begin, size_t end) {
    if (end - begin <= 1) return {};
    const size_t k = LargestPowerOfTwoBelow(end - begin);
    std::vector<Hash> path;
    if (m < k) {
      path = Path(m, begin, begin + k);
      path.push_back(Root(begin + k, end));
    } else {
      path = Path(m - k, begin + k, end);
      path.push_back(Root(begin, begin + k));
    }
    return path;
  }

  std::vector<Hash> Subproof(size_t m, size_t begin, size_t end, bool b) {
    if (m == end - begin) {
      if (b) return {};
      return {Root(begin, end)};
    }
    const size_t k = LargestPowerOfTwoBelow(end - begin);
    std::vector<Hash> proof;
    if (m <= k) {
      proof = Subproof(m, begin, begin + k, b);
      proof.push_back(Root(begin + k, end));
    } else {
      proof = Subproof(m - k, begin + k, end, false);
      proof.push_back(Root(begin, begin + k));
    }
    return proof;
  }

  std::vector<Hash> leaves_;
  std::map<std::pair<size_t, size_t>, Hash> memo_;
};

}  // namespace dialogue::audit::testing
