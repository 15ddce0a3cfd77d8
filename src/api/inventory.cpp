// The inventory of information systems (minimal: what incidents link to).
#include <boost/json.hpp>
#include <fmt/format.h>

#include "api/routes.h"

namespace khien::api {

namespace {

boost::json::object system_json(const service::InformationSystem& s) {
  boost::json::array components;
  for (const auto& c : s.components) components.emplace_back(c);
  return {{"id", s.id.str()},
          {"organization_id", s.organization.str()},
          {"name", s.name},
          {"description", s.description},
          {"owner_unit_id", s.owner_unit ? boost::json::value(s.owner_unit->str()) : nullptr},
          {"operator", s.operator_name},
          {"security_level", s.security_level ? boost::json::value(*s.security_level) : nullptr},
          {"national_critical", s.national_critical},
          {"components", std::move(components)},
          {"created_at", format_rfc3339(s.created_at)},
          {"updated_at", format_rfc3339(s.updated_at)},
          {"version", s.version}};
}


Result<service::SystemInput> system_input(const Ctx& c) {
  service::SystemInput in;
  in.name = body_string(c, "name");
  in.description = body_string(c, "description");
  if (auto* v = c.body.if_contains("owner_unit_id")) {
    if (v->is_null()) {
      in.owner_unit = std::optional<OrgId>();
    } else {
      auto id = OrgId::parse(v->get_string());
      if (!id) return validation_error("owner_unit_id", "not_found");
      in.owner_unit = std::optional<OrgId>(*id);
    }
  }
  in.operator_name = body_string(c, "operator");
  if (auto* v = c.body.if_contains("security_level"))
    in.security_level = v->is_null() ? std::optional<int>() : std::optional<int>(static_cast<int>(v->to_number<std::int64_t>()));
  in.national_critical = body_bool(c, "national_critical");
  if (auto* v = c.body.if_contains("components"); v && v->is_array()) {
    std::vector<std::string> list;
    for (const auto& e : v->get_array()) list.emplace_back(e.get_string());
    in.components = std::move(list);
  }
  return in;
}

Result<http::Response> list_systems(Ctx& c) {
  auto systems = c.services.systems.list(c.who());
  if (!systems) return systems.error();
  boost::json::array items;
  for (const auto& s : *systems) items.push_back(system_json(s));
  return json_response(200, boost::json::object{{"items", std::move(items)}});
}

Result<http::Response> get_system(Ctx& c) {
  auto id = path_id<service::SystemId>(c);
  if (!id) return id.error();
  auto s = c.services.systems.get(c.who(), *id);
  if (!s) return s.error();
  return with_etag(json_response(200, system_json(*s)), s->version);
}

Result<http::Response> create_system(Ctx& c) {
  auto in = system_input(c);
  if (!in) return in.error();
  auto s = c.services.systems.create(c.who(), *in, c.meta);
  if (!s) return s.error();
  return with_etag(json_response(201, system_json(*s)), s->version);
}

Result<http::Response> update_system(Ctx& c) {
  auto id = path_id<service::SystemId>(c);
  if (!id) return id.error();
  auto version = if_match(c);
  if (!version) return version.error();
  auto in = system_input(c);
  if (!in) return in.error();
  auto s = c.services.systems.update(c.who(), *id, *version, *in, c.meta);
  if (!s) return s.error();
  return with_etag(json_response(200, system_json(*s)), s->version);
}

}  // namespace

void add_inventory_routes(std::vector<RouteSpec>& r) {
  r.push_back({"GET", "/api/v1/systems", list_systems});
  r.push_back({"POST", "/api/v1/systems", create_system});
  r.push_back({"GET", "/api/v1/systems/{id}", get_system});
  r.push_back({"PATCH", "/api/v1/systems/{id}", update_system});
}

}  // namespace khien::api
