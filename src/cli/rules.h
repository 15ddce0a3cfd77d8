#pragma once
// Loading Sigma rule files for the rule and hunt commands.
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "detect/engine.h"
#include "detect/sigma/rule.h"

namespace khien::cli {

// Every regular file under `paths` (directories searched recursively) that `wanted` accepts;
// a path given directly is taken whatever its name. Sorted, without repeats. Fails for a
// path that does not exist.
Result<std::vector<std::filesystem::path>> files_under(const std::vector<std::filesystem::path>& paths,
                                                       const std::function<bool(const std::filesystem::path&)>& wanted);

struct LoadedRules {
  std::vector<detect::sigma::Rule> rules;
  std::vector<detect::RuleProblem> problems;  // files that cannot be read as rules, with why
};

// Every rule of every .yml/.yaml file under `paths`, in file order; the files are parsed on
// `threads` threads (at most one per core).
Result<LoadedRules> load_rules(const std::vector<std::filesystem::path>& paths, unsigned threads = 1);

// Where compiled Vectorscan databases are kept between runs (detect/hs_cache.h):
// $KHIEN_CACHE_DIR, else $XDG_CACHE_HOME/khien/vectorscan, else ~/.cache/khien/vectorscan;
// empty (nothing kept) when `enabled` is false, KHIEN_CACHE_DIR is set empty, or there is no home.
std::filesystem::path pattern_cache_dir(bool enabled = true);

// Placeholder values for `|expand` from a YAML file: `name: [value, ...]` (or one value).
Result<detect::Placeholders> load_placeholders(const std::filesystem::path& path);

// One regression sample of SigmaHQ's regression data (regression_data/**/info.yml): a log
// file and the number of its events the rule must match (at least one when not given).
struct RegressionResult {
  std::string rule_id;
  std::string title;
  std::filesystem::path sample;
  std::optional<std::uint64_t> expected;
  std::uint64_t matched = 0;
  std::string problem;  // the rule or the sample could not be used, and why
  bool passed() const { return problem.empty() && (expected ? matched == *expected : matched > 0); }
};
// Runs every sample under `root`/regression_data with every rule under `root`'s rules*
// folders compiled together (as a hunt would), counting the sample rule's matches.
Result<std::vector<RegressionResult>> run_regression(const std::filesystem::path& root);

}  // namespace khien::cli
