#include "engine/ledger_checkpoint.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cassert>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/durable_file.hpp"

namespace dialogue::engine {
namespace {

std::string Base64(const unsigned char* bytes, size_t size) {
  std::string out(4 * ((size + 2) / 3), '\0');
  const int written =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes, static_cast<int>(size));
  out.resize(static_cast<size_t>(written));
  return out;
}

// Strict base64 of exactly 32 bytes; nullopt otherwise.
std::optional<merkle::Hash> HashFromBase64(std::string_view text) {
  if (text.size() != 44 || text.back() != '=' || text[42] == '=') return std::nullopt;
  unsigned char out[33];
  if (EVP_DecodeBlock(out, reinterpret_cast<const unsigned char*>(text.data()), 44) != 33) {
    return std::nullopt;
  }
  merkle::Hash hash;
  std::memcpy(hash.data(), out, 32);
  if (Base64(hash.data(), 32) != text) return std::nullopt;  // non-canonical padding bits
  return hash;
}

std::string ErrnoText() { return std::strerror(errno); }

struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

}  // namespace

struct NoteSigner::Key {
  PkeyPtr pkey;
};

bool IsValidOrigin(std::string_view origin) {
  if (origin.empty() || origin.size() > 255) return false;
  for (char c : origin) {
    if (c <= ' ' || c > '~' || c == '+') return false;
  }
  return true;
}

NoteSigner::NoteSigner(std::string origin, std::unique_ptr<Key> key)
    : origin_(std::move(origin)), key_(std::move(key)) {
  unsigned char public_key[32];
  size_t public_size = sizeof public_key;
  EVP_PKEY_get_raw_public_key(key_->pkey.get(), public_key, &public_size);
  std::string id_input = origin_;
  id_input.push_back('\n');
  id_input.push_back('\x01');
  id_input.append(reinterpret_cast<const char*>(public_key), 32);
  unsigned char digest[32];
  SHA256(reinterpret_cast<const unsigned char*>(id_input.data()), id_input.size(), digest);
  key_id_ = (uint32_t{digest[0]} << 24) | (uint32_t{digest[1]} << 16) | (uint32_t{digest[2]} << 8) |
            uint32_t{digest[3]};
  unsigned char typed[33];
  typed[0] = 0x01;
  std::memcpy(typed + 1, public_key, 32);
  char id_hex[9];
  std::snprintf(id_hex, sizeof id_hex, "%08x", key_id_);
  verifier_key_ = origin_ + "+" + id_hex + "+" + Base64(typed, sizeof typed);
}

NoteSigner::~NoteSigner() = default;

std::unique_ptr<NoteSigner> NoteSigner::Generate(std::string origin) {
  auto key = std::make_unique<Key>();
  key->pkey.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  return std::unique_ptr<NoteSigner>(new NoteSigner(std::move(origin), std::move(key)));
}

Result<std::unique_ptr<NoteSigner>> NoteSigner::Load(const std::string& path, std::string origin,
                                                     bool create) {
  if (!IsValidOrigin(origin)) {
    return Fail(Error::InvalidArgument("the ledger origin '" + origin +
                                       "' is not 1 to 255 printable ASCII characters without "
                                       "spaces or '+'"));
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno != ENOENT || !create) {
      return Fail(
          Error::IOError("cannot read the ledger signing key " + path + ": " + ErrnoText()));
    }
    PkeyPtr fresh(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
    std::unique_ptr<BIO, BioDeleter> bio(BIO_new(BIO_s_mem()));
    if (!fresh || !bio ||
        PEM_write_bio_PrivateKey(bio.get(), fresh.get(), nullptr, nullptr, 0, nullptr, nullptr) !=
            1) {
      return Fail(Error::IOError("cannot make a ledger signing key"));
    }
    char* pem = nullptr;
    const long pem_size = BIO_get_mem_data(bio.get(), &pem);
    RETURN_IF_ERROR(WriteNewFile(path, std::string_view(pem, static_cast<size_t>(pem_size)), 0600,
                                 /*sync=*/true));
    auto key = std::make_unique<Key>();
    key->pkey = std::move(fresh);
    return std::unique_ptr<NoteSigner>(new NoteSigner(std::move(origin), std::move(key)));
  }
  if (!S_ISREG(st.st_mode)) {
    return Fail(Error::InvalidArgument("the ledger signing key " + path + " is not a file"));
  }
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    return Fail(Error::InvalidArgument(
        "the ledger signing key " + path +
        " may be read or written by group or others: make it mode 0600 (chmod 600)"));
  }
  std::unique_ptr<BIO, BioDeleter> bio(BIO_new_file(path.c_str(), "r"));
  if (!bio) {
    return Fail(Error::IOError("cannot read the ledger signing key " + path + ": " + ErrnoText()));
  }
  PkeyPtr pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!pkey || EVP_PKEY_get_id(pkey.get()) != EVP_PKEY_ED25519) {
    return Fail(Error::InvalidArgument("the ledger signing key " + path +
                                       " is not an Ed25519 private key in PKCS#8 PEM"));
  }
  auto key = std::make_unique<Key>();
  key->pkey = std::move(pkey);
  return std::unique_ptr<NoteSigner>(new NoteSigner(std::move(origin), std::move(key)));
}

std::string NoteSigner::SignNote(std::string_view text) const {
  unsigned char signed_bytes[4 + 64];
  signed_bytes[0] = static_cast<unsigned char>(key_id_ >> 24);
  signed_bytes[1] = static_cast<unsigned char>(key_id_ >> 16);
  signed_bytes[2] = static_cast<unsigned char>(key_id_ >> 8);
  signed_bytes[3] = static_cast<unsigned char>(key_id_);
  size_t signature_size = 64;
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  const bool ok =
      ctx && EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_->pkey.get()) == 1 &&
      EVP_DigestSign(ctx.get(), signed_bytes + 4, &signature_size,
                     reinterpret_cast<const unsigned char*>(text.data()), text.size()) == 1 &&
      signature_size == 64;
  assert(ok);  // Ed25519 signing fails only when out of memory
  (void)ok;
  std::string note(text);
  note += "\n\xE2\x80\x94 ";  // an empty line, then U+2014 EM DASH and a space
  note += origin_;
  note += ' ';
  note += Base64(signed_bytes, sizeof signed_bytes);
  note += '\n';
  return note;
}

std::string CheckpointBody(std::string_view origin, uint64_t size, const merkle::Hash& root) {
  std::string body(origin);
  body += '\n';
  body += std::to_string(size);
  body += '\n';
  body += Base64(root.data(), root.size());
  body += '\n';
  return body;
}

Result<std::unique_ptr<Checkpointer>> Checkpointer::Open(const EventStore& store,
                                                         const NoteSigner& signer,
                                                         std::string last_signed_path) {
  std::unique_ptr<Checkpointer> checkpointer(
      new Checkpointer(store, signer, std::move(last_signed_path)));
  const std::string& path = checkpointer->path_;
  if (path.empty()) return checkpointer;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec) && !ec) return checkpointer;  // never signed
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(Error::IOError("cannot read " + path));
  std::ostringstream text;
  text << in.rdbuf();
  const std::string note = text.str();
  // The file is a note this signer wrote: its three body lines are enough.
  std::istringstream lines(note);
  std::string origin, size_line, root_line;
  std::getline(lines, origin);
  std::getline(lines, size_line);
  std::getline(lines, root_line);
  uint64_t size = 0;
  auto [end, parsed] = std::from_chars(size_line.data(), size_line.data() + size_line.size(), size);
  const std::optional<merkle::Hash> root = HashFromBase64(root_line);
  if (origin != signer.origin() || parsed != std::errc() ||
      end != size_line.data() + size_line.size() || size_line.empty() || !root) {
    return Fail(
        Error::Corruption(path + " is not a checkpoint of the log '" + signer.origin() + "'"));
  }
  // Signed again with this signer's key: the file keeps the promise (size and root), and a key
  // replaced since must not have an old signature served (Ed25519 signs the same text the same).
  checkpointer->last_ = std::make_shared<const Signed>(
      Signed{size, *root, signer.SignNote(CheckpointBody(signer.origin(), size, *root))});
  return checkpointer;
}

Result<std::shared_ptr<const Checkpointer::Signed>> Checkpointer::Current() {
  std::lock_guard lock(mu_);
  const uint64_t size = store_.HeadPosition();
  if (last_ && !last_contained_) {
    // Signed by an earlier run: the log must still hold it.
    if (last_->size > size) {
      return Fail(Error::Unavailable("the log (size " + std::to_string(size) +
                                     ") is behind its last signed checkpoint (size " +
                                     std::to_string(last_->size) +
                                     "): no checkpoint is signed until an operator looks"));
    }
    ASSIGN_OR_RETURN(const merkle::Hash old_root, store_.TreeRoot(last_->size));
    if (old_root != last_->root) {
      return Fail(Error::Unavailable(
          "the log no longer contains its last signed checkpoint (size " +
          std::to_string(last_->size) + "): no checkpoint is signed until an operator looks"));
    }
    last_contained_ = true;
  }
  // The head only grows, and the tree with it: a checkpoint of this run's log is contained in
  // every later one.
  if (last_ && last_->size >= size) return last_;
  ASSIGN_OR_RETURN(const merkle::Hash root, store_.TreeRoot(size));
  auto next = std::make_shared<const Signed>(
      Signed{size, root, signer_.SignNote(CheckpointBody(signer_.origin(), size, root))});
  if (!path_.empty()) {
    // Replaced atomically: written and synced beside it, renamed over it, the folder synced, so
    // that after a power cut the file holds this checkpoint or the one before, whole.
    const std::string temporary = path_ + ".tmp";
    std::error_code ec;
    std::filesystem::remove(temporary, ec);
    RETURN_IF_ERROR(WriteNewFile(temporary, next->note, 0644, /*sync=*/true));
    std::filesystem::rename(temporary, path_, ec);
    if (ec) return Fail(Error::IOError("cannot replace " + path_ + ": " + ec.message()));
    RETURN_IF_ERROR(SyncFolderOf(path_));
  }
  last_ = next;
  last_contained_ = true;
  return next;
}

}  // namespace dialogue::engine
