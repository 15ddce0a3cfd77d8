#pragma once
// The data the incident rules run on: the taxonomy, the regulatory profiles and the playbooks,
// validated together. Built into the binary from data/; immutable once loaded, so it is
// shared by every thread without locking.
#include <string_view>
#include <vector>

#include "base/embedded.h"
#include "base/result.h"
#include "domain/playbook.h"
#include "domain/regulatory_profile.h"
#include "domain/taxonomy.h"

namespace khien::service {

struct Catalog {
  domain::Taxonomy taxonomy;
  std::vector<domain::RegulatoryProfile> profiles;
  std::vector<domain::Playbook> playbooks;  // one per scenario, in scenario order

  const domain::RegulatoryProfile* profile(std::string_view id) const;
  const domain::Playbook* playbook(std::string_view scenario) const;
};

// Parses everything and checks it fits together: every scenario has exactly one playbook and
// every playbook file is named after its scenario (NN-<scenario>.yml). invalid_data naming the
// file and the fault otherwise.
Result<Catalog> load_catalog(std::string_view taxonomy_yaml, const std::vector<embedded::File>& profiles,
                             const std::vector<embedded::File>& playbooks);

// The catalogue built into the binary.
Result<Catalog> builtin_catalog();

}  // namespace khien::service
