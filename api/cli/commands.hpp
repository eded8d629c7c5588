// The subcommands of the `dialogue` executable (main.cpp only parses the command line).
// Exit codes: 0 success; 1 the check failed (verify) or the import was refused; 2 the store or
// a file could not be opened, read or written.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>

#include "engine/result.hpp"

namespace dialogue::api {

struct ServeOptions {
  std::string data_dir = "./data";
  std::string listen = "127.0.0.1:8080";
  std::string tokens_file;
  int io_threads = 2;
  int worker_threads = 64;
  // Limits of the server (api/http/server.hpp has the defaults' reasons); timeouts in seconds.
  size_t header_limit = 16 * 1024;
  size_t body_limit = 1024 * 1024;
  double read_timeout = 30;
  double idle_timeout = 60;
  double first_request_timeout = 10;
  double write_timeout = 30;
  size_t max_connections = 1024;
  // HTTPS when set (both or neither): PEM certificate chain and private key.
  std::string tls_cert_file;
  std::string tls_key_file;
  // The ledger's Ed25519 signing key (PKCS#8 PEM, mode 0600): "" means
  // <data_dir>/ledger-signing.key, created at first start. A named file must exist.
  std::string ledger_key_file;
  // The log's name in its checkpoints and verifier key.
  std::string ledger_origin = "dialogue.local/ledger";
  // Where POST /v1/admin/backups puts each backup (a folder per backup); "" answers it 503.
  std::string backups_dir;
  // The relay of every committed event to NATS JetStream (docs/relay.md): off when empty.
  std::vector<std::string> nats_servers;
  std::string nats_stream = "DIALOGUE";
  int nats_replicas = 1;
  // A read replica of the log the relay writes to these NATS servers (docs/relay.md): the store
  // is filled from the stream nats_stream, commands answer 421, and no deadline timer runs.
  std::vector<std::string> follow_servers;
  std::string leader_url;  // named in each 421
  // A node of a cluster over these NATS servers (docs/cluster.md): it follows the stream
  // nats_stream, and leads (takes commands, relays them) while it holds the lease. node_url is
  // its own URL, named by the others in their 421 answers.
  std::vector<std::string> cluster_servers;
  std::string node_url;
  double lease_ttl = 3;  // seconds
};

struct ListenAddress {
  std::string host;
  uint16_t port = 0;
};
// "127.0.0.1:8080", "[::1]:8080", "localhost:0" (localhost means 127.0.0.1).
[[nodiscard]] engine::Result<ListenAddress> ParseListenAddress(std::string_view text);

// Serves until SIGTERM or SIGINT. Prints "listening on HOST:PORT" on out (flushed) once
// connections are accepted; everything else goes to the log (stderr).
int RunServe(const ServeOptions& options, std::ostream& out);

// Checks the hash chain: prints "ok: head position N hash H", or "corrupt: first bad position N:
// what" and returns 1.
int RunVerify(const std::string& data_dir, std::ostream& out, std::ostream& err);

// Copies the store in data_dir (a server may be writing to it) into the new backup folder `to`
// (engine/backup.hpp): prints "backup: <to> head position N hash H".
int RunBackup(const std::string& data_dir, const std::string& to, std::ostream& out,
              std::ostream& err);

// Restores backup `from` into the new (or empty) data_dir and verifies its whole chain: prints
// "restored: head position N hash H", or refuses (1) a non-empty data_dir, an incomplete backup,
// a chain that does not verify.
int RunRestore(const std::string& from, const std::string& data_dir, std::ostream& out,
               std::ostream& err);

// Drops the read models' snapshot and folds the whole log again: prints "rebuilt: position N".
int RunRebuild(const std::string& data_dir, std::ostream& out, std::ostream& err);

// Every event as NDJSON, one event object (engine/event_json.hpp) per line, in position order.
int RunExport(const std::string& data_dir, std::ostream& out, std::ostream& err);

// Reads export's NDJSON into an empty store (data_dir missing, an empty folder or a store without
// events). Each line must continue the chain (position, version, prev_hash, hash recomputed);
// the first line that does not refuses the whole import. The events go to a fresh folder beside
// data_dir, which replaces it only once every line is in: a refused import leaves data_dir as
// it was.
int RunImport(const std::string& data_dir, std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace dialogue::api
