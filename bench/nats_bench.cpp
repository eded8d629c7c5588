// Peer: NATS JetStream (a `nats-server -js` on loopback with file storage, started by bench.sh).
// Each publish appends one ~300 B event to a new subject with the header
// Nats-Expected-Last-Subject-Sequence: 0 (the subject must be empty: the same optimistic check
// as Dialogue's ExpectedVersion::NoStream), from 1, 8 and 64 publishers, each on its own
// connection, waiting for the acknowledgement.
//
//   jetstream_<n>   events/s with n publishers
//
// Note: JetStream 2.9 does not fsync each publish by default (its file store syncs every two
// minutes), so these appends are not durable in the sense Dialogue's are.
#include <nats/nats.h>

#include <sstream>
#include <string>
#include <vector>

#include "bench/bench_support.hpp"

namespace dialogue::bench {
namespace {

constexpr const char* kStream = "DIALOGUE_BENCH";

void Check(natsStatus s, const std::string& what) {
  if (s != NATS_OK) Flags::Die(what + ": " + natsStatus_GetText(s));
}

struct Publisher {
  natsConnection* connection = nullptr;
  jsCtx* js = nullptr;
};

void RecreateStream(const std::string& url) {
  natsConnection* connection = nullptr;
  Check(natsConnection_ConnectTo(&connection, url.c_str()), "connecting to " + url);
  jsCtx* js = nullptr;
  Check(natsConnection_JetStream(&js, connection, nullptr), "JetStream context");
  jsErrCode error = static_cast<jsErrCode>(0);
  js_DeleteStream(js, kStream, nullptr, &error);  // absent on the first run
  jsStreamConfig config;
  jsStreamConfig_Init(&config);
  const char* subjects[] = {"events.>"};
  config.Name = kStream;
  config.Subjects = subjects;
  config.SubjectsLen = 1;
  config.Storage = js_FileStorage;
  jsStreamInfo* info = nullptr;
  Check(js_AddStream(&info, js, &config, nullptr, &error), "adding the stream");
  jsStreamInfo_Destroy(info);
  jsCtx_Destroy(js);
  natsConnection_Destroy(connection);
}

double PublishRate(const std::string& url, int threads, double seconds) {
  RecreateStream(url);
  std::vector<Publisher> publishers(threads);
  for (auto& p : publishers) {
    Check(natsConnection_ConnectTo(&p.connection, url.c_str()), "connecting to " + url);
    Check(natsConnection_JetStream(&p.js, p.connection, nullptr), "JetStream context");
  }
  const double rate = RunTimed(threads, seconds, [&](int thread, uint64_t i) {
    const uint64_t n = (uint64_t{static_cast<unsigned>(thread)} << 32) | i;
    const std::string subject = Cat("events.t", std::to_string(thread), "-", std::to_string(i));
    const std::string data = EventPayload(n);
    natsMsg* message = nullptr;
    if (natsMsg_Create(&message, subject.c_str(), nullptr, data.data(),
                       static_cast<int>(data.size())) != NATS_OK) {
      return false;
    }
    natsStatus s = natsMsgHeader_Set(message, "Nats-Expected-Last-Subject-Sequence", "0");
    jsPubAck* ack = nullptr;
    jsErrCode error = static_cast<jsErrCode>(0);
    if (s == NATS_OK) s = js_PublishMsg(&ack, publishers[thread].js, message, nullptr, &error);
    if (s != NATS_OK) Note(std::string("publish failed: ") + natsStatus_GetText(s));
    jsPubAck_Destroy(ack);
    natsMsg_Destroy(message);
    return s == NATS_OK;
  });
  for (auto& p : publishers) {
    jsCtx_Destroy(p.js);
    natsConnection_Destroy(p.connection);
  }
  return rate;
}

}  // namespace
}  // namespace dialogue::bench

int main(int argc, char** argv) {
  using namespace dialogue::bench;
  Flags flags(argc, argv);
  const std::string url = flags.String("url", "nats://127.0.0.1:4222");
  const double seconds = flags.Double("seconds", 3);
  const std::string thread_list = flags.String("threads", "1,8,64");
  flags.Require();

  std::stringstream list(thread_list);
  for (std::string item; std::getline(list, item, ',');) {
    const int threads = std::stoi(item);
    if (threads < 1) Flags::Die("--threads takes positive counts");
    Report("jetstream_" + std::to_string(threads), PublishRate(url, threads, seconds));
  }
  nats_Close();
  return 0;
}
