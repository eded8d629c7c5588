#include "audit/http_response.hpp"

#include <algorithm>
#include <charconv>
#include <optional>
#include <utility>

namespace dialogue::audit {
namespace {

constexpr size_t kMaxChunkLine = 1024;

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    return lower(x) == lower(y);
  });
}

std::string_view TrimSpace(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// RFC 9110 token characters, for header names.
bool IsToken(std::string_view text) {
  constexpr std::string_view kSpecials = "!#$%&'*+-.^_`|~";
  return !text.empty() && std::all_of(text.begin(), text.end(), [&](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           kSpecials.find(c) != std::string_view::npos;
  });
}

std::optional<uint64_t> ParseNumber(std::string_view text, int base) {
  uint64_t value = 0;
  if (text.empty() || text.size() > 18) return std::nullopt;  // below 2^63 in either base
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

bool HttpResponseParser::Fail(std::string why) {
  phase_ = Phase::kError;
  error_ = std::move(why);
  return false;
}

bool HttpResponseParser::TakeLine(std::string_view& line, size_t max_length) {
  const std::string_view rest = Rest();
  const size_t end = rest.find("\r\n");
  if (end == std::string_view::npos) {
    // Longer than a line and its CR: too long, whatever comes next.
    if (rest.size() > max_length + 1) Fail("malformed HTTP response: a line too long");
    return false;
  }
  if (end > max_length) return Fail("malformed HTTP response: a line too long");
  line = rest.substr(0, end);
  offset_ += end + 2;
  return true;
}

void HttpResponseParser::TakeBody(uint64_t at_most) {
  const std::string_view rest = Rest();
  const size_t n = static_cast<size_t>(std::min<uint64_t>(at_most, rest.size()));
  body_.append(rest.substr(0, n));
  offset_ += n;
  remaining_ -= std::min<uint64_t>(remaining_, n);
}

bool HttpResponseParser::Feed(std::string_view bytes) {
  if (phase_ == Phase::kDone) return true;
  if (phase_ == Phase::kError) return false;
  pending_.append(bytes);
  bool progress = true;
  while (progress && phase_ != Phase::kDone && phase_ != Phase::kError) {
    switch (phase_) {
      case Phase::kHeaders:
        progress = StepHeaders();
        break;
      case Phase::kLengthBody:
      case Phase::kChunkData:
        TakeBody(remaining_);
        progress = remaining_ == 0;
        if (progress) phase_ = phase_ == Phase::kLengthBody ? Phase::kDone : Phase::kChunkEnd;
        break;
      case Phase::kChunkSize:
        progress = StepChunkSize();
        break;
      case Phase::kChunkEnd:
        progress = Rest().size() >= 2;
        if (!progress) break;
        if (!Rest().starts_with("\r\n"))
          return Fail("malformed HTTP chunk: no CRLF after the data");
        offset_ += 2;
        phase_ = Phase::kChunkSize;
        break;
      case Phase::kTrailers:
        progress = StepTrailers();
        break;
      case Phase::kUntilClose:
        if (body_.size() + Rest().size() > max_body_bytes_) {
          return Fail("HTTP response body larger than the limit");
        }
        body_.append(Rest());
        offset_ = pending_.size();
        progress = false;
        break;
      case Phase::kDone:
      case Phase::kError:
        break;
    }
  }
  pending_.erase(0, offset_);
  offset_ = 0;
  return phase_ != Phase::kError;
}

bool HttpResponseParser::FeedEnd() {
  if (phase_ == Phase::kUntilClose) phase_ = Phase::kDone;
  if (phase_ != Phase::kDone && phase_ != Phase::kError) {
    Fail("the connection closed before the HTTP response was complete");
  }
  return done();
}

bool HttpResponseParser::StepHeaders() {
  const std::string_view rest = Rest();
  const size_t end = rest.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    if (rest.size() > kMaxHeaderBytes) Fail("HTTP response header larger than the limit");
    return false;
  }
  if (end + 4 > kMaxHeaderBytes) return Fail("HTTP response header larger than the limit");
  const std::string_view block = rest.substr(0, end + 2);  // each line with its CRLF
  offset_ += end + 4;
  return StartBody(block);
}

bool HttpResponseParser::StartBody(std::string_view block) {
  const size_t status_end = block.find("\r\n");
  const std::string_view status_line = block.substr(0, status_end);
  // HTTP/1.x SP 3DIGIT [SP reason]
  if (status_line.size() < 12 || !status_line.starts_with("HTTP/1.") || status_line[8] != ' ' ||
      (status_line.size() > 12 && status_line[12] != ' ')) {
    return Fail("malformed HTTP status line");
  }
  const std::optional<uint64_t> status = ParseNumber(status_line.substr(9, 3), 10);
  if (!status || *status < 100 || *status > 599) return Fail("malformed HTTP status line");
  status_ = static_cast<int>(*status);

  std::optional<uint64_t> content_length;
  bool chunked = false;
  for (std::string_view rest = block.substr(status_end + 2); !rest.empty();) {
    const size_t line_end = rest.find("\r\n");
    const std::string_view line = rest.substr(0, line_end);
    rest.remove_prefix(line_end + 2);
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || !IsToken(line.substr(0, colon))) {
      return Fail("malformed HTTP header line");
    }
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = TrimSpace(line.substr(colon + 1));
    if (EqualsIgnoringCase(name, "content-length")) {
      const std::optional<uint64_t> length = ParseNumber(value, 10);
      if (!length || (content_length && *content_length != *length)) {
        return Fail("malformed HTTP Content-Length");
      }
      content_length = length;
    } else if (EqualsIgnoringCase(name, "transfer-encoding")) {
      if (!EqualsIgnoringCase(value, "chunked") || chunked) {
        return Fail("unsupported HTTP Transfer-Encoding");
      }
      chunked = true;
    }
  }
  if (chunked && content_length) return Fail("HTTP response with both a length and chunks");

  if (status_ == 101) return Fail("unexpected HTTP protocol switch");
  if (status_ < 200) return true;  // interim: the real response follows
  if (status_ == 204 || status_ == 304) {
    phase_ = Phase::kDone;
  } else if (chunked) {
    phase_ = Phase::kChunkSize;
  } else if (content_length) {
    if (*content_length > max_body_bytes_) return Fail("HTTP response body larger than the limit");
    remaining_ = *content_length;
    phase_ = remaining_ == 0 ? Phase::kDone : Phase::kLengthBody;
  } else {
    phase_ = Phase::kUntilClose;
  }
  return true;
}

bool HttpResponseParser::StepChunkSize() {
  std::string_view line;
  if (!TakeLine(line, kMaxChunkLine)) return false;
  const std::string_view size_text = TrimSpace(line.substr(0, line.find(';')));
  const std::optional<uint64_t> size = ParseNumber(size_text, 16);
  if (!size) return Fail("malformed HTTP chunk size");
  if (*size == 0) {
    phase_ = Phase::kTrailers;
  } else if (*size > max_body_bytes_ - body_.size()) {
    return Fail("HTTP response body larger than the limit");
  } else {
    remaining_ = *size;
    phase_ = Phase::kChunkData;
  }
  return true;
}

bool HttpResponseParser::StepTrailers() {
  std::string_view line;
  if (!TakeLine(line, kMaxHeaderBytes)) return false;
  trailer_bytes_ += line.size() + 2;
  if (trailer_bytes_ > kMaxHeaderBytes) return Fail("HTTP trailers larger than the limit");
  if (line.empty()) phase_ = Phase::kDone;
  return true;
}

}  // namespace dialogue::audit
