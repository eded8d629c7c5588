// Shared bits of the benchmark programs: command-line flags, a stopwatch, a start barrier for
// worker threads and the output protocol scripts/bench.sh reads.
//
// Every benchmark prints its human-readable notes on stderr and its figures on stdout, one per
// line, as "RESULT <key> <number>". Rates are per second. Header-only: each program is one
// translation unit plus this file.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace dialogue::bench {

// Flags of the form --name value (or --name=value); unknown names are refused by Require().
class Flags {
 public:
  Flags(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
      std::string arg = argv[i];
      if (arg.rfind("--", 0) != 0) Die("unexpected argument " + arg);
      arg = arg.substr(2);
      const size_t eq = arg.find('=');
      if (eq != std::string::npos) {
        values_[arg.substr(0, eq)] = arg.substr(eq + 1);
      } else if (i + 1 < argc) {
        values_[arg] = argv[++i];
      } else {
        Die("--" + arg + " needs a value");
      }
    }
  }

  std::string String(const std::string& name, std::string fallback) {
    known_.push_back(name);
    auto it = values_.find(name);
    return it == values_.end() ? fallback : it->second;
  }
  uint64_t Uint(const std::string& name, uint64_t fallback) {
    const std::string text = String(name, std::to_string(fallback));
    char* end = nullptr;
    const uint64_t value = std::strtoull(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0') Die("--" + name + " must be a number, not " + text);
    return value;
  }
  double Double(const std::string& name, double fallback) {
    const std::string text = String(name, std::to_string(fallback));
    char* end = nullptr;
    const double value = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0') Die("--" + name + " must be a number, not " + text);
    return value;
  }
  // Call after reading every flag: refuses names nobody asked for (typos).
  void Require() const {
    for (const auto& [name, value] : values_) {
      bool found = false;
      for (const auto& k : known_) found = found || k == name;
      if (!found) Die("unknown flag --" + name);
    }
  }

  [[noreturn]] static void Die(const std::string& message) {
    std::cerr << "bench: " << message << "\n";
    std::exit(2);
  }

 private:
  std::map<std::string, std::string> values_;
  std::vector<std::string> known_;
};

class Stopwatch {
 public:
  Stopwatch() : start_(std::chrono::steady_clock::now()) {}
  double Seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  std::chrono::steady_clock::time_point start_;
};

// Concatenates by appending (g++ 12 -O3 reports a false -Wrestrict on "literal" + std::string).
template <class... Parts>
std::string Cat(const Parts&... parts) {
  std::string out;
  (out.append(std::string_view(parts)), ...);
  return out;
}

// Whole numbers from 1000 up, else four significant digits (never an exponent for a count).
inline void Report(std::string_view key, double value) {
  const int length = static_cast<int>(key.size());
  if (value >= 1000 || value <= -1000) {
    std::printf("RESULT %.*s %.0f\n", length, key.data(), value);
  } else {
    std::printf("RESULT %.*s %.4g\n", length, key.data(), value);
  }
  std::fflush(stdout);
}

inline void Note(const std::string& text) { std::cerr << text << std::endl; }

// Runs `threads` workers, each calling op(thread_index, iteration) until `seconds` have passed
// since they were all released together; op returns false on failure (the run then dies).
// Returns the operations completed per second, over the time from release to the last worker's
// end.
inline double RunTimed(int threads, double seconds,
                       const std::function<bool(int thread, uint64_t i)>& op) {
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> done{0};
  std::atomic<bool> failed{false};
  std::vector<std::thread> workers;
  workers.reserve(threads);
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      ready.fetch_add(1);
      while (!go.load()) std::this_thread::yield();
      uint64_t i = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        if (!op(t, i++)) {
          failed.store(true);
          break;
        }
      }
      done.fetch_add(i);
    });
  }
  while (ready.load() < threads) std::this_thread::yield();
  Stopwatch watch;
  go.store(true);
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop.store(true);
  for (auto& w : workers) w.join();
  const double elapsed = watch.Seconds();
  if (failed.load()) Flags::Die("an operation failed");
  return static_cast<double>(done.load()) / elapsed;
}

// A JSON object's text of about `bytes` bytes, distinct per n, shaped like a domain event.
inline std::string EventPayload(uint64_t n, size_t bytes = 300) {
  const std::string number = std::to_string(n);
  std::string text = Cat(R"({"category":"ngo","ecosoc_status":"special","id":"sh-)", number,
                         R"(","name":"Stakeholder number )", number, R"(","note":")");
  const size_t tail = 2;  // "}
  while (text.size() + tail < bytes) text.push_back(static_cast<char>('a' + text.size() % 26));
  text += "\"}";
  return text;
}

// A fresh, empty folder under `parent` (removed first if present).
inline std::string FreshDir(const std::string& parent, const std::string& name) {
  namespace fs = std::filesystem;
  const fs::path path = fs::path(parent) / name;
  std::error_code ec;
  fs::remove_all(path, ec);
  fs::create_directories(path, ec);
  if (ec) Flags::Die("cannot create " + path.string() + ": " + ec.message());
  return path.string();
}

}  // namespace dialogue::bench
