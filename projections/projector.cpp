#include "projections/projector.hpp"

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
    poked_ = true;  // whatever was committed before the listener
  }
  listener_id_ = store_.AddCommitListener([this](uint64_t) {
    {
      std::lock_guard lock(mu_);
      poked_ = true;
    }
    cv_.notify_one();
  });
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
  Release(std::nullopt);
}

void Projector::Await(uint64_t position, std::function<void(bool folded)> ready) {
  bool folded = false;
  {
    std::lock_guard lock(mu_);
    folded = models_.position() >= position;
    if (!folded && running_) {
      waiters_.emplace(position, std::move(ready));
      poked_ = true;  // the commit of `position` woke the thread already; never miss it
      cv_.notify_one();
      return;
    }
  }
  ready(folded);
}

void Projector::Release(std::optional<uint64_t> reached) {
  std::vector<std::function<void(bool)>> due;
  {
    std::lock_guard lock(mu_);
    auto end = reached ? waiters_.upper_bound(*reached) : waiters_.end();
    for (auto it = waiters_.begin(); it != end; ++it) due.push_back(std::move(it->second));
    waiters_.erase(waiters_.begin(), end);
  }
  for (auto& ready : due) ready(reached.has_value());
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
    {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, retry_, [this] { return stopping_ || poked_; });
      if (stopping_) return;
      poked_ = false;
    }
    // At the head already (a command's Apply folded it): one compare, no read.
    auto reached = models_.CatchUp();
    if (!reached) {
      failures_.fetch_add(1, std::memory_order_relaxed);
      Release(std::nullopt);
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
