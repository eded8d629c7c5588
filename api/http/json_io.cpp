#include "api/http/json_io.hpp"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <tl/expected.hpp>
#include <unordered_set>
#include <vector>

#include "api/http/problem.hpp"

namespace dialogue::api {
namespace {

std::string_view Trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n";
  const size_t first = s.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(kSpace) - first + 1);
}

// The deepest nesting of arrays and objects, strings skipped. The parser itself does not
// recurse, but later walks of the value (dump, destruction) may: bound it before parsing.
int NestingDepth(std::string_view text) {
  int depth = 0;
  int max_depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      max_depth = std::max(max_depth, ++depth);
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return max_depth;
}

}  // namespace

bool IsJsonContentType(std::string_view content_type) {
  std::string_view media = Trim(content_type.substr(0, content_type.find(';')));
  constexpr std::string_view kJson = "application/json";
  constexpr std::string_view kApplication = "application/";
  constexpr std::string_view kSuffix = "+json";
  if (EqualsIgnoreCase(media, kJson)) return true;
  return media.size() > kApplication.size() + kSuffix.size() &&
         EqualsIgnoreCase(media.substr(0, kApplication.size()), kApplication) &&
         EqualsIgnoreCase(media.substr(media.size() - kSuffix.size()), kSuffix);
}

tl::expected<nlohmann::json, HttpResponse> DecodeJsonBody(const HttpRequest& request) {
  if (Trim(request.body).empty()) return nlohmann::json::object();
  auto content_type = request.headers.Get("Content-Type");
  if (!content_type || !IsJsonContentType(*content_type)) {
    return tl::unexpected(ProblemResponse(
        415, "unsupported_media_type",
        "the body must be sent with Content-Type: application/json" +
            (content_type ? ", not " + std::string(*content_type) : std::string())));
  }
  if (NestingDepth(request.body) > kMaxJsonDepth) {
    return tl::unexpected(ProblemResponse(
        400, "bad_request", "JSON nested deeper than " + std::to_string(kMaxJsonDepth)));
  }
  // A key given twice in one object is refused: which of the two values counts would otherwise
  // depend on the parser (nlohmann keeps the last), and a reviewer reading the body could see the
  // other.
  std::vector<std::unordered_set<std::string>> open_objects;
  std::optional<std::string> duplicate;
  const nlohmann::json::parser_callback_t check_keys = [&](int, nlohmann::json::parse_event_t event,
                                                           nlohmann::json& parsed) {
    using Event = nlohmann::json::parse_event_t;
    if (event == Event::object_start) {
      open_objects.emplace_back();
    } else if (event == Event::object_end) {
      if (!open_objects.empty()) open_objects.pop_back();
    } else if (event == Event::key && !open_objects.empty() && !duplicate) {
      const auto& key = parsed.get_ref<const std::string&>();
      if (!open_objects.back().insert(key).second) duplicate = key;
    }
    return true;
  };
  nlohmann::json value =
      nlohmann::json::parse(request.body, check_keys, /*allow_exceptions=*/false);
  if (value.is_discarded()) {
    return tl::unexpected(ProblemResponse(400, "bad_request", "the body is not valid JSON"));
  }
  if (duplicate) {
    constexpr size_t kMaxShown = 100;
    std::string shown = duplicate->substr(0, kMaxShown);
    if (duplicate->size() > kMaxShown) shown += "...";
    return tl::unexpected(
        ProblemResponse(400, "bad_request", "the body gives the key \"" + shown + "\" twice"));
  }
  if (!value.is_object()) {
    return tl::unexpected(ProblemResponse(400, "bad_request", "the body must be a JSON object"));
  }
  return value;
}

HttpResponse JsonResponse(int status, const nlohmann::json& value) {
  HttpResponse response;
  response.status = status;
  response.headers.Set("Content-Type", "application/json");
  response.body = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

}  // namespace dialogue::api
