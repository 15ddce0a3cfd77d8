#pragma once
// The subcommands of `khien`. Each returns the process exit code:
// 0 done, 1 the operation failed (or found a fault), 2 usage or configuration error.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "cli/config.h"

namespace khien::cli {

struct ServeOptions {
  bool demo = false;  // load the demo organisations and first administrator into an empty database
};

int serve(const Config& config, const ServeOptions& options);
int migrate(const Config& config);
int org_add(const Config& config, const std::string& slug, const std::string& name, const std::string& kind,
            const std::optional<std::string>& parent);
int org_list(const Config& config);
int user_add(const Config& config, const std::string& org, const std::string& username, const std::string& role,
             const std::string& display_name, const std::string& email);  // password from stdin
int user_list(const Config& config, const std::optional<std::string>& org);
int user_reset_password(const Config& config, const std::string& username);
int user_disable(const Config& config, const std::string& username);
int audit_verify(const Config& config);
int backup_create(const Config& config, const std::filesystem::path& output);
int backup_restore(const Config& config, const std::filesystem::path& input, bool force);
// Parses every Sigma rule file (.yml, .yaml) under `paths`; prints each one that cannot be
// loaded with the reason, then "rules: N loaded, K not loaded". 1 when K > 0.
int rules_check(const std::vector<std::filesystem::path>& paths);
int version();

}  // namespace khien::cli
