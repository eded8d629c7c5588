#include "engine/durable_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace dialogue::engine {
namespace {

std::string ErrnoText() { return std::strerror(errno); }

}  // namespace

Status WriteNewFile(const std::string& path, std::string_view text, mode_t mode, bool sync) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return Fail(Error::IOError("cannot create " + path + ": " + ErrnoText()));
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string why = ErrnoText();
      ::close(fd);
      return Fail(Error::IOError("cannot write " + path + ": " + why));
    }
    done += static_cast<size_t>(n);
  }
  if ((sync && ::fsync(fd) != 0) || ::close(fd) != 0) {
    return Fail(Error::IOError("cannot sync " + path + ": " + ErrnoText()));
  }
  return {};
}

Status SyncFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Fail(Error::IOError("cannot open " + path + ": " + ErrnoText()));
  const int synced = ::fsync(fd);
  ::close(fd);
  if (synced != 0) return Fail(Error::IOError("cannot sync " + path + ": " + ErrnoText()));
  return {};
}

Status SyncFolder(const std::string& folder) {
  const int fd = ::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Fail(Error::IOError("cannot open " + folder + ": " + ErrnoText()));
  const int synced = ::fsync(fd);
  ::close(fd);
  if (synced != 0) return Fail(Error::IOError("cannot sync " + folder + ": " + ErrnoText()));
  return {};
}

Status SyncFolderOf(const std::string& path) {
  return SyncFolder(std::filesystem::path(path).parent_path().string());
}

}  // namespace dialogue::engine
