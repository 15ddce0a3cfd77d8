#include "api/app.h"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include <algorithm>
#include <stdexcept>

#include "base/crypto.h"

namespace khien::api {

namespace {
struct StatusOf {
  std::string_view code;
  int status;
};
constexpr StatusOf kStatuses[] = {
    {"validation_failed", 400},
    {"malformed_json", 400},
    {"malformed_request", 400},
    {"unauthenticated", 401},
    {"session_expired", 401},
    {"invalid_credentials", 401},
    {"totp_required", 401},
    {"invalid_totp", 401},
    {"forbidden", 403},
    {"csrf_failed", 403},
    {"insufficient_scope", 403},
    {"password_change_required", 403},
    {"totp_enrolment_required", 403},
    {"not_found", 404},
    {"method_not_allowed", 405},
    {"conflict", 409},
    {"transition_not_allowed", 409},
    {"approval_decided", 409},
    {"incident_closed", 409},
    {"incident_merged", 409},
    {"evidence_corrupted", 409},
    {"stale", 412},
    {"precondition_required", 428},
    {"invalid_data", 500},
    {"totp_already_enabled", 409},
    {"totp_not_started", 409},
    {"totp_not_enabled", 409},
    {"totp_required_by_organization", 409},
    {"payload_too_large", 413},
    {"unsupported_media_type", 415},
    {"rate_limited", 429},
    {"header_too_large", 431},
    {"internal", 500},
    {"store_error", 500},
    {"store_unavailable", 503},
    {"service_unavailable", 503},
};

bool is_api_path(std::string_view path) {
  return path.rfind("/api/", 0) == 0 || path == "/api" || path == "/healthz" || path == "/readyz" ||
         path == "/metrics";
}

bool is_json_media_type(std::string_view content_type) {
  std::string t(content_type.substr(0, content_type.find(';')));
  std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return std::tolower(c); });
  while (!t.empty() && t.back() == ' ') t.pop_back();
  return t == "application/json";
}
}  // namespace

int status_of(std::string_view code) {
  for (const auto& s : kStatuses)
    if (s.code == code) return s.status;
  return 500;
}

http::Response problem(const Error& error, i18n::Locale locale, const http::Request& req) {
  const int status = status_of(error.code());
  boost::json::object body{{"type", "urn:khien:problem:" + error.code()},
                           {"title", i18n::translate(locale, "error." + error.code())},
                           {"status", status},
                           {"code", error.code()},
                           {"request_id", req.request_id}};
  if (!req.path.empty() && req.path.front() == '/') body["instance"] = req.path;
  // Server-side details (SQL, paths) stay in the log.
  if (!error.detail().empty() && status < 500) body["detail"] = error.detail();
  if (!error.fields().empty()) {
    boost::json::array errors;
    for (const auto& f : error.fields()) {
      errors.push_back(
          {{"field", f.field}, {"code", f.code}, {"message", i18n::field_message(locale, f.code, f.detail)}});
    }
    body["errors"] = std::move(errors);
  }
  http::Response r;
  r.status = status;
  r.set("Content-Type", "application/problem+json");
  r.set("Cache-Control", "no-store");
  r.set("Content-Language", std::string(i18n::locale_tag(locale)));
  if (error.retry_after_seconds() > 0) r.set("Retry-After", std::to_string(error.retry_after_seconds()));
  if (status == 401) r.set("WWW-Authenticate", "Bearer realm=\"khien\"");
  r.body = boost::json::serialize(body);
  if (status >= 500) {
    spdlog::error(R"({{"event":"server_error","request_id":"{}","code":"{}","detail":{}}})", req.request_id,
                  error.code(), boost::json::serialize(boost::json::string(error.detail())));
  }
  return r;
}

std::vector<std::string> route_document_mismatches() {
  std::vector<std::string> out;
  const auto& doc = ApiDocument::instance();
  for (const auto& r : routes())
    if (!doc.find(r.method, r.pattern))
      out.push_back("route " + std::string(r.method) + " " + std::string(r.pattern) + " is not in openapi.json");
  for (const auto& op : doc.operations()) {
    const bool served = std::any_of(routes().begin(), routes().end(),
                                    [&](const RouteSpec& r) { return r.method == op.method && r.pattern == op.path; });
    if (!served) out.push_back("openapi.json has " + op.method + " " + op.path + " but no route serves it");
  }
  return out;
}

App::App(service::Services& services, http::Metrics& metrics, AppOptions options)
    : services_(services), metrics_(metrics), options_(std::move(options)), static_files_(options_.web_dir) {
  if (auto m = route_document_mismatches(); !m.empty()) throw std::logic_error(m.front());
  const auto& doc = ApiDocument::instance();
  for (std::size_t i = 0; i < routes().size(); ++i) {
    router_.add(routes()[i].method, routes()[i].pattern, static_cast<int>(i));
    operations_.push_back(doc.find(routes()[i].method, routes()[i].pattern));
  }
}

bool App::is_upload(const http::Request& head) const {
  auto m = router_.match(head.method, head.path);
  if (m.kind != http::Router::Match::Kind::kFound || !routes()[static_cast<std::size_t>(m.id)].upload) return false;
  // Only a caller with credentials may stream a large body to disk; the rest get the small
  // limit and their 401 without writing anything.
  return head.header("authorization").has_value() || head.cookie("khien_session").has_value();
}

std::string App::spool_directory(const http::Request& head) const {
  return is_upload(head) ? options_.spool_dir : std::string();
}

std::size_t App::body_limit(const http::Request& head) const {
  if (is_upload(head) && !options_.spool_dir.empty()) return static_cast<std::size_t>(options_.upload_limit);
  auto m = router_.match(head.method, head.path);
  if (m.kind == http::Router::Match::Kind::kFound) {
    const auto limit = routes()[static_cast<std::size_t>(m.id)].body_limit;
    if (limit != 0) return std::min(limit, options_.default_body_limit);
  }
  return options_.default_body_limit;
}

http::Response App::reject(const http::Request& head, int, std::string_view code) const {
  const auto locale = i18n::from_accept_language(head.header("accept-language").value_or(""));
  return problem(Error(std::string(code)), locale, head);
}

http::Response App::handle(http::Request& req) {
  const auto locale = i18n::from_accept_language(req.header("accept-language").value_or(""));
  if (!is_api_path(req.path)) {
    if (req.method == "GET" || req.method == "HEAD") return static_files_.serve(req);
    auto r = problem(Error("method_not_allowed"), locale, req);
    r.set("Allow", "GET, HEAD");
    r.route = "static";
    return r;
  }
  return dispatch(req, locale);
}

http::Response App::dispatch(http::Request& req, i18n::Locale locale) {
  auto match = router_.match(req.method, req.path);
  if (match.kind == http::Router::Match::Kind::kNoPath) return problem(Error("not_found"), locale, req);
  if (match.kind == http::Router::Match::Kind::kWrongMethod) {
    auto r = problem(Error("method_not_allowed"), locale, req);
    std::string allow;
    for (const auto& m : match.allowed_methods) allow += (allow.empty() ? "" : ", ") + m;
    r.set("Allow", allow);
    return r;
  }
  const auto index = static_cast<std::size_t>(match.id);
  const RouteSpec& spec = routes()[index];
  const Operation& op = *operations_[index];
  req.path_params = std::move(match.params);

  Ctx ctx{req, services_, metrics_};
  ctx.locale = locale;
  ctx.session_lifetime = options_.session_lifetime;
  ctx.meta = {req.remote_address, std::string(req.header("user-agent").value_or(""))};

  std::optional<service::Principal> principal;
  auto run = [&]() -> Result<http::Response> {
    if (!op.is_public) {
      Result<service::Principal> who = Error("unauthenticated");
      if (auto auth = req.header("authorization")) {
        constexpr std::string_view kBearer = "Bearer ";
        if (auth->size() > kBearer.size() && auth->substr(0, kBearer.size()) == kBearer)
          who = services_.identity.authenticate_token(auth->substr(kBearer.size()));
      } else if (auto cookie = req.cookie("khien_session"); cookie && !cookie->empty()) {
        who = services_.identity.authenticate_session(*cookie);
      }
      if (!who.ok()) return who.error();
      principal = std::move(who).value();
      const bool safe = req.method == "GET" || req.method == "HEAD";
      if (!principal->via_token && !safe) {
        const auto sent = req.header("x-csrf-token").value_or("");
        if (sent.empty() || !crypto::constant_time_equal(sent, principal->csrf_token)) return Error("csrf_failed");
      }
      ctx.principal = &*principal;
    }

    std::vector<FieldError> errors;
    const auto& doc = ApiDocument::instance();
    for (const auto& param : req.query) {
      const auto& [name, value] = param;
      auto q = std::find_if(op.query.begin(), op.query.end(),
                            [&param](const QueryParameter& p) { return p.name == param.first; });
      if (q == op.query.end()) {
        errors.push_back({name, "unknown_field", ""});
      } else {
        doc.validate_query(value, *q->schema, name, errors);
      }
    }
    if (!errors.empty()) return Error("validation_failed", "query", std::move(errors));

    if (op.request_schema) {
      if (!is_json_media_type(req.header("content-type").value_or(""))) return Error("unsupported_media_type");
      if (req.body.empty()) return Error("malformed_json", "the body is empty; send a JSON object");
      boost::json::parse_options options;
      options.max_depth = 32;
      boost::system::error_code ec;
      auto value = boost::json::parse(req.body, ec, {}, options);
      if (ec) return Error("malformed_json", ec.message());
      doc.validate(value, *op.request_schema, "", errors);
      if (!errors.empty()) return Error("validation_failed", {}, std::move(errors));
      ctx.body = std::move(value.as_object());
    }
    return spec.handler(ctx);
  };

  auto result = run();
  http::Response res = result.ok() ? std::move(result).value() : problem(result.error(), locale, req);
  res.route = std::string(spec.pattern);
  if (ctx.principal && res.actor.empty()) res.actor = ctx.principal->username;
  return res;
}

}  // namespace khien::api
