// The engine against the reference evaluator on every SigmaHQ rule: the same matches on the
// events of SigmaHQ's regression data and on events generated from the rules' own values
// (each search of each rule instantiated: its patterns with `*` emptied and `?` as 'x').
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "detect/engine.h"
#include "detect/json_events.h"
#include "detect/reference_evaluator.h"
#include "detect/sigma/parse.h"
#include "detect/sigma/value.h"

using namespace khien::detect;
namespace fs = std::filesystem;

namespace {

const fs::path kSigma = fs::path(KHIEN_SHARED_DATA) / "sigma";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

Mapping windows_mapping() {
  auto m = parse_mapping(builtin_windows_mapping(), "windows.yml");
  EXPECT_TRUE(m.ok());
  return *m;
}

std::vector<sigma::Rule> all_rules() {
  std::vector<sigma::Rule> rules;
  std::vector<fs::path> files;
  for (const auto* dir : {"rules", "rules-threat-hunting", "rules-emerging-threats", "rules-compliance", "rules-dfir"}) {
    if (!fs::exists(kSigma / dir)) continue;
    for (const auto& f : fs::recursive_directory_iterator(kSigma / dir))
      if (f.path().extension() == ".yml") files.push_back(f.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    auto parsed = sigma::parse_rules(slurp(f), f.string());
    if (parsed)
      for (auto& r : *parsed) rules.push_back(std::move(r));
  }
  return rules;
}

std::string instantiate(const sigma::Pattern& p) {
  std::string out;
  for (const auto& piece : p) {
    if (piece.kind == sigma::Piece::Kind::kText) out += piece.text;
    else if (piece.kind == sigma::Piece::Kind::kAnyOne) out += 'x';
  }
  return out;
}

// An event of the source on which the alternative's string tests hold.
Event generated(const Source& source, const std::vector<sigma::FieldTest>& tests) {
  Event e;
  e.add("Provider_Name", source.provider.empty() ? "Microsoft-Windows-Sysmon" : source.provider);
  e.add("Channel", source.channel.empty() ? "Microsoft-Windows-Sysmon/Operational" : source.channel);
  const auto id = source.event_ids.empty() ? 1u : source.event_ids.front();
  e.add("EventID", std::to_string(id));
  e.event_id = id;
  for (const auto& [f, v] : source.where) e.add(f, v);
  for (const auto& t : tests) {
    std::string value;
    for (const auto& v : t.values) {
      if (v.kind == sigma::Value::Kind::kNull) continue;
      auto patterns = sigma::string_patterns(t, v);
      if (!patterns || patterns->empty()) continue;
      value += (value.empty() ? "" : " ") + instantiate(patterns->front());
      if (!t.has(sigma::Modifier::kAll)) break;
    }
    e.add(t.field.empty() ? std::string("Keyword") : std::string(source.field(t.field)), value);
  }
  return e;
}

}  // namespace

TEST(EngineDifferential, SameMatchesAsTheReferenceOnEverySigmaRule) {
  if (!fs::exists(kSigma / "rules"))
    GTEST_SKIP() << "needs the SigmaHQ rules in " << kSigma << " (../shared/data is absent)";
  const auto mapping = windows_mapping();
  auto rules = all_rules();
  // Correlations decide on matches, not events (correlate_test.cpp); their rules stay here.
  (void)sigma::take_correlations(rules);
  ASSERT_GT(rules.size(), 3000u);

  std::vector<Event> events;
  // The regression data's JSON events.
  JsonEvents json(mapping);
  for (const auto& f : fs::recursive_directory_iterator(kSigma / "regression_data")) {
    if (f.path().extension() != ".json") continue;
    auto text = slurp(f.path());
    const auto size = text.size();
    text.resize(size + JsonEvents::padding(), ' ');
    std::vector<JsonProblem> problems;
    json.read_document(std::string_view(text.data(), size), [&](const Event& e) {
      events.push_back(e);
      return true;
    }, problems);
    EXPECT_TRUE(problems.empty()) << f.path();
  }
  const auto real_events = events.size();
  // Events made from the rules' own values.
  for (const auto& r : rules)
    for (const auto* source : mapping.sources_for(r.logsource))
      for (const auto& [name, search] : r.searches)
        if (!search.alternatives.empty()) events.push_back(generated(*source, search.alternatives.front()));

  std::vector<std::vector<const Source*>> sources;
  for (const auto& r : rules) sources.push_back(mapping.sources_for(r.logsource));

  std::vector<RuleProblem> problems;
  auto engine = Engine::compile(rules, mapping, problems);
  // Rules the engine refuses (expand without placeholders) are left out of both.
  std::set<std::string> refused;
  for (const auto& p : problems)
    if (!p.warning) refused.insert(p.rule);
  std::map<std::string, std::uint32_t> engine_index;
  for (std::uint32_t i = 0; i < engine->rules().size(); ++i) engine_index[engine->rules()[i].id] = i;

  auto scanner = engine->scanner();
  std::vector<Match> found;
  std::size_t matches = 0, differences = 0;
  for (std::size_t k = 0; k < events.size(); ++k) {
    const auto& e = events[k];
    found.clear();
    scanner.match(e, found);
    std::set<std::string> by_engine, by_reference;
    for (const auto& m : found) by_engine.insert(engine->rules()[m.rule].id);
    for (std::size_t i = 0; i < rules.size(); ++i)
      if (!refused.count(rules[i].id) && reference::matches(rules[i], sources[i], e))
        by_reference.insert(rules[i].id);
    matches += by_engine.size();
    if (by_engine != by_reference && ++differences <= 10) {
      std::string diff;
      for (const auto& id : by_engine)
        if (!by_reference.count(id)) diff += " engine-only:" + id;
      for (const auto& id : by_reference)
        if (!by_engine.count(id)) diff += " reference-only:" + id;
      std::string fields;
      for (std::size_t i = 0; i < e.size(); ++i) fields += " " + std::string(e.name(i)) + "=" + std::string(e.value(i));
      ADD_FAILURE() << "event " << k << (k < real_events ? " (regression data)" : " (generated)") << ":" << diff << "\n "
                    << fields;
    }
  }
  EXPECT_EQ(differences, 0u);
  // The generated events do hit their rules: most of the work is on matching events.
  EXPECT_GT(matches, events.size() / 2);
  std::cout << "compared " << events.size() << " events (" << real_events << " from the regression data) on "
            << rules.size() << " rules: " << matches << " matches\n";
}
