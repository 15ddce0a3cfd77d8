// Users of the caller's organisation and its units.
#include <boost/json.hpp>

#include "api/routes.h"
#include "api/views.h"

namespace khien::api {

namespace {
Result<http::Response> list_users(Ctx& c) {
  auto cursor = query_cursor(c);
  if (!cursor.ok()) return cursor.error();
  service::UserQuery q;
  q.after_id = *cursor;
  q.limit = query_limit(c);
  if (auto org = c.query("organization_id")) {
    q.organization = OrgId::parse(*org);
    if (!q.organization) return Error("not_found");
  }
  if (auto text = c.query("q"); text && !text->empty()) q.text = std::string(*text);
  q.include_disabled = c.query("include_disabled").value_or("true") == "true";
  auto page = c.services.users.list(c.who(), q);
  if (!page.ok()) return page.error();
  boost::json::array items;
  items.reserve(page->items.size());
  for (const auto& u : page->items) items.push_back(to_json(u));
  return json_response(200, page_json(std::move(items), page->next_after_id));
}

Result<http::Response> get_user(Ctx& c) {
  auto id = path_id<UserId>(c);
  if (!id.ok()) return id.error();
  auto u = c.services.users.get(c.who(), *id);
  if (!u.ok()) return u.error();
  return json_response(200, to_json(*u));
}

Result<http::Response> create_user(Ctx& c) {
  service::UserCreate in;
  in.username = *body_string(c, "username");
  in.display_name = *body_string(c, "display_name");
  in.email = body_string(c, "email").value_or("");
  in.role = domain::parse_role(*body_string(c, "role")).value();  // enum checked by the schema
  const auto org = OrgId::parse(*body_string(c, "organization_id"));
  if (!org) return validation_error("organization_id", "not_found");
  in.organization = *org;
  in.password = *body_string(c, "password");
  auto u = c.services.users.create(c.who(), in, c.meta);
  if (!u.ok()) return u.error();
  return json_response(201, to_json(*u));
}

Result<http::Response> update_user(Ctx& c) {
  auto id = path_id<UserId>(c);
  if (!id.ok()) return id.error();
  service::UserUpdate in;
  in.display_name = body_string(c, "display_name");
  in.email = body_string(c, "email");
  if (auto role = body_string(c, "role")) in.role = domain::parse_role(*role);
  if (auto org = body_string(c, "organization_id")) {
    in.organization = OrgId::parse(*org);
    if (!in.organization) return validation_error("organization_id", "not_found");
  }
  in.disabled = body_bool(c, "disabled");
  auto u = c.services.users.update(c.who(), *id, in, c.meta);
  if (!u.ok()) return u.error();
  return json_response(200, to_json(*u));
}

Result<http::Response> reset_password(Ctx& c) {
  auto id = path_id<UserId>(c);
  if (!id.ok()) return id.error();
  auto password = c.services.users.reset_password(c.who(), *id, c.meta);
  if (!password.ok()) return password.error();
  return json_response(200, {{"password", *password}});
}
}  // namespace

void add_user_routes(std::vector<RouteSpec>& r) {
  r.push_back({"GET", "/api/v1/users", list_users});
  r.push_back({"POST", "/api/v1/users", create_user});
  r.push_back({"GET", "/api/v1/users/{id}", get_user});
  r.push_back({"PATCH", "/api/v1/users/{id}", update_user});
  r.push_back({"POST", "/api/v1/users/{id}/reset-password", reset_password});
}

}  // namespace khien::api
