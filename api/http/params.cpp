#include "api/http/params.hpp"

#include <charconv>

#include "api/http/problem.hpp"

namespace dialogue::api {
namespace {

HttpResponse BadParam(const std::string& name, const std::string& message) {
  Problem problem = MakeProblem(400, "bad_request", "query parameter " + name + ": " + message);
  problem.errors.push_back({name, message});
  return ProblemResponse(problem);
}

}  // namespace

tl::expected<uint64_t, HttpResponse> UnsignedQueryParam(const RequestContext& context,
                                                        const std::string& name, uint64_t fallback,
                                                        uint64_t max) {
  auto text = context.Query(name);
  if (!text) return fallback;
  uint64_t value = 0;
  const char* begin = text->data();
  const char* end = begin + text->size();
  auto [ptr, ec] = std::from_chars(begin, end, value);
  if (text->empty() || ec != std::errc() || ptr != end) {
    return tl::unexpected(BadParam(name, "must be a non-negative integer"));
  }
  if (value > max) {
    return tl::unexpected(BadParam(name, "must be at most " + std::to_string(max)));
  }
  return value;
}

tl::expected<uint64_t, HttpResponse> PageLimit(const RequestContext& context) {
  auto limit = UnsignedQueryParam(context, "limit", kDefaultPageLimit, kMaxPageLimit);
  if (limit && *limit == 0) return tl::unexpected(BadParam("limit", "must be at least 1"));
  return limit;
}

}  // namespace dialogue::api
