// Plain log lines on stderr ("2026-03-10T09:30:00.123456Z error ..."), one write per line.
// Thread-safe. Never pass secrets (tokens) in a message.
#pragma once

#include <string_view>

namespace dialogue::api {

void LogInfo(std::string_view message);
void LogError(std::string_view message);

}  // namespace dialogue::api
