// Any bytes as a Sigma rule file: parsed, and every string value of every rule turned into
// patterns. Seeds: SigmaHQ's rules (e.g. a copy of ../shared/data/sigma/rules/windows).
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
  return 0;
}
