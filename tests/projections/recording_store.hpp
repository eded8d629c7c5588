// Test doubles of the projections' tests: a store that forwards to another, counting what is read
// back and keeping what is written to the derived state, and failing either on demand.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/event_store.hpp"
#include "tests/support/forwarding_store.hpp"

namespace dialogue::projections::testing {

// Forwards to another store's derived state, keeping the keys of every Write, and failing them on
// demand.
class RecordingState final : public engine::StateStore {
 public:
  explicit RecordingState(engine::StateStore& inner) : inner_(inner) {}

  std::vector<std::vector<std::string>> writes() const {
    std::lock_guard lock(mu_);
    return writes_;
  }
  void Reset() {
    std::lock_guard lock(mu_);
    writes_.clear();
  }
  // Write fails (kIOError, writing nothing) once this many more calls have succeeded.
  void FailWritesAfter(int calls) {
    std::lock_guard lock(mu_);
    writes_left_ = calls;
  }

  engine::Status Write(const Batch& batch) override {
    std::vector<std::string> keys;
    for (const auto& [key, value] : batch.puts) keys.push_back(key);
    {
      std::lock_guard lock(mu_);
      if (writes_left_ && (*writes_left_)-- <= 0) {
        return engine::Fail(engine::Error::IOError("injected state write failure"));
      }
      writes_.push_back(std::move(keys));
    }
    return inner_.Write(batch);
  }
  engine::Result<std::optional<std::string>> Read(std::string_view key) const override {
    return inner_.Read(key);
  }
  engine::Result<std::vector<std::pair<std::string, std::string>>> Scan(
      std::string_view prefix) const override {
    return inner_.Scan(prefix);
  }
  engine::Status Clear() override { return inner_.Clear(); }

 private:
  engine::StateStore& inner_;
  mutable std::mutex mu_;
  std::vector<std::vector<std::string>> writes_;
  std::optional<int> writes_left_;
};

// Forwards to another store, counting the events ReadAll hands out and keeping the keys of every
// write of derived state.
class RecordingStore final : public engine::ForwardingStore {
 public:
  explicit RecordingStore(engine::EventStore& inner)
      : ForwardingStore(inner), state_(inner.state()) {}

  uint64_t events_read() const { return events_read_.load(); }
  std::vector<std::vector<std::string>> state_writes() const { return state_.writes(); }
  void Reset() {
    events_read_ = 0;
    state_.Reset();
  }
  // A write of derived state fails (kIOError, writing nothing) once this many more calls have
  // succeeded.
  void FailStateWritesAfter(int calls) { state_.FailWritesAfter(calls); }
  // While set, reading the log fails (kIOError).
  void FailReads(bool fail) { fail_reads_ = fail; }
  // While set, a read of the log that would reach past `position` fails (kIOError).
  void FailReadsPast(uint64_t position) { fail_past_ = position; }
  // Runs `hook` once, inside the next read that fails, before it fails.
  void DuringFailedRead(std::function<void()> hook) {
    std::lock_guard lock(hook_mu_);
    hook_ = std::move(hook);
  }

  // The inner store's own asynchronous append (its completer thread, for the projector's tests).
  void AppendAsync(engine::AppendRequest request, AppendCallback done) override {
    inner().AppendAsync(std::move(request), std::move(done));
  }
  engine::Result<std::vector<engine::RecordedEvent>> ReadAll(uint64_t after_position,
                                                             size_t limit) const override {
    const uint64_t past = fail_past_;
    if (fail_reads_ || (past < UINT64_MAX && after_position + limit > past)) {
      std::function<void()> hook;
      {
        std::lock_guard lock(hook_mu_);
        hook.swap(hook_);
      }
      if (hook) hook();
      return engine::Fail(engine::Error::IOError("the log cannot be read"));
    }
    auto events = ForwardingStore::ReadAll(after_position, limit);
    if (events) events_read_ += events->size();
    return events;
  }
  engine::StateStore& state() override { return state_; }
  const engine::StateStore& state() const override { return state_; }

 private:
  mutable std::atomic<uint64_t> events_read_{0};
  std::atomic<bool> fail_reads_{false};
  std::atomic<uint64_t> fail_past_{UINT64_MAX};
  mutable std::mutex hook_mu_;
  mutable std::function<void()> hook_;  // guarded by hook_mu_
  RecordingState state_;
};

}  // namespace dialogue::projections::testing
