// khien: one binary, one subcommand per job.
#include <CLI/CLI.hpp>

#include <iostream>
#include <map>

#include "cli/commands.h"
#include "cli/config.h"

namespace {

struct Common {
  std::string config_file;
  std::map<std::string, std::string> flags;
};

// --config and --data-dir, on every subcommand that uses the database.
void add_common(CLI::App* cmd, Common& common) {
  cmd->add_option("--config", common.config_file, "TOML configuration file (see config/khien.example.toml)");
  cmd->add_option_function<std::string>(
      "--data-dir", [&common](const std::string& v) { common.flags["data_dir"] = v; },
      "Directory of the database (default khien-data; env KHIEN_DATA_DIR)");
}

}  // namespace

int main(int argc, char** argv) {
  using namespace khien::cli;
  CLI::App app{"Khiên: incident response for Vietnamese public agencies"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Help of every subcommand");
  Common common;
  std::function<int(const Config&)> action;

  auto* serve_cmd = app.add_subcommand("serve", "Serve the web UI and the API");
  add_common(serve_cmd, common);
  ServeOptions serve_options;
  serve_cmd->add_option_function<std::string>(
      "--listen", [&](const std::string& v) { common.flags["listen"] = v; },
      "HOST:PORT to serve on (default 127.0.0.1:8080; env KHIEN_LISTEN)");
  serve_cmd->add_option_function<std::string>(
      "--web-dir", [&](const std::string& v) { common.flags["web_dir"] = v; }, "Directory of the built web UI");
  serve_cmd->add_option_function<std::string>(
      "--log-level", [&](const std::string& v) { common.flags["log_level"] = v; },
      "trace, debug, info, warn, error or off");
  serve_cmd->add_flag("--demo", serve_options.demo,
                      "Into an empty database, load the demo organisations and create the first administrator "
                      "(its password is printed once)");
  serve_cmd->callback([&] { action = [&](const Config& c) { return serve(c, serve_options); }; });

  auto* migrate_cmd = app.add_subcommand("migrate", "Create the database or bring its schema up to date");
  add_common(migrate_cmd, common);
  migrate_cmd->callback([&] { action = [](const Config& c) { return migrate(c); }; });

  auto* org_cmd = app.add_subcommand("org", "Organisations");
  org_cmd->require_subcommand(1);
  std::string slug, name, kind, parent;
  auto* org_add_cmd = org_cmd->add_subcommand("add", "Add an organisation or unit");
  add_common(org_add_cmd, common);
  org_add_cmd->add_option("--slug", slug, "Short unique name (a-z, 0-9, -)")->required();
  org_add_cmd->add_option("--name", name, "Full name")->required();
  org_add_cmd->add_option("--kind", kind, "national, coordinator, agency or unit")
      ->required()
      ->check(CLI::IsMember({"national", "coordinator", "agency", "unit"}));
  auto* parent_opt = org_add_cmd->add_option("--parent", parent, "Slug of the parent organisation");
  org_add_cmd->callback([&] {
    action = [&](const Config& c) {
      return org_add(c, slug, name, kind, parent_opt->count() ? std::optional(parent) : std::nullopt);
    };
  });
  auto* org_list_cmd = org_cmd->add_subcommand("list", "List every organisation");
  add_common(org_list_cmd, common);
  org_list_cmd->callback([&] { action = [](const Config& c) { return org_list(c); }; });

  auto* user_cmd = app.add_subcommand("user", "Users");
  user_cmd->require_subcommand(1);
  std::string org, username, role, display_name, email;
  bool password_stdin = false;
  auto* user_add_cmd = user_cmd->add_subcommand("add", "Add a user; the password is read from standard input");
  add_common(user_add_cmd, common);
  user_add_cmd->add_option("--org", org, "Slug of the user's organisation or unit")->required();
  user_add_cmd->add_option("--username", username, "Sign-in name (a-z, 0-9, . _ -)")->required();
  user_add_cmd->add_option("--role", role, "administrator, security-officer, responder, viewer, auditor or director")
      ->required()
      ->check(CLI::IsMember({"administrator", "security-officer", "responder", "viewer", "auditor", "director"}));
  user_add_cmd->add_option("--display-name", display_name, "Full name (default: the username)");
  user_add_cmd->add_option("--email", email, "E-mail address");
  user_add_cmd->add_flag("--password-stdin", password_stdin, "Read the password from standard input")->required();
  user_add_cmd->callback([&] {
    action = [&](const Config& c) { return user_add(c, org, username, role, display_name, email); };
  });
  auto* user_list_cmd = user_cmd->add_subcommand("list", "List users");
  add_common(user_list_cmd, common);
  auto* list_org_opt = user_list_cmd->add_option("--org", org, "Only users of this organisation (slug)");
  user_list_cmd->callback([&] {
    action = [&](const Config& c) { return user_list(c, list_org_opt->count() ? std::optional(org) : std::nullopt); };
  });
  auto* reset_cmd = user_cmd->add_subcommand("reset-password", "Give a user a new temporary password (printed)");
  add_common(reset_cmd, common);
  reset_cmd->add_option("--username", username, "The user")->required();
  reset_cmd->callback([&] { action = [&](const Config& c) { return user_reset_password(c, username); }; });
  auto* disable_cmd = user_cmd->add_subcommand("disable", "Disable a user and end their sessions");
  add_common(disable_cmd, common);
  disable_cmd->add_option("--username", username, "The user")->required();
  disable_cmd->callback([&] { action = [&](const Config& c) { return user_disable(c, username); }; });

  auto* audit_cmd = app.add_subcommand("audit", "The audit log");
  audit_cmd->require_subcommand(1);
  auto* verify_cmd = audit_cmd->add_subcommand(
      "verify", "Check the hash chain; exit 1 naming the first wrong entry (modified, missing, inserted, reordered)");
  add_common(verify_cmd, common);
  verify_cmd->callback([&] { action = [](const Config& c) { return audit_verify(c); }; });

  auto* backup_cmd = app.add_subcommand("backup", "Back up and restore the database");
  backup_cmd->require_subcommand(1);
  std::string output, input;
  bool force = false;
  auto* create_cmd = backup_cmd->add_subcommand("create", "Copy the live database (SQLite online backup)");
  add_common(create_cmd, common);
  create_cmd->add_option("--output", output, "The backup file to write (must not exist)")->required();
  create_cmd->callback([&] { action = [&](const Config& c) { return backup_create(c, output); }; });
  auto* restore_cmd = backup_cmd->add_subcommand("restore", "Restore a backup (stop the server first)");
  add_common(restore_cmd, common);
  restore_cmd->add_option("--input", input, "The backup file")->required();
  restore_cmd->add_flag("--force", force, "Replace an existing database");
  restore_cmd->callback([&] { action = [&](const Config& c) { return backup_restore(c, input, force); }; });

  auto* rules_cmd = app.add_subcommand("rules", "Sigma detection rules");
  rules_cmd->require_subcommand(1);
  std::vector<std::filesystem::path> rule_paths;
  auto* rules_check_cmd = rules_cmd->add_subcommand(
      "check", "Load and compile every rule under the paths; name each one that cannot be used and why (exit 1 if any)");
  rules_check_cmd->add_option("paths", rule_paths, "Rule files or directories (searched recursively for .yml, .yaml)")
      ->required()
      ->check(CLI::ExistingPath);
  std::string placeholders_file;
  rules_check_cmd->add_option("--placeholders", placeholders_file,
                              "Values of the %placeholders% of |expand, as YAML: name: [value, ...]");
  bool rules_no_cache = false;
  rules_check_cmd->add_flag("--no-cache", rules_no_cache,
                            "Compile every pattern afresh: neither read nor write the pattern cache (~/.cache/khien)");
  rules_check_cmd->callback([&] {
    action = [&](const Config&) {
      return rules_check(rule_paths,
                         placeholders_file.empty() ? std::nullopt : std::optional<std::filesystem::path>(placeholders_file),
                         !rules_no_cache);
    };
  });
  std::filesystem::path sigma_root;
  auto* rules_test_cmd = rules_cmd->add_subcommand(
      "test", "Run the regression samples of a SigmaHQ checkout (regression_data/**/info.yml) (exit 1 if any fails)");
  rules_test_cmd->add_option("root", sigma_root, "The checkout: holds rules*/ and regression_data/")
      ->required()
      ->check(CLI::ExistingDirectory);
  rules_test_cmd->callback([&] { action = [&](const Config&) { return rules_test(sigma_root); }; });

  HuntOptions hunt_options;
  std::string hunt_mapping, hunt_output;
  auto* hunt_cmd = app.add_subcommand(
      "hunt", "Run Sigma rules over log files (EVTX, JSON Lines, JSON, and their .gz), offline");
  hunt_cmd->description(
      "Run Sigma rules over log files (EVTX, JSON Lines, JSON, and their .gz), offline.\n"
      "Example: khien hunt --rules sigma/rules/windows --input ./logs --min-level high --format jsonl");
  hunt_cmd->add_option("--rules", hunt_options.rules, "A rule file or directory (repeatable)")->required();
  hunt_cmd->add_option("--input", hunt_options.inputs, "A log file or directory, searched recursively (repeatable)")
      ->required();
  hunt_cmd->add_option("--format", hunt_options.format, "Output: table, jsonl (one match per line) or csv")
      ->capture_default_str();
  hunt_cmd->add_option("--sort", hunt_options.sort,
                       "Order of the matches: file (file by file, record by record, as read) or time (one timeline)")
      ->capture_default_str();
  hunt_cmd->add_option("--min-level", hunt_options.min_level,
                       "Only rules of this level and above: informational, low, medium, high, critical");
  hunt_cmd->add_option("--mapping", hunt_mapping, "Log source and field mapping (default: the built-in windows.yml)");
  hunt_cmd->add_option("--from", hunt_options.from, "Only events at or after this time (RFC 3339)");
  hunt_cmd->add_option("--to", hunt_options.to, "Only events at or before this time (RFC 3339)");
  hunt_cmd->add_option("--threads", hunt_options.threads, "Threads reading the rule files, then the log files and the parts of large ones (default: one per core)");
  hunt_cmd->add_option("--output", hunt_output, "Write the matches to this file instead of standard output");
  hunt_cmd->add_flag("--fail-on-match", hunt_options.fail_on_match, "Exit 1 when something matched");
  hunt_cmd->add_option("--max-correlated", hunt_options.max_correlated,
                       "Matches held for correlation rules, which read them in time order at the end (about 150 bytes each)")
      ->capture_default_str();
  hunt_cmd->add_flag("--all-files", hunt_options.all_files,
                     "Read every EVTX file whole: by default one whose first record is from a channel no rule wants is\n"
                     "skipped, as an EVTX log holds one channel. A forwarded-events (WEC) log mixes channels: one\n"
                     "named *ForwardedEvents* or whose records have RenderingInfo is always read whole");
  bool hunt_no_cache = false;
  hunt_cmd->add_flag("--no-cache", hunt_no_cache,
                     "Compile every pattern afresh: neither read nor write the pattern cache (~/.cache/khien)");
  std::string hunt_placeholders;
  hunt_cmd->add_option("--placeholders", hunt_placeholders,
                       "Values of the %placeholders% of |expand, as YAML: name: [value, ...]");
  hunt_cmd->footer(
      "Correlation rules are decided after the files are read, over the matches of the rules they name, in time\n"
      "order; those rules show no matches of their own unless the correlation says generate: true.\n"
      "Problems (rules not loaded, unreadable files) and a summary go to stderr; a progress line too on a terminal.\n"
      "Exit status: 0 done, 1 matches found with --fail-on-match, 2 usage or input error.");
  hunt_cmd->callback([&] {
    if (!hunt_mapping.empty()) hunt_options.mapping = hunt_mapping;
    if (!hunt_output.empty()) hunt_options.output = hunt_output;
    if (!hunt_placeholders.empty()) hunt_options.placeholders = hunt_placeholders;
    hunt_options.use_cache = !hunt_no_cache;
    action = [&](const Config&) { return hunt(hunt_options); };
  });

  auto* version_cmd = app.add_subcommand("version", "Print the version");
  version_cmd->callback([&] { action = [](const Config&) { return version(); }; });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  auto config = load_config(common.config_file.empty() ? std::nullopt : std::optional<std::filesystem::path>(common.config_file),
                            process_env(), common.flags);
  if (!config.ok()) {
    std::cerr << "khien: " << config.error().detail() << "\n";
    return 2;
  }
  return action(*config);
}
