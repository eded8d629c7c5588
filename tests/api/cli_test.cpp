// dialogue export | import | verify, through the real binary and through the functions.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sstream>

#include "api/cli/commands.hpp"
#include "tests/api/test_support.hpp"

namespace dialogue::api {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string Join(const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& line : lines) text += line + "\n";
  return text;
}

// A store with 6 events in two streams; its head.
engine::LedgerHead FillStore(const std::string& path) {
  engine::RocksDbOptions options;
  options.path = path;
  auto store = engine::OpenRocksDbEventStore(options).value();
  testing::AppendEvents(*store, "briefing-b1", 4);
  testing::AppendEvents(*store, "referral-b1.ngo-a", 2);
  return store->Head();
}

uint64_t HeadOf(const std::string& path) {
  engine::RocksDbOptions options;
  options.path = path;
  return engine::OpenRocksDbEventStore(options).value()->Head().position;
}

struct Run {
  int code;
  std::string out;
  std::string err;
};

Run Import(const std::string& data_dir, const std::string& ndjson) {
  std::istringstream in(ndjson);
  std::ostringstream out;
  std::ostringstream err;
  const int code = RunImport(data_dir, in, out, err);
  return {code, out.str(), err.str()};
}

TEST_CASE("export, import into a new folder and verify give the same head", "[cli]") {
  testing::TempDir dir;
  const engine::LedgerHead head = FillStore(dir.Path("source"));

  REQUIRE(testing::RunDialogue({"export", "--data", dir.Path("source")}, "",
                               dir.Path("export.ndjson")) == 0);
  const auto lines = Lines(testing::ReadFile(dir.Path("export.ndjson")));
  REQUIRE(lines.size() == 6);
  for (size_t i = 0; i < lines.size(); ++i) {
    const auto event = nlohmann::json::parse(lines[i]);
    CHECK(event["position"] == i + 1);
    CHECK(event["data"].is_object());
  }

  REQUIRE(testing::RunDialogue({"import", "--data", dir.Path("copy")}, dir.Path("export.ndjson"),
                               dir.Path("import.out")) == 0);
  CHECK_THAT(testing::ReadFile(dir.Path("import.out")), Catch::Contains("imported 6 events"));

  for (const char* store : {"source", "copy"}) {
    REQUIRE(testing::RunDialogue({"verify", "--data", dir.Path(store)}, "",
                                 dir.Path("verify.out")) == 0);
    CHECK(testing::ReadFile(dir.Path("verify.out")) ==
          "ok: head position 6 hash " + head.hash + "\n");
  }

  // And the copy exports the very same bytes.
  REQUIRE(testing::RunDialogue({"export", "--data", dir.Path("copy")}, "",
                               dir.Path("again.ndjson")) == 0);
  CHECK(testing::ReadFile(dir.Path("again.ndjson")) ==
        testing::ReadFile(dir.Path("export.ndjson")));
}

class ExportedLog {
 public:
  ExportedLog() {
    FillStore(dir_.Path("source"));
    std::ostringstream out;
    std::ostringstream err;
    REQUIRE(RunExport(dir_.Path("source"), out, err) == 0);
    lines_ = Lines(out.str());
    REQUIRE(lines_.size() == 6);
  }

 protected:
  // Line n (1-based) with member changed.
  std::vector<std::string> With(size_t n, const std::string& member, nlohmann::json value) const {
    auto lines = lines_;
    auto event = nlohmann::json::parse(lines[n - 1]);
    event[member] = std::move(value);
    lines[n - 1] = event.dump();
    return lines;
  }

  testing::TempDir dir_;
  std::vector<std::string> lines_;
};

TEST_CASE_METHOD(ExportedLog, "A forged line refuses the whole import", "[cli]") {
  struct Forgery {
    const char* what;
    std::vector<std::string> lines;
    size_t bad_line;
    const char* message;
  };
  auto changed_data = nlohmann::json::parse(lines_[3]);
  changed_data["data"]["i"] = 42;
  auto reordered = lines_;
  std::swap(reordered[2], reordered[3]);
  auto dropped = lines_;
  dropped.erase(dropped.begin() + 1);
  auto garbled = lines_;
  garbled[4] = "{\"position\":5,";
  const std::vector<Forgery> forgeries = {
      {"changed data", With(4, "data", changed_data["data"]), 4, "hash does not match"},
      {"changed hash", With(5, "hash", std::string(64, 'a')), 5, "hash does not match"},
      {"changed actor", With(2, "actor", "someone-else"), 2, "hash does not match"},
      {"relinked", With(3, "prev_hash", std::string(64, '0')), 3, "prev_hash"},
      {"out of order", reordered, 3, "out of order"},
      {"a gap", dropped, 2, "out of order"},
      {"data not an object", With(6, "data", nullptr), 6, "data"},
      {"not JSON", garbled, 5, "not valid JSON"},
  };
  for (const auto& forgery : forgeries) {
    INFO(forgery.what);
    const std::string target = dir_.Path(std::string("target-") + forgery.what);
    Run run = Import(target, Join(forgery.lines));
    CHECK(run.code == 1);
    CHECK_THAT(run.err, Catch::Contains("line " + std::to_string(forgery.bad_line)) &&
                            Catch::Contains(forgery.message));
    // Nothing of it remains: no target folder, no staging folder beside it.
    CHECK_FALSE(fs::exists(target));
  }
  for (const auto& entry : fs::directory_iterator(dir_.Path(""))) {
    CHECK_THAT(entry.path().filename().string(), !Catch::Contains(".import-"));
  }
}

TEST_CASE_METHOD(ExportedLog, "A refused import leaves an existing empty store empty", "[cli]") {
  const std::string target = dir_.Path("empty");
  {
    engine::RocksDbOptions options;
    options.path = target;
    REQUIRE(engine::OpenRocksDbEventStore(options));
  }
  auto lines = With(6, "hash", std::string(64, 'b'));
  testing::WriteFile(dir_.Path("forged.ndjson"), Join(lines));
  CHECK(testing::RunDialogue({"import", "--data", target}, dir_.Path("forged.ndjson")) == 1);
  CHECK(HeadOf(target) == 0);
  // The same log, unforged, then goes in.
  CHECK(Import(target, Join(lines_)).code == 0);
  CHECK(HeadOf(target) == 6);
}

TEST_CASE_METHOD(ExportedLog, "Import refuses a store that holds events", "[cli]") {
  Run run = Import(dir_.Path("source"), Join(lines_));
  CHECK(run.code == 1);
  CHECK_THAT(run.err, Catch::Contains("not empty"));
  CHECK(HeadOf(dir_.Path("source")) == 6);
}

TEST_CASE_METHOD(ExportedLog, "Blank lines are skipped, an empty input imports nothing", "[cli]") {
  CHECK(Import(dir_.Path("blank"), "\n" + Join(lines_) + "\n\n").code == 0);
  CHECK(HeadOf(dir_.Path("blank")) == 6);
  Run empty = Import(dir_.Path("nothing"), "");
  CHECK(empty.code == 0);
  CHECK(HeadOf(dir_.Path("nothing")) == 0);
}

TEST_CASE("verify and export refuse a folder without a store", "[cli]") {
  testing::TempDir dir;
  std::ostringstream out;
  std::ostringstream err;
  CHECK(RunVerify(dir.Path("missing"), out, err) == 2);
  CHECK(RunExport(dir.Path("missing"), out, err) == 2);
  CHECK_FALSE(fs::exists(dir.Path("missing")));
  CHECK(testing::RunDialogue({"verify", "--data", dir.Path("missing")}) == 2);
}

TEST_CASE("Listen addresses parse", "[cli]") {
  auto v4 = ParseListenAddress("127.0.0.1:8080");
  REQUIRE(v4);
  CHECK(v4->host == "127.0.0.1");
  CHECK(v4->port == 8080);
  auto v6 = ParseListenAddress("[::1]:0");
  REQUIRE(v6);
  CHECK(v6->host == "::1");
  CHECK(v6->port == 0);
  CHECK(ParseListenAddress("localhost:1")->host == "127.0.0.1");
  for (const char* bad : {"8080", ":8080", "host:", "host:65536", "::1:80", "h:8x"}) {
    CHECK_FALSE(ParseListenAddress(bad));
  }
}

}  // namespace
}  // namespace dialogue::api
