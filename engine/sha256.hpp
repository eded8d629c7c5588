// SHA-256 for the append path and the Merkle tree. OpenSSL 3's one-shot calls (SHA256(),
// EVP_Digest with EVP_sha256()) look the algorithm up by name and reference-count it on every
// call, which cost more than hashing a 300-byte event: this fetches it once and keeps one
// digest context per thread.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <string_view>

namespace dialogue::engine {

using Sha256Digest = std::array<uint8_t, 32>;

// The SHA-256 of the concatenation of parts. Thread-safe.
Sha256Digest Sha256(std::initializer_list<std::string_view> parts);

}  // namespace dialogue::engine
