// libFuzzer harness: the audit's signed-note and checkpoint parsers (audit/note.hpp).
// scripts/fuzz.sh runs it; the seeds are checkpoints signed by the harness's fixed key (its name
// below and the Ed25519 private key whose 32 bytes are 0x01…0x20).
//
// What must hold for every input (else the harness aborts): no crash, leak or undefined
// behaviour; a note that verifies gives a text that is the note's beginning; a checkpoint text
// that parses is written exactly so again (one spelling per checkpoint); a verified checkpoint's
// origin is the key's name; a verifier key that parses has the id its name and key give.
#include <openssl/evp.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "audit/hash.hpp"
#include "audit/note.hpp"
#include "tests/fuzz/violation.hpp"

namespace {

namespace audit = dialogue::audit;

using dialogue::fuzz::Violation;

audit::VerifierKey FuzzKey() {
  std::array<uint8_t, 32> seed{};
  for (size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<uint8_t>(i + 1);
  EVP_PKEY* key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size());
  audit::VerifierKey out;
  size_t length = out.public_key.size();
  if (key == nullptr || EVP_PKEY_get_raw_public_key(key, out.public_key.data(), &length) != 1) {
    std::abort();
  }
  EVP_PKEY_free(key);
  out.name = "fuzz.example/log";
  out.id = audit::KeyIdOf(out.name, out.public_key);
  return out;
}

std::string Render(const audit::Checkpoint& checkpoint) {
  std::string text = checkpoint.origin + "\n" + std::to_string(checkpoint.size) + "\n" +
                     audit::Base64Of(checkpoint.root) + "\n";
  for (const std::string& line : checkpoint.extensions) text += line + "\n";
  return text;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  static const audit::VerifierKey kKey = FuzzKey();
  const std::string_view input(reinterpret_cast<const char*>(bytes), size);

  const auto text = audit::VerifyNote(input, kKey);
  if (text && !input.starts_with(*text))
    Violation("a verified text is not the note's beginning", input);
  const auto verified = audit::VerifyCheckpoint(input, kKey);
  if (verified && verified->origin != kKey.name)
    Violation("a verified origin is not the key's", input);
  if (verified && !text) Violation("a checkpoint verified but its note did not", input);

  // The text parser on its own (no signature needed to reach it).
  const auto parsed = audit::ParseCheckpointText(input);
  if (parsed && Render(*parsed) != input) Violation("a checkpoint text has two spellings", input);

  const auto key = audit::ParseVerifierKey(input);
  if (key && audit::KeyIdOf(key->name, key->public_key) != key->id) {
    Violation("a verifier key parsed with another id", input);
  }
  return 0;
}
