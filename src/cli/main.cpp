// khien: one binary, one subcommand per job.
#include <CLI/CLI.hpp>

#include <iostream>
#include <map>
#include <memory>

#include "cli/commands.h"
#include "cli/config.h"
#include "cli/text.h"

namespace {

// A text of the help, in the language the environment asks for (cli/text.h).
std::string t(std::string_view key) { return khien::cli::say(key); }

// CLI11's help lined up by characters, not bytes: a Vietnamese label (BẮT BUỘC) is longer in bytes.
class Formatter : public CLI::Formatter {
 public:
  std::string make_option(const CLI::Option* opt, bool is_positional) const override {
    const std::string name = "  " + make_option_name(opt, is_positional) + make_option_opts(opt);
    const std::size_t width = get_column_width();
    std::size_t shown = 0;  // characters: every byte but UTF-8 continuation bytes
    for (const char c : name) shown += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
    std::string out = name;
    const std::string description = make_option_desc(opt);
    if (!description.empty()) {
      out += shown >= width ? "\n" + std::string(width, ' ') : std::string(width - shown, ' ');
      for (const char c : description) {
        out.push_back(c);
        if (c == '\n') out.append(width, ' ');
      }
    }
    return out + "\n";
  }
};

struct Common {
  std::string config_file;
  std::map<std::string, std::string> flags;
};

// --config and --data-dir, on every subcommand that uses the database.
void add_common(CLI::App* cmd, Common& common) {
  cmd->add_option("--config", common.config_file, t("cli.help.common_config"));
  cmd->add_option_function<std::string>(
      "--data-dir", [&common](const std::string& v) { common.flags["data_dir"] = v; },
      t("cli.help.common_data_dir"));
}

}  // namespace

int main(int argc, char** argv) {
  using namespace khien::cli;
  CLI::App app{t("cli.help.app")};
  // Set before the subcommands and options are added: they take these from their parent.
  app.formatter(std::make_shared<Formatter>());
  app.option_defaults()->group(t("cli.help.group_options"));
  app.set_help_flag("-h,--help", t("cli.help.help"));
  for (const auto& [label, key] :
       {std::pair{"Usage", "cli.help.label_usage"}, {"OPTIONS", "cli.help.label_options"},
        {"SUBCOMMAND", "cli.help.label_subcommand"}, {"SUBCOMMANDS", "cli.help.label_subcommands"},
        {"REQUIRED", "cli.help.label_required"}, {"Positionals", "cli.help.label_positionals"},
        {"TEXT", "cli.help.label_text"}, {"UINT", "cli.help.label_uint"}})
    app.get_formatter()->label(label, t(key));
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", t("cli.help.help_all"));
  Common common;
  std::function<int(const Config&)> action;

  auto* serve_cmd = app.add_subcommand("serve", t("cli.help.serve"));
  add_common(serve_cmd, common);
  ServeOptions serve_options;
  serve_cmd->add_option_function<std::string>(
      "--listen", [&](const std::string& v) { common.flags["listen"] = v; },
      t("cli.help.serve_listen"));
  serve_cmd->add_option_function<std::string>(
      "--web-dir", [&](const std::string& v) { common.flags["web_dir"] = v; }, t("cli.help.serve_web_dir"));
  serve_cmd->add_option_function<std::string>(
      "--log-level", [&](const std::string& v) { common.flags["log_level"] = v; },
      t("cli.help.serve_log_level"));
  serve_cmd->add_flag("--demo", serve_options.demo,
                      t("cli.help.serve_demo"));
  serve_cmd->callback([&] { action = [&](const Config& c) { return serve(c, serve_options); }; });

  auto* migrate_cmd = app.add_subcommand("migrate", t("cli.help.migrate"));
  add_common(migrate_cmd, common);
  migrate_cmd->callback([&] { action = [](const Config& c) { return migrate(c); }; });

  auto* org_cmd = app.add_subcommand("org", t("cli.help.org"));
  org_cmd->require_subcommand(1);
  std::string slug, name, kind, parent;
  auto* org_add_cmd = org_cmd->add_subcommand("add", t("cli.help.org_add"));
  add_common(org_add_cmd, common);
  org_add_cmd->add_option("--slug", slug, t("cli.help.org_slug"))->required();
  org_add_cmd->add_option("--name", name, t("cli.help.org_name"))->required();
  org_add_cmd->add_option("--kind", kind, t("cli.help.org_kind"))
      ->required()
      ->check(CLI::IsMember({"national", "coordinator", "agency", "unit"}));
  auto* parent_opt = org_add_cmd->add_option("--parent", parent, t("cli.help.org_parent"));
  org_add_cmd->callback([&] {
    action = [&](const Config& c) {
      return org_add(c, slug, name, kind, parent_opt->count() ? std::optional(parent) : std::nullopt);
    };
  });
  auto* org_list_cmd = org_cmd->add_subcommand("list", t("cli.help.org_list"));
  add_common(org_list_cmd, common);
  org_list_cmd->callback([&] { action = [](const Config& c) { return org_list(c); }; });

  auto* user_cmd = app.add_subcommand("user", t("cli.help.user"));
  user_cmd->require_subcommand(1);
  std::string org, username, role, display_name, email;
  bool password_stdin = false;
  auto* user_add_cmd = user_cmd->add_subcommand("add", t("cli.help.user_add"));
  add_common(user_add_cmd, common);
  user_add_cmd->add_option("--org", org, t("cli.help.user_org"))->required();
  user_add_cmd->add_option("--username", username, t("cli.help.user_username"))->required();
  user_add_cmd->add_option("--role", role, t("cli.help.user_role"))
      ->required()
      ->check(CLI::IsMember({"administrator", "security-officer", "responder", "viewer", "auditor", "director"}));
  user_add_cmd->add_option("--display-name", display_name, t("cli.help.user_display_name"));
  user_add_cmd->add_option("--email", email, t("cli.help.user_email"));
  user_add_cmd->add_flag("--password-stdin", password_stdin, t("cli.help.user_password_stdin"))->required();
  user_add_cmd->callback([&] {
    action = [&](const Config& c) { return user_add(c, org, username, role, display_name, email); };
  });
  auto* user_list_cmd = user_cmd->add_subcommand("list", t("cli.help.user_list"));
  add_common(user_list_cmd, common);
  auto* list_org_opt = user_list_cmd->add_option("--org", org, t("cli.help.user_list_org"));
  user_list_cmd->callback([&] {
    action = [&](const Config& c) { return user_list(c, list_org_opt->count() ? std::optional(org) : std::nullopt); };
  });
  auto* reset_cmd = user_cmd->add_subcommand("reset-password", t("cli.help.user_reset"));
  add_common(reset_cmd, common);
  reset_cmd->add_option("--username", username, t("cli.help.user_the_user"))->required();
  reset_cmd->callback([&] { action = [&](const Config& c) { return user_reset_password(c, username); }; });
  auto* disable_cmd = user_cmd->add_subcommand("disable", t("cli.help.user_disable"));
  add_common(disable_cmd, common);
  disable_cmd->add_option("--username", username, t("cli.help.user_the_user"))->required();
  disable_cmd->callback([&] { action = [&](const Config& c) { return user_disable(c, username); }; });

  auto* audit_cmd = app.add_subcommand("audit", t("cli.help.audit"));
  audit_cmd->require_subcommand(1);
  auto* verify_cmd = audit_cmd->add_subcommand(
      "verify", t("cli.help.audit_verify"));
  add_common(verify_cmd, common);
  verify_cmd->callback([&] { action = [](const Config& c) { return audit_verify(c); }; });

  auto* backup_cmd = app.add_subcommand("backup", t("cli.help.backup"));
  backup_cmd->require_subcommand(1);
  std::string output, input;
  bool force = false;
  auto* create_cmd = backup_cmd->add_subcommand("create", t("cli.help.backup_create"));
  add_common(create_cmd, common);
  create_cmd->add_option("--output", output, t("cli.help.backup_output"))->required();
  create_cmd->callback([&] { action = [&](const Config& c) { return backup_create(c, output); }; });
  auto* restore_cmd = backup_cmd->add_subcommand("restore", t("cli.help.backup_restore"));
  add_common(restore_cmd, common);
  restore_cmd->add_option("--input", input, t("cli.help.backup_input"))->required();
  restore_cmd->add_flag("--force", force, t("cli.help.backup_force"));
  restore_cmd->callback([&] { action = [&](const Config& c) { return backup_restore(c, input, force); }; });

  auto* rules_cmd = app.add_subcommand("rules", t("cli.help.rules"));
  rules_cmd->require_subcommand(1);
  std::vector<std::filesystem::path> rule_paths;
  auto* rules_check_cmd = rules_cmd->add_subcommand(
      "check", t("cli.help.rules_check"));
  rules_check_cmd->add_option("paths", rule_paths, t("cli.help.rules_paths"))
      ->required()
      ->check(CLI::ExistingPath);
  std::string placeholders_file;
  rules_check_cmd->add_option("--placeholders", placeholders_file,
                              t("cli.help.placeholders"));
  bool rules_no_cache = false;
  rules_check_cmd->add_flag("--no-cache", rules_no_cache,
                            t("cli.help.no_cache"));
  rules_check_cmd->callback([&] {
    action = [&](const Config&) {
      return rules_check(rule_paths,
                         placeholders_file.empty() ? std::nullopt : std::optional<std::filesystem::path>(placeholders_file),
                         !rules_no_cache);
    };
  });
  std::filesystem::path sigma_root;
  auto* rules_test_cmd = rules_cmd->add_subcommand(
      "test", t("cli.help.rules_test"));
  rules_test_cmd->add_option("root", sigma_root, t("cli.help.rules_root"))
      ->required()
      ->check(CLI::ExistingDirectory);
  rules_test_cmd->callback([&] { action = [&](const Config&) { return rules_test(sigma_root); }; });

  HuntOptions hunt_options;
  std::string hunt_mapping, hunt_output;
  auto* hunt_cmd = app.add_subcommand(
      "hunt", t("cli.help.hunt"));
  hunt_cmd->description(t("cli.help.hunt_description"));
  hunt_cmd->add_option("--rules", hunt_options.rules, t("cli.help.hunt_rules"))->required();
  hunt_cmd->add_option("--input", hunt_options.inputs, t("cli.help.hunt_input"))
      ->required();
  hunt_cmd->add_option("--format", hunt_options.format, t("cli.help.hunt_format"))
      ->capture_default_str();
  hunt_cmd->add_option("--sort", hunt_options.sort,
                       t("cli.help.hunt_sort"))
      ->capture_default_str();
  hunt_cmd->add_option("--min-level", hunt_options.min_level,
                       t("cli.help.hunt_min_level"));
  hunt_cmd->add_option("--mapping", hunt_mapping, t("cli.help.hunt_mapping"));
  hunt_cmd->add_option("--from", hunt_options.from, t("cli.help.hunt_from"));
  hunt_cmd->add_option("--to", hunt_options.to, t("cli.help.hunt_to"));
  hunt_cmd->add_option("--threads", hunt_options.threads, t("cli.help.hunt_threads"));
  hunt_cmd->add_option("--output", hunt_output, t("cli.help.hunt_output"));
  hunt_cmd->add_flag("--fail-on-match", hunt_options.fail_on_match, t("cli.help.hunt_fail_on_match"));
  hunt_cmd->add_option("--max-correlated", hunt_options.max_correlated,
                       t("cli.help.hunt_max_correlated"))
      ->capture_default_str();
  hunt_cmd->add_flag("--all-files", hunt_options.all_files,
                     t("cli.help.hunt_all_files"));
  bool hunt_no_cache = false;
  hunt_cmd->add_flag("--no-cache", hunt_no_cache,
                     t("cli.help.no_cache"));
  std::string hunt_placeholders;
  hunt_cmd->add_option("--placeholders", hunt_placeholders,
                       t("cli.help.placeholders"));
  hunt_cmd->footer(t("cli.help.hunt_footer"));
  hunt_cmd->callback([&] {
    if (!hunt_mapping.empty()) hunt_options.mapping = hunt_mapping;
    if (!hunt_output.empty()) hunt_options.output = hunt_output;
    if (!hunt_placeholders.empty()) hunt_options.placeholders = hunt_placeholders;
    hunt_options.use_cache = !hunt_no_cache;
    action = [&](const Config&) { return hunt(hunt_options); };
  });

  auto* version_cmd = app.add_subcommand("version", t("cli.help.version"));
  version_cmd->callback([&] { action = [](const Config&) { return version(); }; });

  // Every subcommand, at every depth, listed under the heading of the environment's language, and
  // its help flags made again (they were made before it took its parent's option defaults, so
  // their heading was CLI11's own).
  std::function<void(CLI::App*)> set_group = [&](CLI::App* cmd) {
    for (auto* sub : cmd->get_subcommands({})) {
      sub->group(t("cli.help.group_subcommands"));
      sub->set_help_flag("-h,--help", t("cli.help.help"));
      sub->set_help_all_flag("--help-all", t("cli.help.help_all"));
      set_group(sub);
    }
  };
  set_group(&app);

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
