// The log read for the fold (projections/page_reader): every event once, in position order, in
// pages of at most kPageSize, whether the log ends inside a page, on a page's edge or on the edge
// of one of the helpers' scans; and a read that fails partway stops the fold there.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "engine/event_store.hpp"
#include "projections/page_reader.hpp"
#include "tests/projections/recording_store.hpp"
#include "tests/projections/test_support.hpp"

namespace dialogue::projections {
namespace {

using detail::DecodedPage;
using detail::kPageSize;
using detail::ReadAndFold;

// Appends `count` events to one stream, so that each event's version is its position.
void AppendOneStream(engine::EventStore& store, uint64_t count) {
  constexpr uint64_t kPerRequest = 500;
  for (uint64_t done = 0; done < count;) {
    engine::AppendRequest request;
    engine::StreamWrite& write = request.writes.emplace_back();
    write.stream = "page-test";
    for (; done < count && write.events.size() < kPerRequest; ++done) {
      write.events.push_back({"page.tested", "{\"n\":" + std::to_string(done) + "}", {}});
    }
    auto appended = store.Append(request);
    REQUIRE(appended);
  }
}

// What the fold was handed: the versions in order and the page sizes.
struct Folded {
  std::vector<uint64_t> versions;
  std::vector<size_t> page_sizes;
  bool positions_follow = true;  // each page's last position is the last version seen so far
};

Folded FoldFrom(const engine::EventStore& store, uint64_t after, uint64_t* reached) {
  Folded folded;
  auto result = ReadAndFold(store, after, [&folded](const DecodedPage& page) {
    folded.page_sizes.push_back(page.size());
    for (const auto& event : page.events) folded.versions.push_back(event.version);
    folded.positions_follow = folded.positions_follow && !folded.versions.empty() &&
                              page.last_position == folded.versions.back();
  });
  REQUIRE(result);
  *reached = *result;
  return folded;
}

}  // namespace

TEST_CASE("The fold gets every event once, in order, whatever the log's length", "[page_reader]") {
  // Lengths around the edges of a page and of the read-ahead helpers' scans of several pages.
  const uint64_t length = GENERATE(as<uint64_t>{}, 0, 1, 999, 1000, 1001, 2000, 4999, 5000, 5001,
                                   9000, 9001, 13000, 21437);
  testing::StoreUnderTest store(GENERATE("memory", "rocksdb"));
  AppendOneStream(*store, length);
  CAPTURE(length);

  for (const uint64_t after : {uint64_t{0}, length / 3}) {
    CAPTURE(after);
    uint64_t reached = 0;
    const Folded folded = FoldFrom(*store, after, &reached);
    CHECK(reached == length);
    REQUIRE(folded.versions.size() == length - after);
    bool in_order = true;
    for (size_t i = 0; i < folded.versions.size(); ++i) {
      in_order = in_order && folded.versions[i] == after + i + 1;
    }
    CHECK(in_order);
    CHECK(folded.positions_follow);
    // Full pages, then at most one short one at the end.
    for (size_t i = 0; i + 1 < folded.page_sizes.size(); ++i) {
      CHECK(folded.page_sizes[i] == kPageSize);
    }
    if (!folded.page_sizes.empty()) {
      CHECK(folded.page_sizes.back() > 0);
      CHECK(folded.page_sizes.back() <= kPageSize);
    }
  }
}

TEST_CASE("A read that fails partway stops the fold at the last page read", "[page_reader]") {
  const uint64_t fail_after = GENERATE(as<uint64_t>{}, 500, 3000, 7000, 15000);
  auto inner = engine::NewInMemoryEventStore();
  AppendOneStream(*inner, 20000);
  testing::RecordingStore store(*inner);
  store.FailReadsPast(fail_after);
  CAPTURE(fail_after);

  std::vector<uint64_t> versions;
  auto result = ReadAndFold(store, 0, [&versions](const DecodedPage& page) {
    for (const auto& event : page.events) versions.push_back(event.version);
  });
  REQUIRE_FALSE(result);
  CHECK(result.error().code == engine::ErrorCode::kIOError);
  // What was folded is whole pages from the start, none past the failure.
  CHECK(versions.size() % kPageSize == 0);
  CHECK(versions.size() <= fail_after);
  bool in_order = true;
  for (size_t i = 0; i < versions.size(); ++i) in_order = in_order && versions[i] == i + 1;
  CHECK(in_order);
}

}  // namespace dialogue::projections
