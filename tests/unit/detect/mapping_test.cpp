// The log source mapping (data/mappings/windows.yml, or a user's own with --mapping): what the
// built-in one says, and a clear reason for a mapping that cannot be used.
#include <gtest/gtest.h>

#include "detect/mapping.h"

using namespace khien::detect;

TEST(Mapping, TheBuiltInOneNamesSysmonAndSecurityProcessCreation) {
  const auto m = parse_mapping(builtin_windows_mapping(), "windows.yml");
  ASSERT_TRUE(m) << m.error().detail();
  EXPECT_EQ(m->name, "windows");
  sigma::Logsource process_creation;
  process_creation.product = "windows";
  process_creation.category = "process_creation";
  const auto sources = m->sources_for(process_creation);
  ASSERT_EQ(sources.size(), 2u);
  EXPECT_EQ(sources[0]->provider, "Microsoft-Windows-Sysmon");
  EXPECT_EQ(sources[0]->event_ids, std::vector<std::uint32_t>{1});
  EXPECT_EQ(sources[1]->channel, "Security");
  EXPECT_EQ(sources[1]->field("Image"), "NewProcessName");
  EXPECT_EQ(sources[1]->field("CommandLine"), "CommandLine");
  sigma::Logsource windows;
  windows.product = "windows";
  const auto any = m->sources_for(windows);
  ASSERT_EQ(any.size(), 1u);  // `{}`: every Windows event
  EXPECT_TRUE(any[0]->accepts_origin("Anything", "Any/Channel", 7));
  ASSERT_FALSE(m->json.empty());
  EXPECT_EQ(m->json.front().detect, "winlog.event_id");
}

TEST(Mapping, AMappingThatCannotBeUsedSaysWhereAndWhy) {
  auto reason = [](std::string_view text) {
    const auto m = parse_mapping(text, "mine.yml");
    return m ? std::string("(accepted)") : m.error().detail();
  };
  EXPECT_NE(reason("logsources: [\n  - {logsource: {product: windows}").find("mine.yml: "), std::string::npos);
  EXPECT_NE(reason("logsources: [\n  - {logsource: {product: windows}").find("line"), std::string::npos);
  EXPECT_EQ(reason("name: x\n"), "mine.yml: logsources: expected a list");
  EXPECT_EQ(reason("logsources:\n  - logsource: {product: windows, colour: red}\n    sources: [{}]\n"),
            "mine.yml: logsources[0].logsource.colour: unknown key");
  EXPECT_EQ(reason("logsources:\n  - logsource: {product: windows}\n    sources: [{event_ids: [4688, x]}]\n"),
            "mine.yml: logsources[0].sources[0].event_ids: 'x' is not an event id");
  EXPECT_EQ(reason("logsources:\n  - logsource: {product: windows}\n    sources: []\n"),
            "mine.yml: logsources[0].sources: expected a list of sources");
  EXPECT_EQ(reason("--- {logsources: []}\n--- {logsources: []}\n"), "mine.yml: expected one YAML document");
}
