// Plain HTTP request and response values, free of Beast, so that handlers, the router and their
// tests never see the network library. The session (api/http/server.cpp) converts to and from
// Beast.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dialogue::api {

// Header fields in arrival order. Lookup ignores ASCII case, as HTTP requires.
class Headers {
 public:
  // The first value of the field, if present.
  std::optional<std::string_view> Get(std::string_view name) const;
  bool Has(std::string_view name) const { return Get(name).has_value(); }
  // How many fields of that name there are.
  size_t Count(std::string_view name) const;
  // Replaces every field of that name by one.
  void Set(std::string name, std::string value);
  // Adds a field, keeping those already present (for repeatable fields).
  void Add(std::string name, std::string value);

  const std::vector<std::pair<std::string, std::string>>& fields() const { return fields_; }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

// True when a and b are equal ignoring ASCII case.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and query as sent: "/v1/events?after=3"
  Headers headers;
  std::string body;
  // Filled by the session: true when the request came over TLS (a session cookie is then Secure).
  bool tls = false;
};

// The sink a streaming response writes into. Every member is thread-safe and never blocks on the
// network: chunks are queued and the session writes them one at a time on its strand.
class StreamSink {
 public:
  virtual ~StreamSink() = default;
  // Queues bytes to send as they are (for SSE: whole "id:/event:/data:" records or comments).
  // Returns false once the stream is over (client gone, server stopping, too much queued, or
  // Close called): the producer must then stop writing and release the sink.
  virtual bool Write(std::string chunk) = 0;
  // Ends the response after the queued chunks are sent. Idempotent.
  virtual void Close() = 0;
  // True once Write would return false.
  virtual bool closed() const = 0;
  // Bytes queued by Write and not yet sent. A producer that keeps this under a bound of its own
  // never meets the server's limit (ServerOptions::max_stream_backlog), beyond which the stream is
  // closed. 0 when the sink does not count.
  virtual size_t queued_bytes() const { return 0; }
  // Bytes queued and not yet sent by every stream of the server together (the memory that
  // stalled clients hold). 0 when the sink does not count.
  virtual size_t total_queued_bytes() const { return 0; }
  // Asks for one call of `callback` as soon as queued_bytes() <= low_water (at once when it
  // already is); replaces an earlier request. The callback may run on an io thread and must not
  // block; it is dropped, never called, when the stream ends first.
  virtual void NotifyWhenDrained(size_t low_water, std::function<void()> callback) {
    (void)low_water;
    callback();
  }
};

// A response body produced over time (Server-Sent Events). The session first sends the status and
// headers (chunked transfer encoding), then calls Start; the body writes into the sink from any
// thread until it closes the sink or a Write fails.
class StreamingBody {
 public:
  virtual ~StreamingBody() = default;
  // Called once, on a worker thread (it may block briefly, for example to catch up from the log).
  virtual void Start(std::shared_ptr<StreamSink> sink) = 0;
  // Called once when the stream ends for a reason other than the body closing the sink (the
  // client went away, a write failed or the server is stopping). Must not block; may be called on
  // an io thread, concurrently with Start.
  virtual void Cancel() {}
};

struct HttpResponse {
  int status = 200;
  Headers headers;
  std::string body;
  // When set, body is ignored: the session streams this instead, then closes the connection.
  std::shared_ptr<StreamingBody> stream;
};

// How an asynchronous handler goes on and answers. It returns at once, having started something
// that calls back later (an asynchronous append); that callback, on a thread that must not be
// held up, hands the rest of the work to `post`, which runs it on a thread of the server's (for
// a connection: its io thread, in order with the connection's other work). `respond` sends the
// answer; it is called exactly once, from any thread, and nothing is posted after it. `offload`
// runs work that may block (a read from the disk) where it may: the server's worker pool; unset,
// such work runs on the caller's thread. All are thread-safe and copyable.
struct Responder {
  std::function<void(std::function<void()> work)> post;
  std::function<void(HttpResponse response)> respond;
  std::function<void(std::function<void()> work)> offload = {};
};

}  // namespace dialogue::api
