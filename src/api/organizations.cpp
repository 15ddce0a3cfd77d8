// The organisation tree.
#include <boost/json.hpp>

#include "api/routes.h"
#include "api/views.h"

namespace khien::api {

namespace {
Result<http::Response> list_organizations(Ctx& c) {
  auto cursor = query_cursor(c);
  if (!cursor.ok()) return cursor.error();
  auto page = c.services.organizations.list(c.who(), *cursor, query_limit(c));
  if (!page.ok()) return page.error();
  boost::json::array items;
  for (const auto& o : page->items) items.push_back(to_json(o));
  return json_response(200, page_json(std::move(items), page->next_after_id));
}

Result<http::Response> get_organization(Ctx& c) {
  auto id = path_id<OrgId>(c);
  if (!id.ok()) return id.error();
  auto o = c.services.organizations.get(c.who(), *id);
  if (!o.ok()) return o.error();
  return json_response(200, to_json(*o));
}

Result<http::Response> create_organization(Ctx& c) {
  service::OrganizationCreate in;
  in.slug = *body_string(c, "slug");
  in.name = *body_string(c, "name");
  in.kind = domain::parse_org_kind(*body_string(c, "kind")).value();  // enum checked by the schema
  in.parent = OrgId::parse(*body_string(c, "parent_id"));
  if (!in.parent) return validation_error("parent_id", "not_found");
  in.require_totp = body_bool(c, "require_totp").value_or(false);
  auto o = c.services.organizations.create(c.who(), in, c.meta);
  if (!o.ok()) return o.error();
  return json_response(201, to_json(*o));
}

Result<http::Response> update_organization(Ctx& c) {
  auto id = path_id<OrgId>(c);
  if (!id.ok()) return id.error();
  service::OrganizationUpdate in{body_string(c, "name"), body_bool(c, "require_totp")};
  auto o = c.services.organizations.update(c.who(), *id, in, c.meta);
  if (!o.ok()) return o.error();
  return json_response(200, to_json(*o));
}
}  // namespace

void add_organization_routes(std::vector<RouteSpec>& r) {
  r.push_back({"GET", "/api/v1/organizations", list_organizations});
  r.push_back({"POST", "/api/v1/organizations", create_organization});
  r.push_back({"GET", "/api/v1/organizations/{id}", get_organization});
  r.push_back({"PATCH", "/api/v1/organizations/{id}", update_organization});
}

}  // namespace khien::api
