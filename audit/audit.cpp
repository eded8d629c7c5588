#include "audit/audit.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <ostream>
#include <sstream>
#include <utility>

#include "audit/answers.hpp"
#include "audit/merkle_verify.hpp"
#include "audit/note.hpp"

namespace dialogue::audit {
namespace {

// Why the audit stopped: kAuditFailed (a check failed: `check (where)`) or kAuditInconclusive.
struct Stop {
  int code;
  std::string message;
};

template <class T>
using Step = tl::expected<T, Stop>;

tl::unexpected<Stop> Failed(std::string check, std::string where) {
  return tl::unexpected<Stop>(Stop{kAuditFailed, std::move(check) + " (" + std::move(where) + ")"});
}
tl::unexpected<Stop> Inconclusive(std::string message) {
  return tl::unexpected<Stop>(Stop{kAuditInconclusive, std::move(message)});
}

constexpr size_t kMaxSmallFile = 1 << 20;
constexpr uint64_t kPageSize = 1000;
constexpr std::string_view kCheckpointPath = "/v1/ledger/checkpoint";

// The whole file, if it can be read and is at most kMaxSmallFile bytes.
std::optional<std::string> ReadSmallFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string text(kMaxSmallFile + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad() || static_cast<size_t>(in.gcount()) > kMaxSmallFile) return std::nullopt;
  text.resize(static_cast<size_t>(in.gcount()));
  return text;
}

std::string_view Trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n\v\f";
  const size_t begin = text.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  return text.substr(begin, text.find_last_not_of(kSpace) - begin + 1);
}

// Writes `text` to `path` so that a crash leaves the old file or the new one: FILE.tmp in the
// same folder, fsync, rename over FILE, fsync the folder.
std::optional<std::string> WriteFileAtomically(const std::string& path, std::string_view text) {
  const std::string temporary = path + ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return temporary + ": " + std::strerror(errno);
  bool ok = true;
  for (std::string_view rest = text; ok && !rest.empty();) {
    const ssize_t written = ::write(fd, rest.data(), rest.size());
    if (written > 0) rest.remove_prefix(static_cast<size_t>(written));
    ok = written > 0 || (written < 0 && errno == EINTR);
  }
  ok = ok && ::fsync(fd) == 0;
  const int saved_errno = errno;
  ok = ::close(fd) == 0 && ok;
  if (!ok || ::rename(temporary.c_str(), path.c_str()) != 0) {
    const std::string error = temporary + ": " + std::strerror(ok ? errno : saved_errno);
    ::unlink(temporary.c_str());
    return error;
  }
  std::string folder = std::filesystem::path(path).parent_path().string();
  if (folder.empty()) folder = ".";
  const int dir = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return folder + ": " + std::strerror(errno);
  const bool synced = ::fsync(dir) == 0;
  ::close(dir);
  if (!synced) return folder + ": " + std::strerror(errno);
  return std::nullopt;
}

struct SignedCheckpoint {
  std::string note;  // as the server sent it: what the state file keeps
  Checkpoint checkpoint;
};

class Auditor {
 public:
  Auditor(ServerUrl server, std::string token, VerifierKey key, HttpLimits limits)
      : server_(std::move(server)),
        token_(std::move(token)),
        key_(std::move(key)),
        limits_(limits) {}

  Step<SignedCheckpoint> FetchCheckpoint() {
    auto note = Get(std::string(kCheckpointPath));
    if (!note) return tl::unexpected(note.error());
    auto checkpoint = VerifyCheckpoint(*note, key_);
    if (!checkpoint) return Failed(checkpoint.error(), "GET " + std::string(kCheckpointPath));
    if (checkpoint->size == 0 && checkpoint->root != EmptyRoot()) {
      return Failed("an empty tree's checkpoint with a root other than SHA-256(\"\")",
                    "GET " + std::string(kCheckpointPath));
    }
    return SignedCheckpoint{std::move(*note), std::move(*checkpoint)};
  }

  // Checks that `now` extends `saved`; returns the saved tree's compact range (empty unless
  // 0 < saved size < now's size).
  Step<std::vector<Hash>> CheckConsistency(const Checkpoint& saved, const Checkpoint& now) {
    const std::string sizes =
        "saved size " + std::to_string(saved.size) + ", new size " + std::to_string(now.size);
    if (saved.size == 0) return std::vector<Hash>{};
    if (now.size < saved.size) return Failed("the log is smaller than the saved checkpoint", sizes);
    if (now.size == saved.size) {
      if (now.root != saved.root) return Failed("the log forked: same size, another root", sizes);
      return std::vector<Hash>{};
    }
    const std::string target = "/v1/ledger/proof/consistency?from=" + std::to_string(saved.size) +
                               "&to=" + std::to_string(now.size);
    auto body = Get(target);
    if (!body) return tl::unexpected(body.error());
    auto proof = ParseConsistencyAnswer(*body);
    if (!proof) return Failed(proof.error(), "GET " + target);
    if (proof->from != saved.size || proof->to != now.size) {
      return Failed("a consistency proof between other sizes", "GET " + target);
    }
    std::vector<Hash> edge;
    if (!VerifyConsistency(saved.size, now.size, proof->hashes, saved.root, now.root, &edge)) {
      return Failed("the consistency proof does not verify", sizes);
    }
    return edge;
  }

  // Checks the event at `position` (its hash recomputed) and its inclusion in `checkpoint`'s
  // tree; returns its hash.
  Step<Hash> CheckInclusion(uint64_t position, const Checkpoint& checkpoint) {
    const std::string where = "position " + std::to_string(position);
    auto page = GetEvents(position - 1, 1);
    if (!page) return tl::unexpected(page.error());
    if (page->empty()) return Failed("the server has no event at this position", where);
    const AuditedEvent& event = page->front();
    if (event.position != position) return Failed("the server answered another position", where);
    if (event.recomputed != event.hash) {
      return Failed("the event's hash does not match its contents", where);
    }

    const std::string target = "/v1/ledger/proof/inclusion?position=" + std::to_string(position) +
                               "&tree_size=" + std::to_string(checkpoint.size);
    auto body = Get(target);
    if (!body) return tl::unexpected(body.error());
    auto proof = ParseInclusionAnswer(*body);
    if (!proof) return Failed(proof.error(), "GET " + target);
    if (proof->position != position || proof->tree_size != checkpoint.size) {
      return Failed("an inclusion proof for another position or tree size", "GET " + target);
    }
    const Hash leaf = LeafHash(event.hash);
    if (proof->leaf_hash != leaf) return Failed("the proof's leaf_hash is not the event's", where);
    if (!VerifyInclusion(position - 1, checkpoint.size, leaf, proof->hashes, checkpoint.root)) {
      return Failed("the inclusion proof does not verify", where);
    }
    return event.hash;
  }

  // Reads events from `range.size() + 1` to the checkpoint's size, each hash recomputed and
  // linked to `prev_hash`, appends their leaves to `range` and compares its root with the
  // checkpoint's.
  Step<void> CheckEvents(CompactRange range, Hash prev_hash, const Checkpoint& checkpoint) {
    const uint64_t first = range.size() + 1;
    while (range.size() < checkpoint.size) {
      auto page = GetEvents(range.size(), kPageSize);
      if (!page) return tl::unexpected(page.error());
      if (page->empty()) {
        return Failed("the events end before the checkpoint's size",
                      "after position " + std::to_string(range.size()));
      }
      for (const AuditedEvent& event : *page) {
        if (range.size() == checkpoint.size) break;  // later than the checkpoint: not ours
        const uint64_t expected = range.size() + 1;
        const std::string where = "position " + std::to_string(expected);
        if (event.position != expected) return Failed("the positions are not consecutive", where);
        if (event.recomputed != event.hash) {
          return Failed("the event's hash does not match its contents", where);
        }
        if (event.prev_hash != prev_hash) {
          return Failed("prev_hash is not the previous event's hash", where);
        }
        range.Append(LeafHash(event.hash));
        prev_hash = event.hash;
      }
    }
    if (range.Root() != checkpoint.root) {
      return Failed("the events do not rebuild the checkpoint's root",
                    "positions " + std::to_string(first) + ".." + std::to_string(checkpoint.size));
    }
    return {};
  }

 private:
  // The body of a 200 answer; anything else is inconclusive.
  Step<std::string> Get(const std::string& target) {
    auto answer = HttpGet(server_, target, token_, limits_);
    if (!answer) return Inconclusive(answer.error());
    if (answer->status != 200) {
      return Inconclusive("GET " + target + ": HTTP status " + std::to_string(answer->status));
    }
    return std::move(answer->body);
  }

  Step<std::vector<AuditedEvent>> GetEvents(uint64_t after, uint64_t limit) {
    const std::string target =
        "/v1/events?after=" + std::to_string(after) + "&limit=" + std::to_string(limit);
    auto body = Get(target);
    if (!body) return tl::unexpected(body.error());
    auto page = ParseEventsPage(*body);
    if (!page) return Failed(page.error(), "GET " + target);
    return std::move(page->events);
  }

  ServerUrl server_;
  std::string token_;
  VerifierKey key_;
  HttpLimits limits_;
};

struct Inputs {
  ServerUrl server;
  std::string token;
  VerifierKey key;
  std::optional<SignedCheckpoint> saved;
  std::vector<uint64_t> positions;  // sorted, without repeats
};

Step<Inputs> ReadInputs(const AuditOptions& options) {
  Inputs inputs;
  auto server = ParseServerUrl(options.url);
  if (!server) return Inconclusive(server.error());
  inputs.server = std::move(*server);

  const std::optional<std::string> token_file = ReadSmallFile(options.token_file);
  if (!token_file) return Inconclusive("cannot read --token-file " + options.token_file);
  inputs.token = std::string(Trim(*token_file));
  if (inputs.token.empty()) return Inconclusive("--token-file " + options.token_file + " is empty");
  if (std::any_of(inputs.token.begin(), inputs.token.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
    return Inconclusive("the token of --token-file holds a control character");
  }

  auto key = ParseVerifierKey(options.vkey);
  if (!key) {
    const std::optional<std::string> key_file = ReadSmallFile(options.vkey);
    if (!key_file)
      return Inconclusive("--vkey is neither a verifier key nor a readable file: " + key.error());
    key = ParseVerifierKey(*key_file);
    if (!key) return Inconclusive("--vkey " + options.vkey + ": " + key.error());
  }
  inputs.key = std::move(*key);

  std::error_code error;
  if (std::filesystem::exists(options.state_file, error)) {
    const std::optional<std::string> note = ReadSmallFile(options.state_file);
    if (!note) return Inconclusive("cannot read --state " + options.state_file);
    auto checkpoint = VerifyCheckpoint(*note, inputs.key);
    if (!checkpoint) {
      return Inconclusive("--state " + options.state_file +
                          " is not a checkpoint signed by the key: " + checkpoint.error());
    }
    inputs.saved = SignedCheckpoint{*note, std::move(*checkpoint)};
  } else if (error) {
    return Inconclusive("cannot read --state " + options.state_file + ": " + error.message());
  }

  inputs.positions = options.positions;
  std::sort(inputs.positions.begin(), inputs.positions.end());
  inputs.positions.erase(std::unique(inputs.positions.begin(), inputs.positions.end()),
                         inputs.positions.end());
  if (!inputs.positions.empty() && inputs.positions.front() == 0) {
    return Inconclusive("--position 0: positions start at 1");
  }
  return inputs;
}

Step<std::string> Audit(const AuditOptions& options) {
  auto inputs = ReadInputs(options);
  if (!inputs) return tl::unexpected(inputs.error());
  Auditor auditor(inputs->server, inputs->token, inputs->key, options.limits);

  auto fetched = auditor.FetchCheckpoint();
  if (!fetched) return tl::unexpected(fetched.error());
  const Checkpoint& now = fetched->checkpoint;
  if (!inputs->positions.empty() && inputs->positions.back() > now.size) {
    return Inconclusive("--position " + std::to_string(inputs->positions.back()) +
                        " is beyond the checkpoint's size " + std::to_string(now.size));
  }

  std::ostringstream summary;
  summary << "verified: origin " << now.origin << " size " << now.size << " root "
          << Base64Of(now.root);
  std::vector<std::string> checked;

  std::vector<Hash> old_edge;
  const uint64_t saved_size = inputs->saved ? inputs->saved->checkpoint.size : 0;
  if (inputs->saved) {
    auto edge = auditor.CheckConsistency(inputs->saved->checkpoint, now);
    if (!edge) return tl::unexpected(edge.error());
    old_edge = std::move(*edge);
    checked.push_back("consistent with the saved size " + std::to_string(saved_size));
  } else {
    checked.push_back("no saved checkpoint");
  }

  if (!inputs->positions.empty()) {
    std::string included = "included:";
    for (uint64_t position : inputs->positions) {
      auto hash = auditor.CheckInclusion(position, now);
      if (!hash) return tl::unexpected(hash.error());
      included += " " + std::to_string(position);
    }
    checked.push_back(included);
  }

  if (options.all) {
    // After a saved checkpoint, only the newer events: the old tree's edge comes from the verified
    // consistency proof, and the saved size's event (its hash proved by inclusion) links them.
    if (saved_size > 0 && saved_size == now.size) {
      checked.push_back("no events after the saved size");
    } else if (saved_size > 0) {
      std::optional<CompactRange> range = CompactRange::FromEdge(saved_size, std::move(old_edge));
      if (!range) return Failed("the consistency proof gives no edge of the saved tree", "all");
      auto last_saved = auditor.CheckInclusion(saved_size, now);
      if (!last_saved) return tl::unexpected(last_saved.error());
      auto events = auditor.CheckEvents(std::move(*range), *last_saved, now);
      if (!events) return tl::unexpected(events.error());
      checked.push_back("events " + std::to_string(saved_size + 1) + ".." +
                        std::to_string(now.size) + " rebuild the root");
    } else {
      auto events = auditor.CheckEvents(CompactRange(), kGenesisHash, now);
      if (!events) return tl::unexpected(events.error());
      checked.push_back("events 1.." + std::to_string(now.size) + " rebuild the root");
    }
  }

  if (auto failed = WriteFileAtomically(options.state_file, fetched->note)) {
    return Inconclusive("cannot save --state: " + *failed);
  }
  summary << " (";
  for (size_t i = 0; i < checked.size(); ++i) summary << (i > 0 ? "; " : "") << checked[i];
  summary << ")";
  return summary.str();
}

}  // namespace

int RunAudit(const AuditOptions& options, std::ostream& out, std::ostream& err) {
  try {
    auto verified = Audit(options);
    if (verified) {
      out << *verified << "\n";
      return kAuditVerified;
    }
    err << (verified.error().code == kAuditFailed ? "audit failed: " : "audit: ")
        << verified.error().message << "\n";
    return verified.error().code;
  } catch (const std::exception& e) {
    err << "audit: " << e.what() << "\n";
    return kAuditInconclusive;
  }
}

}  // namespace dialogue::audit
