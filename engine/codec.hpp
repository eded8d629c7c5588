// Private to the engine: the byte formats of docs/storage.md (big-endian integers, length-prefixed
// strings, the event envelope, the idempotency record, the head record) and hex conversion.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/event.hpp"
#include "engine/event_store.hpp"
#include "engine/result.hpp"

namespace dialogue::engine::codec {

void PutU32(std::string& out, uint32_t v);
void PutU64(std::string& out, uint64_t v);
// u32 length + bytes. REQUIRES: bytes.size() < 2^32.
void PutLengthPrefixed(std::string& out, std::string_view bytes);

// Reads what the Put functions wrote; every getter returns false (and reads nothing more) once
// the input is short.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool GetU8(uint8_t& v);
  bool GetU32(uint32_t& v);
  bool GetU64(uint64_t& v);
  bool GetLengthPrefixed(std::string& v);
  bool GetLengthPrefixed(std::string_view& v);
  bool GetRaw(size_t n, std::string_view& v);
  bool done() const { return in_.empty(); }

 private:
  std::string_view in_;
};

std::string U64Key(uint64_t v);                              // 8 bytes big-endian
std::optional<uint64_t> DecodeU64Key(std::string_view key);  // nullopt unless exactly 8 bytes

// 32 raw bytes <-> 64 lower-case hex digits.
std::string ToHex(std::string_view raw);
// nullopt unless hex is exactly 64 lower-case hex digits.
std::optional<std::string> HashFromHex(std::string_view hex);
// 64 lower-case hex digits into out; false (out unspecified) otherwise.
bool DecodeHashHex(std::string_view hex, std::array<char, 32>& out);
// The 32 bytes 64 lower-case hex digits spell appended to out; 32 zero bytes for anything else.
void AppendHashFromHex(std::string& out, std::string_view hex);

// `events` values. REQUIRES (encode): hashes are valid hex (as in every event the store made).
std::string EncodeEvent(const RecordedEvent& event);
Result<RecordedEvent> DecodeEvent(std::string_view value);
// The same envelope decoded in place: the views point into `value`, the hash into `hash_hex`.
Status DecodeEventView(std::string_view value, RecordedEventView& view,
                       std::array<char, 64>& hash_hex);

// `streams` keys: stream 0x00 u64-version.
std::string StreamKey(std::string_view stream, uint64_t version);
std::string StreamPrefix(std::string_view stream);

// `tree` keys: u64 index of the last leaf the node covers, u8 level (docs/storage.md, "Merkle
// tree"), so that nodes are keyed in the order appends complete them. REQUIRES: level >= 1 and
// the node's last leaf fits in a u64.
std::string TreeKey(unsigned level, uint64_t index);
// The event's own hash, the last 32 bytes of an `events` value (format 1), without decoding the
// rest; nullopt when the value is too short or of another format.
std::optional<std::string_view> EventHashBytes(std::string_view value);

// `idempotency` values.
struct IdempotencyRecord {
  std::string fingerprint;
  AppendResult result;  // replayed is always false here
};
std::string EncodeIdempotency(const IdempotencyRecord& record);
Result<IdempotencyRecord> DecodeIdempotency(std::string_view value);

// `meta/head` values.
std::string EncodeHead(const LedgerHead& head);
Result<LedgerHead> DecodeHead(std::string_view value);

}  // namespace dialogue::engine::codec
