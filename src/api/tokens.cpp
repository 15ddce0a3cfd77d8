// The signed-in user's API tokens.
#include <boost/json.hpp>

#include "api/routes.h"
#include "api/views.h"

namespace khien::api {

namespace {
Result<http::Response> list_tokens(Ctx& c) {
  auto cursor = query_cursor(c);
  if (!cursor.ok()) return cursor.error();
  auto page = c.services.identity.list_tokens(c.who(), *cursor, query_limit(c));
  if (!page.ok()) return page.error();
  boost::json::array items;
  for (const auto& t : page->items) items.push_back(to_json(t));
  return json_response(200, page_json(std::move(items), page->next_after_id));
}

Result<http::Response> create_token(Ctx& c) {
  service::TokenCreate in{*body_string(c, "name"), *body_string(c, "scope"), std::nullopt};
  if (auto days = body_int(c, "expires_in_days")) in.expires_in_days = static_cast<int>(*days);
  auto created = c.services.identity.create_token(c.who(), in, c.meta);
  if (!created.ok()) return created.error();
  return json_response(201, {{"token", to_json(created->token)}, {"secret", created->secret}});
}

Result<http::Response> revoke_token(Ctx& c) {
  auto id = path_id<TokenId>(c);
  if (!id.ok()) return id.error();
  KHIEN_TRY(c.services.identity.revoke_token(c.who(), *id, c.meta));
  return no_content();
}
}  // namespace

void add_token_routes(std::vector<RouteSpec>& r) {
  r.push_back({"GET", "/api/v1/tokens", list_tokens});
  r.push_back({"POST", "/api/v1/tokens", create_token});
  r.push_back({"DELETE", "/api/v1/tokens/{id}", revoke_token});
}

}  // namespace khien::api
