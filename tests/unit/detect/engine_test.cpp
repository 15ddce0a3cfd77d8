// The engine on one rule and one event at a time: every modifier and condition form, each
// case checked against the expected answer and against the reference evaluator.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>

#include "detect/engine.h"
#include "detect/reference_evaluator.h"
#include "detect/sigma/parse.h"

using namespace khien::detect;

namespace {

const Mapping& windows_mapping() {
  static const Mapping m = *parse_mapping(builtin_windows_mapping(), "windows.yml");
  return m;
}

Event sysmon_event(std::uint32_t id, std::vector<std::pair<std::string, std::string>> fields) {
  Event e;
  e.add("Provider_Name", "Microsoft-Windows-Sysmon");
  e.add("Channel", "Microsoft-Windows-Sysmon/Operational");
  e.add("EventID", std::to_string(id));
  e.event_id = id;
  for (const auto& [n, v] : fields) e.add(n, v);
  return e;
}

struct Outcome {
  bool engine = false;
  bool reference = false;
  std::string problem;
};

// The rule is a process_creation rule with `detection` as given.
Outcome run(const std::string& detection, const Event& event, const std::string& logsource = "category: process_creation") {
  const std::string text = "title: t\nid: 11111111-1111-1111-1111-111111111111\nlevel: high\nlogsource:\n  product: windows\n  " +
                           logsource + "\ndetection:\n" + detection;
  auto rules = sigma::parse_rules(text, "test.yml");
  if (!rules) return {false, false, rules.error().detail()};
  Outcome o;
  o.reference = reference::matches(rules->front(), windows_mapping(), event);
  std::vector<RuleProblem> problems;
  auto engine = Engine::compile(*rules, windows_mapping(), problems);
  if (!problems.empty()) o.problem = problems.front().reason;
  auto scanner = engine->scanner();
  std::vector<Match> found;
  scanner.match(event, found);
  o.engine = !found.empty();
  return o;
}

void expect(const std::string& detection, const Event& event, bool expected) {
  const auto o = run(detection, event);
  EXPECT_EQ(o.problem, "") << detection;
  EXPECT_EQ(o.engine, expected) << "engine on:\n" << detection;
  EXPECT_EQ(o.reference, expected) << "reference on:\n" << detection;
}

// The engine over rules given as text: ids() lists the ids of the rules an event matches, one
// scanner for every call (what it remembers carries over from event to event).
struct Compiled {
  explicit Compiled(const std::string& text) {
    auto rules = sigma::parse_rules(text, "test.yml");
    EXPECT_TRUE(rules.ok()) << rules.error().detail();
    std::vector<RuleProblem> problems;
    engine = Engine::compile(*rules, windows_mapping(), problems);
    EXPECT_TRUE(problems.empty());
    scanner = std::make_unique<Engine::Scanner>(engine->scanner());
  }
  std::string ids(const Event& e) {
    std::vector<Match> found;
    scanner->match(e, found);
    std::string out;
    for (const auto& m : found) out += engine->rules()[m.rule].id;
    return out;
  }
  std::unique_ptr<Engine> engine;
  std::unique_ptr<Engine::Scanner> scanner;
};

const Event kProcess = sysmon_event(1, {{"Image", "C:\\Windows\\System32\\cmd.exe"},
                                        {"CommandLine", "cmd.exe /c whoami /all"},
                                        {"ParentImage", "C:\\Windows\\explorer.exe"},
                                        {"User", "CORP\\alice"},
                                        {"IntegrityLevel", "High"},
                                        {"LogonId", "0x3e7"},
                                        {"TerminalSessionId", "2"},
                                        {"UtcTime", "2026-11-24 08:15:30.123"},
                                        {"Description", ""},
                                        {"OriginalFileName", "Cmd.Exe"}});

}  // namespace

TEST(Engine, PlainValuesAreWholeAndCaseInsensitive) {
  expect("  sel:\n    Image: 'c:\\windows\\system32\\CMD.EXE'\n  condition: sel\n", kProcess, true);
  expect("  sel:\n    Image: 'cmd.exe'\n  condition: sel\n", kProcess, false);
  expect("  sel:\n    OriginalFileName|cased: 'Cmd.Exe'\n  condition: sel\n", kProcess, true);
  expect("  sel:\n    OriginalFileName|cased: 'cmd.exe'\n  condition: sel\n", kProcess, false);
}

TEST(Engine, PlacementModifiers) {
  expect("  sel:\n    Image|endswith: '\\cmd.exe'\n  condition: sel\n", kProcess, true);
  expect("  sel:\n    Image|endswith: '\\System32'\n  condition: sel\n", kProcess, false);
  expect("  sel:\n    Image|startswith: 'C:\\Windows\\'\n  condition: sel\n", kProcess, true);
  expect("  sel:\n    Image|startswith: 'cmd'\n  condition: sel\n", kProcess, false);
  expect("  sel:\n    CommandLine|contains: 'WHOAMI'\n  condition: sel\n", kProcess, true);
  // The last occurrence is the one at the end: `.exe` appears twice.
  expect("  sel:\n    CommandLine|endswith: '/all'\n  condition: sel\n", kProcess, true);
}

TEST(Engine, WildcardsAndEscapes) {
  // `\*` is a literal star; `\\*` a backslash, then the wildcard.
  expect("  sel:\n    Image: 'C:\\Windows\\\\*\\cmd.exe'\n  condition: sel\n", kProcess, true);
  expect("  sel:\n    Image: 'C:\\Windows\\*\\cmd.exe'\n  condition: sel\n", kProcess, false);
  expect("  sel:\n    Image: 'C:\\Windows\\System3?\\cmd.exe'\n  condition: sel\n", kProcess, true);
  expect("  sel:\n    Image: 'C:\\Windows\\System?\\cmd.exe'\n  condition: sel\n", kProcess, false);
  const auto star = sysmon_event(1, {{"CommandLine", "echo *"}});
  expect("  sel:\n    CommandLine: 'echo \\*'\n  condition: sel\n", star, true);
  expect("  sel:\n    CommandLine: 'echo \\*'\n  condition: sel\n", kProcess, false);
  expect("  sel:\n    CommandLine: '*'\n  condition: sel\n", kProcess, true);
  expect("  sel:\n    Description: ''\n  condition: sel\n", kProcess, true);
}

TEST(Engine, AllWithLists) {
  expect("  sel:\n    CommandLine|contains|all:\n      - 'whoami'\n      - '/all'\n  condition: sel\n", kProcess, true);
  expect("  sel:\n    CommandLine|contains|all:\n      - 'whoami'\n      - '/priv'\n  condition: sel\n", kProcess, false);
  expect("  sel:\n    CommandLine|contains:\n      - 'whoami'\n      - '/priv'\n  condition: sel\n", kProcess, true);
}

TEST(Engine, RegularExpressions) {
  expect("  sel:\n    CommandLine|re: 'who[a-z]+ /all$'\n  condition: sel\n", kProcess, true);
  expect("  sel:\n    CommandLine|re: 'WHOAMI'\n  condition: sel\n", kProcess, false);
  expect("  sel:\n    CommandLine|re|i: 'WHOAMI'\n  condition: sel\n", kProcess, true);
  // Vectorscan has no backreferences... nor has RE2: the rule is refused with both reasons.
  const auto o = run("  sel:\n    CommandLine|re: '(a)\\1'\n  condition: sel\n", kProcess);
  EXPECT_NE(o.problem.find("neither by Vectorscan nor by RE2"), std::string::npos) << o.problem;
  // A lookahead-free construct Vectorscan refuses but RE2 takes: \b is fine in both; use a
  // large bounded repeat, which Vectorscan rejects only when too big, as RE2's fallback path.
  expect("  sel:\n    CommandLine|re: '(?i)^CMD\\.exe'\n  condition: sel\n", kProcess, true);
}

TEST(Engine, EncodingModifiers) {
  // "whoami" as UTF-16LE then base64, at the three offsets, inside a longer encoded command.
  const auto enc = sysmon_event(1, {{"CommandLine", "powershell -enc dwBoAG8AYQBtAGkAIAAvAGEAbABsAA=="}});
  expect("  sel:\n    CommandLine|wide|base64offset|contains: 'whoami'\n  condition: sel\n", enc, true);
  expect("  sel:\n    CommandLine|wide|base64offset|contains: 'net user'\n  condition: sel\n", enc, false);
  const auto b64 = sysmon_event(1, {{"CommandLine", "echo L2Jpbi9iYXNo | base64 -d"}});
  expect("  sel:\n    CommandLine|base64|contains: '/bin/bash'\n  condition: sel\n", b64, true);
}

TEST(Engine, Windash) {
  for (const char* cmd : {"ping -n 1 x", "ping /n 1 x", "ping \xE2\x80\x93n 1 x", "ping \xE2\x80\x94n 1 x"}) {
    const auto e = sysmon_event(1, {{"CommandLine", cmd}});
    expect("  sel:\n    CommandLine|windash|contains: ' -n '\n  condition: sel\n", e, true);
  }
  expect("  sel:\n    CommandLine|windash|contains: ' -n '\n  condition: sel\n", kProcess, false);
}

TEST(Engine, CidrBothFamilies) {
  const auto net = sysmon_event(3, {{"DestinationIp", "10.1.2.3"}, {"SourceIp", "fe80::1"}});
  const std::string ls = "category: network_connection";
  auto check = [&](const std::string& det, bool expected) {
    const auto o = run(det, net, ls);
    EXPECT_EQ(o.engine, expected) << det;
    EXPECT_EQ(o.reference, expected) << det;
  };
  check("  sel:\n    DestinationIp|cidr: '10.0.0.0/8'\n  condition: sel\n", true);
  check("  sel:\n    DestinationIp|cidr: '10.1.2.0/25'\n  condition: sel\n", true);
  check("  sel:\n    DestinationIp|cidr: '192.168.0.0/16'\n  condition: sel\n", false);
  check("  sel:\n    SourceIp|cidr: 'fe80::/10'\n  condition: sel\n", true);
  check("  sel:\n    SourceIp|cidr: '2001:db8::/32'\n  condition: sel\n", false);
  check("  sel:\n    DestinationIp|cidr: 'fe80::/10'\n  condition: sel\n", false);
}

TEST(Engine, ExistsNullNeqFieldrefAndNumbers) {
  expect("  sel:\n    Hashes|exists: false\n  condition: sel\n", kProcess, true);
  expect("  sel:\n    Image|exists: true\n  condition: sel\n", kProcess, true);
  expect("  sel:\n    Hashes: null\n  condition: sel\n", kProcess, true);
  expect("  sel:\n    Description: null\n  condition: sel\n", kProcess, true);
  expect("  sel:\n    Image: null\n  condition: sel\n", kProcess, false);
  expect("  sel:\n    IntegrityLevel|neq: 'System'\n  condition: sel\n", kProcess, true);
  expect("  sel:\n    IntegrityLevel|neq: 'high'\n  condition: sel\n", kProcess, false);
  const auto same = sysmon_event(1, {{"Image", "C:\\a.exe"}, {"ParentImage", "c:\\A.exe"}});
  expect("  sel:\n    Image|fieldref: ParentImage\n  condition: sel\n", same, true);
  expect("  sel:\n    Image|fieldref: ParentImage\n  condition: sel\n", kProcess, false);
  expect("  sel:\n    TerminalSessionId|gt: 1\n  condition: sel\n", kProcess, true);
  expect("  sel:\n    TerminalSessionId|lte: 1\n  condition: sel\n", kProcess, false);
  expect("  sel:\n    LogonId|gte: 999\n  condition: sel\n", kProcess, true);  // 0x3e7
  expect("  sel:\n    TerminalSessionId: 2\n  condition: sel\n", kProcess, true);
}

TEST(Engine, TimeParts) {
  expect("  sel:\n    UtcTime|hour: 8\n  condition: sel\n", kProcess, true);
  expect("  sel:\n    UtcTime|minute: 15\n  condition: sel\n", kProcess, true);
  expect("  sel:\n    UtcTime|day: 24\n  condition: sel\n", kProcess, true);
  expect("  sel:\n    UtcTime|week: 48\n  condition: sel\n", kProcess, true);
  expect("  sel:\n    UtcTime|month: 11\n  condition: sel\n", kProcess, true);
  expect("  sel:\n    UtcTime|year: 2025\n  condition: sel\n", kProcess, false);
  // A time that names no real day has no parts (not 1 March).
  const auto no_such_day = sysmon_event(1, {{"UtcTime", "2023-02-29 08:15:30.123"}});
  expect("  sel:\n    UtcTime|day: 1\n  condition: sel\n", no_such_day, false);
  expect("  sel:\n    UtcTime|hour: 8\n  condition: sel\n", no_such_day, false);
  const auto leap_day = sysmon_event(1, {{"UtcTime", "2024-02-29T08:15:30Z"}});
  expect("  sel:\n    UtcTime|day: 29\n  condition: sel\n", leap_day, true);
}

TEST(Engine, KeywordsSearchEveryValue) {
  expect("  keywords:\n    - 'whoami'\n  condition: keywords\n", kProcess, true);
  expect("  keywords:\n    - 'mimikatz'\n  condition: keywords\n", kProcess, false);
  expect("  keywords:\n    '|all':\n      - 'alice'\n      - 'explorer'\n  condition: keywords\n", kProcess, true);
  expect("  keywords:\n    '|all':\n      - 'alice'\n      - 'bob'\n  condition: keywords\n", kProcess, false);
}

TEST(Engine, KeywordsAreSearchedForTheLogSourcesOfTheEvent) {
  // Keywords are compiled per log source: one engine, the same keyword in a process_creation
  // rule (Sysmon 1 and Security 4688) and a Security rule, and one more only in the latter.
  const std::string text =
      "title: process\nlogsource: {product: windows, category: process_creation}\n"
      "detection:\n  keywords: ['whoami']\n  condition: keywords\n---\n"
      "title: security\nlogsource: {product: windows, service: security}\n"
      "detection:\n  keywords: ['whoami', 'mimikatz']\n  condition: keywords\n";
  std::vector<RuleProblem> problems;
  const auto engine = Engine::compile(*sigma::parse_rules(text, "test.yml"), windows_mapping(), problems);
  ASSERT_TRUE(problems.empty());
  auto scanner = engine->scanner();
  auto security = [](std::uint32_t id, const std::string& command_line) {
    Event e;
    e.add("Provider_Name", "Microsoft-Windows-Security-Auditing");
    e.add("Channel", "Security");
    e.add("EventID", std::to_string(id));
    e.event_id = id;
    e.add("CommandLine", command_line);
    return e;
  };
  auto matched = [&](const Event& e) {
    std::vector<Match> found;
    scanner.match(e, found);
    std::vector<std::string> titles;
    for (const auto& m : found) titles.push_back(engine->rules()[m.rule].title);
    return titles;
  };
  using Titles = std::vector<std::string>;
  EXPECT_EQ(matched(kProcess), Titles{"process"});
  EXPECT_EQ(matched(security(4688, "cmd /c whoami")), (Titles{"process", "security"}));
  EXPECT_EQ(matched(security(4624, "whoami")), Titles{"security"});
  EXPECT_EQ(matched(security(4688, "mimikatz.exe")), Titles{"security"});
  EXPECT_EQ(matched(sysmon_event(1, {{"CommandLine", "mimikatz.exe"}})), Titles{});
}

TEST(Engine, Conditions) {
  const std::string searches =
      "  sel_img:\n    Image|endswith: '\\cmd.exe'\n  sel_cli:\n    CommandLine|contains: 'whoami'\n"
      "  filter_main:\n    User|contains: 'alice'\n  other:\n    Image|endswith: '\\powershell.exe'\n";
  expect(searches + "  condition: sel_img and sel_cli\n", kProcess, true);
  expect(searches + "  condition: sel_img and not filter_main\n", kProcess, false);
  expect(searches + "  condition: other or (sel_img and sel_cli)\n", kProcess, true);
  expect(searches + "  condition: all of sel_*\n", kProcess, true);
  expect(searches + "  condition: 1 of sel_* and not 1 of filter_*\n", kProcess, false);
  expect(searches + "  condition: all of them\n", kProcess, false);
  expect(searches + "  condition: 1 of them\n", kProcess, true);
  expect(searches + "  condition: not other\n", kProcess, true);  // holds without a true test
  // A pattern naming no search is an error, not an empty `or`.
  EXPECT_NE(run(searches + "  condition: 1 of nothing_*\n", kProcess).problem.find("nothing_*"), std::string::npos);
  // Lists of maps are alternatives.
  expect("  sel:\n    - Image|endswith: '\\powershell.exe'\n    - CommandLine|contains: 'whoami'\n  condition: sel\n", kProcess,
         true);
}

TEST(Engine, LogsourcesApplyByProviderChannelAndEventId) {
  // Security 4688 names the image NewProcessName.
  Event security;
  security.add("Provider_Name", "Microsoft-Windows-Security-Auditing");
  security.add("Channel", "Security");
  security.add("EventID", "4688");
  security.event_id = 4688;
  security.add("NewProcessName", "C:\\Windows\\System32\\cmd.exe");
  expect("  sel:\n    Image|endswith: '\\cmd.exe'\n  condition: sel\n", security, true);
  // Event 1 of another provider is not a Sysmon process creation.
  Event other = kProcess;
  Event renamed;
  for (std::size_t i = 0; i < other.size(); ++i)
    renamed.add(other.name(i), other.name(i) == "Provider_Name" ? "Some-Other-Provider" : other.value(i));
  renamed.event_id = 1;
  expect("  sel:\n    Image|endswith: '\\cmd.exe'\n  condition: sel\n", renamed, false);
  // A Sysmon event of another id: not process creation.
  const auto file = sysmon_event(11, {{"Image", "C:\\Windows\\System32\\cmd.exe"}});
  expect("  sel:\n    Image|endswith: '\\cmd.exe'\n  condition: sel\n", file, false);
}

TEST(Engine, ExpandPlaceholders) {
  auto rules = sigma::parse_rules(
      "title: t\nid: 22222222-2222-2222-2222-222222222222\nlevel: high\nlogsource:\n  product: windows\n"
      "  category: process_creation\ndetection:\n  sel:\n    Image|endswith: '\\cmd.exe'\n"
      "  filter:\n    User|expand: '%admins%'\n  condition: sel and not filter\n",
      "expand.yml");
  ASSERT_TRUE(rules.ok()) << rules.error().detail();
  auto matches = [&](const Placeholders& p) {
    std::vector<RuleProblem> problems;
    auto engine = Engine::compile(*rules, windows_mapping(), problems, p);
    auto scanner = engine->scanner();
    std::vector<Match> found;
    scanner.match(kProcess, found);
    return std::make_pair(!found.empty(), problems);
  };
  // Without values the filter matches nothing (noted), so the rule fires.
  auto [fired, notes] = matches({});
  EXPECT_TRUE(fired);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_TRUE(notes[0].warning);
  EXPECT_NE(notes[0].reason.find("%admins%"), std::string::npos);
  // With alice among the admins, the filter holds.
  EXPECT_FALSE(matches({{"admins", {"CORP\\bob", "CORP\\alice"}}}).first);
  EXPECT_TRUE(matches({{"admins", {"CORP\\bob"}}}).first);
}

TEST(Engine, FilterRulesAreAddedToTheRulesTheyName) {
  const std::string rules_text =
      "title: Whoami\nid: 33333333-3333-3333-3333-333333333333\nlevel: low\nlogsource:\n  product: windows\n"
      "  category: process_creation\ndetection:\n  sel:\n    CommandLine|contains: 'whoami'\n  condition: sel\n"
      "---\n"
      "title: Not for Alice\nlogsource:\n  product: windows\n  category: process_creation\nfilter:\n"
      "  rules:\n    - 33333333-3333-3333-3333-333333333333\n  alice:\n    User|endswith: '\\alice'\n"
      "  condition: not alice\n"
      "---\n"
      "title: Elsewhere\nlogsource:\n  product: linux\nfilter:\n  rules: any\n  sel:\n    User: x\n  condition: not sel\n";
  auto rules = sigma::parse_rules(rules_text, "filters.yml");
  ASSERT_TRUE(rules.ok()) << rules.error().detail();
  ASSERT_EQ(rules->size(), 3u);
  EXPECT_TRUE((*rules)[1].is_filter);
  std::vector<RuleProblem> problems;
  auto engine = Engine::compile(*rules, windows_mapping(), problems);
  ASSERT_EQ(engine->rules().size(), 1u);  // filters are not rules of their own
  ASSERT_EQ(problems.size(), 1u);          // the linux filter names no rule it covers
  EXPECT_TRUE(problems[0].warning);
  EXPECT_NE(problems[0].reason.find("'Elsewhere' applies to no loaded rule"), std::string::npos);
  auto scanner = engine->scanner();
  std::vector<Match> found;
  scanner.match(kProcess, found);  // alice runs whoami: filtered out
  EXPECT_TRUE(found.empty());
  const auto bob = sysmon_event(1, {{"CommandLine", "whoami"}, {"User", "CORP\\bob"}});
  scanner.match(bob, found);
  EXPECT_EQ(found.size(), 1u);
  // The reference evaluator agrees on the merged rule.
  std::vector<std::string> notes;
  const auto merged = sigma::apply_filters(*rules, notes);
  EXPECT_FALSE(reference::matches(merged[0], windows_mapping(), kProcess));
  EXPECT_TRUE(reference::matches(merged[0], windows_mapping(), bob));
}

// A value scanned once is remembered per field: seen again, in another event, in another
// field, or under `|all`, it gives what scanning it gives.
TEST(Engine, RememberedValuesMatchAsScannedOnes) {
  const std::string text =
      "title: end\nid: e\nlogsource: {product: windows, category: process_creation}\n"
      "detection:\n  sel:\n    Image|endswith: '\\whoami.exe'\n  condition: sel\n---\n"
      "title: all\nid: a\nlogsource: {product: windows, category: process_creation}\n"
      "detection:\n  sel:\n    CommandLine|contains|all: [' /user ', ' /priv']\n  condition: sel\n---\n"
      "title: start\nid: s\nlogsource: {product: windows, category: process_creation}\n"
      "detection:\n  sel:\n    ParentImage|startswith: 'C:\\Windows\\'\n  condition: sel\n";
  Compiled compiled(text);
  const auto ids = [&](const Event& e) { return compiled.ids(e); };
  const auto one = sysmon_event(1, {{"Image", "C:\\Windows\\System32\\whoami.exe"}, {"CommandLine", "whoami /user /priv"},
                                    {"ParentImage", "C:\\Windows\\explorer.exe"}});
  const auto other = sysmon_event(1, {{"Image", "C:\\whoami.exe\\x.exe"}, {"CommandLine", "whoami /user"},
                                      {"ParentImage", "D:\\C:\\Windows\\x.exe"}});
  // The second event's values hold the literals at the wrong places, or not all of them.
  for (int pass = 0; pass < 3; ++pass) {
    EXPECT_EQ(ids(one), "eas") << pass;
    EXPECT_EQ(ids(other), "") << pass;
  }
  // The same value in another field is another field's scan.
  const auto swapped = sysmon_event(1, {{"Image", "C:\\Windows\\explorer.exe"}, {"ParentImage", "C:\\Windows\\System32\\whoami.exe"}});
  EXPECT_EQ(ids(swapped), "s");
}

TEST(Event, NamesAndValuesAtOnce) {
  Event a, b;
  a.add("ab", "1");
  a.add("c", "");
  b.add("a", "1");
  b.add("bc", "");
  EXPECT_NE(a.names(), b.names());  // the same letters, other names
  EXPECT_EQ(a.values(), std::string_view("1\0\0", 3));
  Event c;
  c.add("ab", "x");
  c.add("c", "yz");
  EXPECT_EQ(a.names(), c.names());
  c.add("Channel", "Security");
  c.truncate(2);
  EXPECT_EQ(a.names(), c.names());
  EXPECT_EQ(c.values(), std::string_view("x\0yz\0", 5));
  EXPECT_EQ(c.channel(), "");
  EXPECT_EQ(c.value(1), "yz");
}

// Events of one origin whose fields come in another order, or under other names, are
// scanned by their own names (the engine remembers the names of the last one).
TEST(Engine, FieldsAreFoundWhateverTheirOrder) {
  const std::string text =
      "title: img\nid: i\nlogsource: {product: windows, category: process_creation}\n"
      "detection:\n  sel:\n    Image|endswith: '\\whoami.exe'\n  condition: sel\n---\n"
      "title: cmd\nid: c\nlogsource: {product: windows, category: process_creation}\n"
      "detection:\n  sel:\n    CommandLine|contains: '/priv'\n  condition: sel\n";
  Compiled compiled(text);
  const auto ids = [&](const Event& e) { return compiled.ids(e); };
  const auto both = sysmon_event(1, {{"Image", "C:\\whoami.exe"}, {"CommandLine", "whoami /priv"}});
  const auto swapped = sysmon_event(1, {{"CommandLine", "C:\\whoami.exe"}, {"Image", "whoami /priv"}});
  const auto fewer = sysmon_event(1, {{"Image", "whoami /priv"}});
  const auto more = sysmon_event(1, {{"User", "x"}, {"Image", "C:\\whoami.exe"}, {"CommandLine", "/priv"}, {"Image", "y"}});
  for (int pass = 0; pass < 2; ++pass) {
    EXPECT_EQ(ids(both), "ic") << pass;
    EXPECT_EQ(ids(swapped), "") << pass;
    EXPECT_EQ(ids(fewer), "") << pass;
    EXPECT_EQ(ids(more), "ic") << pass;
    EXPECT_EQ(ids(Event{}), "") << pass;
  }
}

// The fields a match shows: the value each string test matched, the right one of a repeated
// field, and for keywords the values that hold them.
TEST(Engine, MatchedFieldsAreTheValuesThatMatched) {
  const std::string text =
      "title: image\nid: i\nlogsource: {product: windows, category: process_creation}\n"
      "detection:\n  sel:\n    Image|endswith: '\\whoami.exe'\n    CommandLine|re: 'who.mi'\n  condition: sel\n---\n"
      "title: data\nid: d\nlogsource: {product: windows, category: process_creation}\n"
      "detection:\n  sel:\n    Data|contains: 'secret'\n  condition: sel\n---\n"
      "title: keyword\nid: k\nlogsource: {product: windows, category: process_creation}\n"
      "detection:\n  keywords:\n    - 'mimikatz'\n  condition: keywords\n";
  auto rules = sigma::parse_rules(text, "fields.yml");
  ASSERT_TRUE(rules.ok()) << rules.error().detail();
  std::vector<RuleProblem> problems;
  auto engine = Engine::compile(*rules, windows_mapping(), problems);
  auto scanner = engine->scanner();
  const auto e = sysmon_event(1, {{"Image", "C:\\Windows\\System32\\whoami.exe"}, {"CommandLine", "whoami /all"},
                                  {"Data", "public"}, {"Data", "top secret"}, {"Description", "mimikatz for you"}});
  std::vector<Match> found;
  scanner.match(e, found);
  ASSERT_EQ(found.size(), 3u);
  using Fields = std::vector<std::pair<std::string_view, std::string_view>>;
  std::map<std::string, Fields> shown;
  for (const auto& m : found) shown[engine->rules()[m.rule].id] = scanner.matched_fields(e, m.rule);
  EXPECT_EQ(shown["i"], (Fields{{"Image", "C:\\Windows\\System32\\whoami.exe"}, {"CommandLine", "whoami /all"}}));
  EXPECT_EQ(shown["d"], (Fields{{"Data", "top secret"}}));
  EXPECT_EQ(shown["k"], (Fields{{"Description", "mimikatz for you"}}));
}

// Compiled patterns kept on disk: a second compile of the same rules loads every database and
// matches the same; a damaged file is compiled afresh and written again; other rules miss.
TEST(Engine, PatternCacheLoadsWhatWasCompiledBefore) {
  namespace fs = std::filesystem;
  const auto dir = fs::temp_directory_path() / ("khien-pattern-cache-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const std::string text =
      "title: t\nid: 11111111-1111-1111-1111-111111111111\nlogsource:\n  product: windows\n  category: process_creation\n"
      "detection:\n  a:\n    Image|endswith: '\\cmd.exe'\n    CommandLine|re: 'whoami\\s+/all'\n  condition: a\n";
  const auto rules = *sigma::parse_rules(text, "t.yml");
  const auto hit = sysmon_event(1, {{"Image", "C:\\Windows\\System32\\cmd.exe"}, {"CommandLine", "cmd /c whoami  /all"}});
  const auto miss = sysmon_event(1, {{"Image", "C:\\Windows\\System32\\cmd.exe"}, {"CommandLine", "whoami"}});
  auto matches = [&](const Engine& engine, const Event& e) {
    auto scanner = engine.scanner();
    std::vector<Match> found;
    scanner.match(e, found);
    return found.size();
  };
  std::vector<RuleProblem> problems;
  const auto first = Engine::compile(rules, windows_mapping(), problems, {}, dir);
  ASSERT_TRUE(problems.empty());
  // Literals for Image (Sysmon) and for NewProcessName (Security 4688), the same patterns: the
  // second is loaded; and expressions for CommandLine.
  EXPECT_EQ(first->databases_loaded(), 1u);
  EXPECT_EQ(first->databases_compiled(), 2u);
  std::vector<fs::path> files;
  for (const auto& f : fs::directory_iterator(dir)) files.push_back(f.path());
  ASSERT_EQ(files.size(), 2u);

  const auto second = Engine::compile(rules, windows_mapping(), problems, {}, dir);
  EXPECT_EQ(second->databases_loaded(), 3u);
  EXPECT_EQ(second->databases_compiled(), 0u);
  EXPECT_EQ(matches(*second, hit), 1u);
  EXPECT_EQ(matches(*second, miss), 0u);

  for (const auto& f : files) std::ofstream(f, std::ios::binary | std::ios::trunc) << "not a database";
  const auto third = Engine::compile(rules, windows_mapping(), problems, {}, dir);
  EXPECT_EQ(third->databases_loaded(), 1u);
  EXPECT_EQ(third->databases_compiled(), 2u);
  EXPECT_EQ(matches(*third, hit), 1u);
  EXPECT_EQ(Engine::compile(rules, windows_mapping(), problems, {}, dir)->databases_loaded(), 3u);  // written again

  auto other = text;
  other.replace(other.find("cmd.exe"), 7, "pwsh.exe");
  const auto changed = Engine::compile(*sigma::parse_rules(other, "t.yml"), windows_mapping(), problems, {}, dir);
  EXPECT_EQ(changed->databases_loaded(), 2u);  // the CommandLine expressions are the same
  EXPECT_EQ(changed->databases_compiled(), 1u);
  EXPECT_TRUE(problems.empty());
  fs::remove_all(dir);
}
