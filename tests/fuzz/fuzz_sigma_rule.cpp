// Any bytes as a Sigma rule file: parsed, and every string value of every rule turned into
// patterns; its correlations compiled against its other rules and fed a few matches of each.
// Seeds: SigmaHQ's rules (e.g. a copy of ../shared/data/sigma/rules/windows and unsupported/).
#include "detect/correlate.h"
#include "detect/sigma/parse.h"
#include "detect/sigma/value.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace khien::detect::sigma;
  auto rules = parse_rules({reinterpret_cast<const char*>(data), size}, "fuzz.yml");
  if (!rules) return 0;
  for (const auto& r : *rules)
    for (const auto& [name, search] : r.searches)
      for (const auto& alternative : search.alternatives)
        for (const auto& t : alternative)
          for (const auto& v : t.values)
            if (auto p = string_patterns(t, v)) (void)pattern_matches(p->front(), "C:\\Windows\\System32\\cmd.exe /c whoami", false);
  auto correlations = take_correlations(*rules);
  std::vector<khien::detect::RuleProblem> problems;
  const auto correlator = khien::detect::Correlator::compile(std::move(correlations), *rules, problems);
  std::vector<khien::detect::CorrelationMatch> out;
  std::uint64_t event = 0;
  for (std::int64_t t = 0; t < 8; ++t)
    for (std::uint32_t rule = 0; rule < rules->size(); ++rule) {
      if (!correlator->reads(rule)) continue;
      khien::detect::Correlator::Input in{rule, (t % 3) * 40'000'000 + t * 1'000'000, event++, {}};
      for (std::size_t f = 0; f < correlator->fields_of(rule).size(); ++f) in.values.push_back(std::to_string((t + f) % 2));
      correlator->feed(in, out);
    }
  correlator->finish(out);
  return 0;
}
