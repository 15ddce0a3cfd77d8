// Signing in and out.
#include <boost/json.hpp>
#include <fmt/format.h>

#include "api/routes.h"
#include "api/views.h"

namespace khien::api {

namespace {
constexpr std::string_view kCookie = "khien_session";
constexpr std::size_t kLoginBodyLimit = 16 * 1024;

std::string session_cookie(const Ctx& c, std::string_view value, long long max_age) {
  return fmt::format("{}={}; Path=/; Max-Age={}; HttpOnly; SameSite=Strict{}", kCookie, value, max_age,
                     c.req.tls ? "; Secure" : "");
}

Result<http::Response> login(Ctx& c) {
  service::LoginInput in;
  in.username = *body_string(c, "username");
  in.password = *body_string(c, "password");
  in.totp = body_string(c, "totp");
  in.previous_session_id = c.req.cookie(kCookie);
  auto result = c.services.identity.login(in, c.meta);
  if (!result.ok()) return result.error();
  auto res = json_response(200, {{"csrf_token", result->csrf_token}, {"me", to_json(result->me, result->csrf_token)}});
  res.set("Set-Cookie", session_cookie(c, result->session_id, c.session_lifetime.count()));
  res.actor = result->me.user.username;
  return res;
}

Result<http::Response> logout(Ctx& c) {
  KHIEN_TRY(c.services.identity.logout(c.who(), c.meta));
  auto res = no_content();
  res.set("Set-Cookie", session_cookie(c, "", 0));
  return res;
}
}  // namespace

void add_auth_routes(std::vector<RouteSpec>& r) {
  r.push_back({"POST", "/api/v1/auth/login", login, kLoginBodyLimit});
  r.push_back({"POST", "/api/v1/auth/logout", logout});
}

}  // namespace khien::api
