// The signed-in user's own account.
#include <boost/json.hpp>

#include "api/routes.h"
#include "api/views.h"

namespace khien::api {

namespace {
Result<http::Response> get_me(Ctx& c) {
  auto me = c.services.identity.me(c.who());
  if (!me.ok()) return me.error();
  return json_response(200, to_json(*me, c.who().csrf_token));
}

Result<http::Response> update_me(Ctx& c) {
  auto me = c.services.identity.update_me(c.who(), body_string(c, "display_name"), body_string(c, "locale"), c.meta);
  if (!me.ok()) return me.error();
  return json_response(200, to_json(*me, c.who().csrf_token));
}

Result<http::Response> change_password(Ctx& c) {
  KHIEN_TRY(c.services.identity.change_password(c.who(), *body_string(c, "current_password"),
                                                 *body_string(c, "new_password"), c.meta));
  return no_content();
}

Result<http::Response> begin_totp(Ctx& c) {
  auto e = c.services.identity.begin_totp(c.who(), c.meta);
  if (!e.ok()) return e.error();
  return json_response(200, {{"secret", e->secret}, {"otpauth_uri", e->uri}});
}

Result<http::Response> confirm_totp(Ctx& c) {
  KHIEN_TRY(c.services.identity.confirm_totp(c.who(), *body_string(c, "code"), c.meta));
  return no_content();
}

Result<http::Response> disable_totp(Ctx& c) {
  KHIEN_TRY(c.services.identity.disable_totp(c.who(), *body_string(c, "password"), *body_string(c, "code"), c.meta));
  return no_content();
}
}  // namespace

void add_me_routes(std::vector<RouteSpec>& r) {
  r.push_back({"GET", "/api/v1/me", get_me});
  r.push_back({"PATCH", "/api/v1/me", update_me});
  r.push_back({"POST", "/api/v1/me/password", change_password});
  r.push_back({"POST", "/api/v1/me/totp", begin_totp});
  r.push_back({"POST", "/api/v1/me/totp/confirm", confirm_totp});
  r.push_back({"POST", "/api/v1/me/totp/disable", disable_totp});
}

}  // namespace khien::api
