#include "tests/audit/fake_server.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace dialogue::audit::testing {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct FakeServer::State {
  net::io_context ioc;
  tcp::acceptor acceptor{ioc, {net::ip::make_address("127.0.0.1"), 0}};
  Handler handler;
};

FakeServer::FakeServer(Handler handler) : state_(std::make_unique<State>()) {
  state_->handler = std::move(handler);
  port_ = state_->acceptor.local_endpoint().port();
  thread_ = std::thread([this] {
    for (;;) {
      tcp::socket socket(state_->ioc);
      beast::error_code ec;
      state_->acceptor.accept(socket, ec);
      if (ec || stopping_) return;
      beast::flat_buffer buffer;
      http::request<http::string_body> request;
      http::read(socket, buffer, request, ec);
      if (ec) continue;
      ++requests_;
      const FakeResponse answer = state_->handler(
          {std::string(request.target()), std::string(request[http::field::authorization])});
      http::response<http::string_body> response{static_cast<http::status>(answer.status), 11};
      response.set(http::field::content_type, answer.content_type);
      response.body() = answer.body;
      response.prepare_payload();
      http::write(socket, response, ec);
      socket.shutdown(tcp::socket::shutdown_both, ec);
    }
  });
}

FakeServer::~FakeServer() {
  stopping_ = true;
  // Wake the blocking accept with a connection of our own.
  net::io_context ioc;
  tcp::socket wake(ioc);
  beast::error_code ec;
  wake.connect({net::ip::make_address("127.0.0.1"), port_}, ec);
  thread_.join();
}

std::string FakeServer::url() const { return "http://127.0.0.1:" + std::to_string(port_); }

uint16_t UnusedLoopbackPort() {
  net::io_context ioc;
  tcp::acceptor acceptor(ioc, {net::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

struct SilentListener::State {
  net::io_context ioc;
  tcp::acceptor acceptor{ioc, {net::ip::make_address("127.0.0.1"), 0}};
};

SilentListener::SilentListener() : state_(std::make_unique<State>()) {}
SilentListener::~SilentListener() = default;

std::string SilentListener::url() const {
  return "http://127.0.0.1:" + std::to_string(state_->acceptor.local_endpoint().port());
}

}  // namespace dialogue::audit::testing
