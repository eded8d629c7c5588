// Signed checkpoints: the note's form, the key file's rules, and the promise never to sign two
// inconsistent checkpoints. Signatures are checked here with OpenSSL directly, not with the
// signer's code.
#include "engine/ledger_checkpoint.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <fstream>

#include "tests/engine/test_support.hpp"

namespace dialogue::engine {
namespace {

using testing::Event;
using testing::StoreUnderTest;
using testing::TempDir;
using testing::Write;

std::string FromBase64(const std::string& text) {
  std::string out(text.size(), '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  REQUIRE(n >= 0);
  const size_t padding = text.size() - text.find_last_not_of('=') - 1;
  out.resize(static_cast<size_t>(n) - padding);
  return out;
}

// Checks note's one signature against the verifier key, as a client would.
bool NoteVerifies(const std::string& vkey, const std::string& note) {
  const size_t plus1 = vkey.find('+');
  const size_t plus2 = vkey.find('+', plus1 + 1);
  const std::string name = vkey.substr(0, plus1);
  const std::string typed = FromBase64(vkey.substr(plus2 + 1));
  if (typed.size() != 33 || typed[0] != '\x01') return false;
  const size_t split = note.find("\n\n\xE2\x80\x94 ");
  if (split == std::string::npos) return false;
  const std::string text = note.substr(0, split + 1);
  const std::string line = note.substr(split + 2);
  const std::string prefix = "\xE2\x80\x94 " + name + " ";
  if (line.rfind(prefix, 0) != 0 || line.back() != '\n') return false;
  const std::string sig = FromBase64(line.substr(prefix.size(), line.size() - prefix.size() - 1));
  if (sig.size() != 68) return false;
  char id_hex[9];
  std::snprintf(id_hex, sizeof id_hex, "%02x%02x%02x%02x", static_cast<unsigned char>(sig[0]),
                static_cast<unsigned char>(sig[1]), static_cast<unsigned char>(sig[2]),
                static_cast<unsigned char>(sig[3]));
  if (vkey.substr(plus1 + 1, 8) != id_hex) return false;
  EVP_PKEY* key = EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(typed.data() + 1), 32);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool ok =
      EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, key) == 1 &&
      EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(sig.data() + 4), 64,
                       reinterpret_cast<const unsigned char*>(text.data()), text.size()) == 1;
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(key);
  return ok;
}

TEST_CASE("A signed note carries one Ed25519 signature over exactly its text", "[checkpoint]") {
  auto signer = NoteSigner::Generate("dialogue.local/ledger");
  const std::string& vkey = signer->verifier_key();
  CHECK(vkey.rfind("dialogue.local/ledger+", 0) == 0);
  CHECK(vkey.size() == std::string("dialogue.local/ledger+").size() + 8 + 1 + 44);
  const std::string note = signer->SignNote("hello\nworld\n");
  CHECK(note.rfind("hello\nworld\n\n\xE2\x80\x94 dialogue.local/ledger ", 0) == 0);
  CHECK(NoteVerifies(vkey, note));
  std::string altered = note;
  altered[0] = 'j';
  CHECK_FALSE(NoteVerifies(vkey, altered));
  auto other = NoteSigner::Generate("dialogue.local/ledger");
  CHECK_FALSE(NoteVerifies(other->verifier_key(), note));
}

TEST_CASE("A checkpoint body is origin, size and base64 root", "[checkpoint]") {
  CHECK(CheckpointBody("o", 0, merkle::EmptyRoot()) ==
        "o\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n");
}

TEST_CASE("Origins are printable ASCII without spaces or '+'", "[checkpoint]") {
  CHECK(IsValidOrigin("dialogue.local/ledger"));
  CHECK(IsValidOrigin("example.com/foo"));
  CHECK_FALSE(IsValidOrigin(""));
  CHECK_FALSE(IsValidOrigin("a b"));
  CHECK_FALSE(IsValidOrigin("a+b"));
  CHECK_FALSE(IsValidOrigin("a\nb"));
  CHECK_FALSE(IsValidOrigin("caf\xC3\xA9"));
  CHECK_FALSE(IsValidOrigin(std::string(256, 'a')));
}

TEST_CASE("The signing key file is made once, mode 0600, and kept", "[checkpoint]") {
  TempDir dir;
  const std::string path = dir.Path("ledger-signing.key");
  auto made = NoteSigner::Load(path, "dialogue.local/ledger", /*create=*/true);
  REQUIRE(made);
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  std::ifstream in(path);
  std::string first_line;
  std::getline(in, first_line);
  CHECK(first_line == "-----BEGIN PRIVATE KEY-----");
  auto again = NoteSigner::Load(path, "dialogue.local/ledger", /*create=*/true);
  REQUIRE(again);
  CHECK((*again)->verifier_key() == (*made)->verifier_key());
  // Another origin names the same key otherwise.
  auto renamed = NoteSigner::Load(path, "example.org/log", /*create=*/false);
  REQUIRE(renamed);
  CHECK((*renamed)->key_id() != (*made)->key_id());
}

TEST_CASE("A key file that is missing, too open, or not Ed25519 is refused", "[checkpoint]") {
  TempDir dir;
  const std::string path = dir.Path("key.pem");
  CHECK(NoteSigner::Load(path, "o", /*create=*/false).error().code == ErrorCode::kIOError);
  REQUIRE(NoteSigner::Load(path, "o", /*create=*/true));
  ::chmod(path.c_str(), 0640);
  auto open = NoteSigner::Load(path, "o", false);
  REQUIRE_FALSE(open);
  CHECK_THAT(open.error().message, Catch::Contains("group or others"));
  ::chmod(path.c_str(), 0600);
  CHECK_FALSE(NoteSigner::Load(path, "bad origin", false));

  const std::string garbage = dir.Path("garbage.pem");
  std::ofstream(garbage) << "not a key\n";
  ::chmod(garbage.c_str(), 0600);
  CHECK_THAT(NoteSigner::Load(garbage, "o", false).error().message,
             Catch::Contains("not an Ed25519 private key"));

  // An EC key in PKCS#8 PEM: the right form, the wrong type.
  EVP_PKEY* ec = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  REQUIRE(ec != nullptr);
  const std::string ec_path = dir.Path("ec.pem");
  FILE* f = std::fopen(ec_path.c_str(), "w");
  REQUIRE(PEM_write_PrivateKey(f, ec, nullptr, nullptr, 0, nullptr, nullptr) == 1);
  std::fclose(f);
  EVP_PKEY_free(ec);
  ::chmod(ec_path.c_str(), 0600);
  CHECK_THAT(NoteSigner::Load(ec_path, "o", false).error().message,
             Catch::Contains("not an Ed25519 private key"));
  CHECK(NoteSigner::Load(dir.Path("."), "o", false).error().code == ErrorCode::kInvalidArgument);
}

void AppendSome(EventStore& store, int count) {
  for (int i = 0; i < count; ++i) {
    REQUIRE(store.Append(Write("s-" + std::to_string(i), ExpectedVersion::Any(), {Event("E")})));
  }
}

TEST_CASE("Checkpoints are signed once per tree size and verify", "[checkpoint]") {
  StoreUnderTest store("memory");
  auto signer = NoteSigner::Generate("dialogue.local/ledger");
  auto checkpointer = Checkpointer::Open(*store, *signer, "").value();
  auto empty = checkpointer->Current().value();
  CHECK(empty->size == 0);
  CHECK(empty->root == merkle::EmptyRoot());
  CHECK(empty->note.rfind(
            "dialogue.local/ledger\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n", 0) == 0);
  CHECK(NoteVerifies(signer->verifier_key(), empty->note));
  AppendSome(*store, 5);
  auto five = checkpointer->Current().value();
  CHECK(five->size == 5);
  CHECK(five->root == store->TreeRoot(5).value());
  CHECK(NoteVerifies(signer->verifier_key(), five->note));
  CHECK(checkpointer->Current().value() == five);  // the same note, not signed again
}

TEST_CASE("No checkpoint is signed over a log that lost the last one signed", "[checkpoint]") {
  TempDir dir;
  const std::string last = dir.Path("ledger-checkpoint");
  auto signer = NoteSigner::Generate("dialogue.local/ledger");
  std::string note;
  {
    StoreUnderTest store("memory");
    AppendSome(*store, 6);
    auto checkpointer = Checkpointer::Open(*store, *signer, last).value();
    note = checkpointer->Current().value()->note;
  }
  SECTION("the same log, grown, goes on") {
    StoreUnderTest store("memory");
    AppendSome(*store, 9);  // the same first six events: the same clock, the same requests
    auto checkpointer = Checkpointer::Open(*store, *signer, last).value();
    auto grown = checkpointer->Current();
    REQUIRE(grown);
    CHECK((*grown)->size == 9);
  }
  SECTION("a shorter log is refused") {
    StoreUnderTest store("memory");
    AppendSome(*store, 4);
    auto checkpointer = Checkpointer::Open(*store, *signer, last).value();
    auto refused = checkpointer->Current();
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == ErrorCode::kUnavailable);
  }
  SECTION("another log of the same length or longer is refused") {
    StoreUnderTest store("memory");
    REQUIRE(store->Append(Write("other", ExpectedVersion::Any(), {Event("Other")})));
    AppendSome(*store, 8);
    auto checkpointer = Checkpointer::Open(*store, *signer, last).value();
    auto refused = checkpointer->Current();
    REQUIRE_FALSE(refused);
    CHECK_THAT(refused.error().message, Catch::Contains("no longer contains"));
  }
  SECTION("a replaced key signs the kept checkpoint again, never serves the old signature") {
    StoreUnderTest store("memory");
    AppendSome(*store, 6);
    auto replaced = NoteSigner::Generate("dialogue.local/ledger");
    auto checkpointer = Checkpointer::Open(*store, *replaced, last).value();
    const auto current = checkpointer->Current().value();
    CHECK(current->size == 6);
    CHECK(NoteVerifies(replaced->verifier_key(), current->note));
    CHECK_FALSE(NoteVerifies(signer->verifier_key(), current->note));
  }
  SECTION("another log's file is refused at open") {
    auto stranger = NoteSigner::Generate("example.org/other");
    StoreUnderTest store("memory");
    CHECK(Checkpointer::Open(*store, *stranger, last).error().code == ErrorCode::kCorruption);
  }
}

}  // namespace
}  // namespace dialogue::engine
