#include "engine/time.hpp"

#include <catch2/catch.hpp>

namespace dialogue::engine {
namespace {

TEST_CASE("FormatRfc3339 writes whole seconds without a fraction", "[time]") {
  auto t = ParseRfc3339("2026-03-10T09:30:00Z");
  REQUIRE(t);
  CHECK(FormatRfc3339(*t) == "2026-03-10T09:30:00Z");
}

}  // namespace
}  // namespace dialogue::engine
