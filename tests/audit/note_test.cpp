// audit/note: verifier keys, signed notes and checkpoints, against the examples of the C2SP
// specifications (https://github.com/C2SP/C2SP at 5ba5ee830903e91240fc6f9f3a7a9293d49e69c9:
// signed-note.md, "Verifier keys" / "Example"; tlog-checkpoint.md, the opening example) and notes
// signed here by a key made with OpenSSL.
#include <catch2/catch.hpp>

#include <string>

#include "audit/note.hpp"
#include "tests/audit/test_signer.hpp"

namespace dialogue::audit {
namespace {

using testing::TestSigner;

// signed-note.md, "Verifier keys", "Example".
constexpr std::string_view kSpecKey =
    "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";
constexpr std::string_view kSpecNote =
    "This is an example message.\n"
    "\n"
    "\xE2\x80\x94 example.com/foo "
    "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM="
    "\n";
// signed-note.md, the opening example: a text with an empty line, signed by a key we do not know.
constexpr std::string_view kSpecPoem =
    "Ognuno sta solo sul cuor della terra\n"
    "trafitto da un raggio di sole:\n"
    "\n"
    "ed \xC3\xA8 subito sera.\n"
    "\n"
    "\xE2\x80\x94 quasimodo.example/salvatore "
    "NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc="
    "\n";
// tlog-checkpoint.md, the opening example.
constexpr std::string_view kSpecCheckpointText =
    "example.com/behind-the-sofa\n"
    "20852163\n"
    "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";

VerifierKey SpecKey() {
  auto key = ParseVerifierKey(kSpecKey);
  REQUIRE(key);
  return *key;
}

TEST_CASE("The spec's verifier key parses to its name, id and Ed25519 key", "[audit][note]") {
  const VerifierKey key = SpecKey();
  CHECK(key.name == "example.com/foo");
  CHECK(key.id == 0x530d903a);
  CHECK(KeyIdOf(key.name, key.public_key) == 0x530d903a);
  CHECK(ParseVerifierKey("  " + std::string(kSpecKey) + "\n"));
}

TEST_CASE("A verifier key with a wrong id, type or shape is refused", "[audit][note]") {
  const std::string key(kSpecKey);
  CHECK_FALSE(
      ParseVerifierKey("example.com/foo+530d903b+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"));
  CHECK_FALSE(
      ParseVerifierKey("example.com/foo+530D903A+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"));
  CHECK_FALSE(
      ParseVerifierKey("example.com/bar+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"));
  // "Aeky" → "Aiky": the first byte, the type, becomes 0x02 (ECDSA).
  CHECK_FALSE(
      ParseVerifierKey("example.com/foo+530d903a+AikyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"));
  CHECK_FALSE(
      ParseVerifierKey("example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2"));
  CHECK_FALSE(ParseVerifierKey("example.com/foo+530d903a"));
  CHECK_FALSE(ParseVerifierKey("+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"));
  CHECK_FALSE(
      ParseVerifierKey("example.com/ foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"));
  CHECK_FALSE(ParseVerifierKey(""));
  CHECK(ParseVerifierKey(key));
}

TEST_CASE("The spec's example note verifies with its key, and not with one byte changed",
          "[audit][note]") {
  const VerifierKey key = SpecKey();
  auto text = VerifyNote(kSpecNote, key);
  REQUIRE(text);
  CHECK(*text == "This is an example message.\n");

  for (size_t i = 0; i < std::string_view("This is an example message.").size(); ++i) {
    std::string changed(kSpecNote);
    changed[i] ^= 0x01;
    if (VerifyNote(changed, key)) FAIL("byte " << i << " of the text changed and it verified");
  }
  std::string other_signature(kSpecNote);
  other_signature[other_signature.size() - 10] = 'A';  // inside the base64 signature
  CHECK_FALSE(VerifyNote(other_signature, key));
}

TEST_CASE("Notes by unknown keys are ignored, and then nothing verifies", "[audit][note]") {
  const VerifierKey key = SpecKey();
  auto poem = VerifyNote(kSpecPoem, key);
  REQUIRE_FALSE(poem);
  CHECK(poem.error().find("no signature by example.com/foo+530d903a") != std::string::npos);

  // The spec's note with the poet's signature line added: ours still verifies.
  const std::string both =
      std::string(kSpecNote) + std::string(kSpecPoem.substr(kSpecPoem.rfind("\xE2\x80\x94")));
  auto text = VerifyNote(both, key);
  REQUIRE(text);
  CHECK(*text == "This is an example message.\n");
}

TEST_CASE("The spec's checkpoint text parses, malformed ones are refused", "[audit][note]") {
  auto checkpoint = ParseCheckpointText(kSpecCheckpointText);
  REQUIRE(checkpoint);
  CHECK(checkpoint->origin == "example.com/behind-the-sofa");
  CHECK(checkpoint->size == 20852163);
  CHECK(Base64Of(checkpoint->root) == "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=");
  CHECK(checkpoint->extensions.empty());

  auto extended = ParseCheckpointText(std::string(kSpecCheckpointText) + "extension\n");
  REQUIRE(extended);
  CHECK(extended->extensions == std::vector<std::string>{"extension"});

  const std::string root = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=";
  CHECK(ParseCheckpointText("o\n0\n" + root + "\n"));
  CHECK_FALSE(ParseCheckpointText("o\n020852163\n" + root + "\n"));
  CHECK_FALSE(ParseCheckpointText("o\n+1\n" + root + "\n"));
  CHECK_FALSE(ParseCheckpointText("o\n-1\n" + root + "\n"));
  CHECK_FALSE(ParseCheckpointText("o\n1 \n" + root + "\n"));
  CHECK_FALSE(ParseCheckpointText("o\n18446744073709551616\n" + root + "\n"));
  CHECK_FALSE(ParseCheckpointText("o\n1\n" + root));
  CHECK_FALSE(ParseCheckpointText("o\n1\n"));
  CHECK_FALSE(ParseCheckpointText("\n1\n" + root + "\n"));
  CHECK_FALSE(ParseCheckpointText("o\n1\n" + root + "\n\nextension\n"));
  CHECK_FALSE(ParseCheckpointText("o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n"));
  CHECK_FALSE(ParseCheckpointText("o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2=\n"));
}

TEST_CASE("A checkpoint signed by our key verifies, every flipped signature bit fails",
          "[audit][note]") {
  const TestSigner signer("test.example/log");
  auto key = ParseVerifierKey(signer.VerifierKey());
  REQUIRE(key);
  const std::string root(32, '\x07');
  const std::string note = signer.Checkpoint(42, root);
  auto checkpoint = VerifyCheckpoint(note, *key);
  REQUIRE(checkpoint);
  CHECK(checkpoint->origin == "test.example/log");
  CHECK(checkpoint->size == 42);

  const std::string text = note.substr(0, note.rfind("\n\n") + 1);
  const std::string signature = signer.Sign(text);
  for (size_t bit = 0; bit < signature.size() * 8; ++bit) {
    std::string flipped = signature;
    flipped[bit / 8] = static_cast<char>(flipped[bit / 8] ^ (1 << (bit % 8)));
    if (VerifyCheckpoint(text + "\n" + signer.SignatureLineWith(flipped), *key)) {
      FAIL("signature bit " << bit << " flipped and it verified");
    }
  }
}

TEST_CASE("A checkpoint whose origin is not the key's name, or malformed, does not verify",
          "[audit][note]") {
  const TestSigner signer("test.example/log");
  auto key = ParseVerifierKey(signer.VerifierKey());
  REQUIRE(key);
  const std::string root(32, '\x07');
  auto other_origin = VerifyCheckpoint(signer.Checkpoint(42, root, "test.example/other"), *key);
  REQUIRE_FALSE(other_origin);
  CHECK(other_origin.error().find("origin") != std::string::npos);

  auto leading_zero = VerifyCheckpoint(
      signer.SignedNote("test.example/log\n042\n" + testing::OpenSslBase64(root) + "\n"), *key);
  REQUIRE_FALSE(leading_zero);
  CHECK(leading_zero.error().find("malformed checkpoint") != std::string::npos);

  // Another key with the same name: its line is ignored, so nothing verifies.
  const TestSigner impostor("test.example/log");
  CHECK_FALSE(VerifyCheckpoint(impostor.Checkpoint(42, root), *key));
  // Ours after the impostor's: ours verifies.
  const std::string text = "test.example/log\n42\n" + testing::OpenSslBase64(root) + "\n";
  CHECK(VerifyCheckpoint(text + "\n" + impostor.SignatureLine(text) + signer.SignatureLine(text),
                         *key));
}

TEST_CASE("Malformed notes are refused", "[audit][note]") {
  const TestSigner signer("test.example/log");
  auto key = ParseVerifierKey(signer.VerifierKey());
  REQUIRE(key);
  const std::string text =
      "test.example/log\n1\n" + testing::OpenSslBase64(std::string(32, 'x')) + "\n";
  const std::string line = signer.SignatureLine(text);
  CHECK(VerifyNote(text + "\n" + line, *key));
  CHECK_FALSE(VerifyNote(text + line, *key));                                    // no blank line
  CHECK_FALSE(VerifyNote(text + "\n" + line.substr(0, line.size() - 1), *key));  // no final newline
  CHECK_FALSE(VerifyNote(text + "\n" + line + "\n", *key));       // a blank line after
  CHECK_FALSE(VerifyNote(text + "\n- " + line.substr(4), *key));  // a hyphen for the em dash
  CHECK_FALSE(VerifyNote("a\tb\n" + text + "\n" + line, *key));   // a control character
  CHECK_FALSE(VerifyNote(text + "\n" + line + "\xE2\x80\x94 x AAAA\n", *key));  // too short
  CHECK_FALSE(VerifyNote("\xC3\x28\n" + text + "\n" + line, *key));             // not UTF-8
  CHECK_FALSE(VerifyNote("", *key));
}

}  // namespace
}  // namespace dialogue::audit
