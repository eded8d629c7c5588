#include "projections/projector.hpp"

#include <utility>

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
  }
  cv_.notify_all();
  thread_.join();
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
      continue;
    }
    const uint64_t position = *reached;
    std::lock_guard lock(observers_mu_);
    if (position == told_) continue;
    told_ = position;
    for (const auto& [id, observer] : observers_) observer(position);
  }
}

}  // namespace dialogue::projections
