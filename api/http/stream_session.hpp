// A streamed answer (GET /v1/subscriptions/{id}/events and the other text/event-stream routes):
// what a connection becomes once its handler answered with a StreamingBody. The HTTP session
// hands its stream over and ends, as Beast's advanced-server-flex hands a connection to its
// websocket session; from then on this type owns the connection. It writes the header, then the
// chunks the body's sink queues (joined, one write in flight), and bounds what waits to be sent
// (ServerOptions::max_stream_backlog per stream, max_streams_backlog for all together). Every
// member is touched only on the connection's strand, except where noted. Internal to the server.
#pragma once

#include <array>
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "api/http/server_core.hpp"

namespace dialogue::api::detail {

// Queued stream chunks are joined into writes of at most this many bytes.
constexpr size_t kMaxStreamWrite = 256 * 1024;

template <class Stream>
class StreamSession final : public SessionBase,
                            public std::enable_shared_from_this<StreamSession<Stream>> {
 public:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

  // stream: the connection, with no operation pending on it; id: its entry in the server's
  // registry, which Start takes over; version: the request's HTTP version.
  StreamSession(Stream&& stream, ServerCore& server, uint64_t id, unsigned version)
      : stream_(std::move(stream)),
        server_(server),
        id_(id),
        version_(version),
        grace_timer_(stream_.get_executor()) {
    idle_.store(false, std::memory_order_relaxed);  // never waits for a request
  }

  ~StreamSession() override {
    *server_.streams_backlog -= backlog_;  // what was queued and never sent
    server_.Unregister(id_);
  }

  // On the strand: takes the connection's place in the registry, writes response's status and
  // headers, then starts its body on a worker.
  void Start(HttpResponse response);

  // Server shutdown (any thread): a stream whose body has closed already (see
  // ServerOptions::on_stopping) sends what it queued and its last chunk, within the grace; any
  // other is cut off.
  void Shutdown() override {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] {
      if (self->closing_ && self->sink_) return self->DoGrace();
      self->DoClose();
    });
  }

  // Never idle, so never asked to make room; stays if asked anyway.
  void Evict() override { server_.KeepAfterAll(id_); }

 private:
  class Sink;

  beast::tcp_stream& Tcp() { return beast::get_lowest_layer(stream_); }

  // For the sink (any thread). Returns false when the stream is over.
  bool Enqueue(std::string chunk);
  // For the sink (any thread): the body closed it; end once the queue is sent.
  void Finish() {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] {
      self->closing_ = true;
      self->Pump();
    });
  }
  // For the sink (any thread): calls callback on the strand once the backlog is at most
  // low_water; dropped when the stream ends first.
  void SetDrainCallback(size_t low_water, std::function<void()> callback) {
    net::post(stream_.get_executor(), [self = this->shared_from_this(), low_water,
                                       callback = std::move(callback)]() mutable {
      if (self->ended_) return;
      self->drain_low_water_ = low_water;
      self->drain_callback_ = std::move(callback);
      self->NotifyIfDrained();
    });
  }

  void OnHeaderWritten(beast::error_code ec, size_t);
  void DoRead();
  void Pump();
  void OnChunkWritten(beast::error_code ec, size_t);
  void NotifyIfDrained();
  void DoGrace();
  void DoClose();
  void End(bool cancel);

  Stream stream_;
  ServerCore& server_;
  const uint64_t id_;
  const unsigned version_;
  std::shared_ptr<StreamingBody> body_;
  std::shared_ptr<Sink> sink_;
  std::optional<http::response<http::empty_body>> header_;
  std::optional<http::response_serializer<http::empty_body>> serializer_;
  std::deque<std::string> queue_;
  std::string chunk_;                     // the chunk being written
  bool writing_ = false;                  // one write in flight
  bool closing_ = false;                  // the body closed the sink: end after the queue drains
  bool ended_ = false;                    // the body is released; nothing more is queued
  bool closed_ = false;                   // the socket is closed
  std::atomic<size_t> backlog_{0};        // bytes queued, not yet written; any thread
  std::function<void()> drain_callback_;  // see SetDrainCallback
  size_t drain_low_water_ = 0;
  net::steady_timer grace_timer_;  // bounds a clean ending at shutdown
  std::array<char, 512> discard_{};
};

// The sink handed to a StreamingBody. Holds the stream weakly: a body that outlives its
// connection just sees Write return false.
template <class Stream>
class StreamSession<Stream>::Sink final : public StreamSink {
 public:
  Sink(std::weak_ptr<StreamSession> session, std::shared_ptr<const std::atomic<size_t>> total)
      : session_(std::move(session)), total_(std::move(total)) {}

  bool Write(std::string chunk) override {
    if (closed_) return false;
    auto session = session_.lock();
    if (!session || !session->Enqueue(std::move(chunk))) {
      closed_ = true;
      return false;
    }
    return true;
  }

  void Close() override {
    if (closed_.exchange(true)) return;
    if (auto session = session_.lock()) session->Finish();
  }

  bool closed() const override { return closed_; }

  size_t queued_bytes() const override {
    auto session = session_.lock();
    return session ? session->backlog_.load() : 0;
  }

  void NotifyWhenDrained(size_t low_water, std::function<void()> callback) override {
    if (closed_) return;
    if (auto session = session_.lock()) session->SetDrainCallback(low_water, std::move(callback));
  }

  size_t total_queued_bytes() const override { return *total_; }

  void MarkClosed() { closed_ = true; }

 private:
  std::weak_ptr<StreamSession> session_;
  std::shared_ptr<const std::atomic<size_t>> total_;
  std::atomic<bool> closed_{false};
};

template <class Stream>
void StreamSession<Stream>::Start(HttpResponse response) {
  server_.Replace(id_, this->shared_from_this());
  body_ = std::move(response.stream);
  // A stream's unsent bytes should wait in its queue, where the hub sees them (and stops sending
  // to a client that stopped reading), not in a kernel send buffer grown to megabytes that no
  // bound of ours counts.
  if (server_.options.stream_send_buffer > 0) {
    beast::error_code ignored;
    Tcp().socket().set_option(
        net::socket_base::send_buffer_size(static_cast<int>(server_.options.stream_send_buffer)),
        ignored);
  }
  header_.emplace(static_cast<http::status>(response.status), version_);
  for (auto& [name, value] : response.headers.fields()) header_->insert(name, value);
  SetDefaultHeaders(*header_, kTls);
  header_->keep_alive(false);
  header_->chunked(true);
  serializer_.emplace(*header_);
  Tcp().expires_after(server_.options.write_timeout);
  http::async_write_header(
      stream_, *serializer_,
      beast::bind_front_handler(&StreamSession::OnHeaderWritten, this->shared_from_this()));
}

template <class Stream>
void StreamSession<Stream>::OnHeaderWritten(beast::error_code ec, size_t) {
  if (ec) {
    Fail(ec, "write stream header");
    return DoClose();
  }
  if (closed_) return;
  // A read stays pending for the whole stream: it learns at once when the client goes away (and
  // keeps the session alive while the body is quiet). Reads have no deadline from here on; each
  // chunk write gets its own.
  Tcp().expires_never();
  DoRead();
  sink_ = std::make_shared<Sink>(this->weak_from_this(), server_.streams_backlog);
  net::post(server_.workers,
            [body = body_, sink = sink_, guard = net::make_work_guard(server_.ioc)] {
              try {
                body->Start(sink);
              } catch (const std::exception& e) {
                LogError(std::string("stream body threw: ") + e.what());
                sink->Close();
              } catch (...) {
                LogError("stream body threw a non-exception");
                sink->Close();
              }
            });
  Pump();
}

template <class Stream>
void StreamSession<Stream>::DoRead() {
  stream_.async_read_some(net::buffer(discard_),
                          [self = this->shared_from_this()](beast::error_code ec, size_t) {
                            if (ec) return self->DoClose();  // the client went away
                            self->DoRead();                  // ignore what it sends
                          });
}

template <class Stream>
bool StreamSession<Stream>::Enqueue(std::string chunk) {
  const size_t size = chunk.size();
  // Both counts take the chunk even when it is refused: the destructor gives back what is left.
  const size_t total = server_.streams_backlog->fetch_add(size) + size;
  const size_t mine = backlog_.fetch_add(size) + size;
  if (mine > server_.options.max_stream_backlog || total > server_.options.max_streams_backlog) {
    LogError(mine > server_.options.max_stream_backlog
                 ? "stream backlog over " + std::to_string(server_.options.max_stream_backlog) +
                       " bytes: closing a slow subscriber"
                 : "streams' backlog over " + std::to_string(server_.options.max_streams_backlog) +
                       " bytes in all: closing the subscriber that asked for more");
    net::post(stream_.get_executor(), [self = this->shared_from_this()] { self->DoClose(); });
    return false;
  }
  net::post(stream_.get_executor(),
            [self = this->shared_from_this(), chunk = std::move(chunk)]() mutable {
              if (self->ended_) return;
              self->queue_.push_back(std::move(chunk));
              self->Pump();
            });
  return true;
}

template <class Stream>
void StreamSession<Stream>::Pump() {
  if (closed_ || writing_ || !sink_) return;
  if (!queue_.empty()) {
    // What else is queued goes out in the same chunk: one write instead of many for a client
    // that is behind.
    size_t joined = 1;
    size_t bytes = queue_.front().size();
    while (joined < queue_.size() && bytes + queue_[joined].size() <= kMaxStreamWrite) {
      bytes += queue_[joined++].size();
    }
    chunk_ = std::move(queue_.front());
    queue_.pop_front();
    if (joined > 1) {
      chunk_.reserve(bytes);
      for (size_t i = 1; i < joined; ++i) {
        chunk_ += queue_.front();
        queue_.pop_front();
      }
    }
    writing_ = true;
    Tcp().expires_after(server_.options.write_timeout);  // the read pending keeps no deadline
    net::async_write(
        stream_, http::make_chunk(net::buffer(chunk_)),
        beast::bind_front_handler(&StreamSession::OnChunkWritten, this->shared_from_this()));
    return;
  }
  if (closing_) {
    writing_ = true;
    Tcp().expires_after(server_.options.write_timeout);
    net::async_write(stream_, http::make_chunk_last(),
                     [self = this->shared_from_this()](beast::error_code ec, size_t) {
                       self->writing_ = false;
                       if (ec) Fail(ec, "write last chunk");
                       self->End(/*cancel=*/false);
                       self->DoClose();
                     });
  }
}

template <class Stream>
void StreamSession<Stream>::OnChunkWritten(beast::error_code ec, size_t) {
  writing_ = false;
  backlog_ -= chunk_.size();
  *server_.streams_backlog -= chunk_.size();
  chunk_.clear();
  if (ec) {
    Fail(ec, "write chunk");
    return DoClose();
  }
  NotifyIfDrained();
  Pump();
}

template <class Stream>
void StreamSession<Stream>::NotifyIfDrained() {
  if (!drain_callback_ || backlog_ > drain_low_water_) return;
  auto callback = std::move(drain_callback_);
  drain_callback_ = nullptr;
  callback();
}

template <class Stream>
void StreamSession<Stream>::DoGrace() {
  grace_timer_.expires_after(server_.options.stream_shutdown_grace);
  grace_timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
    if (!ec) self->DoClose();  // the client did not take the rest in time
  });
}

template <class Stream>
void StreamSession<Stream>::DoClose() {
  if (closed_) return;
  closed_ = true;
  grace_timer_.cancel();
  beast::error_code ignored;
  Tcp().socket().shutdown(tcp::socket::shutdown_send, ignored);
  Tcp().socket().close(ignored);
  End(/*cancel=*/true);
}

template <class Stream>
void StreamSession<Stream>::End(bool cancel) {
  if (!body_ || ended_) return;
  ended_ = true;
  if (sink_) sink_->MarkClosed();
  queue_.clear();
  drain_callback_ = nullptr;
  if (cancel) body_->Cancel();
  // Drop the body now: it may hold resources (a subscription) that should not wait for the
  // pending operations of this session to finish.
  body_.reset();
}

}  // namespace dialogue::api::detail
