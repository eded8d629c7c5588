#include "engine/event_store.hpp"

#include <catch2/catch.hpp>

namespace dialogue::engine {
namespace {

TEST_CASE("smoke", "[store]") {
  auto store = NewInMemoryEventStore();
  AppendRequest request;
  request.writes.push_back({"s-1", ExpectedVersion::Any(), {{"T", R"({"b":1,"a":2})", {}}}});
  auto result = store->Append(request);
  REQUIRE(result);
  CHECK(result->last_position == 1);
}

}  // namespace
}  // namespace dialogue::engine

#include <filesystem>
namespace dialogue::engine {
namespace {
TEST_CASE("rocks smoke", "[store]") {
  auto dir = std::filesystem::temp_directory_path() / "engine-smoke";
  std::filesystem::remove_all(dir);
  {
    auto store = OpenRocksDbEventStore({dir.string(), true, nullptr, {}});
    REQUIRE(store);
    AppendRequest request;
    request.writes.push_back({"s-1", ExpectedVersion::Any(), {{"T", R"({"b":1,"a":2})", {}}}});
    auto result = (*store)->Append(request);
    REQUIRE(result);
    CHECK(result->last_position == 1);
    auto all = (*store)->ReadAll(0, 10);
    REQUIRE(all);
    REQUIRE(all->size() == 1);
    CHECK((*all)[0].data == R"({"a":2,"b":1})");
  }
  auto store = OpenRocksDbEventStore({dir.string(), true, nullptr, {}});
  REQUIRE(store);
  CHECK((*store)->Head().position == 1);
  auto report = (*store)->Verify();
  REQUIRE(report);
  CHECK(report->ok);
  std::filesystem::remove_all(dir);
}
}  // namespace
}  // namespace dialogue::engine
