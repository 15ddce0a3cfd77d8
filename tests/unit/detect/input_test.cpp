// Reading log files: the format from the content, JSON shapes, gzip, problems per line, and
// files read in parts giving exactly the events of the whole.
#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>

#include "detect/input.h"
#include "detect/mapping.h"

using namespace khien::detect;
namespace fs = std::filesystem;

namespace {

const Mapping& mapping() {
  static const Mapping m = *parse_mapping(builtin_windows_mapping(), "windows.yml");
  return m;
}

struct TempFile {
  fs::path path;
  explicit TempFile(const std::string& content, const std::string& name = "input") {
    path = fs::temp_directory_path() / ("khien-input-test-" + std::to_string(::getpid()) + "-" + name);
    std::ofstream(path, std::ios::binary) << content;
  }
  ~TempFile() { fs::remove(path); }
};

// Each event as "Name=Value;..." (plus its event id), in order.
std::vector<std::string> read_all(const fs::path& p, InputResult* result = nullptr, InputRange range = {}) {
  std::vector<std::string> out;
  auto r = read_events(p, mapping(), [&](const Event& e) {
    std::string s = std::to_string(e.event_id) + "|";
    for (std::size_t i = 0; i < e.size(); ++i) s += std::string(e.name(i)) + "=" + std::string(e.value(i)) + ";";
    out.push_back(s);
    return true;
  }, nullptr, range);
  if (result) *result = r;
  return out;
}

}  // namespace

TEST(Input, FormatsFoundFromTheContent) {
  const TempFile lines("{\"EventID\": 1, \"Image\": \"a.exe\"}\n\n{\"EventID\": 4688, \"NewProcessName\": \"b.exe\"}\n", "x.log");
  InputResult r;
  auto events = read_all(lines.path, &r);
  EXPECT_EQ(r.format, InputFormat::kJsonLines);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1], "4688|EventID=4688;NewProcessName=b.exe;");

  const TempFile array("[{\"EventID\": 7}, {\"EventID\": 8}]", "x.txt");
  EXPECT_EQ(read_all(array.path, &r).size(), 2u);
  EXPECT_EQ(r.format, InputFormat::kJsonDocument);

  // Pretty-printed objects one after another (as SigmaHQ's regression data has them).
  const TempFile pretty("{\n  \"EventID\": 1\n}\n{\n  \"EventID\": 2\n}\n", "pretty.json");
  EXPECT_EQ(read_all(pretty.path, &r).size(), 2u);

  const TempFile other("hello, world\n", "plain.jsonl");
  EXPECT_TRUE(read_all(other.path, &r).empty());
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_NE(r.problems[0].reason.find("not EVTX or JSON"), std::string::npos);
}

TEST(Input, JsonShapes) {
  // EVTX-as-JSON: System attributes as Element_Attribute, EventData by name.
  const TempFile evtx(
      R"({"Event":{"System":{"Provider":{"#attributes":{"Name":"Microsoft-Windows-Sysmon"}},"EventID":1,)"
      R"("Channel":"Microsoft-Windows-Sysmon/Operational","EventRecordID":42,"TimeCreated":{"#attributes":)"
      R"({"SystemTime":"2026-11-24T08:00:00.123456Z"}}},"EventData":{"Image":"C:\\x.exe","CommandLine":"x"}}})"
      "\n");
  InputResult r;
  std::uint64_t record = 0;
  std::int64_t time = 0;
  read_events(evtx.path, mapping(), [&](const Event& e) {
    EXPECT_EQ(e.provider(), "Microsoft-Windows-Sysmon");
    EXPECT_EQ(e.get_or_empty("Image"), "C:\\x.exe");
    record = e.record_id;
    time = e.time_us;
    return true;
  });
  EXPECT_EQ(record, 42u);
  EXPECT_EQ(time, 1795507200123456);
  // Winlogbeat: winlog.* renamed, event data by their own names.
  const TempFile beat(
      R"({"@timestamp":"2026-11-24T08:00:00Z","winlog":{"event_id":4688,"channel":"Security","provider_name":)"
      R"("Microsoft-Windows-Security-Auditing","event_data":{"NewProcessName":"C:\\y.exe"}}})"
      "\n");
  auto events = read_all(beat.path, &r);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_NE(events[0].find("Channel=Security;"), std::string::npos) << events[0];
  EXPECT_NE(events[0].find("NewProcessName=C:\\y.exe;"), std::string::npos) << events[0];
  EXPECT_EQ(events[0].substr(0, 5), "4688|");
}

TEST(Input, BadLinesAreReportedAndSkipped) {
  const TempFile lines("{\"EventID\": 1}\n{\"EventID\": \n[1, 2]\n{\"EventID\": 3}", "bad.jsonl");
  InputResult r;
  auto events = read_all(lines.path, &r);
  EXPECT_EQ(events.size(), 2u);  // the last line has no newline and is still read
  ASSERT_EQ(r.problems.size(), 2u);
  EXPECT_EQ(r.problems[0].where, "line 2");
  EXPECT_EQ(r.problems[1].where, "line 3");
}

TEST(Input, ABrokenLineSpoilsNoOther) {
  // Lines are parsed in batches: a line that breaks the batch (a string left open, an object
  // over two lines, content after the object) is read by itself and the others still are. A
  // line with more than one value is reported whole: nothing on it is read, nothing dropped
  // silently.
  std::string text = "{\"EventID\": 1}\n\n  \n";                   // lines 1-3
  text += "{\"EventID\": 2, \"Image\": \"open}\n";                 // 4: the string is not closed
  text += "{\"EventID\": 3}\n";                                     // 5
  text += "{\"EventID\": 4,\n\"Image\": \"x\"}\n";                // 6-7: one object over two lines
  text += "{\"EventID\": 5} {\"EventID\": 8}\n";                   // 8: two objects on a line
  for (int i = 0; i < 1500; ++i) text += "{\"EventID\": 6}\n";       // 9-1508: after a broken line
  text += "[1]\n{\"EventID\": 7}\n";                                 // 1509-1510
  const TempFile lines(text, "broken.jsonl");
  InputResult r;
  const auto events = read_all(lines.path, &r);
  std::vector<std::string> ids;
  for (const auto& e : events) ids.push_back(e.substr(0, e.find('|')));
  ASSERT_EQ(ids.size(), 1503u);
  EXPECT_EQ(ids[0], "1");
  EXPECT_EQ(ids[1], "3");
  EXPECT_EQ(ids[2], "6");
  EXPECT_EQ(ids[1501], "6");
  EXPECT_EQ(ids[1502], "7");
  std::vector<std::string> where;
  for (const auto& p : r.problems) where.push_back(p.where);
  EXPECT_EQ(where, (std::vector<std::string>{"line 4", "line 6", "line 7", "line 8", "line 1509"}));
  EXPECT_EQ(r.problems[3].reason, "more than one JSON value on the line");
}

TEST(Input, ContentAfterTheLastObjectOfALineIsReported) {
  // On the last line nothing comes after to show where the object's line ends: what follows
  // the object there is found all the same (found by fuzz_json_events).
  for (const std::string last : {"{\"EventID\": 2}+  }", "{\"EventID\": 2} {\"EventID\": 3", "{\"EventID\": 2} 4\n"}) {
    const TempFile lines("{\"EventID\": 1}\n" + last, "last.jsonl");
    InputResult r;
    const auto events = read_all(lines.path, &r);
    ASSERT_EQ(events.size(), 1u) << last;
    EXPECT_EQ(events[0].substr(0, 2), "1|");
    ASSERT_EQ(r.problems.size(), 1u) << last;
    EXPECT_EQ(r.problems[0].where, "line 2");
  }
}

TEST(Input, EscapedKeysAndValuesAreUnescaped) {
  // Keys and strings are taken as written unless they hold an escape; these hold escapes,
  // whitespace around the colon, and a quote right before a backslash.
  const TempFile lines(R"({"Im\u0061ge" : "C:\\x\"y\".exe" , "Comm\"and":"a\u00e9b","Plain":"p\\"})"
                       "\n", "escapes.jsonl");
  const auto events = read_all(lines.path);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0], "0|Image=C:\\x\"y\".exe;Comm\"and=a\u00e9b;Plain=p\\;");
}

TEST(Input, LinesAcrossBatchesAreAllRead) {
  // Lines are parsed in batches of 1 MiB: every line is read once whatever batch it falls
  // in, and a line that breaks a later batch is reported with its own number.
  std::string text;
  for (int i = 1; i <= 30000; ++i) {
    if (i == 20000) text += "{\"EventID\": 20000,\n\"Image\": \"x\"}\n";  // lines 20000-20001
    else text += "{\"EventID\": " + std::to_string(i) + ", \"Image\": \"C:\\\\" + std::string(i % 97, 'x') + "\"}\n";
  }
  text.pop_back();  // the last line has no newline
  const TempFile lines(text, "batches.jsonl");
  InputResult r;
  const auto events = read_all(lines.path, &r);
  ASSERT_EQ(events.size(), 29999u);
  for (std::size_t i = 0; i < events.size(); ++i) {
    const auto id = std::stoi(events[i].substr(0, events[i].find('|')));
    ASSERT_EQ(id, static_cast<int>(i < 19999 ? i + 1 : i + 2)) << i;
  }
  std::vector<std::string> where;
  for (const auto& p : r.problems) where.push_back(p.where);
  EXPECT_EQ(where, (std::vector<std::string>{"line 20000", "line 20001"}));
}

TEST(Input, EventTimes) {
  // TimeCreated as EVTX writes it (ISO 8601, any fraction) or as Sysmon and NXLog do (a
  // space, milliseconds); an impossible date gives no time.
  const TempFile lines(
      "{\"TimeCreated_SystemTime\": \"2026-11-24T08:00:00.1234567Z\"}\n"
      "{\"TimeCreated_SystemTime\": \"2024-02-29 23:59:59.5\"}\n"
      "{\"TimeCreated_SystemTime\": \"2023-02-29 23:59:59\"}\n"
      "{\"TimeCreated_SystemTime\": \"1969-12-31T23:59:59Z\"}\n",
      "times.jsonl");
  std::vector<std::int64_t> times;
  read_events(lines.path, mapping(), [&](const Event& e) {
    times.push_back(e.time_us);
    return true;
  });
  EXPECT_EQ(times, (std::vector<std::int64_t>{1795507200123456, 1709251199500000, 0, -1000000}));
}

TEST(Input, Gzip) {
  const std::string text = "{\"EventID\": 1}\n{\"EventID\": 2}\n";
  const auto path = fs::temp_directory_path() / ("khien-input-test-" + std::to_string(::getpid()) + ".jsonl.gz");
  gzFile f = gzopen(path.c_str(), "wb");
  gzwrite(f, text.data(), static_cast<unsigned>(text.size()));
  gzclose(f);
  InputResult r;
  EXPECT_EQ(read_all(path, &r).size(), 2u);
  EXPECT_TRUE(r.compressed);
  fs::remove(path);
}

// The format is known before the first event (the hunt skips an EVTX log, never a JSON file,
// after a first record no rule wants).
TEST(Input, TheFormatIsToldBeforeTheFirstEvent) {
  auto format_at_first_event = [](const fs::path& p) {
    auto format = InputFormat::kUnknown, at_first = InputFormat::kUnknown;
    read_events(p, mapping(), [&](const Event&) {
      at_first = format;
      return false;
    }, nullptr, {}, &format);
    return at_first;
  };
  const TempFile lines("{\"EventID\": 1}\n", "x.jsonl");
  EXPECT_EQ(format_at_first_event(lines.path), InputFormat::kJsonLines);
  const TempFile array("[{\"EventID\": 7}]", "x.json");
  EXPECT_EQ(format_at_first_event(array.path), InputFormat::kJsonDocument);
  const fs::path sample = fs::path(KHIEN_SHARED_DATA) / "evtx/EVTX-ATTACK-SAMPLES/UACME_59_Sysmon.evtx";
  if (!fs::exists(sample)) GTEST_SKIP() << "the EVTX part needs " << sample << " (../shared/data is absent)";
  EXPECT_EQ(format_at_first_event(sample), InputFormat::kEvtx);
}

TEST(Input, PartsOfAFileGiveTheEventsOfTheWhole) {
  std::string text;
  for (int i = 0; i < 500; ++i) text += "{\"EventID\": " + std::to_string(i) + ", \"Pad\": \"" + std::string(i % 37, 'x') + "\"}\n";
  const TempFile lines(text, "parts.jsonl");
  const auto whole = read_all(lines.path);
  ASSERT_EQ(whole.size(), 500u);
  for (const std::uint64_t part : {7u, 100u, 1000u, 4096u}) {
    const auto ranges = split_input(lines.path, part);
    std::vector<std::string> joined;
    for (const auto& range : ranges)
      for (auto& e : read_all(lines.path, nullptr, range)) joined.push_back(std::move(e));
    EXPECT_EQ(joined, whole) << "parts of " << part << " bytes";
  }
  // EVTX: runs of chunks.
  const fs::path sample = fs::path(KHIEN_SHARED_DATA) / "evtx/EVTX-ATTACK-SAMPLES";
  if (!fs::exists(sample)) GTEST_SKIP() << "the EVTX part needs " << sample << " (../shared/data is absent)";
  fs::path biggest;
  for (const auto& f : fs::recursive_directory_iterator(sample))
    if (f.path().extension() == ".evtx" && (biggest.empty() || f.file_size() > fs::file_size(biggest))) biggest = f.path();
  const auto all = read_all(biggest);
  const auto ranges = split_input(biggest, 65536);
  EXPECT_GT(ranges.size(), 1u);
  std::vector<std::string> joined;
  for (const auto& range : ranges)
    for (auto& e : read_all(biggest, nullptr, range)) joined.push_back(std::move(e));
  EXPECT_EQ(joined, all);
}

TEST(Input, AForwardedEventsLogIsToldByItsNameOrRenderingInfo) {
  Event local;
  local.add("Channel", "Security");
  local.add("TargetUserName", "alice");
  EXPECT_FALSE(may_mix_channels("logs/Security.evtx", local));
  EXPECT_FALSE(may_mix_channels("logs/forwarded.evtx", local));
  EXPECT_TRUE(may_mix_channels("logs/ForwardedEvents.evtx", local));
  EXPECT_TRUE(may_mix_channels("logs/Archive-ForwardedEvents-2026-11-27-08-00-00-000.evtx", local));
  EXPECT_TRUE(may_mix_channels("logs/FORWARDEDEVENTS.EVTX.gz", local));
  Event forwarded = local;
  forwarded.add("RenderingInfo_Message", "An account was successfully logged on.");
  EXPECT_TRUE(may_mix_channels("logs/dc1.evtx", forwarded));
}
