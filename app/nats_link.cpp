#include "app/nats_link.hpp"

#include <charconv>
#include <nlohmann/json.hpp>

namespace dialogue::app {
namespace {

// The library calls this once connected, when the first attempt failed. The link is polled
// instead: no callback of the library's holds a pointer into the relay or the follower.
void IgnoreConnected(natsConnection*, void*) {}

}  // namespace

engine::Result<std::unique_ptr<NatsLink>> NatsLink::Open(const std::vector<std::string>& servers,
                                                         std::chrono::milliseconds wait,
                                                         int64_t max_pending) {
  std::unique_ptr<NatsLink> link(new NatsLink());
  std::vector<const char*> urls;
  for (const std::string& server : servers) urls.push_back(server.c_str());
  natsStatus s = natsOptions_Create(&link->options_);
  if (s == NATS_OK) {
    s = natsOptions_SetServers(link->options_, urls.data(), static_cast<int>(urls.size()));
  }
  if (s == NATS_OK) s = natsOptions_SetMaxReconnect(link->options_, -1);  // for ever
  if (s == NATS_OK) s = natsOptions_SetReconnectWait(link->options_, 100);
  if (s == NATS_OK) s = natsOptions_SetTimeout(link->options_, 2000);
  // Not yet reachable: connect in the background.
  if (s == NATS_OK) {
    s = natsOptions_SetRetryOnFailedConnect(link->options_, true, IgnoreConnected, nullptr);
  }
  if (s != NATS_OK) {
    return engine::Fail(engine::Error::InvalidArgument("NATS options: " + Text(s)));
  }
  s = natsConnection_Connect(&link->connection_, link->options_);
  if (s != NATS_OK && s != NATS_NOT_YET_CONNECTED) {
    return engine::Fail(engine::Error::InvalidArgument("connecting to NATS: " + Text(s) + ": " +
                                                       nats_GetLastError(nullptr)));
  }
  jsOptions js_options;
  jsOptions_Init(&js_options);
  js_options.Wait = wait.count();
  js_options.PublishAsync.MaxPending = max_pending;
  s = natsConnection_JetStream(&link->js_, link->connection_, &js_options);
  if (s != NATS_OK) {
    return engine::Fail(engine::Error::InvalidArgument("JetStream context: " + Text(s)));
  }
  return link;
}

NatsLink::~NatsLink() {
  if (js_ != nullptr) jsCtx_Destroy(js_);
  if (connection_ != nullptr) natsConnection_Destroy(connection_);
  if (options_ != nullptr) natsOptions_Destroy(options_);
}

bool NatsLink::Connected() const {
  return natsConnection_Status(connection_) == NATS_CONN_STATUS_CONNECTED;
}

uint64_t NatsLink::Reconnects() const {
  natsStatistics* stats = nullptr;
  uint64_t reconnects = 0;
  if (natsStatistics_Create(&stats) == NATS_OK &&
      natsConnection_GetStats(connection_, stats) == NATS_OK) {
    natsStatistics_GetCounts(stats, nullptr, nullptr, nullptr, nullptr, &reconnects);
  }
  natsStatistics_Destroy(stats);
  return reconnects;
}

std::string MsgId(std::string_view origin, uint64_t position) {
  return std::string(origin) + ":" + std::to_string(position);
}

uint64_t PositionOf(std::string_view msg_id, std::string_view origin) {
  if (msg_id.size() <= origin.size() + 1 || !msg_id.starts_with(origin) ||
      msg_id[origin.size()] != ':') {
    return 0;
  }
  const std::string_view digits = msg_id.substr(origin.size() + 1);
  uint64_t position = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), position);
  if (ec != std::errc() || end != digits.data() + digits.size()) return 0;
  return position;
}

uint64_t PositionOf(natsMsg* msg, std::string_view origin) {
  const char* id = nullptr;
  if (natsMsgHeader_Get(msg, kMsgIdHeader, &id) != NATS_OK || id == nullptr) return 0;
  return PositionOf(std::string_view(id), origin);
}

engine::Result<StreamEnd> ReadStreamEnd(jsCtx* js, const std::string& stream,
                                        std::string_view origin) {
  jsErrCode code = static_cast<jsErrCode>(0);
  jsStreamInfo* info = nullptr;
  natsStatus s = js_GetStreamInfo(&info, js, stream.c_str(), nullptr, &code);
  if (s != NATS_OK) {
    jsStreamInfo_Destroy(info);
    std::string what = Failure("asking the stream " + stream + " where it stands", s, code);
    if (code == JSStreamNotFoundErr) return engine::Fail(engine::Error::NotFound(std::move(what)));
    return engine::Fail(engine::Error::Unavailable(std::move(what)));
  }
  StreamEnd end;
  end.sequence = info->State.LastSeq;
  jsStreamInfo_Destroy(info);
  if (end.sequence == 0) return end;
  natsMsg* last = nullptr;
  code = static_cast<jsErrCode>(0);
  s = js_GetMsg(&last, js, stream.c_str(), end.sequence, nullptr, &code);
  if (s != NATS_OK) {
    return engine::Fail(
        engine::Error::Unavailable(Failure("reading the stream's last message", s, code)));
  }
  end.position = PositionOf(last, origin);
  if (end.position != 0) end.hash = EventHashOf(last);
  natsMsg_Destroy(last);
  if (end.position == 0) {
    return engine::Fail(engine::Error::Corruption(
        "the stream " + stream + "'s last message (sequence " + std::to_string(end.sequence) +
        ") is not an event of the log " + std::string(origin)));
  }
  return end;
}

std::string IdempotencyHeader(const engine::IdempotencyEntry& entry) {
  nlohmann::json versions = nlohmann::json::array();
  for (const engine::StreamVersion& v : entry.result.versions) {
    versions.push_back({{"stream", v.stream}, {"version", v.version}});
  }
  return nlohmann::json{{"key", entry.key},
                        {"fingerprint", entry.fingerprint},
                        {"first", entry.result.first_position},
                        {"last", entry.result.last_position},
                        {"versions", std::move(versions)}}
      .dump();
}

engine::Result<std::optional<engine::IdempotencyEntry>> IdempotencyOf(natsMsg* msg) {
  const char* text = nullptr;
  if (natsMsgHeader_Get(msg, kIdempotencyHeader, &text) != NATS_OK || text == nullptr) {
    return std::optional<engine::IdempotencyEntry>();
  }
  const nlohmann::json json = nlohmann::json::parse(text, nullptr, false);
  const auto bad = [] {
    return engine::Fail(engine::Error::InvalidArgument("a malformed Dialogue-Idempotency header"));
  };
  if (!json.is_object() || !json.contains("key") || !json["key"].is_string() ||
      !json.contains("fingerprint") || !json["fingerprint"].is_string() ||
      !json.contains("first") || !json["first"].is_number_unsigned() || !json.contains("last") ||
      !json["last"].is_number_unsigned() || !json.contains("versions") ||
      !json["versions"].is_array()) {
    return bad();
  }
  engine::IdempotencyEntry entry;
  entry.key = json["key"].get<std::string>();
  entry.fingerprint = json["fingerprint"].get<std::string>();
  entry.result.first_position = json["first"].get<uint64_t>();
  entry.result.last_position = json["last"].get<uint64_t>();
  for (const nlohmann::json& v : json["versions"]) {
    if (!v.is_object() || !v.contains("stream") || !v["stream"].is_string() ||
        !v.contains("version") || !v["version"].is_number_unsigned()) {
      return bad();
    }
    entry.result.versions.push_back({v["stream"].get<std::string>(), v["version"].get<uint64_t>()});
  }
  return std::optional<engine::IdempotencyEntry>(std::move(entry));
}

std::string EventHashOf(natsMsg* msg) {
  const nlohmann::json cloud = nlohmann::json::parse(
      natsMsg_GetData(msg), natsMsg_GetData(msg) + natsMsg_GetDataLength(msg), nullptr, false);
  if (!cloud.is_object() || !cloud.contains("data") || !cloud["data"].is_object()) return {};
  return cloud["data"].value("hash", "");
}

}  // namespace dialogue::app
