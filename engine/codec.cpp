#include "engine/codec.hpp"

#include <array>

namespace dialogue::engine::codec {
namespace {

constexpr uint8_t kEnvelopeFormat = 1;
constexpr uint8_t kIdempotencyFormat = 1;
constexpr size_t kHashBytes = 32;

// The value of each lower-case hex digit; -1 for every other byte.
constexpr std::array<int8_t, 256> kNibble = [] {
  std::array<int8_t, 256> table{};
  table.fill(-1);
  for (int c = '0'; c <= '9'; ++c) table[c] = static_cast<int8_t>(c - '0');
  for (int c = 'a'; c <= 'f'; ++c) table[c] = static_cast<int8_t>(c - 'a' + 10);
  return table;
}();

}  // namespace

void PutU32(std::string& out, uint32_t v) {
  const char bytes[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                         static_cast<char>(v >> 8), static_cast<char>(v)};
  out.append(bytes, sizeof bytes);
}

void PutU64(std::string& out, uint64_t v) {
  char bytes[8];
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>(v >> (56 - 8 * i));
  out.append(bytes, sizeof bytes);
}

void PutLengthPrefixed(std::string& out, std::string_view bytes) {
  PutU32(out, static_cast<uint32_t>(bytes.size()));
  out.append(bytes);
}

bool Reader::GetU8(uint8_t& v) {
  if (in_.empty()) return false;
  v = static_cast<uint8_t>(in_[0]);
  in_.remove_prefix(1);
  return true;
}

bool Reader::GetU32(uint32_t& v) {
  if (in_.size() < 4) return false;
  v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(in_[i]);
  in_.remove_prefix(4);
  return true;
}

bool Reader::GetU64(uint64_t& v) {
  if (in_.size() < 8) return false;
  v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(in_[i]);
  in_.remove_prefix(8);
  return true;
}

bool Reader::GetLengthPrefixed(std::string& v) {
  uint32_t n = 0;
  std::string_view raw;
  if (!GetU32(n) || !GetRaw(n, raw)) return false;
  v.assign(raw);
  return true;
}

bool Reader::GetLengthPrefixed(std::string_view& v) {
  uint32_t n = 0;
  return GetU32(n) && GetRaw(n, v);
}

bool Reader::GetRaw(size_t n, std::string_view& v) {
  if (in_.size() < n) return false;
  v = in_.substr(0, n);
  in_.remove_prefix(n);
  return true;
}

std::string U64Key(uint64_t v) {
  std::string out;
  out.reserve(8);
  PutU64(out, v);
  return out;
}

std::optional<uint64_t> DecodeU64Key(std::string_view key) {
  if (key.size() != 8) return std::nullopt;
  Reader reader(key);
  uint64_t v = 0;
  reader.GetU64(v);
  return v;
}

std::string ToHex(std::string_view raw) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(raw.size() * 2);
  for (char c : raw) {
    const auto b = static_cast<uint8_t>(c);
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0x0f]);
  }
  return out;
}

bool DecodeHashHex(std::string_view hex, std::array<char, 32>& out) {
  if (hex.size() != kHashBytes * 2) return false;
  int bad = 0;  // any digit's -1 sets its sign bit: one test at the end, no branch per digit
  for (size_t i = 0; i < kHashBytes; ++i) {
    const int hi = kNibble[static_cast<uint8_t>(hex[2 * i])];
    const int lo = kNibble[static_cast<uint8_t>(hex[2 * i + 1])];
    bad |= hi | lo;
    out[i] = static_cast<char>((hi << 4) | lo);
  }
  return bad >= 0;
}

void AppendHashFromHex(std::string& out, std::string_view hex) {
  std::array<char, 32> raw{};
  if (!DecodeHashHex(hex, raw)) raw.fill('\0');
  out.append(raw.data(), raw.size());
}

std::optional<std::string> HashFromHex(std::string_view hex) {
  std::array<char, 32> raw;
  if (!DecodeHashHex(hex, raw)) return std::nullopt;
  return std::string(raw.data(), raw.size());
}

std::string TreeKey(unsigned level, uint64_t index) {
  std::string key;
  key.reserve(9);
  PutU64(key, ((index + 1) << level) - 1);
  key.push_back(static_cast<char>(level));
  return key;
}

std::optional<std::string_view> EventHashBytes(std::string_view value) {
  // The format byte, position, version, ten length prefixes and two hashes at the least.
  constexpr size_t kMinimum = 1 + 8 + 8 + 10 * 4 + 2 * kHashBytes;
  if (value.size() < kMinimum || static_cast<uint8_t>(value[0]) != kEnvelopeFormat) {
    return std::nullopt;
  }
  return value.substr(value.size() - kHashBytes);
}

std::string EncodeEvent(const RecordedEvent& e) {
  std::string out;
  out.reserve(17 + 4 * 10 + e.stream.size() + e.type.size() + e.data.size() + 200 + 2 * kHashBytes);
  out.push_back(static_cast<char>(kEnvelopeFormat));
  PutU64(out, e.position);
  PutU64(out, e.version);
  PutLengthPrefixed(out, e.stream);
  PutLengthPrefixed(out, e.type);
  PutLengthPrefixed(out, e.data);
  const EventMetadata& m = e.metadata;
  for (const std::string* field : {&m.occurred_at, &m.recorded_at, &m.actor, &m.role,
                                   &m.on_behalf_of, &m.note, &m.correlation_id}) {
    PutLengthPrefixed(out, *field);
  }
  AppendHashFromHex(out, e.prev_hash);
  AppendHashFromHex(out, e.hash);
  return out;
}

Result<RecordedEvent> DecodeEvent(std::string_view value) {
  Reader reader(value);
  RecordedEvent e;
  uint8_t format = 0;
  if (!reader.GetU8(format) || format != kEnvelopeFormat) {
    return Fail(Error::Corruption("event envelope has an unknown format"));
  }
  EventMetadata& m = e.metadata;
  std::string_view prev_hash;
  std::string_view hash;
  const bool ok = reader.GetU64(e.position) && reader.GetU64(e.version) &&
                  reader.GetLengthPrefixed(e.stream) && reader.GetLengthPrefixed(e.type) &&
                  reader.GetLengthPrefixed(e.data) && reader.GetLengthPrefixed(m.occurred_at) &&
                  reader.GetLengthPrefixed(m.recorded_at) && reader.GetLengthPrefixed(m.actor) &&
                  reader.GetLengthPrefixed(m.role) && reader.GetLengthPrefixed(m.on_behalf_of) &&
                  reader.GetLengthPrefixed(m.note) && reader.GetLengthPrefixed(m.correlation_id) &&
                  reader.GetRaw(kHashBytes, prev_hash) && reader.GetRaw(kHashBytes, hash) &&
                  reader.done();
  if (!ok) return Fail(Error::Corruption("event envelope is truncated or has trailing bytes"));
  e.prev_hash = ToHex(prev_hash);
  e.hash = ToHex(hash);
  return e;
}

Status DecodeEventView(std::string_view value, RecordedEventView& view,
                       std::array<char, 64>& hash_hex) {
  static constexpr char kDigits[] = "0123456789abcdef";
  Reader reader(value);
  uint8_t format = 0;
  if (!reader.GetU8(format) || format != kEnvelopeFormat) {
    return Fail(Error::Corruption("event envelope has an unknown format"));
  }
  std::string_view skipped;
  std::string_view hash;
  bool ok = reader.GetU64(view.position) && reader.GetU64(view.version) &&
            reader.GetLengthPrefixed(view.stream) && reader.GetLengthPrefixed(view.type) &&
            reader.GetLengthPrefixed(view.data);
  for (int field = 0; ok && field < 7; ++field) ok = reader.GetLengthPrefixed(skipped);  // metadata
  ok = ok && reader.GetRaw(kHashBytes, skipped) && reader.GetRaw(kHashBytes, hash) && reader.done();
  if (!ok) return Fail(Error::Corruption("event envelope is truncated or has trailing bytes"));
  for (size_t i = 0; i < kHashBytes; ++i) {
    const auto b = static_cast<uint8_t>(hash[i]);
    hash_hex[2 * i] = kDigits[b >> 4];
    hash_hex[2 * i + 1] = kDigits[b & 0x0f];
  }
  view.hash = std::string_view(hash_hex.data(), hash_hex.size());
  return {};
}

std::string StreamKey(std::string_view stream, uint64_t version) {
  std::string out = StreamPrefix(stream);
  PutU64(out, version);
  return out;
}

std::string StreamPrefix(std::string_view stream) {
  std::string out;
  out.reserve(stream.size() + 9);
  out.append(stream);
  out.push_back('\0');
  return out;
}

std::string EncodeIdempotency(const IdempotencyRecord& record) {
  std::string out;
  out.push_back(static_cast<char>(kIdempotencyFormat));
  PutLengthPrefixed(out, record.fingerprint);
  PutU64(out, record.result.first_position);
  PutU64(out, record.result.last_position);
  PutU32(out, static_cast<uint32_t>(record.result.versions.size()));
  for (const StreamVersion& v : record.result.versions) {
    PutLengthPrefixed(out, v.stream);
    PutU64(out, v.version);
  }
  return out;
}

Result<IdempotencyRecord> DecodeIdempotency(std::string_view value) {
  Reader reader(value);
  IdempotencyRecord record;
  uint8_t format = 0;
  uint32_t n = 0;
  if (!reader.GetU8(format) || format != kIdempotencyFormat ||
      !reader.GetLengthPrefixed(record.fingerprint) ||
      !reader.GetU64(record.result.first_position) || !reader.GetU64(record.result.last_position) ||
      !reader.GetU32(n)) {
    return Fail(Error::Corruption("idempotency record does not decode"));
  }
  for (uint32_t i = 0; i < n; ++i) {
    StreamVersion v;
    if (!reader.GetLengthPrefixed(v.stream) || !reader.GetU64(v.version)) {
      return Fail(Error::Corruption("idempotency record is truncated"));
    }
    record.result.versions.push_back(std::move(v));
  }
  if (!reader.done()) return Fail(Error::Corruption("idempotency record has trailing bytes"));
  return record;
}

std::string EncodeHead(const LedgerHead& head) {
  std::string out;
  PutU64(out, head.position);
  out.append(HashFromHex(head.hash).value_or(std::string(kHashBytes, '\0')));
  return out;
}

Result<LedgerHead> DecodeHead(std::string_view value) {
  Reader reader(value);
  LedgerHead head;
  std::string_view hash;
  if (!reader.GetU64(head.position) || !reader.GetRaw(kHashBytes, hash) || !reader.done()) {
    return Fail(Error::Corruption("meta/head does not decode"));
  }
  head.hash = ToHex(hash);
  return head;
}

}  // namespace dialogue::engine::codec
