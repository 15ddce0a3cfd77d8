#pragma once
// The plan's incident taxonomy (§1.6): 20 scenarios in four groups, five cause classes, the
// actors playbooks assign steps to, severities and TLP. Loaded from data/taxonomy/taxonomy.yml.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "domain/localized_text.h"

namespace khien::domain {

struct NamedEntry {
  std::string id;
  LocalizedText name;
};

struct ScenarioGroup {
  std::string id;
  LocalizedText name;
  std::string cause;  // the cause class a scenario of this group has by default
};

struct Scenario {
  std::string id;
  int number = 0;  // 1..20, as in the plan
  std::string group;
  LocalizedText name;
  std::optional<std::string> report_category;  // row of the half-year summary (Circular 20/2017, Mẫu 05)
};

struct Taxonomy {
  std::vector<NamedEntry> cause_classes;
  std::vector<ScenarioGroup> groups;
  std::vector<Scenario> scenarios;
  std::vector<NamedEntry> actors;
  std::vector<NamedEntry> severities;  // ordered from the lowest
  std::vector<NamedEntry> tlp;

  const Scenario* scenario(std::string_view id) const;
  const ScenarioGroup* group(std::string_view id) const;
  bool has_cause_class(std::string_view id) const;
  bool has_actor(std::string_view id) const;
  bool has_severity(std::string_view id) const;
  bool has_tlp(std::string_view id) const;
  // 0 for the lowest severity; -1 when unknown.
  int severity_rank(std::string_view id) const;
};

// Parses the taxonomy; invalid_data naming the place on any fault (unknown group or cause
// class, repeated id, scenario numbers not 1..N in order, a missing translation).
Result<Taxonomy> parse_taxonomy(std::string_view yaml, std::string_view source);

}  // namespace khien::domain
