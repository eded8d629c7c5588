// A served request's one path (Router::DispatchAsync), run to its answer on the calling thread:
// what the server would answer, for the tests and the fuzzers, which call the router in process.
// The work the dispatch posts or offloads runs on the calling thread while it waits.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include "api/http/router.hpp"

namespace dialogue::api::testing {

class DispatchWaiter {
 public:
  void Post(std::function<void()> work) {
    std::lock_guard lock(mu_);
    work_.push_back(std::move(work));
    changed_.notify_one();
  }
  void Answer(Router::Dispatched dispatched) {
    std::lock_guard lock(mu_);
    if (!answer_) answer_ = std::move(dispatched);
    changed_.notify_one();
  }
  // Runs what is posted until the answer comes.
  Router::Dispatched Wait() {
    std::unique_lock lock(mu_);
    for (;;) {
      changed_.wait(lock, [&] { return answer_.has_value() || !work_.empty(); });
      if (work_.empty()) return std::move(*answer_);
      std::function<void()> work = std::move(work_.front());
      work_.pop_front();
      lock.unlock();
      work();
      lock.lock();
    }
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<std::function<void()>> work_;
  std::optional<Router::Dispatched> answer_;
};

inline Router::Dispatched DispatchAndWait(const Router& router, const HttpRequest& request) {
  auto waiter = std::make_shared<DispatchWaiter>();
  const Router::Post post = [waiter](std::function<void()> work) { waiter->Post(std::move(work)); };
  router.DispatchAsync(
      request, post,
      [waiter](Router::Dispatched dispatched) { waiter->Answer(std::move(dispatched)); }, post);
  return waiter->Wait();
}

}  // namespace dialogue::api::testing
