#pragma once
// Prometheus metrics of the server. Thread-safe.
#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

namespace khien::http {

class Metrics {
 public:
  void observe(const std::string& route, const std::string& method, int status, double seconds);
  void connection_opened() { ++open_connections_; ++connections_total_; }
  void connection_closed() { --open_connections_; }
  void connection_refused() { ++connections_refused_; }
  void timeout() { ++timeouts_; }
  int open_connections() const { return open_connections_.load(); }

  // `extra` appends other families (the store pool) in text format.
  std::string render(const std::function<void(std::string&)>& extra) const;

 private:
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1,    2.5};
  struct Histogram {
    std::array<std::uint64_t, kBuckets.size()> buckets{};
    std::uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;  // guards requests_ and latency_
  std::map<std::tuple<std::string, std::string, int>, std::uint64_t> requests_;
  std::map<std::string, Histogram> latency_;
  std::atomic<int> open_connections_{0};
  std::atomic<std::uint64_t> connections_total_{0};
  std::atomic<std::uint64_t> connections_refused_{0};
  std::atomic<std::uint64_t> timeouts_{0};
};

}  // namespace khien::http
