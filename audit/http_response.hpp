// HttpResponseParser: reads one HTTP/1.1 response from the bytes of a connection, piece by piece as
// they arrive. A body is delimited by Content-Length, by chunked transfer coding, or by the end of
// the connection; interim (1xx) responses are skipped. The header block and the body are bounded;
// anything malformed or larger is an error, never a crash or an unbounded buffer. Not
// thread-safe; one parser per response.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace dialogue::audit {

class HttpResponseParser {
 public:
  static constexpr size_t kMaxHeaderBytes = 64 * 1024;

  explicit HttpResponseParser(size_t max_body_bytes) : max_body_bytes_(max_body_bytes) {}

  // Takes the next bytes of the connection. Returns false once the response is malformed or too
  // large (error() says why). Bytes after a complete response are ignored.
  bool Feed(std::string_view bytes);
  // The connection ended. Completes a body delimited by the end of the connection; anything else
  // still unfinished is an error. Returns done().
  bool FeedEnd();

  bool done() const { return phase_ == Phase::kDone; }
  bool failed() const { return phase_ == Phase::kError; }
  const std::string& error() const { return error_; }
  // REQUIRES: done().
  int status() const { return status_; }
  std::string& body() { return body_; }

 private:
  enum class Phase {
    kHeaders,     // before the blank line ending the header block
    kLengthBody,  // remaining_ bytes of a Content-Length body
    kChunkSize,   // a chunk-size line
    kChunkData,   // remaining_ bytes of a chunk
    kChunkEnd,    // the CRLF after a chunk's data
    kTrailers,    // trailer lines up to the blank line
    kUntilClose,  // a body that the end of the connection delimits
    kDone,
    kError,
  };

  bool Fail(std::string why);
  std::string_view Rest() const { return std::string_view(pending_).substr(offset_); }
  // The next line of Rest() without its CRLF, consumed; nullopt-like false when no CRLF came yet.
  bool TakeLine(std::string_view& line, size_t max_length);
  void TakeBody(uint64_t at_most);
  // Each returns false when it needs more bytes or failed; true when it moved on.
  bool StepHeaders();
  bool StepChunkSize();
  bool StepTrailers();
  bool StartBody(std::string_view header_block);

  size_t max_body_bytes_;
  Phase phase_ = Phase::kHeaders;
  std::string pending_;  // bytes received; those before offset_ are consumed
  size_t offset_ = 0;
  size_t trailer_bytes_ = 0;
  std::string error_;
  int status_ = 0;
  std::string body_;
  uint64_t remaining_ = 0;
};

}  // namespace dialogue::audit
