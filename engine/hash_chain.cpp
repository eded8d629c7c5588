#include "engine/hash_chain.hpp"

#include <array>

#include "engine/codec.hpp"
#include "engine/sha256.hpp"

namespace dialogue::engine {
namespace {

constexpr std::string_view kDomainTag = "dialogue.event.v1";

}  // namespace

std::string ComputeEventHash(const RecordedEvent& e) {
  std::array<char, 32> prev;
  if (!codec::DecodeHashHex(e.prev_hash, prev)) return {};
  std::string encoding;
  encoding.reserve(4 + kDomainTag.size() + 32 + 8 + 8 + 4 * 10 + e.stream.size() + e.type.size() +
                   e.data.size() + 200);
  codec::PutLengthPrefixed(encoding, kDomainTag);
  encoding.append(prev.data(), prev.size());
  codec::PutU64(encoding, e.position);
  codec::PutLengthPrefixed(encoding, e.stream);
  codec::PutU64(encoding, e.version);
  codec::PutLengthPrefixed(encoding, e.type);
  codec::PutLengthPrefixed(encoding, e.data);
  const EventMetadata& m = e.metadata;
  for (const std::string* field : {&m.occurred_at, &m.recorded_at, &m.actor, &m.role,
                                   &m.on_behalf_of, &m.note, &m.correlation_id}) {
    codec::PutLengthPrefixed(encoding, *field);
  }
  const Sha256Digest digest = Sha256({encoding});
  return codec::ToHex(
      std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

}  // namespace dialogue::engine
