// Hash: the 32-byte SHA-256 digests the audit compares, and the text forms the server shows them
// in.
//
// The decoders are strict: they accept exactly one spelling of each value (lower-case hex of 64
// digits; RFC 4648 base64 with its padding and zero trailing bits), so that what the server signs
// or hashes has one reading. Thread-safe (no state).
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace dialogue::audit {

using Hash = std::array<uint8_t, 32>;

// SHA-256 of the concatenation of `parts`.
Hash Sha256(std::initializer_list<std::span<const uint8_t>> parts);

std::span<const uint8_t> BytesOf(std::string_view text);

// 64 lower-case hex digits.
std::string HexOf(const Hash& hash);
// nullopt unless `text` is exactly 64 lower-case hex digits.
std::optional<Hash> HashFromHex(std::string_view text);

std::string Base64Of(std::span<const uint8_t> bytes);
// nullopt unless `text` is canonical standard base64 (RFC 4648 §4, padded, no white space).
std::optional<std::string> Base64Decode(std::string_view text);
// nullopt unless `text` is the canonical base64 of exactly 32 bytes.
std::optional<Hash> HashFromBase64(std::string_view text);

}  // namespace dialogue::audit
