// Liveness, readiness, metrics and the API document.
#include <boost/json.hpp>
#include <fmt/format.h>

#include "api/openapi.h"
#include "api/routes.h"

namespace khien::api {

namespace {
Result<http::Response> health(Ctx&) { return json_response(200, {{"status", "ok"}}); }

Result<http::Response> ready(Ctx& c) {
  KHIEN_TRY(c.services.store.ping());
  return json_response(200, {{"status", "ready"}});
}

Result<http::Response> metrics(Ctx& c) {
  http::Response r;
  r.set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
  r.set("Cache-Control", "no-store");
  const auto stats = c.services.store.stats();
  r.body = c.metrics.render([&](std::string& out) {
    out += "# HELP khien_store_connections Connections in the store pool.\n# TYPE khien_store_connections gauge\n";
    out += fmt::format("khien_store_connections {}\n", stats.connections);
    out += "# HELP khien_store_connections_in_use Store connections in use.\n";
    out += "# TYPE khien_store_connections_in_use gauge\n";
    out += fmt::format("khien_store_connections_in_use {}\n", stats.in_use);
    out += "# HELP khien_store_waits_total Times a request waited for a free store connection.\n";
    out += "# TYPE khien_store_waits_total counter\n";
    out += fmt::format("khien_store_waits_total {}\n", stats.waits);
  });
  return r;
}

Result<http::Response> openapi(Ctx&) {
  http::Response r;
  r.set("Content-Type", "application/json");
  r.set("Cache-Control", "no-cache");
  r.body = std::string(ApiDocument::instance().text());
  return r;
}
}  // namespace

void add_system_routes(std::vector<RouteSpec>& r) {
  r.push_back({"GET", "/healthz", health});
  r.push_back({"GET", "/readyz", ready});
  r.push_back({"GET", "/metrics", metrics});
  r.push_back({"GET", "/api/v1/openapi.json", openapi});
}

}  // namespace khien::api
