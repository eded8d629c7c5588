#include "audit/note.hpp"

#include <openssl/evp.h>

#include <charconv>
#include <cstdio>
#include <memory>

namespace dialogue::audit {
namespace {

constexpr std::string_view kSignaturePrefix = "\xE2\x80\x94 ";  // U+2014 EM DASH, space
constexpr uint8_t kEd25519Type = 0x01;
constexpr size_t kMaxNoteBytes = 1 << 20;
constexpr size_t kMaxSignatures = 100;  // the spec asks verifiers to accept at least 16

using Unexpected = tl::unexpected<std::string>;

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

bool VerifyEd25519(const std::array<uint8_t, 32>& public_key, std::string_view message,
                   std::span<const uint8_t> signature) {
  if (signature.size() != 64) return false;
  std::unique_ptr<EVP_PKEY, PkeyFree> key(
      EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, public_key.data(), public_key.size()));
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (!key || !ctx) return false;
  if (EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1) return false;
  const std::span<const uint8_t> bytes = BytesOf(message);
  return EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), bytes.data(),
                          bytes.size()) == 1;
}

// Decodes one UTF-8 sequence at text[i]; -1 when it is not a shortest-form scalar value.
int32_t NextCodePoint(std::string_view text, size_t& i) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(text[k]); };
  const uint8_t first = byte(i);
  size_t length = 0;
  int32_t cp = 0;
  int32_t min = 0;
  if (first < 0x80) {
    ++i;
    return first;
  } else if ((first & 0xe0) == 0xc0) {
    length = 2, cp = first & 0x1f, min = 0x80;
  } else if ((first & 0xf0) == 0xe0) {
    length = 3, cp = first & 0x0f, min = 0x800;
  } else if ((first & 0xf8) == 0xf0) {
    length = 4, cp = first & 0x07, min = 0x10000;
  } else {
    return -1;
  }
  if (text.size() - i < length) return -1;
  for (size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xc0) != 0x80) return -1;
    cp = cp << 6 | (byte(i + k) & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return -1;
  i += length;
  return cp;
}

// Valid UTF-8 without ASCII control characters, newline aside (signed-note, "Format").
bool IsNoteText(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const int32_t cp = NextCodePoint(text, i);
    if (cp < 0 || (cp < 0x20 && cp != '\n')) return false;
  }
  return true;
}

// Unicode White_Space (as Go's unicode.IsSpace, which the reference implementation uses).
bool IsUnicodeSpace(int32_t cp) {
  return (cp >= 0x09 && cp <= 0x0d) || cp == 0x20 || cp == 0x85 || cp == 0xa0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 || cp == 0x2029 || cp == 0x202f ||
         cp == 0x205f || cp == 0x3000;
}

// Key names are non-empty, without spaces or '+'.
bool IsKeyName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size();) {
    const int32_t cp = NextCodePoint(name, i);
    if (cp < 0 || cp < 0x20 || cp == '+' || IsUnicodeSpace(cp)) return false;
  }
  return true;
}

std::string KeyLabel(const VerifierKey& key) {
  char id[9];
  std::snprintf(id, sizeof id, "%08x", static_cast<unsigned>(key.id));
  return key.name + "+" + id;
}

struct SignatureLine {
  std::string_view name;
  uint32_t id = 0;
  std::string signature;  // after the key id
};

tl::expected<SignatureLine, std::string> ParseSignatureLine(std::string_view line) {
  if (!line.starts_with(kSignaturePrefix)) {
    return Unexpected("malformed note: a signature line does not start with an em dash");
  }
  line.remove_prefix(kSignaturePrefix.size());
  const size_t space = line.find(' ');
  if (space == std::string_view::npos) {
    return Unexpected("malformed note: a signature line has no signature");
  }
  SignatureLine out;
  out.name = line.substr(0, space);
  if (!IsKeyName(out.name)) return Unexpected("malformed note: a signature's key name");
  std::optional<std::string> bytes = Base64Decode(line.substr(space + 1));
  if (!bytes || bytes->size() < 5) {
    return Unexpected("malformed note: a signature is not base64 of a key id and a signature");
  }
  for (int k = 0; k < 4; ++k) out.id = out.id << 8 | static_cast<uint8_t>((*bytes)[k]);
  out.signature = bytes->substr(4);
  return out;
}

}  // namespace

uint32_t KeyIdOf(std::string_view name, const std::array<uint8_t, 32>& public_key) {
  constexpr uint8_t kSeparator[] = {'\n', kEd25519Type};
  const Hash digest = Sha256({BytesOf(name), kSeparator, public_key});
  return uint32_t{digest[0]} << 24 | uint32_t{digest[1]} << 16 | uint32_t{digest[2]} << 8 |
         digest[3];
}

tl::expected<VerifierKey, std::string> ParseVerifierKey(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n";
  const size_t begin = text.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return Unexpected("empty verifier key");
  text = text.substr(begin, text.find_last_not_of(kSpace) - begin + 1);

  // The name holds no '+'; the base64 may.
  const size_t plus1 = text.find('+');
  if (plus1 == std::string_view::npos || text.size() - plus1 < 10 || text[plus1 + 9] != '+') {
    return Unexpected("a verifier key is <name>+<8 hex digits>+<base64 key>");
  }
  VerifierKey key;
  key.name = std::string(text.substr(0, plus1));
  if (!IsKeyName(key.name)) return Unexpected("malformed key name in the verifier key");
  const std::string_view id_hex = text.substr(plus1 + 1, 8);
  for (char c : id_hex) {
    const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    if (!hex) return Unexpected("the key id of a verifier key is 8 lower-case hex digits");
    key.id = key.id << 4 | static_cast<uint32_t>(c <= '9' ? c - '0' : c - 'a' + 10);
  }
  const std::optional<std::string> material = Base64Decode(text.substr(plus1 + 10));
  if (!material || material->size() != 1 + key.public_key.size()) {
    return Unexpected("the verifier key's material is not base64 of a type byte and 32 bytes");
  }
  if (static_cast<uint8_t>((*material)[0]) != kEd25519Type) {
    return Unexpected("the verifier key is not an Ed25519 key (type 0x01)");
  }
  for (size_t k = 0; k < key.public_key.size(); ++k) {
    key.public_key[k] = static_cast<uint8_t>((*material)[1 + k]);
  }
  if (KeyIdOf(key.name, key.public_key) != key.id) {
    return Unexpected("the verifier key's id does not match its name and public key");
  }
  return key;
}

tl::expected<std::string, std::string> VerifyNote(std::string_view note, const VerifierKey& key) {
  if (note.size() > kMaxNoteBytes) return Unexpected("malformed note: larger than 1 MiB");
  if (!IsNoteText(note)) {
    return Unexpected("malformed note: not UTF-8, or a control character other than newline");
  }
  // The text ends at the last blank line; signature lines follow, each ending in a newline.
  const size_t split = note.rfind("\n\n");
  if (split == std::string_view::npos) return Unexpected("malformed note: no signatures");
  const std::string_view text = note.substr(0, split + 1);
  std::string_view signatures = note.substr(split + 2);
  if (signatures.empty() || !signatures.ends_with('\n')) {
    return Unexpected("malformed note: the signature lines do not end in a newline");
  }

  std::vector<SignatureLine> lines;
  while (!signatures.empty()) {
    const size_t end = signatures.find('\n');
    auto line = ParseSignatureLine(signatures.substr(0, end));
    if (!line) return Unexpected(line.error());
    lines.push_back(std::move(*line));
    if (lines.size() > kMaxSignatures) return Unexpected("malformed note: too many signatures");
    signatures.remove_prefix(end + 1);
  }

  bool verified = false;
  for (const SignatureLine& line : lines) {
    if (line.name != key.name || line.id != key.id) continue;  // another key's: ignored
    if (!VerifyEd25519(key.public_key, text, BytesOf(line.signature))) {
      return Unexpected("the signature of " + KeyLabel(key) + " does not verify");
    }
    verified = true;
  }
  if (!verified) return Unexpected("no signature by " + KeyLabel(key));
  return std::string(text);
}

tl::expected<Checkpoint, std::string> ParseCheckpointText(std::string_view text) {
  if (!text.ends_with('\n'))
    return Unexpected("malformed checkpoint: text without a final newline");
  std::vector<std::string_view> lines;
  for (std::string_view rest = text; !rest.empty();) {
    const size_t end = rest.find('\n');
    lines.push_back(rest.substr(0, end));
    rest.remove_prefix(end + 1);
  }
  if (lines.size() < 3) return Unexpected("malformed checkpoint: fewer than three lines");
  for (std::string_view line : lines) {
    if (line.empty()) return Unexpected("malformed checkpoint: an empty line");
  }

  Checkpoint checkpoint;
  checkpoint.origin = std::string(lines[0]);
  const std::string_view size = lines[1];
  const bool leading_zero = size.size() > 1 && size[0] == '0';
  const auto [end, error] =
      std::from_chars(size.data(), size.data() + size.size(), checkpoint.size);
  if (leading_zero || size[0] < '0' || size[0] > '9' || error != std::errc() ||
      end != size.data() + size.size()) {
    return Unexpected("malformed checkpoint: the tree size is not a plain decimal number");
  }
  const std::optional<Hash> root = HashFromBase64(lines[2]);
  if (!root) return Unexpected("malformed checkpoint: the root hash is not base64 of 32 bytes");
  checkpoint.root = *root;
  for (size_t k = 3; k < lines.size(); ++k) checkpoint.extensions.emplace_back(lines[k]);
  return checkpoint;
}

tl::expected<Checkpoint, std::string> VerifyCheckpoint(std::string_view note,
                                                       const VerifierKey& key) {
  const auto text = VerifyNote(note, key);
  if (!text) return Unexpected(text.error());
  auto checkpoint = ParseCheckpointText(*text);
  if (!checkpoint) return checkpoint;
  if (checkpoint->origin != key.name) {
    return Unexpected("the checkpoint's origin is not the key's name " + key.name);
  }
  return checkpoint;
}

}  // namespace dialogue::audit
