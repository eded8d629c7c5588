#include "engine/sha256.hpp"

#include <openssl/evp.h>

#include <cstdlib>
#include <memory>

namespace dialogue::engine {
namespace {

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

const EVP_MD* Algorithm() {
  // Fetched once and never freed: it lives as long as the process.
  static const EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

}  // namespace

Sha256Digest Sha256(std::initializer_list<std::string_view> parts) {
  thread_local std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  Sha256Digest out;
  unsigned int size = 0;
  bool ok = ctx != nullptr && Algorithm() != nullptr &&
            EVP_DigestInit_ex2(ctx.get(), Algorithm(), nullptr) == 1;
  for (std::string_view part : parts) {
    ok = ok && EVP_DigestUpdate(ctx.get(), part.data(), part.size()) == 1;
  }
  ok = ok && EVP_DigestFinal_ex(ctx.get(), out.data(), &size) == 1 && size == out.size();
  // Only an OpenSSL without SHA-256 or out of memory fails here: no hash is better than a wrong
  // one.
  if (!ok) std::abort();
  return out;
}

}  // namespace dialogue::engine
