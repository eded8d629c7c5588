// A bare Boost.Beast HTTP/1.1 server answering every request with a small JSON body: the ceiling
// `dialogue serve` is compared with. Same threading as dialogue's default: --io-threads 2 run the
// io_context; with --workers N each request is handed to a pool of N threads and the response
// posted back to the connection's strand, as api/http/server.cpp does (0, the default: answered on
// the io thread, the plain hello world).
//
// Prints "listening on 127.0.0.1:PORT" once it accepts connections; stops on SIGTERM or SIGINT.
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <iostream>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "bench/bench_support.hpp"

namespace dialogue::bench {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, net::thread_pool* workers)
      : stream_(std::move(socket)), workers_(workers) {}

  void Start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->DoRead(); });
  }

 private:
  void DoRead() {
    request_ = {};
    stream_.expires_after(std::chrono::seconds(30));
    http::async_read(
        stream_, buffer_, request_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec) return DoClose();
    if (workers_ == nullptr) return DoWrite(Answer(request_));
    net::post(*workers_, [self = shared_from_this()] {
      auto response = Answer(self->request_);
      net::post(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
        self->DoWrite(std::move(response));
      });
    });
  }

  static http::response<http::string_body> Answer(const http::request<http::string_body>& req) {
    http::response<http::string_body> response{http::status::ok, req.version()};
    response.set(http::field::content_type, "application/json");
    response.keep_alive(req.keep_alive());
    response.body() = R"({"hello":"world"})";
    response.prepare_payload();
    return response;
  }

  void DoWrite(http::response<http::string_body>&& response) {
    response_ = std::move(response);
    http::async_write(stream_, response_,
                      [self = shared_from_this()](beast::error_code ec, size_t) {
                        if (ec || !self->response_.keep_alive()) return self->DoClose();
                        self->DoRead();
                      });
  }

  void DoClose() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  beast::tcp_stream stream_;
  net::thread_pool* workers_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
};

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(net::io_context& ioc, tcp::endpoint endpoint, net::thread_pool* workers)
      : ioc_(ioc), acceptor_(net::make_strand(ioc)), workers_(workers) {
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(net::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(net::socket_base::max_listen_connections);
  }

  uint16_t port() const { return acceptor_.local_endpoint().port(); }
  void Accept() {
    acceptor_.async_accept(net::make_strand(ioc_), [self = shared_from_this()](beast::error_code ec,
                                                                               tcp::socket socket) {
      if (!ec) {
        socket.set_option(tcp::no_delay(true));
        std::make_shared<Session>(std::move(socket), self->workers_)->Start();
      }
      if (ec != net::error::operation_aborted) self->Accept();
    });
  }

 private:
  net::io_context& ioc_;
  tcp::acceptor acceptor_;
  net::thread_pool* workers_;
};

}  // namespace
}  // namespace dialogue::bench

int main(int argc, char** argv) {
  using namespace dialogue::bench;
  Flags flags(argc, argv);
  const int io_threads = static_cast<int>(flags.Uint("io-threads", 2));
  const int worker_threads = static_cast<int>(flags.Uint("workers", 0));
  const auto port = static_cast<uint16_t>(flags.Uint("port", 0));
  flags.Require();
  if (io_threads < 1) Flags::Die("--io-threads must be at least 1");

  net::io_context ioc(io_threads);
  std::optional<net::thread_pool> workers;
  if (worker_threads > 0) workers.emplace(static_cast<size_t>(worker_threads));
  auto listener = std::make_shared<Listener>(
      ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), port), workers ? &*workers : nullptr);
  listener->Accept();
  net::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](beast::error_code, int) { ioc.stop(); });
  std::cout << "listening on 127.0.0.1:" << listener->port() << std::endl;

  std::vector<std::thread> threads;
  for (int i = 1; i < io_threads; ++i) threads.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& t : threads) t.join();
  if (workers) workers->join();
  return 0;
}
