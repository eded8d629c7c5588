// Signed notes (c2sp.org/signed-note) with Ed25519 signatures, and the transparency-log checkpoint
// they carry (c2sp.org/tlog-checkpoint, v1.0.0): the verifier's view. Thread-safe (no state).
//
// A note is `text` (lines ending in a newline), a blank line, then signature lines
// `— <key name> <base64(4-byte key id ‖ signature)>`. A note verifies against a key when a
// signature line with the key's name and id holds an Ed25519 signature of the text; the lines of
// other keys are ignored; a matching line whose signature fails rejects the note.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "audit/hash.hpp"

namespace dialogue::audit {

// A verifier key `<name>+<8 lower-case hex digits>+<base64(0x01 ‖ Ed25519 public key)>`.
struct VerifierKey {
  std::string name;
  uint32_t id = 0;  // SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public_key)[:4], big-endian
  std::array<uint8_t, 32> public_key{};
};

// The key in `text` (surrounding white space ignored), or why it is not one: a malformed part, a
// type other than Ed25519 (0x01), or an id that is not the one its name and public key give.
tl::expected<VerifierKey, std::string> ParseVerifierKey(std::string_view text);

// The key id a name and Ed25519 public key give.
uint32_t KeyIdOf(std::string_view name, const std::array<uint8_t, 32>& public_key);

// The text of `note` when `key` signed it, or what is wrong: a malformed note, no signature by the
// key, or a signature of the key that does not verify.
tl::expected<std::string, std::string> VerifyNote(std::string_view note, const VerifierKey& key);

// A checkpoint's text: origin, tree size, root hash, then optional extension lines.
struct Checkpoint {
  std::string origin;
  uint64_t size = 0;
  Hash root{};
  std::vector<std::string> extensions;
};

// The checkpoint that a note's text holds, or why it does not hold one: fewer than three lines, an
// empty line, an empty origin, a size that is not plain decimal (no sign, no leading zero but "0"),
// a root that is not the base64 of 32 bytes.
tl::expected<Checkpoint, std::string> ParseCheckpointText(std::string_view text);

// VerifyNote, then ParseCheckpointText, then: the origin is the key's name.
tl::expected<Checkpoint, std::string> VerifyCheckpoint(std::string_view note,
                                                       const VerifierKey& key);

}  // namespace dialogue::audit
