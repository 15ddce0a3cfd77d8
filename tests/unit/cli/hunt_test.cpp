// `khien hunt` over EVTX files written for the purpose: which files are skipped after their
// first records, and which are read whole because they show they mix channels.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "support/evtx_writer.h"

using namespace khien;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("khien-hunt-test-" + std::to_string(::getpid()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
};

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A log of `quiet` records from a channel the process-creation rule does not want (Application),
// then a Sysmon process creation the rule matches; with RenderingInfo on every record when
// `rendered`.
std::string log_with(int quiet, bool rendered) {
  auto message = [&](const char* text) { return rendered ? std::string(text) : std::string(); };
  std::vector<test::XmlElement> records;
  for (int k = 0; k < quiet; ++k)
    records.push_back(test::windows_event("Application Error", 1000, "Application", "ws7.example.vn", k + 1,
                                          {{"Data", "x.exe"}}, message("Faulting application name: x.exe")));
  records.push_back(test::windows_event("Microsoft-Windows-Sysmon", 1, "Microsoft-Windows-Sysmon/Operational",
                                        "ws7.example.vn", quiet + 1,
                                        {{"Image", "C:\\Users\\Public\\evil.exe"}, {"CommandLine", "evil.exe --now"}},
                                        message("Process Create:")));
  return test::evtx_file(records);
}

void write(const fs::path& p, const std::string& bytes) { std::ofstream(p, std::ios::binary) << bytes; }

cli::HuntOptions options_for(const fs::path& rules, const fs::path& input, const fs::path& output) {
  cli::HuntOptions options;
  options.rules = {rules};
  options.inputs = {input};
  options.format = "jsonl";
  options.output = output;
  options.use_cache = false;
  options.threads = 1;
  return options;
}

void write_rule(const fs::path& p) {
  std::ofstream(p) << "title: Evil Image\n"
                      "id: 3a6c1f0e-5b7d-4c2a-9e8f-0d1c2b3a4f5e\n"
                      "status: test\nlevel: high\n"
                      "logsource: {product: windows, category: process_creation}\n"
                      "detection:\n  selection:\n    Image|endswith: '\\evil.exe'\n"
                      "  condition: selection\n";
}

}  // namespace

// A log whose first records are all from one channel no rule wants is skipped; one that mixes
// channels is read whole once it shows it (a second channel among its first records, a
// collector's file name, RenderingInfo); --all-files reads every one.
TEST(Hunt, OnlyALogOfOneChannelNoRuleWantsIsSkipped) {
  TempDir dir;
  fs::create_directories(dir.path / "logs");
  write_rule(dir.path / "evil.yml");
  // 150 records: more than a chunk holds, and than are read before a file is skipped.
  write(dir.path / "logs" / "Application.evtx", log_with(150, false));
  write(dir.path / "logs" / "saved-view.evtx", log_with(3, false));
  write(dir.path / "logs" / "Archive-ForwardedEvents-2026-11-27-08-00-00-000.evtx", log_with(150, false));
  write(dir.path / "logs" / "collector-copy.evtx", log_with(150, true));

  auto options = options_for(dir.path / "evil.yml", dir.path / "logs", dir.path / "matches.jsonl");
  auto hunt = [&](bool all_files) {
    options.all_files = all_files;
    EXPECT_EQ(cli::hunt(options), 0);
    return read_text(*options.output);
  };
  const std::string found = hunt(false);
  EXPECT_EQ(found.find("Application.evtx"), std::string::npos) << found;
  EXPECT_NE(found.find("saved-view.evtx"), std::string::npos) << found;
  EXPECT_NE(found.find("Archive-ForwardedEvents-2026-11-27-08-00-00-000.evtx"), std::string::npos) << found;
  EXPECT_NE(found.find("collector-copy.evtx"), std::string::npos) << found;
  EXPECT_EQ(std::count(found.begin(), found.end(), '\n'), 3);

  const std::string all = hunt(true);
  EXPECT_NE(all.find("Application.evtx"), std::string::npos) << all;
  EXPECT_EQ(std::count(all.begin(), all.end(), '\n'), 4);
}

// A log is one channel written by several providers: the Security log's first record is often
// Eventlog's "the audit log was cleared" (1102), and the 4688 records of Security-Auditing after
// it are still read.
TEST(Hunt, ALogIsKeptForItsChannelWhateverTheProviderOfItsFirstRecord) {
  TempDir dir;
  write_rule(dir.path / "evil.yml");
  std::vector<test::XmlElement> records;
  records.push_back(test::windows_event("Microsoft-Windows-Eventlog", 1102, "Security", "dc1.example.vn", 1,
                                        {{"SubjectUserName", "attacker"}}));
  for (int k = 0; k < 120; ++k)
    records.push_back(test::windows_event("Microsoft-Windows-Security-Auditing", 4688, "Security", "dc1.example.vn",
                                          k + 2, {{"NewProcessName", k == 119 ? "C:\\Temp\\evil.exe" : "C:\\Windows\\x.exe"}}));
  write(dir.path / "Security.evtx", test::evtx_file(records));
  const auto options = options_for(dir.path / "evil.yml", dir.path / "Security.evtx", dir.path / "matches.jsonl");
  EXPECT_EQ(cli::hunt(options), 0);
  const std::string found = read_text(*options.output);
  EXPECT_EQ(std::count(found.begin(), found.end(), '\n'), 1) << found;
  EXPECT_NE(found.find("\"record_id\":121"), std::string::npos) << found;
}
