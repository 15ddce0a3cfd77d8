#pragma once
// The application behind the server: routes each request, authenticates it, checks CSRF,
// validates its query and body against the API document, calls the route, and turns every
// failure into an RFC 9457 problem in the caller's language.
#include <chrono>
#include <filesystem>
#include <vector>

#include "api/openapi.h"
#include "api/routes.h"
#include "http/metrics.h"
#include "http/router.h"
#include "http/server.h"
#include "http/static_files.h"
#include "service/services.h"

namespace khien::api {

struct AppOptions {
  std::size_t default_body_limit = 1024 * 1024;
  std::filesystem::path web_dir;  // empty: no web UI
  std::chrono::seconds session_lifetime{12 * 3600};
  std::uint64_t upload_limit = 2ull << 30;  // evidence files
  std::string spool_dir;                    // where uploads are streamed to; in the data directory
};

class App final : public http::Handler {
 public:
  // Throws std::logic_error when a route is missing from the API document or the reverse.
  App(service::Services& services, http::Metrics& metrics, AppOptions options);

  std::size_t body_limit(const http::Request& head) const override;
  std::string spool_directory(const http::Request& head) const override;
  http::Response handle(http::Request& req) override;
  http::Response reject(const http::Request& head, int status, std::string_view code) const override;

 private:
  http::Response dispatch(http::Request& req, i18n::Locale locale);
  // An upload route asked for by a caller that presents credentials (checked in full later).
  bool is_upload(const http::Request& head) const;

  service::Services& services_;
  http::Metrics& metrics_;
  AppOptions options_;
  http::Router router_;
  http::StaticFiles static_files_;
  std::vector<const Operation*> operations_;  // by route index
};

// The problem+json answer for `error`.
http::Response problem(const Error& error, i18n::Locale locale, const http::Request& req);
int status_of(std::string_view code);

// Route/document mismatches, one line each; empty when they agree.
std::vector<std::string> route_document_mismatches();

}  // namespace khien::api
