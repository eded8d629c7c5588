// audit/http_response: HTTP/1.1 responses read piece by piece, with bounds.
#include <catch2/catch.hpp>

#include <string>

#include "audit/http_response.hpp"

namespace dialogue::audit {
namespace {

// Feeds `response` in pieces of `step` bytes, then the end of the connection if `close`.
HttpResponseParser Parse(const std::string& response, size_t step, bool close = false,
                         size_t limit = 1024) {
  HttpResponseParser parser(limit);
  for (size_t i = 0; i < response.size() && !parser.failed(); i += step) {
    parser.Feed(std::string_view(response).substr(i, step));
  }
  if (close) parser.FeedEnd();
  return parser;
}

TEST_CASE("A response with a length, with chunks, or closed by the server is read whole",
          "[audit][http]") {
  const std::string length =
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\ncontent-length: 11\r\n\r\nhello world";
  const std::string chunked =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n6\r\n world\r\n"
      "0\r\nTrailer: t\r\n\r\n";
  const std::string interim = "HTTP/1.1 100 Continue\r\n\r\n" + length;
  for (size_t step : {1, 3, 7, 1000}) {
    for (const std::string* response : {&length, &chunked, &interim}) {
      HttpResponseParser parser = Parse(*response, step);
      INFO(*response << " in steps of " << step);
      REQUIRE(parser.done());
      CHECK(parser.status() == 200);
      CHECK(parser.body() == "hello world");
    }
    HttpResponseParser closed = Parse("HTTP/1.0 401 Unauthorized\r\n\r\nno", step);
    CHECK_FALSE(closed.done());
    CHECK(closed.FeedEnd());
    CHECK(closed.status() == 401);
    CHECK(closed.body() == "no");
  }
  HttpResponseParser empty = Parse("HTTP/1.1 204 No Content\r\n\r\n", 5);
  CHECK(empty.done());
  CHECK(empty.body().empty());
}

TEST_CASE("Malformed, truncated or too large responses fail", "[audit][http]") {
  const auto fails = [](const std::string& response, bool close = true) {
    HttpResponseParser parser = Parse(response, 4, close, 16);
    return parser.failed() && !parser.done() && !parser.error().empty();
  };
  CHECK(fails("HTTP/1.1 200 OK\r\nContent-Length: 17\r\n\r\n"));                   // over the limit
  CHECK(fails("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabc"));                 // truncated
  CHECK(fails("HTTP/1.1 200 OK\r\n\r\n" + std::string(17, 'x')));                  // over, by close
  CHECK(fails("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n11\r\n"));     // chunk too big
  CHECK(fails("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY"));  // no CRLF
  CHECK(fails("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"));     // bad size
  CHECK(fails("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n"));
  CHECK(fails("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"));
  CHECK(fails("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n"));
  CHECK(fails("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n"));
  CHECK(fails("HTTP/1.1 20 OK\r\n\r\n"));
  CHECK(fails("HTTP/2 200 OK\r\n\r\n"));
  CHECK(fails("HTTP/1.1 200 OK\r\n folded\r\n\r\n"));
  CHECK(fails("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n"));  // the header never ends
  CHECK(
      fails("HTTP/1.1 200 OK\r\n" + std::string(HttpResponseParser::kMaxHeaderBytes, 'x'), false));
}

}  // namespace
}  // namespace dialogue::audit
