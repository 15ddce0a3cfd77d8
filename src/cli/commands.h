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
// Rules are also compiled (built-in Windows mapping, `placeholders` for `|expand`), through
// the pattern cache unless `use_cache` is false.
int rules_check(const std::vector<std::filesystem::path>& paths,
                const std::optional<std::filesystem::path>& placeholders = std::nullopt, bool use_cache = true);
// Runs the regression samples of a SigmaHQ checkout (`root`/regression_data against the rules
// of `root`/rules*): prints each failing sample, then "regression: N samples, P passed, F
// failed". 1 when F > 0, 2 when `root` has no regression data.
int rules_test(const std::filesystem::path& root);

struct HuntOptions {
  std::vector<std::filesystem::path> rules;   // rule files or directories
  std::vector<std::filesystem::path> inputs;  // log files or directories
  std::string format = "table";               // jsonl, csv, table
  std::string sort = "file";                  // file (file, then record order) or time (one timeline)
  std::string min_level;                      // empty: every level
  std::optional<std::filesystem::path> mapping;  // default: the built-in windows.yml
  std::string from, to;                       // RFC 3339; empty: unbounded
  unsigned threads = 0;                       // 0: one per core
  std::optional<std::filesystem::path> output;   // default: standard output
  bool fail_on_match = false;
  std::optional<std::filesystem::path> placeholders;  // values for `|expand`
  // Matches correlations read are held until the end (about 150 bytes each): at most this many.
  std::size_t max_correlated = 2'000'000;
  bool use_cache = true;  // compiled patterns kept between runs (cli/rules.h pattern_cache_dir)
  // Read every EVTX file whole, even one whose first records are all from one channel no rule
  // wants (skipped by default, as an EVTX log holds one channel, unless it shows it mixes them).
  bool all_files = false;
};
// Sigma rules over log files: matches on the output in file and record order, problems and
// a summary on stderr. 0 done, 1 matches found with fail_on_match, 2 usage or input error.
int hunt(const HuntOptions& options);
int version();

}  // namespace khien::cli
