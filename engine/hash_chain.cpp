#include "engine/hash_chain.hpp"

#include <openssl/evp.h>

#include <cassert>

#include "engine/codec.hpp"

namespace dialogue::engine {
namespace {

constexpr std::string_view kDomainTag = "dialogue.event.v1";

}  // namespace

std::string ComputeEventHash(const RecordedEvent& e) {
  const std::optional<std::string> prev = codec::HashFromHex(e.prev_hash);
  if (!prev) return {};
  std::string encoding;
  encoding.reserve(4 + kDomainTag.size() + 32 + 8 + 8 + 4 * 10 + e.stream.size() + e.type.size() +
                   e.data.size() + 200);
  codec::PutLengthPrefixed(encoding, kDomainTag);
  encoding.append(*prev);
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
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_size = 0;
  const int ok =
      EVP_Digest(encoding.data(), encoding.size(), digest, &digest_size, EVP_sha256(), nullptr);
  assert(ok == 1 && digest_size == 32);
  (void)ok;
  return codec::ToHex(std::string_view(reinterpret_cast<const char*>(digest), digest_size));
}

}  // namespace dialogue::engine
