// JSON in and out of handlers. Every POST route decodes its body with DecodeJsonBody, so all
// commands refuse bodies the same way and in the same order: a non-JSON Content-Type -> 415
// unsupported_media_type, then malformed JSON (invalid UTF-8 included), JSON nested deeper than
// kMaxJsonDepth, a key given twice in one object or a body that is not an object -> 400
// bad_request. (Bodies over the size limit never get here: the
// session answers 413 while reading.) Nothing throws.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string_view>
#include <tl/expected.hpp>

#include "api/http/http_types.hpp"

namespace dialogue::api {

inline constexpr int kMaxJsonDepth = 64;

// True for "application/json" and "application/<x>+json", any parameters and case.
bool IsJsonContentType(std::string_view content_type);

// The request body as a JSON object; an empty body is the empty object {} (commands without
// fields), whatever its Content-Type. On refusal, the problem response to send.
tl::expected<nlohmann::json, HttpResponse> DecodeJsonBody(const HttpRequest& request);

// A response with Content-Type application/json and value serialized as its body.
HttpResponse JsonResponse(int status, const nlohmann::json& value);

}  // namespace dialogue::api
