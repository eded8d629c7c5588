// A fresh directory for one test, removed with everything in it on destruction. The tests of
// every layer use it (through their test_support.hpp).
#pragma once

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

namespace dialogue::testing {

class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    root_ =
        std::filesystem::temp_directory_path() / ("dialogue-test-" + std::to_string(::getpid()) +
                                                  "-" + std::to_string(counter.fetch_add(1)));
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(root_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // A path inside the directory (not created).
  std::string Path(std::string_view name) const { return (root_ / name).string(); }
  // Where a test keeps its store: "db" inside the directory.
  std::string path() const { return Path("db"); }

 private:
  std::filesystem::path root_;
};

}  // namespace dialogue::testing
