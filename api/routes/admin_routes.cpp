// POST /v1/admin/backups: an online backup of the store (engine/backup.hpp), for the operator
// role only (deny by default: no other role, and no backup folder unless serve names one).
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "api/http/auth.hpp"
#include "api/http/json_io.hpp"
#include "api/http/problem.hpp"
#include "api/http/router.hpp"
#include "api/routes/routes.hpp"
#include "engine/backup.hpp"
#include "engine/time.hpp"

namespace dialogue::api {
namespace {

namespace fs = std::filesystem;

// "backup-20261206T101500.123456Z": sorts by time; a name taken already gets "-2", "-3"...
std::string NewBackupFolder(const std::string& backups_dir, engine::TimePoint now) {
  std::string stamp = engine::FormatRfc3339(now);
  std::erase(stamp, '-');
  std::erase(stamp, ':');
  const std::string base = (fs::path(backups_dir) / ("backup-" + stamp)).string();
  std::string folder = base;
  std::error_code ec;
  for (int n = 2; fs::exists(folder, ec) || fs::exists(folder + ".partial", ec); ++n) {
    folder = base + "-" + std::to_string(n);
  }
  return folder;
}

}  // namespace

void RegisterAdminRoutes(Router& router, ApiContext& context) {
  router.Add(
      "POST", "/v1/admin/backups", Access::Roles({kRoleOperator}),
      [&context](const RequestContext&) {
        if (context.backups_dir.empty() || context.data_dir.empty()) {
          return ProblemResponse(503, "unavailable",
                                 "no backup folder: start the server with --backups DIR");
        }
        std::error_code ec;
        fs::create_directories(context.backups_dir, ec);
        if (ec) {
          return ProblemResponse(500, "internal_error",
                                 "cannot create the backup folder: " + ec.message());
        }
        const engine::TimePoint now = context.clock.Now();
        auto made =
            engine::CreateBackup(context.data_dir, NewBackupFolder(context.backups_dir, now), now);
        if (!made) return ErrorResponse(made.error());
        return JsonResponse(201, {{"path", made->path},
                                  {"head_position", made->head_position},
                                  {"head_hash", made->head_hash},
                                  {"created_at", made->created_at}});
      },
      Work::kMayBlock);
}

}  // namespace dialogue::api
