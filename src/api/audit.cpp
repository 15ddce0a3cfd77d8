// The audit log.
#include <boost/json.hpp>

#include "api/routes.h"
#include "api/views.h"

namespace khien::api {

namespace {
Result<std::optional<Timestamp>> time_param(const Ctx& c, std::string_view name) {
  auto v = c.query(name);
  if (!v) return std::optional<Timestamp>();
  auto t = parse_rfc3339(*v);
  if (!t) return validation_error(std::string(name), "invalid_value", "expected RFC 3339, e.g. 2026-11-24T08:00:00Z");
  return std::optional(*t);
}

std::optional<std::string> text_param(const Ctx& c, std::string_view name) {
  if (auto v = c.query(name); v && !v->empty()) return std::string(*v);
  return std::nullopt;
}

Result<http::Response> list_audit(Ctx& c) {
  auto cursor = query_cursor(c);
  if (!cursor.ok()) return cursor.error();
  auto from = time_param(c, "from");
  if (!from.ok()) return from.error();
  auto to = time_param(c, "to");
  if (!to.ok()) return to.error();
  service::AuditFilter f;
  f.before_id = *cursor;
  f.limit = query_limit(c);
  f.action = text_param(c, "action");
  f.actor = text_param(c, "actor");
  f.target_type = text_param(c, "target_type");
  f.target_id = text_param(c, "target_id");
  f.from = *from;
  f.to = *to;
  auto page = c.services.audit.list(c.who(), f);
  if (!page.ok()) return page.error();
  boost::json::array items;
  for (const auto& a : page->items) items.push_back(to_json(a));
  return json_response(200, page_json(std::move(items), page->next_before_id));
}

Result<http::Response> get_audit(Ctx& c) {
  auto id = path_id<AuditId>(c);
  if (!id.ok()) return id.error();
  auto a = c.services.audit.get(c.who(), *id);
  if (!a.ok()) return a.error();
  return json_response(200, to_json(*a));
}
}  // namespace

void add_audit_routes(std::vector<RouteSpec>& r) {
  r.push_back({"GET", "/api/v1/audit", list_audit});
  r.push_back({"GET", "/api/v1/audit/{id}", get_audit});
}

}  // namespace khien::api
