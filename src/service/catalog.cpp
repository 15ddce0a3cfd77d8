#include "service/catalog.h"

#include <algorithm>
#include <cstdio>
#include <string>

namespace khien::embedded {
std::string_view taxonomy_yml();
std::vector<File> regulation_files();
std::vector<File> playbook_files();
}  // namespace khien::embedded

namespace khien::service {

const domain::RegulatoryProfile* Catalog::profile(std::string_view id) const {
  for (const auto& p : profiles)
    if (p.id == id) return &p;
  return nullptr;
}

const domain::Playbook* Catalog::playbook(std::string_view scenario) const {
  for (const auto& p : playbooks)
    if (p.scenario == scenario) return &p;
  return nullptr;
}

Result<Catalog> load_catalog(std::string_view taxonomy_yaml, const std::vector<embedded::File>& profiles,
                             const std::vector<embedded::File>& playbooks) {
  Catalog c;
  auto taxonomy = domain::parse_taxonomy(taxonomy_yaml, "taxonomy/taxonomy.yml");
  if (!taxonomy) return taxonomy.error();
  c.taxonomy = std::move(*taxonomy);

  for (const auto& f : profiles) {
    const std::string source = "regulations/" + std::string(f.name);
    auto p = domain::parse_regulatory_profile(f.content, source);
    if (!p) return p.error();
    if (source != "regulations/" + p->id + ".yml") return Error("invalid_data", source + ": must be named " + p->id + ".yml");
    if (c.profile(p->id)) return Error("invalid_data", source + ": profile " + p->id + " appears twice");
    c.profiles.push_back(std::move(*p));
  }
  if (c.profiles.empty()) return Error("invalid_data", "no regulatory profile");

  for (const auto& f : playbooks) {
    const std::string source = "playbooks/" + std::string(f.name);
    auto p = domain::parse_playbook(f.content, source, c.taxonomy);
    if (!p) return p.error();
    const auto* scenario = c.taxonomy.scenario(p->scenario);
    char expected[96];
    std::snprintf(expected, sizeof expected, "%02d-%s.yml", scenario->number, p->scenario.c_str());
    if (f.name != expected) return Error("invalid_data", source + ": must be named " + expected);
    if (c.playbook(p->scenario)) return Error("invalid_data", source + ": a second playbook for " + p->scenario);
    c.playbooks.push_back(std::move(*p));
  }
  for (const auto& s : c.taxonomy.scenarios)
    if (!c.playbook(s.id)) return Error("invalid_data", "playbooks: no playbook for scenario " + s.id);
  std::sort(c.playbooks.begin(), c.playbooks.end(), [&](const auto& a, const auto& b) {
    return c.taxonomy.scenario(a.scenario)->number < c.taxonomy.scenario(b.scenario)->number;
  });
  return c;
}

Result<Catalog> builtin_catalog() {
  return load_catalog(embedded::taxonomy_yml(), embedded::regulation_files(), embedded::playbook_files());
}

}  // namespace khien::service
