// TestSigner: an Ed25519 key made with OpenSSL for the audit tests, and the C2SP signed notes and
// checkpoints it signs (c2sp.org/signed-note, c2sp.org/tlog-checkpoint), written here with
// OpenSSL's own SHA-256 and base64, apart from audit/note.cpp which they test.
#pragma once

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace dialogue::audit::testing {

inline std::string OpenSslBase64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                     reinterpret_cast<const unsigned char*>(bytes.data()),
                                     static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(length));
  return out;
}

class TestSigner {
 public:
  explicit TestSigner(std::string name) : name_(std::move(name)) {
    key_.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
    size_t length = public_key_.size();
    if (!key_ || EVP_PKEY_get_raw_public_key(key_.get(), public_key_.data(), &length) != 1) {
      throw std::runtime_error("no Ed25519 key");
    }
    std::string preimage = name_ + "\n\x01";
    preimage.append(reinterpret_cast<const char*>(public_key_.data()), public_key_.size());
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(preimage.data()), preimage.size(), digest);
    id_.assign(reinterpret_cast<const char*>(digest), 4);
  }

  const std::string& name() const { return name_; }

  // <name>+<hex id>+<base64(0x01 ‖ public key)>
  std::string VerifierKey() const {
    char hex[9];
    std::snprintf(hex, sizeof hex, "%02x%02x%02x%02x", static_cast<uint8_t>(id_[0]),
                  static_cast<uint8_t>(id_[1]), static_cast<uint8_t>(id_[2]),
                  static_cast<uint8_t>(id_[3]));
    std::string material = "\x01";
    material.append(reinterpret_cast<const char*>(public_key_.data()), public_key_.size());
    return name_ + "+" + hex + "+" + OpenSslBase64(material);
  }

  // The 64-byte Ed25519 signature of `text`.
  std::string Sign(std::string_view text) const {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    std::string signature(64, '\0');
    size_t length = signature.size();
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) != 1 ||
        EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                       reinterpret_cast<const unsigned char*>(text.data()), text.size()) != 1) {
      throw std::runtime_error("cannot sign");
    }
    return signature;
  }

  // `— <name> <base64(id ‖ signature)>\n`, the signature given (for tampering) or made.
  std::string SignatureLine(std::string_view text) const { return SignatureLineWith(Sign(text)); }
  std::string SignatureLineWith(const std::string& signature) const {
    return "\xE2\x80\x94 " + name_ + " " + OpenSslBase64(id_ + signature) + "\n";
  }

  // text, blank line, this key's signature line.
  std::string SignedNote(std::string_view text) const {
    return std::string(text) + "\n" + SignatureLine(text);
  }

  // A checkpoint note: origin (the key's name unless given), size, base64 root, signed.
  std::string Checkpoint(uint64_t size, std::string_view root32, std::string origin = "") const {
    const std::string text = (origin.empty() ? name_ : origin) + "\n" + std::to_string(size) +
                             "\n" + OpenSslBase64(root32) + "\n";
    return SignedNote(text);
  }

 private:
  std::string name_;
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key_{nullptr, EVP_PKEY_free};
  std::array<unsigned char, 32> public_key_{};
  std::string id_;  // 4 bytes
};

}  // namespace dialogue::audit::testing
