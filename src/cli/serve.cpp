// `khien serve`: wires the store, the services, the API and the HTTP server, then serves.
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include <iostream>

#include "api/app.h"
#include "base/crypto.h"
#include "cli/commands.h"
#include "cli/runtime.h"
#include "cli/text.h"
#include "http/server.h"

namespace khien::embedded {
std::string_view demo_organizations();
}

namespace khien::cli {

namespace {
std::filesystem::path find_web_dir(const Config& config) {
  if (!config.web_dir.empty()) return config.web_dir;
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  for (const auto& candidate : {exe.parent_path() / "../share/khien/web", exe.parent_path() / "../../web/dist"}) {
    if (std::filesystem::is_regular_file(candidate / "index.html", ec)) return candidate;
  }
  return {};
}

void setup_logging(const Config& config) {
  auto logger = spdlog::stderr_logger_mt("khien");
  logger->set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","msg":%v})", spdlog::pattern_time_type::utc);
  logger->set_level(spdlog::level::from_str(config.log_level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

std::string log_text(std::string_view event, std::string_view detail) {
  return boost::json::serialize(boost::json::object{{"event", event}, {"detail", detail}});
}

// Loads the demo organisations and creates the first administrator, only into an empty
// database. Prints the administrator's password once.
Status load_demo(Runtime& rt) {
  bool empty = false;
  KHIEN_TRY(rt.store->read([&](service::Tx& tx) -> Status {
    empty = tx.list_organizations().empty();
    return {};
  }));
  if (!empty) {
    spdlog::info(log_text("demo_skipped", "the database already holds organisations; demo data is loaded only once"));
    return {};
  }
  const auto demo = boost::json::parse(embedded::demo_organizations()).as_object();
  const auto meta = operator_meta();
  for (const auto& o : demo.at("organizations").as_array()) {
    service::OrganizationCreate in;
    in.slug = o.at("slug").as_string();
    in.name = o.at("name").as_string();
    in.kind = domain::parse_org_kind(o.at("kind").as_string()).value();
    if (o.at("parent").is_string()) {
      std::optional<service::Organization> parent;
      KHIEN_TRY(rt.store->read([&](service::Tx& tx) -> Status {
        parent = tx.find_organization_by_slug(o.at("parent").as_string());
        return {};
      }));
      if (!parent) return Error("demo", "demo parent missing");
      in.parent = parent->id;
    }
    auto created = rt.services->organizations.create_as_operator(in, meta);
    if (!created.ok()) return created.error();
  }
  const auto& admin = demo.at("administrator").as_object();
  std::optional<service::Organization> org;
  KHIEN_TRY(rt.store->read([&](service::Tx& tx) -> Status {
    org = tx.find_organization_by_slug(admin.at("organization").as_string());
    return {};
  }));
  service::UserCreate user;
  user.username = admin.at("username").as_string();
  user.display_name = admin.at("display_name").as_string();
  user.role = domain::Role::kAdministrator;
  user.organization = org->id;
  user.password = crypto::random_password(20);
  auto created = rt.services->users.create_as_operator(user, meta);
  if (!created.ok()) return created.error();
  std::cout << say("cli.demo_loaded") << "\n"
            << say("cli.username", user.username) << "\n"
            << say("cli.password", user.password) << "\n"
            << std::flush;
  return {};
}
}  // namespace

int serve(const Config& config, const ServeOptions& options) {
  setup_logging(config);
  auto opened = open_runtime(config, config.http.workers + 1);
  if (!opened.ok()) {
    print_error(opened.error());
    return 1;
  }
  auto& rt = **opened;
  if (options.demo) {
    if (auto st = load_demo(rt); !st.ok()) {
      print_error(st.error());
      return 1;
    }
  }
  bool empty = false;
  (void)rt.store->read([&](service::Tx& tx) -> Status {
    empty = tx.list_organizations().empty();
    return {};
  });
  if (empty)
    std::cerr << say("cli.database_empty") << "\n";

  const auto web_dir = find_web_dir(config);
  if (web_dir.empty()) spdlog::warn(log_text("no_web_ui", "web/dist not found: only the API is served"));
  http::Metrics metrics;
  api::AppOptions app_options;
  app_options.default_body_limit = config.body_limit_bytes;
  app_options.upload_limit = config.upload_limit_bytes;
  app_options.spool_dir = (config.data_dir / "evidence" / "incoming").string();
  app_options.web_dir = web_dir;
  app_options.session_lifetime = std::chrono::duration_cast<std::chrono::seconds>(config.security.session_absolute);
  api::App app(*rt.services, metrics, app_options);
  http::Server server(config.http, app, metrics);
  if (auto st = server.bind(config.listen); !st.ok()) {
    print_error(st.error());
    return 2;
  }
  std::cout << say("cli.listening", server.url()) << std::endl;
  spdlog::info(boost::json::serialize(boost::json::object{
      {"event", "listening"}, {"url", server.url()}, {"data_dir", config.data_dir.string()},
      {"web_dir", web_dir.string()}}));
  server.run();
  spdlog::info(log_text("stopped", "all connections closed; store closed"));
  return 0;
}

}  // namespace khien::cli
