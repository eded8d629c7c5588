#include "engine/commit_signal.hpp"

#include <vector>

namespace dialogue::engine {

LedgerHead CommitSignal::Head() const {
  std::lock_guard lock(head_mu_);
  return head_;
}

void CommitSignal::SetHead(LedgerHead head) {
  {
    std::lock_guard lock(head_mu_);
    position_.store(head.position, std::memory_order_release);
    head_ = std::move(head);
  }
  head_cv_.notify_all();
}

uint64_t CommitSignal::WaitForCommit(uint64_t after_position,
                                     std::chrono::milliseconds timeout) const {
  std::unique_lock lock(head_mu_);
  head_cv_.wait_for(lock, timeout, [&] { return head_.position > after_position; });
  return head_.position;
}

uint64_t CommitSignal::AddListener(EventStore::CommitListener listener) {
  std::lock_guard lock(listeners_mu_);
  const uint64_t id = next_listener_id_++;
  listeners_.emplace(id, std::make_shared<const EventStore::CommitListener>(std::move(listener)));
  return id;
}

void CommitSignal::RemoveListener(uint64_t id) {
  std::lock_guard lock(listeners_mu_);
  listeners_.erase(id);
}

void CommitSignal::NotifyListeners(uint64_t head_position) const {
  std::vector<std::shared_ptr<const EventStore::CommitListener>> listeners;
  {
    std::lock_guard lock(listeners_mu_);
    listeners.reserve(listeners_.size());
    for (const auto& [id, listener] : listeners_) listeners.push_back(listener);
  }
  for (const auto& listener : listeners) (*listener)(head_position);
}

}  // namespace dialogue::engine
