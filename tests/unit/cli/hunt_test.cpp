// `khien hunt` over EVTX files written for the purpose: which files are skipped after their
// first record, and which are read whole because they show they are forwarded-events logs.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

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

// A log whose first record is from a channel the process-creation rule does not want
// (Application), then a Sysmon process creation the rule matches; with RenderingInfo on every
// record when `rendered`.
std::string mixed_log(bool rendered) {
  auto message = [&](const char* text) { return rendered ? std::string(text) : std::string(); };
  return test::evtx_file({
      test::windows_event("Application Error", 1000, "Application", "ws7.example.vn", 1, {{"Data", "x.exe"}},
                          message("Faulting application name: x.exe")),
      test::windows_event("Microsoft-Windows-Sysmon", 1, "Microsoft-Windows-Sysmon/Operational", "ws7.example.vn", 2,
                          {{"Image", "C:\\Users\\Public\\evil.exe"}, {"CommandLine", "evil.exe --now"}},
                          message("Process Create:")),
  });
}

}  // namespace

TEST(Hunt, AForwardedEventsLogIsReadWholeWhateverItsFirstChannel) {
  TempDir dir;
  fs::create_directories(dir.path / "logs");
  std::ofstream(dir.path / "evil.yml") << "title: Evil Image\n"
                                          "id: 3a6c1f0e-5b7d-4c2a-9e8f-0d1c2b3a4f5e\n"
                                          "status: test\nlevel: high\n"
                                          "logsource: {product: windows, category: process_creation}\n"
                                          "detection:\n  selection:\n    Image|endswith: '\\evil.exe'\n"
                                          "  condition: selection\n";
  // Named as any exported log: its first record decides. Named as a collector's log, or
  // carrying RenderingInfo: read whole.
  std::ofstream(dir.path / "logs" / "exported.evtx", std::ios::binary) << mixed_log(false);
  std::ofstream(dir.path / "logs" / "Archive-ForwardedEvents-2026-11-27-08-00-00-000.evtx", std::ios::binary)
      << mixed_log(false);
  std::ofstream(dir.path / "logs" / "collector-copy.evtx", std::ios::binary) << mixed_log(true);

  auto hunt = [&](bool all_files) {
    cli::HuntOptions options;
    options.rules = {dir.path / "evil.yml"};
    options.inputs = {dir.path / "logs"};
    options.format = "jsonl";
    options.output = dir.path / "matches.jsonl";
    options.use_cache = false;
    options.threads = 1;
    options.all_files = all_files;
    EXPECT_EQ(cli::hunt(options), 0);
    return read_text(*options.output);
  };
  const std::string found = hunt(false);
  EXPECT_EQ(found.find("exported.evtx"), std::string::npos) << found;
  EXPECT_NE(found.find("Archive-ForwardedEvents-2026-11-27-08-00-00-000.evtx"), std::string::npos) << found;
  EXPECT_NE(found.find("collector-copy.evtx"), std::string::npos) << found;
  EXPECT_EQ(std::count(found.begin(), found.end(), '\n'), 2);

  const std::string all = hunt(true);
  EXPECT_NE(all.find("exported.evtx"), std::string::npos) << all;
  EXPECT_EQ(std::count(all.begin(), all.end(), '\n'), 3);
}
