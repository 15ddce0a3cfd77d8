#include "api/views.h"

#include <boost/json.hpp>

namespace khien::api {

namespace {
boost::json::value opt_time(const std::optional<Timestamp>& t) {
  return t ? boost::json::value(format_rfc3339(*t)) : boost::json::value(nullptr);
}
}  // namespace

boost::json::object to_json(const service::Organization& o) {
  return {{"id", o.id.str()},
          {"slug", o.slug},
          {"name", o.name},
          {"kind", domain::org_kind_name(o.kind)},
          {"parent_id", o.parent ? boost::json::value(o.parent->str()) : nullptr},
          {"require_totp", o.require_totp},
          {"created_at", format_rfc3339(o.created_at)}};
}

boost::json::object to_json(const service::User& u) {
  return {{"id", u.id.str()},
          {"username", u.username},
          {"display_name", u.display_name},
          {"email", u.email},
          {"role", domain::role_name(u.role)},
          {"organization_id", u.organization.str()},
          {"disabled", u.disabled},
          {"totp_enabled", u.totp_secret.has_value()},
          {"created_at", format_rfc3339(u.created_at)},
          {"last_login_at", opt_time(u.last_login_at)}};
}

boost::json::object to_json(const service::ApiToken& t) {
  return {{"id", t.id.str()},
          {"name", t.name},
          {"scope", t.scope},
          {"prefix", t.prefix},
          {"created_at", format_rfc3339(t.created_at)},
          {"expires_at", opt_time(t.expires_at)},
          {"last_used_at", opt_time(t.last_used_at)},
          {"revoked_at", opt_time(t.revoked_at)}};
}

boost::json::object to_json(const service::AuditRecord& a) {
  const auto& c = a.content;
  return {{"id", std::to_string(a.id.value())},
          {"at", c.at},
          {"actor_id", c.actor_id ? boost::json::value(std::to_string(*c.actor_id)) : nullptr},
          {"actor", c.actor},
          {"organization_id", c.organization_id ? boost::json::value(std::to_string(*c.organization_id)) : nullptr},
          {"action", c.action},
          {"target_type", c.target_type},
          {"target_id", c.target_id},
          {"changes", c.changes},
          {"address", c.address},
          {"user_agent", c.user_agent},
          {"outcome", c.outcome},
          {"hash", a.hash},
          {"prev_hash", c.prev_hash}};
}

boost::json::object to_json(const service::Me& me, const std::string& csrf_token) {
  boost::json::array permissions;
  for (const auto& p : me.permissions) permissions.emplace_back(p);
  boost::json::object o{{"id", me.user.id.str()},
                        {"username", me.user.username},
                        {"display_name", me.user.display_name},
                        {"role", domain::role_name(me.user.role)},
                        {"organization",
                         {{"id", me.organization.id.str()},
                          {"slug", me.organization.slug},
                          {"name", me.organization.name},
                          {"kind", domain::org_kind_name(me.organization.kind)}}},
                        {"locale", me.user.locale},
                        {"totp_enabled", me.user.totp_secret.has_value()},
                        {"totp_enrolment_required", me.totp_enrolment_required},
                        {"password_change_required", me.user.password_change_required},
                        {"permissions", std::move(permissions)}};
  if (!csrf_token.empty()) o["csrf_token"] = csrf_token;
  return o;
}

}  // namespace khien::api
