// dialogue: the server and its maintenance tools. Parses the command line; the work is in
// api/cli/commands.cpp.
#include <CLI/CLI.hpp>
#include <iostream>

#include "api/cli/commands.hpp"
#include "audit/audit.hpp"

int main(int argc, char** argv) {
  namespace api = dialogue::api;
  CLI::App app{"Dialogue: workflows of paragraphs 58-61 of the UNTOC Review Mechanism"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("dialogue ") + DIALOGUE_VERSION);

  api::ServeOptions serve;
  CLI::App* serve_command = app.add_subcommand("serve", "Serve the HTTP API");
  // Every flag of serve may come from a file instead (INI or TOML, under [serve]:
  // `data = "/var/lib/dialogue"`); the command line wins over the file. The option belongs to
  // the app, which reads the file's sections for its subcommands; serve passes it up.
  app.set_config("--config", "", "Read serve's flags from this INI/TOML file ([serve] section)");
  serve_command->fallthrough();
  serve_command->add_option("--data", serve.data_dir, "Store folder (created if missing)")
      ->capture_default_str();
  serve_command->add_option("--listen", serve.listen, "HOST:PORT (port 0: any free port)")
      ->capture_default_str();
  serve_command->add_option("--tokens", serve.tokens_file, "Tokens file (JSON, SHA-256 hashes)")
      ->required();
  serve_command->add_option("--io-threads", serve.io_threads, "Network threads")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  serve_command->add_option("--workers", serve.worker_threads, "Request handler threads")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  serve_command
      ->add_option("--max-connections", serve.max_connections,
                   "Open connections at most; beyond, 503 and close")
      ->capture_default_str()
      ->check(CLI::Range(1, 1'000'000));
  serve_command->add_option("--header-limit", serve.header_limit, "Request header bytes (431)")
      ->capture_default_str()
      ->check(CLI::Range(1024, 1024 * 1024));
  serve_command->add_option("--body-limit", serve.body_limit, "Request body bytes (413)")
      ->capture_default_str()
      ->check(CLI::Range(1024, 1024 * 1024 * 1024));
  serve_command
      ->add_option("--read-timeout", serve.read_timeout,
                   "Seconds to read a whole request, from its first byte")
      ->capture_default_str()
      ->check(CLI::Range(0.01, 3600.0));
  serve_command
      ->add_option("--idle-timeout", serve.idle_timeout,
                   "Seconds a keep-alive connection may wait for its next request")
      ->capture_default_str()
      ->check(CLI::Range(0.01, 3600.0));
  serve_command
      ->add_option("--first-request-timeout", serve.first_request_timeout,
                   "Seconds a new connection has to send its first request header")
      ->capture_default_str()
      ->check(CLI::Range(0.01, 3600.0));
  serve_command->add_option("--write-timeout", serve.write_timeout, "Seconds for each write")
      ->capture_default_str()
      ->check(CLI::Range(0.01, 3600.0));
  CLI::Option* tls_cert =
      serve_command
          ->add_option("--tls-cert", serve.tls_cert_file, "PEM certificate chain: serve HTTPS")
          ->check(CLI::ExistingFile);
  CLI::Option* tls_key =
      serve_command->add_option("--tls-key", serve.tls_key_file, "PEM private key of --tls-cert")
          ->check(CLI::ExistingFile);
  tls_cert->needs(tls_key);
  tls_key->needs(tls_cert);
  serve_command->add_option("--ledger-key", serve.ledger_key_file,
                            "Ed25519 PKCS#8 PEM key (mode 0600) that signs checkpoints [default: "
                            "DATA/ledger-signing.key, "
                            "created at first start]");
  serve_command
      ->add_option("--ledger-origin", serve.ledger_origin,
                   "The log's name in its checkpoints (no spaces, no '+')")
      ->capture_default_str();
  serve_command->add_option("--backups", serve.backups_dir,
                            "Folder of the backups POST /v1/admin/backups takes (role operator)");
  CLI::Option* nats =
      serve_command
          ->add_option("--nats", serve.nats_servers,
                       "Relay every committed event to NATS JetStream: nats://HOST:PORT[,...]")
          ->delimiter(',');
  serve_command
      ->add_option("--nats-stream", serve.nats_stream,
                   "The JetStream stream (created when missing)")
      ->capture_default_str();
  serve_command
      ->add_option("--nats-replicas", serve.nats_replicas,
                   "Replicas of the stream the relay creates")
      ->capture_default_str()
      ->check(CLI::Range(1, 5));
  serve_command
      ->add_option("--follow", serve.follow_servers,
                   "Serve a read replica of the log relayed to NATS: nats://HOST:PORT[,...]")
      ->delimiter(',')
      ->excludes(nats);
  CLI::Option* follow = serve_command->get_option("--follow");
  serve_command->add_option("--leader-url", serve.leader_url,
                            "The leader's URL, named in a read replica's 421 answers");
  CLI::Option* cluster =
      serve_command
          ->add_option("--cluster", serve.cluster_servers,
                       "Run as one node of a cluster over NATS JetStream (docs/cluster.md): "
                       "nats://HOST:PORT[,...]")
          ->delimiter(',')
          ->excludes(nats)
          ->excludes(follow);
  serve_command
      ->add_option("--node-url", serve.node_url,
                   "This cluster node's URL, which the others name in their 421 answers")
      ->needs(cluster);
  serve_command
      ->add_option("--lease-ttl", serve.lease_ttl,
                   "Seconds the leader's lease lasts unrenewed (renewed every sixth of it)")
      ->capture_default_str()
      ->check(CLI::Range(0.4, 600.0))
      ->needs(cluster);

  std::string data_dir = "./data";
  CLI::App* verify_command = app.add_subcommand("verify", "Check the hash chain of the log");
  CLI::App* export_command = app.add_subcommand("export", "Write every event as NDJSON to stdout");
  CLI::App* import_command =
      app.add_subcommand("import", "Read export's NDJSON from stdin into an empty store");
  CLI::App* rebuild_command =
      app.add_subcommand("rebuild", "Fold the whole log into the read models again");
  for (CLI::App* command : {verify_command, export_command, import_command, rebuild_command}) {
    command->add_option("--data", data_dir, "Store folder")->capture_default_str();
  }

  std::string backup_to;
  CLI::App* backup_command = app.add_subcommand(
      "backup", "Copy the store (a server may be writing to it) into a new backup folder");
  backup_command->add_option("--data", data_dir, "Store folder")->capture_default_str();
  backup_command->add_option("--to", backup_to, "The new backup folder (absent or empty)")
      ->required();
  std::string restore_from;
  CLI::App* restore_command = app.add_subcommand(
      "restore", "Copy a backup into a new store folder and verify its whole chain");
  restore_command->add_option("--from", restore_from, "The backup folder")->required();
  restore_command->add_option("--data", data_dir, "The new store folder (absent or empty)")
      ->required();

  // An auditor's check of a server's signed history; shares no code with the server (audit/).
  dialogue::audit::AuditOptions audit;
  CLI::App* audit_command = app.add_subcommand(
      "audit", "Verify a server's signed checkpoint, its consistency with the saved one, events");
  audit_command->add_option("--url", audit.url, "The server: http://HOST:PORT or https://...")
      ->required();
  audit_command->add_option("--token-file", audit.token_file, "File holding the bearer token")
      ->required();
  audit_command->add_option("--vkey", audit.vkey, "The log's verifier key, or a file holding it")
      ->required();
  audit_command
      ->add_option("--state", audit.state_file,
                   "The last verified checkpoint (read if present; written when all holds)")
      ->required();
  audit_command->add_option("--position", audit.positions,
                            "Prove this event's inclusion (repeatable)");
  audit_command->add_flag("--all", audit.all, "Check that the events rebuild the root");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    // The audit's usage errors exit 2, as its other inconclusive outcomes (the contract).
    return code != 0 && audit_command->parsed() ? dialogue::audit::kAuditInconclusive : code;
  }

  if (*serve_command) return api::RunServe(serve, std::cout);
  if (*audit_command) return dialogue::audit::RunAudit(audit, std::cout, std::cerr);
  if (*verify_command) return api::RunVerify(data_dir, std::cout, std::cerr);
  if (*rebuild_command) return api::RunRebuild(data_dir, std::cout, std::cerr);
  if (*backup_command) return api::RunBackup(data_dir, backup_to, std::cout, std::cerr);
  if (*restore_command) return api::RunRestore(restore_from, data_dir, std::cout, std::cerr);
  if (*export_command) {
    std::ios::sync_with_stdio(false);
    return api::RunExport(data_dir, std::cout, std::cerr);
  }
  if (*import_command) {
    std::ios::sync_with_stdio(false);
    return api::RunImport(data_dir, std::cin, std::cout, std::cerr);
  }
  return 2;
}
