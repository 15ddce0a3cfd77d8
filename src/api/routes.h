#pragma once
// What a route handler receives and returns, and the table of every route. Handlers are thin:
// read the validated input, call a service, turn the result into JSON.
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/i18n.h"
#include "base/result.h"
#include "http/message.h"
#include "http/metrics.h"
#include "service/services.h"

namespace khien::api {

struct Ctx {
  http::Request& req;
  service::Services& services;
  http::Metrics& metrics;
  const service::Principal* principal = nullptr;  // null only on public routes
  boost::json::object body;                       // validated against the route's schema
  service::RequestMeta meta;
  i18n::Locale locale = i18n::Locale::kVi;
  std::chrono::seconds session_lifetime{0};

  const service::Principal& who() const { return *principal; }
  std::optional<std::string_view> query(std::string_view name) const { return req.query_param(name); }
};

using RouteHandler = Result<http::Response> (*)(Ctx&);

struct RouteSpec {
  std::string_view method;
  std::string_view pattern;
  RouteHandler handler;
  std::size_t body_limit = 0;  // 0: the configured default
  bool upload = false;         // the body is a file, streamed to disk (up to the upload limit)
};

// Every route of the API, in the order they are matched.
const std::vector<RouteSpec>& routes();

// Per resource (one file each).
void add_system_routes(std::vector<RouteSpec>& r);
void add_auth_routes(std::vector<RouteSpec>& r);
void add_me_routes(std::vector<RouteSpec>& r);
void add_token_routes(std::vector<RouteSpec>& r);
void add_organization_routes(std::vector<RouteSpec>& r);
void add_user_routes(std::vector<RouteSpec>& r);
void add_audit_routes(std::vector<RouteSpec>& r);
void add_inventory_routes(std::vector<RouteSpec>& r);
void add_incident_routes(std::vector<RouteSpec>& r);
void add_catalog_routes(std::vector<RouteSpec>& r);

// Building answers.
http::Response json_response(int status, const boost::json::value& body);
http::Response no_content();
// Adds the ETag of an object's version (`"N"`), which a change sends back as If-Match.
http::Response with_etag(http::Response r, std::int64_t version);

// Reading input.
template <class IdType>
Result<IdType> path_id(const Ctx& c) {
  auto v = c.req.path_param("id");
  if (!v) return Error("not_found");
  auto id = IdType::parse(*v);
  if (!id) return Error("not_found");
  return *id;
}
std::optional<std::string> body_string(const Ctx& c, std::string_view field);
std::optional<bool> body_bool(const Ctx& c, std::string_view field);
std::optional<std::int64_t> body_int(const Ctx& c, std::string_view field);
int query_limit(const Ctx& c);
// The version the caller read, from If-Match ("N" or W/"N"): precondition_required when
// absent, stale when it is not a version.
Result<std::int64_t> if_match(const Ctx& c);
// Opaque pagination cursors wrapping an id.
std::string encode_cursor(std::int64_t id);
Result<std::optional<std::int64_t>> query_cursor(const Ctx& c);
boost::json::value page_json(boost::json::array items, std::optional<std::int64_t> next);

}  // namespace khien::api
