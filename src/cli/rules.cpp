// `khien rules check`: every rule file under the given paths parsed; each one that cannot be
// loaded is named with the reason, never skipped silently.
#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "detect/sigma/parse.h"

namespace khien::cli {

namespace {
bool is_rule_file(const std::filesystem::path& p) { return p.extension() == ".yml" || p.extension() == ".yaml"; }
}  // namespace

int rules_check(const std::vector<std::filesystem::path>& paths) {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  for (const auto& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      for (auto it = fs::recursive_directory_iterator(p, fs::directory_options::skip_permission_denied, ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
        if (it->is_regular_file(ec) && is_rule_file(it->path())) files.push_back(it->path());
    } else if (fs::is_regular_file(p, ec)) {
      files.push_back(p);
    } else {
      std::cerr << fmt::format("khien: {}: no such file or directory\n", p.string());
      return 2;
    }
    if (ec) {
      std::cerr << fmt::format("khien: {}: {}\n", p.string(), ec.message());
      return 2;
    }
  }
  std::sort(files.begin(), files.end());
  std::size_t loaded = 0, refused = 0;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    if (!in && !in.eof()) {
      std::cout << fmt::format("{}: cannot be read\n", f.string());
      ++refused;
      continue;
    }
    auto rules = detect::sigma::parse_rules(text.str(), f.string());
    if (rules) {
      loaded += rules->size();
    } else {
      std::cout << rules.error().detail() << "\n";
      ++refused;
    }
  }
  std::cout << fmt::format("rules: {} loaded, {} not loaded\n", loaded, refused);
  return refused == 0 ? 0 : 1;
}

}  // namespace khien::cli
