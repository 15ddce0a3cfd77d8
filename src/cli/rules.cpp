// `khien rules check`: every rule file under the given paths parsed; each one that cannot be
// loaded is named with the reason, never skipped silently. Also the rule loading `khien hunt`
// shares.
#include "cli/rules.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>

#include "cli/commands.h"
#include "cli/text.h"
#include "detect/correlate.h"
#include "detect/input.h"
#include "detect/mapping.h"
#include "detect/sigma/parse.h"


namespace khien::cli {

namespace {
bool is_rule_file(const std::filesystem::path& p) { return p.extension() == ".yml" || p.extension() == ".yaml"; }
}  // namespace

Result<std::vector<std::filesystem::path>> files_under(const std::vector<std::filesystem::path>& paths,
                                                       const std::function<bool(const std::filesystem::path&)>& wanted) {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  for (const auto& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      for (auto it = fs::recursive_directory_iterator(p, fs::directory_options::skip_permission_denied, ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
        if (wanted(it->path()) && it->is_regular_file(ec)) files.push_back(it->path());
    } else if (fs::is_regular_file(p, ec)) {
      files.push_back(p);
    } else {
      return Error("not_found", fmt::format("{}: no such file or directory", p.string()));
    }
    if (ec) return Error("unreadable", fmt::format("{}: {}", p.string(), ec.message()));
  }
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  return files;
}

Result<LoadedRules> load_rules(const std::vector<std::filesystem::path>& paths, unsigned threads) {
  auto files = files_under(paths, is_rule_file);
  if (!files) return files.error();
  // Each file on its own (on several threads), then gathered in file order.
  std::vector<Result<std::vector<detect::sigma::Rule>>> parsed(files->size(), Error("unread", ""));
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (auto i = next++; i < files->size(); i = next++) {
      const auto& f = (*files)[i];
      std::ifstream in(f, std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      parsed[i] = !in && !in.eof() ? Result<std::vector<detect::sigma::Rule>>(Error("unreadable", "cannot be read"))
                                   : detect::sigma::parse_rules(text.str(), f.string());
    }
  };
  threads = std::clamp<unsigned>(threads, 1, std::max<unsigned>(1, std::thread::hardware_concurrency()));
  std::vector<std::thread> workers;
  for (unsigned t = 1; t < threads; ++t) workers.emplace_back(work);
  work();
  for (auto& w : workers) w.join();
  LoadedRules out;
  for (std::size_t i = 0; i < files->size(); ++i) {
    if (parsed[i])
      for (auto& r : *parsed[i]) out.rules.push_back(std::move(r));
    else
      out.problems.push_back({(*files)[i].string(), "", parsed[i].error().detail()});
  }
  return out;
}

Result<detect::Placeholders> load_placeholders(const std::filesystem::path& path) {
  try {
    const auto root = YAML::LoadFile(path.string());
    detect::Placeholders out;
    if (!root.IsMap()) return Error("invalid_placeholders", fmt::format("{}: expected a map of names to lists of values", path.string()));
    for (const auto& kv : root) {
      const auto name = kv.first.as<std::string>();
      auto& values = out[name];
      if (kv.second.IsSequence())
        for (const auto& v : kv.second) values.push_back(v.as<std::string>());
      else if (kv.second.IsScalar())
        values.push_back(kv.second.as<std::string>());
      else
        return Error("invalid_placeholders", fmt::format("{}: {}: expected a value or a list of values", path.string(), name));
    }
    return out;
  } catch (const YAML::Exception& e) {
    return Error("invalid_placeholders", fmt::format("{}: {}", path.string(), e.what()));
  }
}

std::filesystem::path pattern_cache_dir(bool enabled) {
  if (!enabled) return {};
  if (const char* dir = std::getenv("KHIEN_CACHE_DIR")) return dir;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && *xdg == '/')
    return std::filesystem::path(xdg) / "khien" / "vectorscan";
  if (const char* home = std::getenv("HOME"); home != nullptr && *home == '/')
    return std::filesystem::path(home) / ".cache" / "khien" / "vectorscan";
  return {};
}

Result<std::vector<RegressionResult>> run_regression(const std::filesystem::path& root) {
  namespace fs = std::filesystem;
  const auto data = root / "regression_data";
  if (!fs::is_directory(data)) return Error("not_found", fmt::format("{}: no regression_data folder", root.string()));
  std::vector<fs::path> rule_dirs;
  for (const auto& entry : fs::directory_iterator(root))
    if (entry.is_directory() && entry.path().filename().string().starts_with("rules")) rule_dirs.push_back(entry.path());
  auto loaded = load_rules(rule_dirs, std::thread::hardware_concurrency());
  if (!loaded) return loaded.error();
  auto mapping = detect::parse_mapping(detect::builtin_windows_mapping(), "windows.yml");
  if (!mapping) return mapping.error();
  std::vector<detect::RuleProblem> problems;
  (void)detect::sigma::take_correlations(loaded->rules);  // no regression samples: they read other rules' matches
  const auto engine = detect::Engine::compile(std::move(loaded->rules), *mapping, problems, {}, pattern_cache_dir());
  std::map<std::string, std::uint32_t> by_id;
  for (std::uint32_t i = 0; i < engine->rules().size(); ++i) by_id.emplace(engine->rules()[i].id, i);
  std::map<std::string, std::string> refused;
  for (const auto& p : problems) refused.emplace(p.rule, p.reason);

  auto infos = files_under({data}, [](const fs::path& p) { return p.filename() == "info.yml"; });
  if (!infos) return infos.error();
  std::vector<RegressionResult> out;
  auto scanner = engine->scanner();
  std::vector<detect::Match> found;
  for (const auto& info_path : *infos) {
    std::ifstream in(info_path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    RegressionResult base;
    YAML::Node info;
    try {
      info = YAML::Load(text.str());
      base.rule_id = info["rule_metadata"][0]["id"].as<std::string>();
      base.title = info["rule_metadata"][0]["title"].as<std::string>("");
    } catch (const YAML::Exception& e) {
      base.sample = info_path;
      base.problem = fmt::format("unreadable: {}", e.what());
      out.push_back(base);
      continue;
    }
    const auto tests = info["regression_tests_info"];
    for (std::size_t k = 0; tests && tests.IsSequence() && k < tests.size(); ++k) {
      RegressionResult r = base;
      const auto file_name = fs::path(tests[k]["path"].as<std::string>("")).filename();
      r.sample = info_path.parent_path() / file_name;
      if (tests[k]["match_count"]) r.expected = tests[k]["match_count"].as<std::uint64_t>(0);
      const auto rule = by_id.find(r.rule_id);
      if (rule == by_id.end()) {
        const auto why = refused.find(r.rule_id);
        r.problem = why != refused.end() ? "rule not loaded: " + why->second : "no rule with this id";
        out.push_back(r);
        continue;
      }
      const auto read = detect::read_events(r.sample, *mapping, [&](const detect::Event& e) {
        found.clear();
        scanner.match(e, found);
        for (const auto& m : found) r.matched += m.rule == rule->second ? 1 : 0;
        return true;
      });
      for (const auto& p : read.problems) r.problem += (r.problem.empty() ? "" : "; ") + p.where + " " + p.reason;
      out.push_back(r);
    }
  }
  return out;
}

int rules_test(const std::filesystem::path& root) {
  auto results = run_regression(root);
  if (!results) {
    std::cerr << "khien: " << results.error().detail() << "\n";
    return 2;
  }
  std::size_t failed = 0;
  for (const auto& r : *results) {
    if (r.passed()) continue;
    ++failed;
    std::cout << say("cli.regression_fail", r.title, r.rule_id,
                     !r.problem.empty() ? r.problem
                     : r.expected       ? say("cli.regression_expected_count", count(*r.expected), count(r.matched))
                                        : say("cli.regression_expected_match"))
              << "\n  " << r.sample.string() << "\n";
  }
  std::cout << say("cli.regression_summary", results->size(), results->size() - failed, failed) << "\n";
  return failed == 0 ? 0 : 1;
}

int rules_check(const std::vector<std::filesystem::path>& paths, const std::optional<std::filesystem::path>& placeholders_file,
                bool use_cache) {
  auto loaded = load_rules(paths, std::thread::hardware_concurrency());
  if (!loaded) {
    std::cerr << "khien: " << loaded.error().detail() << "\n";
    return 2;
  }
  detect::Placeholders placeholders;
  if (placeholders_file) {
    auto p = load_placeholders(*placeholders_file);
    if (!p) {
      std::cerr << "khien: " << p.error().detail() << "\n";
      return 2;
    }
    placeholders = std::move(*p);
  }
  // Parsed, then compiled as a hunt would (with the built-in Windows mapping).
  auto mapping = detect::parse_mapping(detect::builtin_windows_mapping(), "windows.yml");
  if (!mapping) {
    std::cerr << "khien: " << mapping.error().detail() << "\n";
    return 2;
  }
  auto problems = std::move(loaded->problems);
  auto correlations = detect::sigma::take_correlations(loaded->rules);
  const auto engine =
      detect::Engine::compile(std::move(loaded->rules), *mapping, problems, placeholders, pattern_cache_dir(use_cache));
  const auto correlator = detect::Correlator::compile(std::move(correlations), engine->rules(), problems);
  std::size_t refused = 0;
  for (const auto& p : problems) {
    if (p.warning) {
      std::cout << fmt::format("{}: {} ({}): {}\n", say("cli.rules_note"), p.source, p.rule, p.reason);
    } else if (p.rule.empty()) {
      std::cout << p.reason << "\n";
      ++refused;
    } else {
      std::cout << fmt::format("{} ({}): {}\n", p.source, p.rule, p.reason);
      ++refused;
    }
  }
  std::cout << say("cli.rules_summary", engine->rules().size() + correlator->rules().size(), refused) << "\n";
  return refused == 0 ? 0 : 1;
}

}  // namespace khien::cli
