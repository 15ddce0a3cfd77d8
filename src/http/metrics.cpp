#include "http/metrics.h"

#include <fmt/format.h>

namespace khien::http {

void Metrics::observe(const std::string& route, const std::string& method, int status, double seconds) {
  std::lock_guard lock(mu_);
  ++requests_[{route, method, status}];
  auto& h = latency_[route];
  for (std::size_t i = 0; i < kBuckets.size(); ++i)
    if (seconds <= kBuckets[i]) ++h.buckets[i];
  ++h.count;
  h.sum += seconds;
}

std::string Metrics::render(const std::function<void(std::string&)>& extra) const {
  std::string out;
  {
    std::lock_guard lock(mu_);
    out += "# HELP khien_http_requests_total HTTP requests answered, by route, method and status.\n";
    out += "# TYPE khien_http_requests_total counter\n";
    for (const auto& [key, n] : requests_) {
      const auto& [route, method, status] = key;
      out += fmt::format("khien_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{}\"}} {}\n", route, method,
                         status, n);
    }
    out += "# HELP khien_http_request_duration_seconds Time from the full request to the answer, by route.\n";
    out += "# TYPE khien_http_request_duration_seconds histogram\n";
    for (const auto& [route, h] : latency_) {
      for (std::size_t i = 0; i < kBuckets.size(); ++i)
        out += fmt::format("khien_http_request_duration_seconds_bucket{{route=\"{}\",le=\"{}\"}} {}\n", route,
                           kBuckets[i], h.buckets[i]);
      out += fmt::format("khien_http_request_duration_seconds_bucket{{route=\"{}\",le=\"+Inf\"}} {}\n", route, h.count);
      out += fmt::format("khien_http_request_duration_seconds_sum{{route=\"{}\"}} {}\n", route, h.sum);
      out += fmt::format("khien_http_request_duration_seconds_count{{route=\"{}\"}} {}\n", route, h.count);
    }
  }
  out += "# HELP khien_http_open_connections Connections open now.\n# TYPE khien_http_open_connections gauge\n";
  out += fmt::format("khien_http_open_connections {}\n", open_connections_.load());
  out += "# HELP khien_http_connections_total Connections accepted.\n# TYPE khien_http_connections_total counter\n";
  out += fmt::format("khien_http_connections_total {}\n", connections_total_.load());
  out += "# HELP khien_http_connections_refused_total Connections closed at once because the cap was reached.\n";
  out += "# TYPE khien_http_connections_refused_total counter\n";
  out += fmt::format("khien_http_connections_refused_total {}\n", connections_refused_.load());
  out += "# HELP khien_http_timeouts_total Connections closed because a client was too slow.\n";
  out += "# TYPE khien_http_timeouts_total counter\n";
  out += fmt::format("khien_http_timeouts_total {}\n", timeouts_.load());
  if (extra) extra(out);
  return out;
}

}  // namespace khien::http
