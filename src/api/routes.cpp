#include "api/routes.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include "base/crypto.h"

namespace khien::api {

const std::vector<RouteSpec>& routes() {
  static const std::vector<RouteSpec> table = [] {
    std::vector<RouteSpec> r;
    add_system_routes(r);
    add_auth_routes(r);
    add_me_routes(r);
    add_token_routes(r);
    add_organization_routes(r);
    add_user_routes(r);
    add_audit_routes(r);
    add_inventory_routes(r);
    add_incident_routes(r);
    add_catalog_routes(r);
    return r;
  }();
  return table;
}

http::Response json_response(int status, const boost::json::value& body) {
  http::Response r;
  r.status = status;
  r.set("Content-Type", "application/json");
  r.set("Cache-Control", "no-store");
  r.body = boost::json::serialize(body);
  return r;
}

http::Response no_content() {
  http::Response r;
  r.status = 204;
  r.set("Cache-Control", "no-store");
  return r;
}

http::Response with_etag(http::Response r, std::int64_t version) {
  r.set("ETag", fmt::format("\"{}\"", version));
  return r;
}

Result<std::int64_t> if_match(const Ctx& c) {
  auto h = c.req.header("if-match");
  if (!h) return Error("precondition_required");
  std::string_view v = *h;
  if (v.starts_with("W/")) v.remove_prefix(2);
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  auto n = Id<struct VersionTag>::parse(v);
  if (!n) return Error("stale", "If-Match is not a version of this object");
  return n->value();
}

std::optional<std::string> body_string(const Ctx& c, std::string_view field) {
  if (auto* v = c.body.if_contains(field); v && v->is_string()) return std::string(v->get_string());
  return std::nullopt;
}

std::optional<bool> body_bool(const Ctx& c, std::string_view field) {
  if (auto* v = c.body.if_contains(field); v && v->is_bool()) return v->get_bool();
  return std::nullopt;
}

std::optional<std::int64_t> body_int(const Ctx& c, std::string_view field) {
  if (auto* v = c.body.if_contains(field); v && v->is_int64()) return v->get_int64();
  return std::nullopt;
}

int query_limit(const Ctx& c) {
  // Already validated against the document (1..1000).
  if (auto v = c.query("limit")) return std::stoi(std::string(*v));
  return 50;
}

std::string encode_cursor(std::int64_t id) {
  const auto text = "k1:" + std::to_string(id);
  return crypto::base32_encode({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
}

Result<std::optional<std::int64_t>> query_cursor(const Ctx& c) {
  auto v = c.query("cursor");
  if (!v) return std::optional<std::int64_t>();
  auto bytes = crypto::base32_decode(*v);
  if (bytes) {
    const std::string text(bytes->begin(), bytes->end());
    if (text.rfind("k1:", 0) == 0) {
      if (auto id = Id<struct CursorTag>::parse(std::string_view(text).substr(3))) return std::optional(id->value());
    }
  }
  return validation_error("cursor", "invalid_value");
}

boost::json::value page_json(boost::json::array items, std::optional<std::int64_t> next) {
  return boost::json::object{{"items", std::move(items)},
                             {"next_cursor", next ? boost::json::value(encode_cursor(*next)) : nullptr}};
}

}  // namespace khien::api
