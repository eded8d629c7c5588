#include "app/lease.hpp"

#include <atomic>
#include <mutex>
#include <thread>
#include <utility>

#include "app/nats_link.hpp"
#include "app/stop_signal.hpp"

namespace dialogue::app {
namespace {

constexpr char kKey[] = "leader";
constexpr auto kFirstRetry = std::chrono::milliseconds(50);
constexpr auto kLastRetry = std::chrono::milliseconds(1000);

using Clock = std::chrono::steady_clock;

int64_t Now() { return Clock::now().time_since_epoch().count(); }

}  // namespace

struct Lease::Impl {
  explicit Impl(LeaseOptions o) : options(std::move(o)) {}
  ~Impl() {
    if (kv != nullptr) kvStore_Destroy(kv);
  }

  void Run();
  // Binds the bucket (creating it when missing); false while NATS cannot be reached.
  bool Bind();
  void TryTake();
  void Renew();
  void Release();
  void Won(int64_t sent, uint64_t revision);
  void Lost(const std::string& why);
  void Failed(const std::string& what);
  void Note(const std::string& what) {
    if (options.note) options.note(what);
  }
  bool Sleep(std::chrono::milliseconds wait) { return stop.Sleep(wait); }
  bool Stopping() const { return stop.Stopping(); }
  // Stops the thread; then, unless abandoning, gives up a lease still held (the thread's kv is
  // the caller's once it has ended).
  void Stop(bool abandon) {
    if (!stop.Stop()) return;
    if (thread.joinable()) thread.join();
    if (!abandon && kv != nullptr && valid_until.load() != 0) Release();
    valid_until.store(0);
  }

  const LeaseOptions options;
  const int64_t half_ttl =
      std::chrono::duration_cast<Clock::duration>(options.ttl).count() / 2;  // in Clock ticks
  std::unique_ptr<NatsLink> link;
  kvStore* kv = nullptr;  // the lease thread's

  // Held until this instant (Clock ticks); 0 when not held.
  std::atomic<int64_t> valid_until{0};

  mutable std::mutex status_mu;
  LeaseStatus status;  // guarded by status_mu; `held` and `connected` are read live

  StopSignal stop;
  std::thread thread;
};

bool Lease::Impl::Bind() {
  if (!link->Connected()) return false;
  if (kv != nullptr) return true;
  kvConfig config;
  kvConfig_Init(&config);
  config.Bucket = options.bucket.c_str();
  config.History = 1;
  config.TTL = std::chrono::nanoseconds(options.ttl).count();  // the stream's MaxAge
  config.StorageType = js_FileStorage;
  config.Replicas = options.replicas;
  natsStatus s = js_CreateKeyValue(&kv, link->js(), &config);
  std::string created = s == NATS_OK ? std::string() : Text(s) + ": " + LastError();
  // A bucket made with another TTL or replicas is used as it is.
  if (s != NATS_OK) s = js_KeyValue(&kv, link->js(), options.bucket.c_str());
  if (s != NATS_OK) {
    kv = nullptr;
    Failed("cannot create the bucket " + options.bucket + " (" + created + ") or bind it (" +
           Text(s) + ")");
    return false;
  }
  return true;
}

void Lease::Impl::Won(int64_t sent, uint64_t revision) {
  valid_until.store(sent + half_ttl);
  {
    std::lock_guard lock(status_mu);
    status.leader = options.holder;
    status.revision = revision;
    ++status.won;
    status.last_error.clear();
  }
  Note("lease: " + options.holder + " holds the lease of " + options.bucket + " (revision " +
       std::to_string(revision) + ")");
}

void Lease::Impl::Lost(const std::string& why) {
  valid_until.store(0);
  {
    std::lock_guard lock(status_mu);
    ++status.lost;
    status.leader.clear();
    status.last_error = why;
  }
  Note("lease: lost: " + why);
}

void Lease::Impl::Failed(const std::string& what) {
  bool again = false;
  {
    std::lock_guard lock(status_mu);
    again = status.last_error == what;
    status.last_error = what;
  }
  if (!again) Note("lease: " + what);  // a failure that repeats is told once
}

void Lease::Impl::TryTake() {
  kvEntry* entry = nullptr;
  natsStatus s = kvStore_Get(&entry, kv, kKey);
  uint64_t free_revision = 0;  // of the empty value a holder left, when there is one
  if (s == NATS_OK) {
    const int length = kvEntry_ValueLen(entry);
    const uint64_t revision = kvEntry_Revision(entry);
    if (length > 0) {
      std::lock_guard lock(status_mu);
      status.leader.assign(static_cast<const char*>(kvEntry_Value(entry)),
                           static_cast<size_t>(length));
      status.revision = revision;
    } else {
      free_revision = revision;
    }
    kvEntry_Destroy(entry);
    if (length > 0) return;
  } else if (s != NATS_NOT_FOUND) {
    Failed("reading the lease: " + Text(s));
    return;
  }
  const int64_t sent = Now();
  uint64_t revision = 0;
  const int length = static_cast<int>(options.holder.size());
  s = free_revision == 0
          ? kvStore_Create(&revision, kv, kKey, options.holder.data(), length)
          : kvStore_Update(&revision, kv, kKey, options.holder.data(), length, free_revision);
  if (s == NATS_OK) {
    Won(sent, revision);
  } else if (s != NATS_ERR) {
    Failed("taking the lease: " + Text(s));
  }
  // NATS_ERR: another node wrote first; the next read names it.
}

void Lease::Impl::Renew() {
  uint64_t last = 0;
  {
    std::lock_guard lock(status_mu);
    last = status.revision;
  }
  const int64_t sent = Now();
  uint64_t revision = 0;
  natsStatus s = kvStore_Update(&revision, kv, kKey, options.holder.data(),
                                static_cast<int>(options.holder.size()), last);
  if (s == NATS_OK) {
    valid_until.store(sent + half_ttl);
    std::lock_guard lock(status_mu);
    status.revision = revision;
    return;
  }
  if (s == NATS_ERR) {
    // Refused: another node wrote, or a renewal of ours that timed out did land after all (the
    // value then still names this node, at a later revision: adopt it).
    kvEntry* entry = nullptr;
    if (kvStore_Get(&entry, kv, kKey) == NATS_OK) {
      const std::string holder(static_cast<const char*>(kvEntry_Value(entry)),
                               static_cast<size_t>(kvEntry_ValueLen(entry)));
      const uint64_t current = kvEntry_Revision(entry);
      kvEntry_Destroy(entry);
      if (holder == options.holder && current > last) {
        std::lock_guard lock(status_mu);
        status.revision = current;
        return;  // renewed at the next turn, within the same deadline
      }
    }
    Lost(std::string("the renewal was refused: another node holds it (") + LastError() + ")");
  } else if (Now() >= valid_until.load()) {
    Lost("no renewal succeeded within half the TTL: " + Text(s));
  }
}

void Lease::Impl::Release() {
  uint64_t last = 0;
  {
    std::lock_guard lock(status_mu);
    last = status.revision;
  }
  valid_until.store(0);
  if (kvStore_Update(nullptr, kv, kKey, "", 0, last) == NATS_OK) {
    Note("lease: " + options.holder + " gave the lease up");
  }
}

void Lease::Impl::Run() {
  auto backoff = kFirstRetry;
  for (;;) {
    if (Stopping()) break;
    if (!Bind()) {
      if (valid_until.load() != 0 && Now() >= valid_until.load()) {
        Lost("NATS unreachable for half the TTL");
      }
      Sleep(std::min(backoff, options.ttl / 6));
      backoff = std::min(backoff * 2, kLastRetry);
      continue;
    }
    backoff = kFirstRetry;
    if (valid_until.load() != 0) {
      Renew();
    } else if (!options.may_take || options.may_take()) {
      TryTake();
    }
    Sleep(options.ttl / 6);
  }
}

engine::Result<std::unique_ptr<Lease>> Lease::Start(LeaseOptions options) {
  if (options.servers.empty()) {
    return engine::Fail(engine::Error::InvalidArgument("the lease needs a NATS server"));
  }
  if (options.holder.empty()) {
    return engine::Fail(engine::Error::InvalidArgument("the lease needs this node's name"));
  }
  if (options.ttl < std::chrono::milliseconds(400)) {
    return engine::Fail(engine::Error::InvalidArgument("the lease's TTL is at least 400 ms"));
  }
  auto impl = std::make_unique<Impl>(std::move(options));
  // A request lost with its connection (the NATS server it went to died) gives up within ttl / 8,
  // so that the next renewal, on the connection made again, still comes before ttl / 2.
  ASSIGN_OR_RETURN(impl->link, NatsLink::Open(impl->options.servers, impl->options.ttl / 8, 16));
  Impl* raw = impl.get();
  std::unique_ptr<Lease> lease(new Lease(std::move(impl)));
  raw->thread = std::thread([raw] { raw->Run(); });
  return lease;
}

Lease::Lease(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Lease::~Lease() { impl_->Stop(/*abandon=*/false); }

void Lease::Stop() { impl_->Stop(/*abandon=*/false); }

void Lease::Abandon() { impl_->Stop(/*abandon=*/true); }

bool Lease::Held() const {
  const int64_t until = impl_->valid_until.load();
  return until != 0 && Now() < until;
}

LeaseStatus Lease::Status() const {
  LeaseStatus status;
  {
    std::lock_guard lock(impl_->status_mu);
    status = impl_->status;
  }
  status.held = Held();
  status.connected = impl_->link->Connected();
  return status;
}

}  // namespace dialogue::app
