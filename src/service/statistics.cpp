#include "service/statistics.h"

#include <algorithm>
#include <numeric>

namespace khien::service {

namespace {
void add(std::vector<double>& values, std::optional<Timestamp> from, std::optional<Timestamp> to) {
  if (!from || !to || *to < *from) return;
  values.push_back(std::chrono::duration<double, std::ratio<60>>(*to - *from).count());
}

DurationSummary finish(std::vector<double>& values) {
  DurationSummary d;
  d.count = static_cast<int>(values.size());
  if (values.empty()) return d;
  d.mean = std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
  const auto mid = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), mid, values.end());
  if (values.size() % 2 == 1) {
    d.median = *mid;
  } else {
    const double upper = *mid;
    const double lower = *std::max_element(values.begin(), mid);
    d.median = (lower + upper) / 2;
  }
  return d;
}
}  // namespace

IncidentStatistics summarize(const std::vector<IncidentFacts>& facts, const domain::RegulatoryProfile& profile) {
  IncidentStatistics s;
  std::vector<double> detect, contain, recover;
  for (const auto& f : facts) {
    ++s.total;
    s.serious += f.serious ? 1 : 0;
    s.open += domain::is_open(f.phase) ? 1 : 0;
    s.loop_backs += f.loop_count;
    ++s.by_scenario[f.scenario.value_or("")];
    ++s.by_cause[f.cause_class.value_or("")];
    ++s.by_severity[f.severity.value_or("")];
    ++s.by_phase[std::string(domain::phase_name(f.phase))];
    ++s.by_month[domain::local_month(profile, f.detected_at)];
    ++s.by_organization[f.organization];
    add(detect, f.occurred_at, f.detected_at);
    add(contain, f.detected_at, f.contained_at);
    add(recover, f.detected_at, f.response_ended_at);
  }
  s.time_to_detect = finish(detect);
  s.time_to_contain = finish(contain);
  s.time_to_recover = finish(recover);
  return s;
}

Result<IncidentStatistics> Statistics::incidents(const Principal& p, Timestamp from, Timestamp to, bool drills) {
  KHIEN_TRY(authorize(p, domain::Action::kIncidentRead, Access::kRead));
  if (to <= from) return validation_error("to", "out_of_range", "after from");
  std::vector<IncidentFacts> facts;
  KHIEN_TRY(store_.read([&](Tx& tx) -> Status {
    facts = tx.incident_facts({p.tenant}, tx.shared_with(p.tenant), from, to, drills);
    return {};
  }));
  const auto* profile = catalog_.profile("2017") ? catalog_.profile("2017") : &catalog_.profiles.front();
  return summarize(facts, *profile);
}

}  // namespace khien::service
