// The console's files (console/ in the repository), embedded into the binary at build time by
// cmake/embed_console.cmake: the one executable is all a user installs.
#pragma once

#include <span>
#include <string_view>

namespace dialogue::api {

struct ConsoleAsset {
  std::string_view path;   // relative to console/: "index.html", "app.js"
  std::string_view bytes;  // the file's content
};

// Every file, sorted by path.
std::span<const ConsoleAsset> ConsoleAssets();

}  // namespace dialogue::api
