// The hostile-input table: bad requests sent over a real socket to the server with the full
// router (every route of the API) on the command tests' world. Each must answer its 4xx as an
// application/problem+json, append nothing, and leave the server answering the next request.
#include <catch2/catch.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "api/http/server.hpp"
#include "tests/api/command_fixture.hpp"
#include "tests/api/test_support.hpp"

namespace dialogue::api {
namespace {

namespace net = boost::asio;
using testing::HttpClient;
using testing::Reply;

using Headers = std::vector<std::pair<std::string, std::string>>;

struct BadRequest {
  BadRequest(std::string name_, int status_, std::string method_, std::string target_,
             Headers headers_, std::string body_, std::string raw_ = "")
      : name(std::move(name_)),
        status(status_),
        method(std::move(method_)),
        target(std::move(target_)),
        headers(std::move(headers_)),
        body(std::move(body_)),
        raw(std::move(raw_)) {}

  std::string name;
  int status;  // the expected answer
  std::string method;
  std::string target;
  Headers headers;
  std::string body;
  std::string raw;  // when set, sent as it is instead of the above
};

class HostileFixture : public testing::CommandFixture {
 public:
  HostileFixture() {
    RegisterReferenceData();
    ConveneBriefing();
    ServerOptions options;
    options.port = 0;
    options.worker_threads = 2;
    RouteWork(options, router_, metrics_);
    server_ = Server::Listen(options).value();
    thread_ = std::thread([this] { server_->Run(); });
  }
  ~HostileFixture() {
    server_->Stop();
    thread_.join();
  }

  Reply SendRaw(const BadRequest& row) {
    std::string text = row.raw;
    if (text.empty()) {
      text = row.method + " " + row.target + " HTTP/1.1\r\nHost: x\r\n";
      for (const auto& [name, value] : row.headers) text += name + ": " + value + "\r\n";
      if (!row.body.empty() || row.method == "POST") {
        text += "Content-Length: " + std::to_string(row.body.size()) + "\r\n";
      }
      text += "\r\n" + row.body;
    }
    HttpClient client(server_->port());
    boost::system::error_code ec;
    net::write(client.socket(), net::buffer(text), ec);  // a 413 may come before the body is in
    return client.Receive();
  }

  uint16_t port() const { return server_->port(); }

 private:
  std::unique_ptr<Server> server_;
  std::thread thread_;
};

Headers Auth(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

// A command body as the secretariat sends it.
Headers Json(const std::string& token = "sec") {
  Headers headers = Auth(token);
  headers.emplace_back("Content-Type", "application/json");
  return headers;
}

Headers With(Headers headers, std::string name, std::string value) {
  headers.emplace_back(std::move(name), std::move(value));
  return headers;
}

std::string Repeat(const std::string& unit, size_t n) {
  std::string out;
  out.reserve(unit.size() * n);
  for (size_t i = 0; i < n; ++i) out += unit;
  return out;
}

std::string ManyIds(size_t n) {
  std::string out = "[";
  for (size_t i = 0; i < n; ++i) out += (i ? ",\"s" : "\"s") + std::to_string(i) + "\"";
  return out + "]";
}

std::string ManyFields(size_t n) {
  std::string out = R"({"id":"wg-many","name":"Many")";
  for (size_t i = 0; i < n; ++i) out += ",\"f" + std::to_string(i) + "\":1";
  return out + "}";
}

std::string Session(const std::string& starts_on, const std::string& extra = "") {
  return R"({"id":"cosp-x","title":"A session","starts_on":")" + starts_on +
         R"(","ends_on":"2027-10-20")" + extra + "}";
}

std::string Group(const std::string& name_json, const std::string& extra = "") {
  return R"({"id":"wg-new","name":)" + name_json + extra + "}";
}

std::vector<BadRequest> Table() {
  using namespace std::string_literals;
  const std::string groups = "/v1/working-groups";
  const std::string sessions = "/v1/conference-sessions";
  const std::string stakeholders = "/v1/stakeholders";
  const std::string contributions = "/v1/contribution-requests";
  const std::string mib(1024 * 1024, 'x');
  std::vector<BadRequest> rows = {
      // Malformed JSON.
      {"truncated JSON", 400, "POST", groups, Json(), R"({"id":"wg-new","name":)"},
      {"single quotes", 400, "POST", groups, Json(), R"({'id':'wg-new','name':'x'})"},
      {"trailing comma", 400, "POST", groups, Json(), R"({"id":"wg-new","name":"x",})"},
      {"NaN", 400, "POST", groups, Json(), R"({"id":"wg-new","name":NaN})"},
      {"binary garbage", 400, "POST", groups, Json(), std::string("\x00\x01\x02\xff", 4)},
      {"an array, not an object", 400, "POST", groups, Json(), R"([{"id":"wg-new"}])"},
      {"a string, not an object", 400, "POST", groups, Json(), R"("wg-new")"},
      {"two JSON values", 400, "POST", groups, Json(), R"({"id":"wg-new","name":"x"} {})"},
      // Deep nesting.
      {"100k unclosed [", 400, "POST", groups, Json(), R"({"id":)" + std::string(100000, '[')},
      {"100k nested arrays, closed", 400, "POST", groups, Json(),
       R"({"id":"wg-new","name":)" + std::string(100000, '[') + std::string(100000, ']') + "}"},
      {"100k nested objects, closed", 400, "POST", groups, Json(),
       Repeat(R"({"a":)", 100000) + "1" + std::string(100000, '}')},
      {"65 levels", 400, "POST", groups, Json(),
       R"({"id":"wg-new","name":"x","protocol":)" + std::string(64, '[') + std::string(64, ']') +
           "}"},
      // Wrong types.
      {"id a number", 400, "POST", groups, Json(), R"({"id":5,"name":"x"})"},
      {"name an array", 400, "POST", groups, Json(), Group(R"(["x"])")},
      {"name an object", 400, "POST", groups, Json(), Group(R"({"x":1})")},
      {"boolean as a string", 400, "POST", "/v1/meetings", Json(),
       R"({"id":"m-x","working_group":"wg-tip","starts_on":"2026-11-01","ends_on":"2026-11-02",)"
       R"("review_agenda_item":"true"})"},
      {"list as a string", 400, "POST", contributions, Json(),
       R"({"id":"cr-x","stakeholders":"ngo-a","due_on":"2026-12-01"})"},
      {"number as a huge literal", 400, "POST", groups, Json(),
       R"({"id":"wg-new","name":)" + std::string(5000, '9') + "}"},
      // Huge strings and arrays.
      {"a 300 KiB name (within the body limit)", 400, "POST", groups, Json(),
       Group("\"" + std::string(300 * 1024, 'x') + "\"")},
      {"a 2 MiB name (beyond the body limit)", 413, "POST", groups, Json(),
       Group("\"" + mib + mib + "\"")},
      {"5,000 stakeholders", 400, "POST", contributions, Json(),
       R"({"id":"cr-x","due_on":"2026-12-01","stakeholders":)" + ManyIds(5000) + "}"},
      {"100,000 distinct ids (within the body limit)", 400, "POST", contributions, Json(),
       R"({"id":"cr-x","due_on":"2026-12-01","stakeholders":)" + ManyIds(100000) + "}"},
      {"50,000 unknown fields", 400, "POST", groups, Json(), ManyFields(50000)},
      {"a 50,000-member object", 400, "POST", stakeholders, Json(),
       R"({"id":"st-x","name":"X","category":"ngo","instruments":{)" +
           [] {
             std::string members;
             for (int i = 0; i < 50000; ++i) {
               members += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":\"party\"";
             }
             return members;
           }() +
           "}}"},
      // Control characters and invalid UTF-8.
      {"control character in an id", 400, "POST", groups, Json(),
       R"({"id":"wg\u0001x","name":"x"})"},
      {"NUL in a text", 400, "POST", groups, Json(), Group(R"("Working\u0000Group")")},
      {"escape character in a text", 400, "POST", groups, Json(), Group(R"("\u001b[31mred")")},
      {"DEL in a text", 400, "POST", groups, Json(),
       Group("\"a\x7f"
             "b\"")},
      {"raw control character in a string", 400, "POST", groups, Json(),
       Group("\"a\x01"
             "b\"")},
      {"invalid UTF-8", 400, "POST", groups, Json(), Group("\"\xff\xfe\"")},
      {"overlong UTF-8 for /", 400, "POST", groups, Json(), Group("\"\xc0\xaf\"")},
      {"UTF-8 of a surrogate", 400, "POST", groups, Json(), Group("\"\xed\xa0\x80\"")},
      {"lone surrogate escape", 400, "POST", groups, Json(), Group(R"("\ud800")")},
      {"truncated UTF-8", 400, "POST", groups, Json(), Group("\"\xe2\x82\"")},
      // Impossible dates and instants.
      {"30 February", 400, "POST", sessions, Json(), Session("2026-02-30")},
      {"month 13", 400, "POST", sessions, Json(), Session("2026-13-01")},
      {"year 0", 400, "POST", sessions, Json(), Session("0000-01-01")},
      {"a date with a time", 400, "POST", sessions, Json(), Session("2026-10-01T00:00:00Z")},
      {"hour 24", 400, "POST", groups, Json(),
       Group(R"("x")", R"(,"occurred_at":"2026-03-10T24:00:00Z")")},
      {"leap second", 400, "POST", groups, Json(),
       Group(R"("x")", R"(,"occurred_at":"2016-12-31T23:59:60Z")")},
      {"29 February 2026", 400, "POST", groups, Json(),
       Group(R"("x")", R"(,"occurred_at":"2026-02-29T10:00:00Z")")},
      {"instant in year 0", 400, "POST", groups, Json(),
       Group(R"("x")", R"(,"occurred_at":"0000-01-01T00:00:00Z")")},
      {"instant in the future", 400, "POST", groups, Json(),
       Group(R"("x")", R"(,"occurred_at":"2999-01-01T00:00:00Z")")},
      // Unknown fields.
      {"a misspelt field", 400, "POST", groups, Json(), Group(R"("x")", R"(,"nmae":"y")")},
      {"a nested unknown field", 400, "POST", "/v1/briefings/b1/summary/submission", Json(),
       R"({"crp_symbol":"CTOC/X","override_country_mentions":{"justification":"x","by":"me"}})"},
      // Duplicate keys.
      {"a key twice", 400, "POST", groups, Json(), R"({"id":"wg-a","id":"wg-b","name":"x"})"},
      {"a key twice, nested", 400, "POST", stakeholders, Json(),
       R"({"id":"st-x","name":"X","category":"ngo","instruments":{"tip":"party","tip":"party"}})"},
      // Path traversal and odd ids in paths. A GET of an id that cannot exist answers 404, as one
      // that does not; a command's path id is checked first (400).
      {"../ in the path", 404, "GET", "/v1/briefings/../events", Auth("sec"), ""},
      {"%2e%2e%2f in an id", 404, "GET", "/v1/briefings/%2e%2e%2fevents", Auth("sec"), ""},
      {"an encoded slash in an id", 404, "GET", "/v1/briefings/b1%2fconvening", Auth("sec"), ""},
      {"a NUL escape in an id", 404, "GET", "/v1/briefings/b1%00", Auth("sec"), ""},
      {"a raw NUL in the target",
       400,
       "",
       "",
       {},
       "",
       "GET /v1/briefings/b1\0x HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sec\r\n\r\n"s},
      {"a bad escape in the path", 400, "GET", "/v1/briefings/b%zz", Auth("sec"), ""},
      {"an empty segment", 400, "GET", "/v1/briefings//eligible", Auth("sec"), ""},
      {"an upper-case id", 404, "GET", "/v1/briefings/B1", Auth("sec"), ""},
      {"a 65-character id", 404, "GET", "/v1/briefings/" + std::string(65, 'b'), Auth("sec"), ""},
      {"a 10,000-character id", 404, "GET", "/v1/briefings/" + std::string(10000, 'b'), Auth("sec"),
       ""},
      {"traversal in a command's path id", 400, "POST", "/v1/briefings/..%2fb1/rescheduling",
       Json(), R"({"date":"2026-07-16"})"},
      {"traversal in a body id", 400, "POST", groups, Json(), R"({"id":"../wg","name":"x"})"},
      // Headers of commands.
      {"Idempotency-Key with a space", 400, "POST", groups,
       With(Json(), "Idempotency-Key", "two words"), Group(R"("x")")},
      {"Idempotency-Key of 201 characters", 400, "POST", groups,
       With(Json(), "Idempotency-Key", std::string(201, 'k')), Group(R"("x")")},
      {"Idempotency-Key not ASCII", 400, "POST", groups,
       With(Json(), "Idempotency-Key", "cl\xc3\xa9"), Group(R"("x")")},
      {"If-Match not a number", 400, "POST", "/v1/briefings/b1/rescheduling",
       With(Json(), "If-Match", "\"abc\""), R"({"date":"2026-07-16"})"},
      {"If-Match negative", 400, "POST", "/v1/briefings/b1/rescheduling",
       With(Json(), "If-Match", "\"-1\""), R"({"date":"2026-07-16"})"},
      {"If-Match overflowing", 400, "POST", "/v1/briefings/b1/rescheduling",
       With(Json(), "If-Match", "\"99999999999999999999999\""), R"({"date":"2026-07-16"})"},
      {"If-Match stale", 409, "POST", "/v1/briefings/b1/rescheduling",
       With(Json(), "If-Match", "\"1\""), R"({"date":"2026-07-16"})"},
      // Query parameters.
      {"after=-1", 400, "GET", "/v1/events?after=-1", Auth("auditor"), ""},
      {"after=abc", 400, "GET", "/v1/events?after=abc", Auth("auditor"), ""},
      {"limit=1e9", 400, "GET", "/v1/events?limit=1e9", Auth("auditor"), ""},
      {"limit=0", 400, "GET", "/v1/events?limit=0", Auth("auditor"), ""},
      {"limit=1001", 400, "GET", "/v1/events?limit=1001", Auth("auditor"), ""},
      {"after overflowing", 400, "GET", "/v1/events?after=99999999999999999999999", Auth("auditor"),
       ""},
      {"as_of=-1", 400, "GET", "/v1/briefings/b1?as_of=-1", Auth("sec"), ""},
      {"as_of=abc", 400, "GET", "/v1/briefings/b1?as_of=abc", Auth("sec"), ""},
      // Content types.
      {"text/plain", 415, "POST", groups, With(Auth("sec"), "Content-Type", "text/plain"),
       Group(R"("x")")},
      {"a form", 415, "POST", groups,
       With(Auth("sec"), "Content-Type", "application/x-www-form-urlencoded"), "id=wg-new&name=x"},
      {"no Content-Type", 415, "POST", groups, Auth("sec"), Group(R"("x")")},
      {"application/jsonp", 415, "POST", groups,
       With(Auth("sec"), "Content-Type", "application/jsonp"), Group(R"("x")")},
      // Methods.
      {"DELETE", 405, "DELETE", "/v1/briefings/b1", Auth("sec"), ""},
      {"PUT", 405, "PUT", groups, Json(), Group(R"("x")")},
      {"PATCH", 405, "PATCH", "/v1/briefings/b1", Json(), R"({"title":"x"})"},
      {"an invented method", 405, "BREW", groups, Auth("sec"), ""},
      {"a method with bad characters",
       400,
       "",
       "",
       {},
       "",
       "GE(T /healthz HTTP/1.1\r\nHost: x\r\n\r\n"},
      // Tokens.
      {"no token", 401, "POST", groups, With({}, "Content-Type", "application/json"),
       Group(R"("x")")},
      {"unknown token", 401, "POST", groups, Json("garbage"), Group(R"("x")")},
      {"Basic credentials",
       401,
       "POST",
       groups,
       {{"Authorization", "Basic c2VjOnNlYw=="}, {"Content-Type", "application/json"}},
       Group(R"("x")")},
      {"a 10 KiB token", 401, "POST", groups, Json(std::string(10 * 1024, 't')), Group(R"("x")")},
      {"Bearer without a token",
       401,
       "POST",
       groups,
       {{"Authorization", "Bearer "}, {"Content-Type", "application/json"}},
       Group(R"("x")")},
      {"a role the route does not allow", 403, "POST", groups, Json("auditor"), Group(R"("x")")},
      {"a stakeholder acting for another", 403, "POST",
       "/v1/briefings/b1/participants/ngo-b/confirmation", Json("ngo-a"), "{}"},
      // HTTP framing.
      {"a bad Content-Length",
       400,
       "",
       "",
       {},
       "",
       "POST /v1/working-groups HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n"},
      {"two Content-Lengths",
       400,
       "",
       "",
       {},
       "",
       "POST /v1/working-groups HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: "
       "3\r\n\r\n{}"},
      {"a control character in a header",
       400,
       "",
       "",
       {},
       "",
       "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Bad: a\x01z\r\n\r\n"},
      {"a Content-Length beyond the limit",
       413,
       "",
       "",
       {},
       "",
       "POST /v1/working-groups HTTP/1.1\r\nHost: x\r\nContent-Length: 9999999999\r\n\r\n{}"},
  };
  return rows;
}

TEST_CASE_METHOD(HostileFixture, "Hostile requests answer a 4xx problem and append nothing",
                 "[server][hostile]") {
  const auto rows = Table();
  REQUIRE(rows.size() >= 40);
  const uint64_t head = Head();
  for (const auto& row : rows) {
    INFO(row.name);
    Reply reply = SendRaw(row);
    CHECK(reply.status == row.status);
    CHECK(reply.Header("content-type") == "application/problem+json");
    const auto body = nlohmann::json::parse(reply.body, nullptr, /*allow_exceptions=*/false);
    CHECK(body.is_object());
    if (body.is_object()) CHECK(body.value("status", 0) == reply.status);
    if (reply.status == 405) CHECK_FALSE(reply.Header("allow").empty());
    CHECK(reply.body.size() < 16 * 1024);  // a refusal does not echo what it refused
    CHECK(Head() == head);
    // The server stays healthy: the next connection is served.
    HttpClient next(port());
    CHECK(next.Send("GET", "/healthz").status == 200);
  }
  HttpClient client(port());
  Reply events = client.Send("GET", "/v1/events?limit=1", {{"Authorization", "Bearer auditor"}});
  CHECK(events.status == 200);
}

// --- What a hostile probe found (docs/security.md, "Findings of the hostile probe")
// ---------------

// Sends raw bytes on a fresh connection; the answers read until the server closes it.
std::vector<Reply> AnswersTo(uint16_t port, const std::string& raw) {
  HttpClient client(port);
  boost::system::error_code ec;
  net::write(client.socket(), net::buffer(raw), ec);
  std::vector<Reply> replies;
  for (;;) {
    try {
      replies.push_back(client.Receive());
    } catch (const std::exception&) {
      return replies;  // closed
    }
    if (replies.back().Header("connection") == "close") {
      CHECK(client.ServerClosed());
      return replies;
    }
  }
}

// A POST whose body the server cannot delimit, then a GET in the same bytes: if the server read
// the first as bodiless, the GET would be answered too (request smuggling behind a proxy).
std::string SmugglingAttempt(const std::string& transfer_encoding) {
  return "POST /v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
         "Transfer-Encoding: " +
         transfer_encoding +
         "\r\n\r\n0\r\n\r\n"
         "GET /v1/ledger/head HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer auditor\r\n\r\n";
}

TEST_CASE_METHOD(HostileFixture, "TransferEncodingGzipIsRefused", "[server][hostile]") {
  for (const char* coding : {"gzip, chunked", "gzip", "xchunked", "identity", "chunked, identity",
                             "chunked;x=1, deflate", "CHUNKED, gzip"}) {
    INFO(coding);
    const std::vector<Reply> replies = AnswersTo(port(), SmugglingAttempt(coding));
    REQUIRE(replies.size() == 1);  // the smuggled GET is never answered
    CHECK(replies[0].status == 501);
    CHECK(replies[0].Header("content-type") == "application/problem+json");
    CHECK(replies[0].Header("connection") == "close");
  }
}

TEST_CASE_METHOD(HostileFixture, "TransferEncodingChunkedTwiceIsRefused", "[server][hostile]") {
  const std::vector<Reply> replies = AnswersTo(port(), SmugglingAttempt("chunked, chunked"));
  REQUIRE(replies.size() == 1);
  CHECK(replies[0].status == 400);
}

TEST_CASE_METHOD(HostileFixture, "TransferEncodingChunkedAloneIsRead", "[server][hostile]") {
  // The same bytes with a coding the server reads: both requests are answered in turn.
  const std::vector<Reply> replies =
      AnswersTo(port(), SmugglingAttempt("Chunked") +
                            "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  REQUIRE(replies.size() == 3);
  CHECK(replies[0].status == 401);  // read whole, and refused: a sign-in needs a token
  CHECK(replies[1].status == 200);
  CHECK(replies[2].status == 200);
}

TEST_CASE_METHOD(HostileFixture, "TwoAuthorizationHeadersAreRefused", "[server][hostile]") {
  HttpClient client(port());
  const std::string raw =
      "GET /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer auditor\r\n"
      "Authorization: Bearer sec\r\n\r\n";
  net::write(client.socket(), net::buffer(raw));
  Reply reply = client.Receive();
  CHECK(reply.status == 400);
  CHECK(reply.Header("content-type") == "application/problem+json");
}

TEST_CASE_METHOD(HostileFixture, "TwoSessionCookiesAreRefused", "[server][hostile]") {
  HttpClient client(port());
  const std::string raw =
      "GET /v1/events HTTP/1.1\r\nHost: x\r\nCookie: dialogue_session=a; dialogue_session=b\r\n"
      "\r\n";
  net::write(client.socket(), net::buffer(raw));
  CHECK(client.Receive().status == 400);
  HttpClient split(port());
  const std::string two_fields =
      "GET /v1/events HTTP/1.1\r\nHost: x\r\nCookie: dialogue_session=a\r\n"
      "Cookie: dialogue_session=b\r\n\r\n";
  net::write(split.socket(), net::buffer(two_fields));
  CHECK(split.Receive().status == 400);
}

TEST_CASE_METHOD(HostileFixture, "ExpectContinueWithABadTokenIsRefusedBeforeTheBody",
                 "[server][hostile]") {
  HttpClient client(port());
  const std::string body = R"({"id":"wg-new","name":"New"})";
  const std::string header =
      "POST /v1/working-groups HTTP/1.1\r\nHost: x\r\n"
      "Authorization: Bearer nobody\r\nContent-Type: application/json\r\n"
      "Expect: 100-continue\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n";
  net::write(client.socket(), net::buffer(header));
  Reply reply = client.Receive();  // the refusal, not "100 Continue"
  CHECK(reply.status == 401);
  CHECK(reply.Header("connection") == "close");
  // A role that may not: refused there too.
  HttpClient ngo(port());
  const std::string as_ngo =
      "POST /v1/working-groups HTTP/1.1\r\nHost: x\r\n"
      "Authorization: Bearer ngo-a\r\nContent-Type: application/json\r\n"
      "Expect: 100-continue\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n";
  net::write(ngo.socket(), net::buffer(as_ngo));
  CHECK(ngo.Receive().status == 403);
}

TEST_CASE_METHOD(HostileFixture, "HeadIsAnsweredWhereverGetIs", "[server][hostile]") {
  for (const char* target : {"/healthz", "/v1/events?limit=2", "/v1/ledger/checkpoint",
                             "/v1/stakeholders/ngo-a", "/console/"}) {
    INFO(target);
    HttpClient get_client(port());
    Reply get = get_client.Send("GET", target, {{"Authorization", "Bearer auditor"}});
    HttpClient client(port());
    const std::string raw = std::string("HEAD ") + target +
                            " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer auditor\r\n\r\n";
    net::write(client.socket(), net::buffer(raw));
    namespace http = boost::beast::http;
    boost::beast::flat_buffer buffer;
    http::response_parser<http::empty_body> parser;
    parser.skip(true);  // a HEAD answer has no body, whatever its Content-Length says
    http::read(client.socket(), buffer, parser);
    CHECK(parser.get().result_int() == static_cast<unsigned>(get.status));
    CHECK(parser.get()[http::field::content_length] == std::to_string(get.body.size()));
    // The connection goes on: the next request is answered.
    CHECK(client.Send("GET", "/healthz").status == 200);
  }
  // Where GET is not allowed, neither is HEAD, and the 405 names both where GET is.
  HttpClient client(port());
  Reply post_only = client.Send("DELETE", "/healthz");
  CHECK(post_only.status == 405);
  CHECK(post_only.Header("allow") == "GET, HEAD");
}

TEST_CASE_METHOD(HostileFixture, "ApiAnswersAreNeitherStoredNorSniffed", "[server][hostile]") {
  HttpClient client(port());
  for (const char* target : {"/healthz", "/v1/events", "/v1/nothing-here"}) {
    INFO(target);
    Reply reply = client.Send("GET", target, {{"Authorization", "Bearer auditor"}});
    CHECK(reply.Header("cache-control") == "no-store");
    CHECK(reply.Header("x-content-type-options") == "nosniff");
    CHECK(reply.Header("strict-transport-security").empty());  // plain HTTP: no HSTS
  }
}

}  // namespace
}  // namespace dialogue::api
