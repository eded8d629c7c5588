#include "engine/append_plan.hpp"

#include <cassert>
#include <iterator>

#include "engine/hash_chain.hpp"

namespace dialogue::engine {

std::optional<Error> CheckExpectedVersion(const std::string& stream, ExpectedVersion expected,
                                          uint64_t current) {
  switch (expected.kind) {
    case ExpectedVersion::Kind::kAny:
      return std::nullopt;
    case ExpectedVersion::Kind::kNoStream:
      if (current == 0) return std::nullopt;
      return Error::VersionConflict("expected stream '" + stream +
                                    "' not to exist, but it is at version " +
                                    std::to_string(current));
    case ExpectedVersion::Kind::kExact:
      if (current == expected.version) return std::nullopt;
      return Error::VersionConflict("expected stream '" + stream + "' at version " +
                                    std::to_string(expected.version) + ", but it is at version " +
                                    std::to_string(current));
  }
  return std::nullopt;
}

AppendPlan::AppendPlan(CommittedView& view, LedgerHead head, std::string recorded_at)
    : view_(view),
      first_position_(head.position + 1),
      head_(std::move(head)),
      recorded_at_(std::move(recorded_at)) {}

void AppendPlan::HandOver(AppendResult& result) {
  if (result.replayed || result.first_position == 0) return;
  assert(result.first_position >= first_position_ &&
         result.last_position - first_position_ < events_.size());
  const auto first =
      events_.begin() + static_cast<ptrdiff_t>(result.first_position - first_position_);
  const auto last =
      events_.begin() + static_cast<ptrdiff_t>(result.last_position - first_position_ + 1);
  result.events.assign(std::make_move_iterator(first), std::make_move_iterator(last));
}

Result<uint64_t> AppendPlan::CurrentVersion(const std::string& stream,
                                            ExpectedVersion expected) const {
  if (auto it = versions_.find(stream); it != versions_.end()) return it->second;
  return view_.CommittedStreamVersion(stream, expected);
}

Result<AppendResult> AppendPlan::Add(const AppendRequest& request) {
  if (request.idempotency) {
    const IdempotencyKey& key = request.idempotency.value();
    std::optional<codec::IdempotencyRecord> known;
    for (const auto& [k, record] : keys_) {
      if (k == key.key) known = record;
    }
    if (!known) {
      ASSIGN_OR_RETURN(known, view_.CommittedIdempotency(key.key));
    }
    if (known) {
      if (known->fingerprint != key.fingerprint) {
        return Fail(Error::IdempotencyKeyReused("idempotency key '" + key.key +
                                                "' was used before with another request"));
      }
      AppendResult replay = known->result;
      replay.replayed = true;
      return replay;
    }
  }

  // Plan on copies; adopt them only when the whole request holds.
  std::map<std::string, uint64_t> versions;  // this request's changes
  std::vector<RecordedEvent> events;
  LedgerHead head = head_;
  AppendResult result;
  for (const StreamWrite& write : request.writes) {
    uint64_t version = 0;
    if (auto it = versions.find(write.stream); it != versions.end()) {
      version = it->second;
    } else {
      ASSIGN_OR_RETURN(version, CurrentVersion(write.stream, write.expected));
    }
    if (auto conflict = CheckExpectedVersion(write.stream, write.expected, version)) {
      return Fail(*conflict);
    }
    for (const ProposedEvent& proposed : write.events) {
      RecordedEvent e;
      e.position = head.position + 1;
      e.stream = write.stream;
      e.version = ++version;
      e.type = proposed.type;
      e.data = proposed.data;
      e.metadata = proposed.metadata;
      e.metadata.recorded_at = recorded_at_;
      e.prev_hash = head.hash;
      e.hash = ComputeEventHash(e);
      head = {e.position, e.hash};
      if (result.first_position == 0) result.first_position = e.position;
      result.last_position = e.position;
      events.push_back(std::move(e));
    }
    versions[write.stream] = version;
    result.versions.push_back({write.stream, version});
  }

  for (auto& [stream, version] : versions) versions_[stream] = version;
  for (RecordedEvent& e : events) events_.push_back(std::move(e));
  head_ = std::move(head);
  if (request.idempotency) {
    keys_.emplace_back(request.idempotency->key,
                       codec::IdempotencyRecord{request.idempotency->fingerprint, result});
  }
  return result;
}

Status AppendPlan::AddVerbatim(const RecordedEvent& event, const IdempotencyEntry* key) {
  if (key != nullptr) {
    const AppendResult& r = key->result;
    if (key->key.empty() || r.last_position != event.position || r.first_position == 0 ||
        r.first_position > r.last_position || r.versions.empty() || r.replayed) {
      return Fail(Error::InvalidArgument("the idempotency key given with position " +
                                         std::to_string(event.position) +
                                         " does not name an append that ends there"));
    }
  }
  if (event.position != head_.position + 1) {
    return Fail(Error::InvalidArgument("event position " + std::to_string(event.position) +
                                       " is not the next position " +
                                       std::to_string(head_.position + 1)));
  }
  const ExpectedVersion expected = event.version <= 1 ? ExpectedVersion::NoStream()
                                                      : ExpectedVersion::Exactly(event.version - 1);
  ASSIGN_OR_RETURN(const uint64_t version, CurrentVersion(event.stream, expected));
  if (event.version != version + 1) {
    return Fail(Error::InvalidArgument("event version " + std::to_string(event.version) +
                                       " is not stream '" + event.stream + "''s next version " +
                                       std::to_string(version + 1)));
  }
  if (event.prev_hash != head_.hash) {
    return Fail(Error::InvalidArgument("event prev_hash does not match the head hash at position " +
                                       std::to_string(head_.position)));
  }
  if (ComputeEventHash(event) != event.hash) {
    return Fail(Error::InvalidArgument("event hash does not match its contents at position " +
                                       std::to_string(event.position)));
  }
  versions_[event.stream] = event.version;
  head_ = {event.position, event.hash};
  events_.push_back(event);
  if (key != nullptr)
    keys_.emplace_back(key->key, codec::IdempotencyRecord{key->fingerprint, key->result});
  return {};
}

std::optional<std::string> ChainChecker::Check(uint64_t key_position, const RecordedEvent& e) {
  const uint64_t expected = head_.position + 1;
  if (key_position != expected) {
    return "expected position " + std::to_string(expected) + ", found " +
           std::to_string(key_position);
  }
  if (e.position != key_position) {
    return "event records position " + std::to_string(e.position) + " under key " +
           std::to_string(key_position);
  }
  if (e.prev_hash != head_.hash) return "prev_hash does not match the previous event's hash";
  if (ComputeEventHash(e) != e.hash) return "hash does not match the event's contents";
  uint64_t& version = versions_[e.stream];
  if (e.version != version + 1) {
    return "stream '" + e.stream + "' version " + std::to_string(e.version) + " follows version " +
           std::to_string(version);
  }
  version = e.version;
  head_ = {e.position, e.hash};
  return std::nullopt;
}

uint64_t ChainChecker::StreamVersion(const std::string& stream) const {
  auto it = versions_.find(stream);
  return it == versions_.end() ? 0 : it->second;
}

}  // namespace dialogue::engine
