// Signed checkpoints of the log: the C2SP tlog-checkpoint v1.0.0 form of the Merkle tree's head,
// as a C2SP signed note with an Ed25519 key (docs/verifiable-history.md). An auditor who keeps one
// checkpoint can later ask for a consistency proof from it; the server's promise is that it never
// signs two checkpoints that are inconsistent.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "engine/event_store.hpp"
#include "engine/merkle.hpp"
#include "engine/result.hpp"

namespace dialogue::engine {

// A log origin (the signed note's key name): 1 to 255 printable ASCII characters, neither space
// nor '+'.
bool IsValidOrigin(std::string_view origin);

// An Ed25519 signing key and its signed-note name. Thread-safe.
class NoteSigner {
 public:
  ~NoteSigner();
  NoteSigner(const NoteSigner&) = delete;
  NoteSigner& operator=(const NoteSigner&) = delete;

  // Loads the PKCS#8 PEM Ed25519 private key at path; when the file does not exist and create
  // is set, makes a new key and writes it there first (mode 0600, synced). Errors:
  // kInvalidArgument for an invalid origin, a file that group or others may read, or a key that
  // is not Ed25519 PKCS#8 PEM; kIOError when the file cannot be read or written. The messages
  // name the file, never the key.
  static Result<std::unique_ptr<NoteSigner>> Load(const std::string& path, std::string origin,
                                                  bool create);
  // A fresh key held in memory only (tests, benchmarks). REQUIRES: IsValidOrigin(origin).
  static std::unique_ptr<NoteSigner> Generate(std::string origin);

  const std::string& origin() const { return origin_; }
  // The first 4 bytes of SHA-256(origin || 0x0A || 0x01 || public key), big-endian.
  uint32_t key_id() const { return key_id_; }
  // The verifier key: <origin>+<8 hex digits key id>+<base64(0x01 || public key)>.
  const std::string& verifier_key() const { return verifier_key_; }

  // The signed note of text: text, an empty line, then "— <origin> <base64(key id ||
  // signature)>\n", the Ed25519 signature covering exactly text. REQUIRES: text ends with '\n'.
  std::string SignNote(std::string_view text) const;

 private:
  struct Key;
  NoteSigner(std::string origin, std::unique_ptr<Key> key);

  std::string origin_;
  std::unique_ptr<Key> key_;
  uint32_t key_id_ = 0;
  std::string verifier_key_;
};

// The body of a checkpoint: "<origin>\n<size>\n<base64 root>\n".
std::string CheckpointBody(std::string_view origin, uint64_t size, const merkle::Hash& root);

// Signs checkpoints of one store's log, at most once per tree size, and never two inconsistent
// ones: a tree is signed only when it contains the last one signed (checked by recomputing the
// older root from the store's tree), and the last one signed is kept in a file beside the store,
// so that the promise outlives a restart. Thread-safe.
class Checkpointer {
 public:
  struct Signed {
    uint64_t size = 0;
    merkle::Hash root{};
    std::string note;  // the signed note, as served
  };

  // last_signed_path: the file that keeps the last checkpoint signed ("": memory only). It is
  // read here (a missing file is a store that never signed; its checkpoint is signed again with
  // this signer, so a replaced key never has an old signature served) and rewritten, atomically
  // and synced, after each new signature. Errors: kCorruption when the file exists but is not a
  // checkpoint of this signer's origin; kIOError.
  static Result<std::unique_ptr<Checkpointer>> Open(const EventStore& store,
                                                    const NoteSigner& signer,
                                                    std::string last_signed_path);

  // The signed checkpoint of the log's head now. Errors: kUnavailable when the log does not
  // contain the last checkpoint signed (a store restored from an older copy, or altered): the
  // server then signs nothing until an operator looks; kIOError, kCorruption from the store.
  Result<std::shared_ptr<const Signed>> Current();

 private:
  Checkpointer(const EventStore& store, const NoteSigner& signer, std::string path)
      : store_(store), signer_(signer), path_(std::move(path)) {}

  const EventStore& store_;
  const NoteSigner& signer_;
  const std::string path_;
  std::mutex mu_;
  std::shared_ptr<const Signed> last_;  // guarded by mu_; null before the first signature
  bool last_contained_ = false;         // guarded by mu_: last_ is known to be in the log
};

}  // namespace dialogue::engine
