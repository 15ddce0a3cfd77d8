#include "domain/taxonomy.h"

#include <algorithm>
#include <set>

#include "domain/yaml_reader.h"

namespace khien::domain {

namespace {
template <class T>
const T* find_by_id(const std::vector<T>& v, std::string_view id) {
  auto it = std::find_if(v.begin(), v.end(), [&](const T& e) { return e.id == id; });
  return it == v.end() ? nullptr : &*it;
}

std::vector<NamedEntry> read_named(yaml::Reader& r, const YAML::Node& root, const std::string& key) {
  std::vector<NamedEntry> out;
  std::set<std::string> seen;
  const YAML::Node seq = r.sequence(root, key, "");
  for (std::size_t i = 0; i < seq.size(); ++i) {
    const std::string path = key + "[" + std::to_string(i) + "]";
    NamedEntry e{r.id(seq[i], "id", path), r.text(seq[i], "name", path)};
    r.check_unique(seen, e.id, path + ".id");
    out.push_back(std::move(e));
  }
  return out;
}

std::set<std::string> ids(const std::vector<NamedEntry>& v) {
  std::set<std::string> out;
  for (const auto& e : v) out.insert(e.id);
  return out;
}
}  // namespace

const Scenario* Taxonomy::scenario(std::string_view id) const { return find_by_id(scenarios, id); }
const ScenarioGroup* Taxonomy::group(std::string_view id) const { return find_by_id(groups, id); }
bool Taxonomy::has_cause_class(std::string_view id) const { return find_by_id(cause_classes, id) != nullptr; }
bool Taxonomy::has_actor(std::string_view id) const { return find_by_id(actors, id) != nullptr; }
bool Taxonomy::has_severity(std::string_view id) const { return find_by_id(severities, id) != nullptr; }
bool Taxonomy::has_tlp(std::string_view id) const { return find_by_id(tlp, id) != nullptr; }
int Taxonomy::severity_rank(std::string_view id) const {
  for (std::size_t i = 0; i < severities.size(); ++i)
    if (severities[i].id == id) return static_cast<int>(i);
  return -1;
}

Result<Taxonomy> parse_taxonomy(std::string_view text, std::string_view source) {
  yaml::Reader r{std::string(source)};
  const YAML::Node root = r.load(text);
  Taxonomy t;
  if (r.ok() && !root.IsMap()) r.fail(root, "(top)", "must be a map");
  if (!r.ok()) return r.error();

  t.cause_classes = read_named(r, root, "cause_classes");
  t.actors = read_named(r, root, "actors");
  t.severities = read_named(r, root, "severities");
  t.tlp = read_named(r, root, "tlp");
  const auto causes = ids(t.cause_classes);

  std::set<std::string> seen;
  const YAML::Node groups = r.sequence(root, "groups", "");
  for (std::size_t i = 0; i < groups.size(); ++i) {
    const std::string path = "groups[" + std::to_string(i) + "]";
    ScenarioGroup g{r.id(groups[i], "id", path), r.text(groups[i], "name", path), r.id(groups[i], "cause", path)};
    r.check_unique(seen, g.id, path + ".id");
    r.check_member(g.cause, causes, path + ".cause");
    t.groups.push_back(std::move(g));
  }
  std::set<std::string> group_ids;
  for (const auto& g : t.groups) group_ids.insert(g.id);

  seen.clear();
  const YAML::Node scenarios = r.sequence(root, "scenarios", "");
  for (std::size_t i = 0; i < scenarios.size(); ++i) {
    const std::string path = "scenarios[" + std::to_string(i) + "]";
    Scenario s;
    s.id = r.id(scenarios[i], "id", path);
    s.number = r.integer(scenarios[i], "number", path, 1, 99);
    s.group = r.id(scenarios[i], "group", path);
    s.name = r.text(scenarios[i], "name", path);
    s.report_category = r.optional_string(scenarios[i], "report_category", path);
    r.check_unique(seen, s.id, path + ".id");
    r.check_member(s.group, group_ids, path + ".group");
    if (s.number != static_cast<int>(i) + 1) r.fail(scenarios[i], path + ".number", "must be " + std::to_string(i + 1));
    t.scenarios.push_back(std::move(s));
  }
  if (t.scenarios.empty()) r.fail(root, "scenarios", "must not be empty");
  if (!r.ok()) return r.error();
  return t;
}

}  // namespace khien::domain
