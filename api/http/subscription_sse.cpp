#include "api/http/subscription_sse.hpp"

#include <algorithm>
#include <charconv>

#include "engine/event_json.hpp"

namespace dialogue::api {

std::string SseEventRecord(const engine::RecordedEvent& event) {
  // One line: control characters inside strings are escaped. Written straight to text, the
  // stored data copied, not parsed again (engine/event_json.hpp).
  std::string record;
  record.reserve(event.data.size() + event.type.size() + 600);
  record.append("id: ").append(std::to_string(event.position));
  record.append("\nevent: ").append(event.type);
  record.append("\ndata: ");
  engine::AppendEventJson(record, event);
  record.append("\n\n");
  return record;
}

std::string SseRetryRecord(std::chrono::milliseconds retry) {
  return "retry: " + std::to_string(retry.count()) + "\n\n";
}

void SseParser::Feed(std::string_view bytes, std::vector<SseMessage>& out) {
  for (const char c : bytes) {
    if (after_cr_) {
      after_cr_ = false;
      if (c == '\n') continue;  // the LF of a CRLF
    }
    if (c == '\r' || c == '\n') {
      after_cr_ = c == '\r';
      Line(line_, out);
      line_.clear();
      continue;
    }
    line_.push_back(c);
  }
}

void SseParser::Line(std::string_view line, std::vector<SseMessage>& out) {
  if (line.empty()) {
    if (has_data_) {
      if (!data_.empty() && data_.back() == '\n') data_.pop_back();
      out.push_back({last_event_id_, std::move(event_), std::move(data_)});
    }
    event_.clear();
    data_.clear();
    has_data_ = false;
    return;
  }
  if (line.front() == ':') {
    ++comments_;
    return;
  }
  std::string_view field = line;
  std::string_view value;
  if (const size_t colon = line.find(':'); colon != std::string_view::npos) {
    field = line.substr(0, colon);
    value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  }
  if (field == "data") {
    data_.append(value).push_back('\n');
    has_data_ = true;
  } else if (field == "event") {
    event_ = std::string(value);
  } else if (field == "id") {
    if (value.find('\0') == std::string_view::npos) last_event_id_ = std::string(value);
  } else if (field == "retry") {
    uint64_t ms = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), ms);
    if (ec == std::errc() && end == value.data() + value.size() && !value.empty()) {
      retry_ = std::chrono::milliseconds(ms);
    }
  }
}

bool ChunkedDecoder::Feed(std::string_view bytes, std::string& out) {
  size_t i = 0;
  while (i < bytes.size()) {
    switch (state_) {
      case State::kData: {
        const size_t take = static_cast<size_t>(std::min<uint64_t>(remaining_, bytes.size() - i));
        out.append(bytes.substr(i, take));
        i += take;
        remaining_ -= take;
        if (remaining_ == 0) state_ = State::kDataEnd;
        break;
      }
      case State::kSize:
      case State::kDataEnd:
      case State::kTrailer: {
        const char c = bytes[i++];
        if (c != '\n') {
          line_.push_back(c);
          break;
        }
        if (!line_.empty() && line_.back() == '\r') line_.pop_back();
        std::string line = std::move(line_);
        line_.clear();
        if (state_ == State::kDataEnd) {
          if (!line.empty())
            state_ = State::kBad;
          else
            state_ = State::kSize;
        } else if (state_ == State::kTrailer) {
          if (line.empty()) state_ = State::kDone;
        } else {
          const std::string_view size_text =
              std::string_view(line).substr(0, line.find_first_of("; \t"));
          uint64_t size = 0;
          auto [end, ec] =
              std::from_chars(size_text.data(), size_text.data() + size_text.size(), size, 16);
          if (size_text.empty() || ec != std::errc() ||
              end != size_text.data() + size_text.size()) {
            state_ = State::kBad;
          } else if (size == 0) {
            state_ = State::kTrailer;
          } else {
            remaining_ = size;
            state_ = State::kData;
          }
        }
        break;
      }
      case State::kDone:
        return true;  // bytes after the end are not ours
      case State::kBad:
        return false;
    }
  }
  return state_ != State::kBad;
}

}  // namespace dialogue::api
