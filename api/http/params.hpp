// Query parameters shared by the read endpoints. A bad value answers 400 bad_request with
// errors:[{field, message}].
#pragma once

#include <cstdint>
#include <string>
#include <tl/expected.hpp>

#include "api/http/http_types.hpp"
#include "api/http/router.hpp"

namespace dialogue::api {

inline constexpr uint64_t kDefaultPageLimit = 100;
inline constexpr uint64_t kMaxPageLimit = 1000;

// The unsigned integer query parameter name (decimal digits only), fallback when absent,
// refused above max.
tl::expected<uint64_t, HttpResponse> UnsignedQueryParam(const RequestContext& context,
                                                        const std::string& name, uint64_t fallback,
                                                        uint64_t max = UINT64_MAX);

// ?limit=N: 1..kMaxPageLimit, default kDefaultPageLimit.
tl::expected<uint64_t, HttpResponse> PageLimit(const RequestContext& context);

}  // namespace dialogue::api
