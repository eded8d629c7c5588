// A test double's base: an EventStore that forwards every call it must implement to another store.
// A double overrides only what it changes (an Append that lets a racing command in first, a
// ReadAll that fails on demand). The calls EventStore implements itself (AppendAsync, ScanAll,
// HeadPosition, ...) are left to it, so that they go through the double's own Append and ReadAll;
// a double that needs the inner store's own asynchronous append forwards AppendAsync itself.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/event_store.hpp"

namespace dialogue::engine {

class ForwardingStore : public EventStore {
 public:
  explicit ForwardingStore(EventStore& inner) : inner_(inner) {}

  Result<AppendResult> Append(const AppendRequest& request) override {
    return inner_.Append(request);
  }
  Status AppendVerbatim(const RecordedEvent& event) override {
    return inner_.AppendVerbatim(event);
  }
  Result<std::vector<RecordedEvent>> ReadStream(std::string_view stream, uint64_t after_version,
                                                size_t limit) const override {
    return inner_.ReadStream(stream, after_version, limit);
  }
  Result<std::vector<RecordedEvent>> ReadAll(uint64_t after_position, size_t limit) const override {
    return inner_.ReadAll(after_position, limit);
  }
  Result<uint64_t> StreamVersion(std::string_view stream) const override {
    return inner_.StreamVersion(stream);
  }
  Result<std::optional<std::pair<std::string, AppendResult>>> LookupIdempotencyKey(
      std::string_view key) const override {
    return inner_.LookupIdempotencyKey(key);
  }
  LedgerHead Head() const override { return inner_.Head(); }
  Result<VerifyReport> Verify() const override { return inner_.Verify(); }
  Result<merkle::Hash> TreeNode(unsigned level, uint64_t index) const override {
    return inner_.TreeNode(level, index);
  }
  uint64_t WaitForCommit(uint64_t after_position,
                         std::chrono::milliseconds timeout) const override {
    return inner_.WaitForCommit(after_position, timeout);
  }
  uint64_t AddCommitListener(CommitListener listener) override {
    return inner_.AddCommitListener(std::move(listener));
  }
  void RemoveCommitListener(uint64_t id) override { inner_.RemoveCommitListener(id); }
  bool failed() const override { return inner_.failed(); }
  StateStore& state() override { return inner_.state(); }
  const StateStore& state() const override { return inner_.state(); }

 protected:
  EventStore& inner() const { return inner_; }

 private:
  EventStore& inner_;
};

}  // namespace dialogue::engine
