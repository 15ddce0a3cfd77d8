// Any bytes as JSON events, read both as JSON Lines and as documents, with the built-in
// Windows mapping's JSON shapes, then matched by an engine of a few rules that reach every
// kind of test (strings, keywords, regex, numbers, CIDR, null, fieldref). Seeds: lines of the
// JSON Lines `bench/hunt` generates, and SigmaHQ's regression_data/**/*.json.
#include <string>
#include <vector>

#include "detect/engine.h"
#include "detect/json_events.h"
#include "detect/sigma/parse.h"


namespace {

using namespace khien::detect;

const char* const kRules = R"(title: strings
logsource: {product: windows}
detection:
  sel:
    CommandLine|contains|all: [' -enc ', 'powershell']
    Image|endswith: '\powershell.exe'
  keywords: ['mimikatz']
  re:
    CommandLine|re|i: 'inv[o0]ke-\w+'
  condition: sel or keywords or re
---
title: direct
logsource: {product: windows}
detection:
  sel:
    DestinationIp|cidr: ['10.0.0.0/8', 'fe80::/10']
    DestinationPort|gte: 1024
    ParentImage: null
    Image|fieldref: TargetImage
  condition: not sel
)";

struct Fixture {
  Mapping mapping = *parse_mapping(builtin_windows_mapping(), "windows.yml");
  std::unique_ptr<Engine> engine;
  Fixture() {
    std::vector<RuleProblem> problems;
    engine = Engine::compile(*sigma::parse_rules(kRules, "fuzz.yml"), mapping, problems);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Fixture fixture;
  static JsonEvents json(fixture.mapping);
  static auto scanner = fixture.engine->scanner();
  std::string text(reinterpret_cast<const char*>(data), size);
  text.resize(size + JsonEvents::padding(), ' ');
  const std::string_view view(text.data(), size);
  std::vector<JsonProblem> problems;
  std::vector<Match> found;
  auto sink = [&](const Event& e) {
    found.clear();
    scanner.match(e, found);
    for (const auto& m : found) (void)scanner.matched_fields(e, m.rule);
    return true;
  };
  json.read_lines(view, 1, sink, problems);
  json.read_document(view, sink, problems);
  return 0;
}
