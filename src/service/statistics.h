#pragma once
// Incident statistics (plan §2.4, §III of the issue): counts by scenario, cause, severity,
// organisation and month; mean and median time to detect, to contain and to recover; loops
// back. Drills are left out unless asked for. A coordinator's figures include what its
// agencies share with it.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "domain/regulatory_profile.h"
#include "service/catalog.h"
#include "service/context.h"
#include "service/incident_records.h"
#include "service/store.h"

namespace khien::service {

struct DurationSummary {
  int count = 0;                  // incidents the duration is known for
  std::optional<double> mean;     // minutes
  std::optional<double> median;   // minutes
};

struct IncidentStatistics {
  int total = 0;
  int serious = 0;
  int open = 0;
  int loop_backs = 0;
  std::map<std::string, int> by_scenario;  // "" for not yet classified
  std::map<std::string, int> by_cause;
  std::map<std::string, int> by_severity;
  std::map<std::string, int> by_phase;
  std::map<std::string, int> by_month;     // "YYYY-MM" in the profile's time zone
  std::map<OrgId, int> by_organization;
  DurationSummary time_to_detect;          // occurred → detected
  DurationSummary time_to_contain;         // detected → containment began
  DurationSummary time_to_recover;         // detected → found stable
};

// The figures of `facts`; months counted in `profile`'s time zone. Pure.
IncidentStatistics summarize(const std::vector<IncidentFacts>& facts, const domain::RegulatoryProfile& profile);

class Statistics {
 public:
  Statistics(Store& store, const Catalog& catalog) : store_(store), catalog_(catalog) {}
  Result<IncidentStatistics> incidents(const Principal& p, Timestamp from, Timestamp to, bool drills);

 private:
  Store& store_;
  const Catalog& catalog_;
};

}  // namespace khien::service
