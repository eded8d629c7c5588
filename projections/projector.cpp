#include "projections/projector.hpp"

#include <algorithm>
#include <utility>
#include <vector>

namespace dialogue::projections {

Projector::Projector(engine::EventStore& store, ReadModels& models, std::chrono::milliseconds retry)
    : store_(store), models_(models), retry_(retry) {}

Projector::~Projector() { Stop(); }

void Projector::Start() {
  if (started_) return;
  started_ = true;
  {
    std::lock_guard lock(mu_);
    stopping_ = false;
    running_ = true;
    poked_ = true;
  }
  listener_id_ = store_.AddCommitListener([this](uint64_t position) {
    {
      std::lock_guard lock(mu_);
      committed_ = std::max(committed_, position);
      poked_ = true;
    }
    cv_.notify_one();
  });
  {
    // Whatever was committed before the listener.
    std::lock_guard lock(mu_);
    committed_ = std::max(committed_, store_.HeadPosition());
  }
  thread_ = std::thread([this] { Loop(); });
}

void Projector::Stop() {
  if (!started_) return;
  started_ = false;
  store_.RemoveCommitListener(listener_id_);
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    running_ = false;
  }
  cv_.notify_all();
  thread_.join();
  Fail(std::nullopt);
}

void Projector::Await(uint64_t position, std::function<void(bool folded)> ready) {
  bool folded = false;
  {
    std::lock_guard lock(mu_);
    folded = models_.position() >= position;
    if (!folded && running_) {
      waiters_.emplace(position, Waiter{folds_begun_, std::move(ready)});
      poked_ = true;  // the commit of `position` woke the thread already; never miss it
      cv_.notify_one();
      return;
    }
  }
  ready(folded);
}

void Projector::Release(uint64_t reached) {
  std::vector<std::function<void(bool)>> due;
  {
    std::lock_guard lock(mu_);
    const auto end = waiters_.upper_bound(reached);
    for (auto it = waiters_.begin(); it != end; ++it) due.push_back(std::move(it->second.ready));
    waiters_.erase(waiters_.begin(), end);
  }
  for (auto& ready : due) ready(true);
}

void Projector::Fail(std::optional<uint64_t> begun) {
  std::vector<std::function<void(bool)>> due;
  {
    std::lock_guard lock(mu_);
    for (auto it = waiters_.begin(); it != waiters_.end();) {
      if (begun && it->second.since >= *begun) {
        ++it;  // came while the fold ran: the next one is for it
        continue;
      }
      due.push_back(std::move(it->second.ready));
      it = waiters_.erase(it);
    }
  }
  for (auto& ready : due) ready(false);
}

uint64_t Projector::AddObserver(Observer observer) {
  std::lock_guard lock(observers_mu_);
  const uint64_t id = next_observer_++;
  observers_.emplace(id, std::move(observer));
  return id;
}

void Projector::RemoveObserver(uint64_t id) {
  std::lock_guard lock(observers_mu_);
  observers_.erase(id);
}

void Projector::Loop() {
  for (;;) {
    uint64_t fold = 0;
    uint64_t committed = 0;
    {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, retry_, [this] { return stopping_ || poked_; });
      if (stopping_) return;
      poked_ = false;
      fold = ++folds_begun_;
      committed = committed_;
    }
    // Folded already when a command's completion folded its own events: one compare, no read.
    // Only what the listeners were told of: the head may be further on, at a commit whose
    // completions (and their folds) have not run yet, and whose listeners will wake this thread.
    const uint64_t folded = models_.position();
    auto reached = folded >= committed ? engine::Result<uint64_t>(folded) : models_.CatchUp();
    if (!reached) {
      failures_.fetch_add(1, std::memory_order_relaxed);
      Fail(fold);
      continue;
    }
    const uint64_t position = *reached;
    Release(position);
    std::lock_guard lock(observers_mu_);
    if (position == told_) continue;
    told_ = position;
    for (const auto& [id, observer] : observers_) observer(position);
  }
}

}  // namespace dialogue::projections
