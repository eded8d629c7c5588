// RunAudit end to end against a fake server (tests/audit/fake_server.hpp) that serves a made-up
// log, its signed checkpoints and its proofs, all computed here (tests/audit/fake_log.hpp,
// naive_merkle.hpp, test_signer.hpp): honest logs verify and advance the saved checkpoint; forks,
// rollbacks, tampered events and bad signatures fail (exit 1) and leave the state file alone;
// usage, HTTP and network troubles are inconclusive (exit 2).
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "audit/audit.hpp"
#include "tests/audit/fake_log.hpp"
#include "tests/audit/fake_server.hpp"
#include "tests/audit/naive_merkle.hpp"
#include "tests/audit/test_signer.hpp"
#include "tests/temp_dir.hpp"

namespace dialogue::audit {
namespace {

using nlohmann::json;
using testing::FakeLog;
using testing::FakeRequest;
using testing::FakeResponse;
using testing::FakeServer;
using testing::NaiveTree;
using testing::TestSigner;

constexpr const char* kToken = "auditor-token";
constexpr const char* kOrigin = "test.example/ledger";

std::string RawBytes(const Hash& hash) { return std::string(hash.begin(), hash.end()); }

// What the fake server serves: events, the tree over `leaves` (normally the events' leaves), and
// a checkpoint note.
struct Ledger {
  FakeLog log;
  std::vector<Hash> leaves;
  std::string checkpoint;
};

Ledger SignedLedger(const TestSigner& signer, FakeLog log, size_t size) {
  Ledger ledger{std::move(log), {}, {}};
  ledger.leaves = ledger.log.LeafHashes();
  NaiveTree tree(ledger.leaves);
  ledger.checkpoint = signer.Checkpoint(size, RawBytes(tree.Root(size)));
  return ledger;
}

std::map<std::string, uint64_t> QueryOf(const std::string& target) {
  std::map<std::string, uint64_t> query;
  const size_t mark = target.find('?');
  if (mark == std::string::npos) return query;
  std::stringstream pairs(target.substr(mark + 1));
  for (std::string pair; std::getline(pairs, pair, '&');) {
    const size_t equals = pair.find('=');
    if (equals != std::string::npos)
      query[pair.substr(0, equals)] = std::stoull(pair.substr(equals + 1));
  }
  return query;
}

json HexList(const std::vector<Hash>& hashes) {
  json list = json::array();
  for (const Hash& hash : hashes) list.push_back(HexOf(hash));
  return list;
}

// The contract's answers over `ledger`; a request without the token gets 401.
FakeResponse Serve(const Ledger& ledger, const FakeRequest& request) {
  if (request.authorization != std::string("Bearer ") + kToken) {
    return {401, "application/problem+json", R"({"title":"unauthorized"})"};
  }
  const std::string path = request.target.substr(0, request.target.find('?'));
  std::map<std::string, uint64_t> query = QueryOf(request.target);
  if (path == "/v1/ledger/checkpoint") return {200, "text/plain; charset=utf-8", ledger.checkpoint};
  if (path == "/v1/events") {
    json events = json::array();
    for (uint64_t p = query["after"] + 1;
         p <= ledger.log.events.size() && p <= query["after"] + query["limit"]; ++p) {
      events.push_back(ledger.log.events[p - 1]);
    }
    return {200, "application/json",
            json{{"events", events}, {"head", ledger.log.events.size()}}.dump()};
  }
  NaiveTree tree(ledger.leaves);
  if (path == "/v1/ledger/proof/inclusion") {
    const uint64_t p = query["position"], n = query["tree_size"];
    if (p < 1 || p > n || n > ledger.leaves.size()) return {400, "application/json", "{}"};
    return {200, "application/json",
            json{{"position", p},
                 {"tree_size", n},
                 {"leaf_hash", HexOf(ledger.leaves[p - 1])},
                 {"hashes", HexList(tree.Path(p - 1, n))}}
                .dump()};
  }
  if (path == "/v1/ledger/proof/consistency") {
    const uint64_t a = query["from"], b = query["to"];
    if (a < 1 || a > b || b > ledger.leaves.size()) return {400, "application/json", "{}"};
    return {200, "application/json",
            json{{"from", a}, {"to", b}, {"hashes", HexList(tree.Proof(a, b))}}.dump()};
  }
  return {404, "application/json", "{}"};
}

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

struct Outcome {
  int code = -1;
  std::string out;
  std::string err;
};

class AuditFixture {
 public:
  AuditFixture() : signer_(kOrigin) {
    WriteFile(dir_.Path("token"), std::string("  ") + kToken + "\n");
    options_.token_file = dir_.Path("token");
    options_.vkey = signer_.VerifierKey();
    options_.state_file = dir_.Path("checkpoint");
  }

  const TestSigner& signer() const { return signer_; }
  AuditOptions& options() { return options_; }
  const std::string& state_file() const { return options_.state_file; }
  std::string Path(std::string_view name) const { return dir_.Path(name); }

  // An honest ledger of `events` events, checkpoint at `size` (all of them by default).
  Ledger Honest(size_t events, std::optional<size_t> size = std::nullopt) const {
    return SignedLedger(signer_, FakeLog::Make(events), size.value_or(events));
  }

  Outcome Audit(const Ledger& ledger) {
    FakeServer server([ledger](const FakeRequest& request) { return Serve(ledger, request); });
    options_.url = server.url();
    return Run();
  }

  Outcome Run() {
    std::ostringstream out, err;
    Outcome outcome;
    outcome.code = RunAudit(options_, out, err);
    outcome.out = out.str();
    outcome.err = err.str();
    return outcome;
  }

  // The audit fails (exit 1) with `check` in its message and leaves the state file as it was.
  void ExpectFailure(const Ledger& ledger, const std::string& check) {
    const std::optional<std::string> before = ReadFile(state_file());
    const Outcome outcome = Audit(ledger);
    INFO(outcome.err);
    CHECK(outcome.code == kAuditFailed);
    CHECK(outcome.out.empty());
    CHECK(outcome.err.starts_with("audit failed: "));
    CHECK(outcome.err.find(check) != std::string::npos);
    CHECK(std::count(outcome.err.begin(), outcome.err.end(), '\n') == 1);
    CHECK(ReadFile(state_file()) == before);
  }

  void ExpectInconclusive(const Ledger& ledger, const std::string& message) {
    const std::optional<std::string> before = ReadFile(state_file());
    const Outcome outcome = Audit(ledger);
    INFO(outcome.err);
    CHECK(outcome.code == kAuditInconclusive);
    CHECK(outcome.err.starts_with("audit: "));
    CHECK(outcome.err.find(message) != std::string::npos);
    CHECK(ReadFile(state_file()) == before);
  }

  // Saves `ledger`'s checkpoint as the state, through an honest audit.
  void SaveCheckpointOf(const Ledger& ledger) {
    const Outcome outcome = Audit(ledger);
    INFO(outcome.err);
    REQUIRE(outcome.code == kAuditVerified);
    REQUIRE(ReadFile(state_file()) == ledger.checkpoint);
  }

 private:
  dialogue::testing::TempDir dir_;
  TestSigner signer_;
  AuditOptions options_;
};

TEST_CASE_METHOD(AuditFixture, "An honest log verifies, and later proves its growth",
                 "[audit][run]") {
  const Ledger first = Honest(40);
  options().positions = {1, 17, 40};
  options().all = true;
  const Outcome outcome = Audit(first);
  INFO(outcome.err);
  REQUIRE(outcome.code == kAuditVerified);
  CHECK(outcome.err.empty());
  NaiveTree tree(first.leaves);
  const std::string root = testing::OpenSslBase64(RawBytes(tree.Root(40)));
  CHECK(outcome.out.starts_with("verified: origin test.example/ledger size 40 root " + root));
  CHECK(outcome.out.find("events 1..40 rebuild the root") != std::string::npos);
  CHECK(outcome.out.find("included: 1 17 40") != std::string::npos);
  CHECK(std::count(outcome.out.begin(), outcome.out.end(), '\n') == 1);
  CHECK(ReadFile(state_file()) == first.checkpoint);
  CHECK_FALSE(ReadFile(state_file() + ".tmp"));

  // More events: consistency from 40 to 57, and only 41..57 fetched for --all.
  const Ledger grown = Honest(57);
  options().positions = {45};
  const Outcome later = Audit(grown);
  INFO(later.err);
  REQUIRE(later.code == kAuditVerified);
  CHECK(later.out.find("size 57") != std::string::npos);
  CHECK(later.out.find("consistent with the saved size 40") != std::string::npos);
  CHECK(later.out.find("events 41..57 rebuild the root") != std::string::npos);
  CHECK(ReadFile(state_file()) == grown.checkpoint);

  // Nothing new: the same checkpoint verifies again.
  const Outcome same = Audit(grown);
  CHECK(same.code == kAuditVerified);
  CHECK(same.out.find("no events after the saved size") != std::string::npos);
}

TEST_CASE_METHOD(AuditFixture, "Every saved size grows into every later one", "[audit][run]") {
  options().all = true;
  for (size_t size : {0, 1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 31}) {
    const Ledger ledger = Honest(31, size);
    const Outcome outcome = Audit(ledger);
    INFO("size " << size << ": " << outcome.err);
    REQUIRE(outcome.code == kAuditVerified);
    CHECK(ReadFile(state_file()) == ledger.checkpoint);
  }
}

TEST_CASE_METHOD(AuditFixture, "Events beyond the checkpoint are ignored, an empty log verifies",
                 "[audit][run]") {
  options().all = true;
  const Outcome empty = Audit(Honest(0));
  INFO(empty.err);
  CHECK(empty.code == kAuditVerified);
  CHECK(empty.out.find("size 0 root 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=") !=
        std::string::npos);
  const Outcome ahead = Audit(Honest(30, 25));  // the log has moved on since it signed
  INFO(ahead.err);
  CHECK(ahead.code == kAuditVerified);
  CHECK(ahead.out.find("size 25") != std::string::npos);
}

TEST_CASE_METHOD(AuditFixture, "A forked log fails, at the same size or a later one",
                 "[audit][run]") {
  SaveCheckpointOf(Honest(40));
  // Another history from position 10, validly signed.
  const Ledger forked = SignedLedger(signer(), FakeLog::Make(40, 10), 40);
  ExpectFailure(forked, "the log forked: same size, another root (saved size 40, new size 40)");
  const Ledger forked_later = SignedLedger(signer(), FakeLog::Make(50, 10), 50);
  ExpectFailure(forked_later, "the consistency proof does not verify");
}

TEST_CASE_METHOD(AuditFixture, "A rolled-back log fails", "[audit][run]") {
  SaveCheckpointOf(Honest(40));
  ExpectFailure(Honest(30), "the log is smaller than the saved checkpoint");
}

TEST_CASE_METHOD(AuditFixture, "A tampered event fails by --position and by --all",
                 "[audit][run]") {
  Ledger tampered = Honest(40);
  tampered.log.events[11]["data"]["title"] = "rewritten";  // position 12, its hash kept
  options().positions = {12};
  ExpectFailure(tampered, "the event's hash does not match its contents (position 12)");
  options().positions = {11, 13};
  CHECK(Audit(tampered).code == kAuditVerified);  // the others are intact

  std::filesystem::remove(state_file());
  options().positions = {};
  options().all = true;
  ExpectFailure(tampered, "the event's hash does not match its contents (position 12)");
}

TEST_CASE_METHOD(AuditFixture, "An event whose prev_hash breaks the chain fails --all",
                 "[audit][run]") {
  FakeLog log = FakeLog::Make(20);
  // Position 8 re-made on another predecessor: its own hash holds, the tree is built on it, the
  // checkpoint is signed; only the link is wrong.
  log.events[7] = testing::MakeEvent(8, std::string(64, 'c'));
  for (size_t p = 9; p <= 20; ++p) {
    log.events[p - 1] = testing::MakeEvent(p, log.events[p - 2]["hash"].get<std::string>());
  }
  options().positions = {8};
  CHECK(Audit(SignedLedger(signer(), log, 20)).code == kAuditVerified);
  std::filesystem::remove(state_file());
  options().all = true;
  ExpectFailure(SignedLedger(signer(), log, 20),
                "prev_hash is not the previous event's hash (position 8)");
}

TEST_CASE_METHOD(AuditFixture, "A checkpoint whose tree the events do not rebuild fails --all",
                 "[audit][run]") {
  Ledger ledger = Honest(20);
  // The tree has another leaf 5 (so do the proofs); the events are the honest ones.
  ledger.leaves[4][0] ^= 1;
  NaiveTree tree(ledger.leaves);
  ledger.checkpoint = signer().Checkpoint(20, RawBytes(tree.Root(20)));
  options().positions = {4, 6};
  CHECK(Audit(ledger).code == kAuditVerified);
  std::filesystem::remove(state_file());
  options().positions = {5};
  ExpectFailure(ledger, "the proof's leaf_hash is not the event's (position 5)");
  options().positions = {};
  options().all = true;
  ExpectFailure(ledger, "the events do not rebuild the checkpoint's root (positions 1..20)");
}

TEST_CASE_METHOD(AuditFixture, "A bad signature, another origin or a malformed checkpoint fails",
                 "[audit][run]") {
  SaveCheckpointOf(Honest(10));
  Ledger ledger = Honest(20);
  const size_t signature =
      ledger.checkpoint.rfind(' ') + 20;  // inside the signature, past the key id
  ledger.checkpoint[signature] = ledger.checkpoint[signature] == 'A' ? 'B' : 'A';
  ExpectFailure(ledger, "the signature of test.example/ledger+");

  NaiveTree tree(Honest(20).leaves);
  ledger.checkpoint = signer().Checkpoint(20, RawBytes(tree.Root(20)), "test.example/other");
  ExpectFailure(ledger, "the checkpoint's origin is not the key's name");

  ledger.checkpoint = signer().SignedNote(std::string(kOrigin) + "\n020\n" +
                                          testing::OpenSslBase64(RawBytes(tree.Root(20))) + "\n");
  ExpectFailure(ledger, "malformed checkpoint: the tree size");

  const TestSigner impostor(kOrigin);
  ledger.checkpoint = impostor.Checkpoint(20, RawBytes(tree.Root(20)));
  ExpectFailure(ledger, "no signature by test.example/ledger+");

  ledger.checkpoint = "not a note";
  ExpectFailure(ledger, "malformed note");
}

TEST_CASE_METHOD(AuditFixture, "Malformed proofs and pages fail, they never crash",
                 "[audit][run]") {
  SaveCheckpointOf(Honest(10));
  const Ledger ledger = Honest(20);
  options().positions = {3};
  for (const char* body :
       {"", "{", "[]", R"({"from":10,"to":20})", R"({"from":10,"to":20,"hashes":["zz"]})",
        R"({"from":9,"to":20,"hashes":[]})"}) {
    FakeServer server([&](const FakeRequest& request) {
      if (request.target.starts_with("/v1/ledger/proof/consistency")) {
        return FakeResponse{200, "application/json", body};
      }
      return Serve(ledger, request);
    });
    options().url = server.url();
    const Outcome outcome = Run();
    INFO(body << ": " << outcome.err);
    CHECK(outcome.code == kAuditFailed);
  }
  for (const char* body : {"{}", R"({"events":[{}]})", R"({"events":[]})"}) {
    FakeServer server([&](const FakeRequest& request) {
      if (request.target.starts_with("/v1/events"))
        return FakeResponse{200, "application/json", body};
      return Serve(ledger, request);
    });
    options().url = server.url();
    const Outcome outcome = Run();
    INFO(body << ": " << outcome.err);
    CHECK(outcome.code == kAuditFailed);
  }
  CHECK(ReadFile(state_file()) == Honest(10).checkpoint);
}

TEST_CASE_METHOD(AuditFixture,
                 "The wrong token, a position beyond, an unreachable server or an "
                 "unusable file is inconclusive",
                 "[audit][run]") {
  SaveCheckpointOf(Honest(10));
  const Ledger ledger = Honest(20);

  WriteFile(Path("wrong-token"), "nope");
  options().token_file = Path("wrong-token");
  ExpectInconclusive(ledger, "HTTP status 401");
  options().token_file = Path("token");

  options().positions = {21};
  ExpectInconclusive(ledger, "--position 21 is beyond the checkpoint's size 20");
  options().positions = {0};
  ExpectInconclusive(ledger, "--position 0");
  options().positions = {};

  options().url = "http://127.0.0.1:" + std::to_string(testing::UnusedLoopbackPort());
  const Outcome unreachable = Run();
  CHECK(unreachable.code == kAuditInconclusive);
  CHECK(unreachable.err.find("cannot connect") != std::string::npos);

  options().url = "ftp://example.com";
  CHECK(Run().code == kAuditInconclusive);

  options().token_file = Path("no-such-file");
  ExpectInconclusive(ledger, "cannot read --token-file");
  options().token_file = Path("token");

  options().vkey = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2";  // short
  ExpectInconclusive(ledger, "--vkey");
  options().vkey = TestSigner(kOrigin).VerifierKey();  // another key: the saved state is not its
  ExpectInconclusive(ledger, "--state");
  options().vkey = signer().VerifierKey();

  const std::string saved = *ReadFile(state_file());
  WriteFile(state_file(), "garbled");
  ExpectInconclusive(ledger, "is not a checkpoint signed by the key");
  WriteFile(state_file(), saved);
  CHECK(Audit(ledger).code == kAuditVerified);
}

TEST_CASE_METHOD(AuditFixture, "The verifier key may be given as a file", "[audit][run]") {
  WriteFile(Path("vkey"), signer().VerifierKey() + "\n");
  options().vkey = Path("vkey");
  const Outcome outcome = Audit(Honest(5));
  INFO(outcome.err);
  CHECK(outcome.code == kAuditVerified);
}

TEST_CASE_METHOD(AuditFixture, "A server answering other statuses is inconclusive",
                 "[audit][run]") {
  SaveCheckpointOf(Honest(10));
  const Ledger ledger = Honest(20);
  FakeServer server([&](const FakeRequest& request) {
    if (request.target.starts_with("/v1/ledger/proof")) return FakeResponse{500, "text/plain", "x"};
    return Serve(ledger, request);
  });
  options().url = server.url();
  const Outcome outcome = Run();
  CHECK(outcome.code == kAuditInconclusive);
  CHECK(outcome.err.find("HTTP status 500") != std::string::npos);
  CHECK(ReadFile(state_file()) == Honest(10).checkpoint);
}

TEST_CASE_METHOD(AuditFixture,
                 "A server that never answers times out, a body over the limit is "
                 "refused",
                 "[audit][run]") {
  options().limits.timeout = std::chrono::milliseconds(300);
  const testing::SilentListener silent;
  options().url = silent.url();
  const Outcome timed_out = Run();
  CHECK(timed_out.code == kAuditInconclusive);
  CHECK(timed_out.err.find("timed out") != std::string::npos);

  options().limits.max_body_bytes = 4096;
  Ledger ledger = Honest(3);
  options().positions = {2};
  CHECK(Audit(ledger).code == kAuditVerified);
  ledger.log.events[1]["data"]["title"] = std::string(5000, 'x');
  const Outcome large = Audit(ledger);
  CHECK(large.code == kAuditInconclusive);
  CHECK(large.err.find("larger than the limit") != std::string::npos);
}

}  // namespace
}  // namespace dialogue::audit
