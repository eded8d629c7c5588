// FakeServer: a tiny HTTP server on loopback for the audit tests (Boost.Beast, header-only here:
// the audit tests link neither api/ nor its separately compiled Beast). It serves one connection
// at a time on one thread, answering each request with what `handler` says. The port is any free
// one. Stops and joins in the destructor.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace dialogue::audit::testing {

struct FakeRequest {
  std::string target;         // path and query
  std::string authorization;  // the header's value
};

struct FakeResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

class FakeServer {
 public:
  using Handler = std::function<FakeResponse(const FakeRequest&)>;

  explicit FakeServer(Handler handler);
  ~FakeServer();
  FakeServer(const FakeServer&) = delete;
  FakeServer& operator=(const FakeServer&) = delete;

  std::string url() const;  // http://127.0.0.1:PORT
  int requests() const { return requests_.load(); }

 private:
  struct State;
  std::unique_ptr<State> state_;
  uint16_t port_ = 0;
  std::atomic<int> requests_{0};
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

// A port on loopback that nothing listens on (bound, then closed).
uint16_t UnusedLoopbackPort();

// A loopback listener that never accepts: connections complete (the kernel's backlog) and then
// nothing is ever read or answered.
class SilentListener {
 public:
  SilentListener();
  ~SilentListener();
  SilentListener(const SilentListener&) = delete;
  SilentListener& operator=(const SilentListener&) = delete;

  std::string url() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace dialogue::audit::testing
