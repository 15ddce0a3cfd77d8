// `khien hunt`: Sigma rules over log files (EVTX, JSON), offline. Files are read in parallel
// and their matches written in file order, then record order, so the output does not depend
// on the number of threads.
#include <boost/json.hpp>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <thread>
#include <tuple>

#include "base/time.h"
#include "cli/commands.h"
#include "cli/rules.h"
#include "cli/text.h"
#include "detect/correlate.h"
#include "detect/engine.h"
#include "detect/evtx/value.h"
#include "detect/input.h"
#include "detect/mapping.h"
#include "detect/sigma/parse.h"


namespace khien::cli {

namespace {

namespace fs = std::filesystem;
using detect::CorrelationMatch;
using detect::Correlator;
using detect::Engine;
using detect::Event;

constexpr const char* kTableRow = "{:<27} {:<13} {:<56.56} {:<28.28} {:>6}  {}#{}\n";
constexpr const char* kCorrelationRow = "{:<27} {:<13} {:<56.56} {:<28.28} {:>6}  {}\n";

constexpr std::array<std::string_view, 5> kLevels = {"informational", "low", "medium", "high", "critical"};

int level_rank(std::string_view level) {
  for (std::size_t i = 0; i < kLevels.size(); ++i)
    if (kLevels[i] == level) return static_cast<int>(i);
  return -1;
}

bool is_log_file(const fs::path& p) {
  static const std::array<std::string_view, 7> kExtensions = {".evtx", ".json", ".jsonl", ".ndjson", ".gz", ".log", ""};
  const auto ext = p.extension().string();
  return std::find(kExtensions.begin(), kExtensions.end(), ext) != kExtensions.end();
}

// UTC to the microsecond, as 2019-04-27T15:57:53.368863Z (as the EVTX reader writes times);
// empty for no time.
std::string format_time(int64_t us) {
  std::string out;
  if (us != 0) detect::evtx::append_iso8601(out, us);
  return out;
}

// A string as JSON writes it, appended: quotes and backslashes escaped here when there is no
// control character in it (nearly always so), else all by boost::json.
void append_json(std::string& out, std::string_view s) {
  if (std::none_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; })) {
    out += '"';
    auto plain = s.begin();
    for (auto c = s.begin(); c != s.end(); ++c)
      if (*c == '"' || *c == '\\') {
        out.append(plain, c).append(1, '\\');
        plain = c;
      }
    out.append(plain, s.end()).append(1, '"');
    return;
  }
  boost::json::serializer writer;
  writer.reset(s);
  char buffer[512];
  while (!writer.done()) out.append(writer.read(buffer, sizeof buffer));
}

std::string csv_cell(std::string_view s) {
  if (s.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + '"';
}

std::string attack_tags(const detect::sigma::Rule& r) {
  std::string out;
  for (const auto& t : r.tags)
    if (t.starts_with("attack.")) {
      if (!out.empty()) out.push_back(' ');
      out.append(t);
    }
  return out;
}

// An event whose match a correlation reads: what its matches show of it.
struct EventRef {
  std::size_t file = 0;
  std::uint64_t record_id = 0;
  std::int64_t time_us = 0;
  std::uint32_t rule = 0;
};

// What every JSON match says of its rule.
boost::json::object rule_json(const detect::sigma::Rule& r) {
  boost::json::object o;
  o["rule_id"] = r.id;
  o["title"] = r.title;
  o["level"] = r.level;
  o["status"] = r.status;
  boost::json::array tags;
  for (const auto& t : r.tags)
    if (t.starts_with("attack.")) tags.emplace_back(t);
  o["tags"] = std::move(tags);
  return o;
}

// Where a match's line lies in an output text, and its time (for --sort time).
struct Span {
  std::int64_t time = 0;
  std::size_t text = 0;  // which text
  std::size_t begin = 0, end = 0;
};

struct FileResult {
  std::string output;
  std::vector<Span> spans;  // --sort time: each line of `output`
  std::uint64_t events = 0;
  std::uint64_t matches = 0;
  std::uint64_t read_only = 0;  // matches only correlations read (not shown)
  std::vector<Correlator::Input> inputs;  // Input::event indexes `refs`
  std::vector<EventRef> refs;
  std::map<std::uint32_t, std::uint64_t> by_rule;
  std::vector<std::string> problems;
  bool skipped = false;  // after its first records, all from one channel no rule wants
  bool done = false;
};

// A file, or a part of a large one, read by one thread.
struct Unit {
  std::size_t file = 0;
  detect::InputRange range;
  bool first = true;  // the file's first part
};

constexpr std::uint64_t kPartBytes = 32u << 20;
// Records of an EVTX file (or part) from a channel no rule wants read before it is skipped: a
// log saved from a view over several logs shows its second channel within its first few.
constexpr std::uint32_t kProbedRecords = 100;

struct Hunt {
  const HuntOptions& options;
  const Engine& engine;
  const Correlator& correlator;
  const detect::Mapping& mapping;
  std::vector<fs::path> files;
  std::vector<Unit> units;
  std::int64_t from_us = 0, to_us = 0;
  std::vector<FileResult> results;
  std::mutex mutex;
  std::condition_variable done;
  std::atomic<std::size_t> next{0};
  std::atomic<std::uint64_t> bytes{0}, events{0}, matches{0};
  std::vector<std::string> rule_prefixes;  // per rule: rule_json() as JSON, without its closing brace
  // The texts of units written, kept for their room: a text grown anew to megabytes for each
  // unit would be fresh memory, and the first write to each page of it a page fault.
  std::vector<std::string> spare_texts;  // guarded by `mutex`

  std::string spare_text() {
    std::lock_guard lock(mutex);
    if (spare_texts.empty()) return {};
    auto text = std::move(spare_texts.back());
    spare_texts.pop_back();
    text.clear();
    return text;
  }
  void give_back(std::string text) {
    std::lock_guard lock(mutex);
    spare_texts.push_back(std::move(text));
  }

  void prepare() {
    for (const auto& r : engine.rules()) {
      auto text = boost::json::serialize(rule_json(r));
      text.pop_back();
      rule_prefixes.push_back(std::move(text));
    }
  }

  void line(FileResult& out, const Engine::Scanner& scanner, const Event& e, std::uint32_t rule_index, const fs::path& file) {
    const auto begin = out.output.size();
    write_line(out, scanner, e, rule_index, file);
    if (options.sort == "time") out.spans.push_back({e.time_us, 0, begin, out.output.size()});
  }

  void write_line(FileResult& out, const Engine::Scanner& scanner, const Event& e, std::uint32_t rule_index, const fs::path& file) {
    const auto& r = engine.rules()[rule_index];
    const auto fields = scanner.matched_fields(e, rule_index);
    if (options.format == "jsonl") {
      // What rule_json() and boost::json would write, without building a JSON object per match.
      auto& o = out.output;
      o += rule_prefixes[rule_index];
      auto member = [&](std::string_view key, std::string_view value) {
        o.append(",\"").append(key).append("\":");
        append_json(o, value);
      };
      member("time", format_time(e.time_us));
      member("computer", e.computer());
      member("channel", e.channel());
      member("provider", e.provider());
      fmt::format_to(std::back_inserter(o), ",\"event_id\":{},\"record_id\":{}", e.event_id, e.record_id);
      member("file", file.string());
      o += ",\"fields\":{";
      // A repeated name keeps its first place and its last value, as a JSON object's keys do.
      for (std::size_t k = 0; k < fields.size(); ++k) {
        bool seen = false;
        for (std::size_t j = 0; j < k && !seen; ++j) seen = fields[j].first == fields[k].first;
        if (seen) continue;
        auto value = &fields[k].second;
        for (std::size_t j = k + 1; j < fields.size(); ++j)
          if (fields[j].first == fields[k].first) value = &fields[j].second;
        if (o.back() != '{') o += ',';
        append_json(o, fields[k].first);
        o += ':';
        append_json(o, *value);
      }
      o += "}}\n";
    } else if (options.format == "csv") {
      std::string matched;
      for (const auto& [name, value] : fields) {
        if (!matched.empty()) matched.append("; ");
        matched.append(name).append("=").append(value);
      }
      out.output += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{}\n", csv_cell(format_time(e.time_us)), csv_cell(r.level),
                                csv_cell(r.id), csv_cell(r.title), csv_cell(r.status), csv_cell(attack_tags(r)),
                                csv_cell(e.computer()), csv_cell(e.channel()), e.event_id, e.record_id,
                                csv_cell(file.string()), csv_cell(matched));
    } else {
      out.output += fmt::format(kTableRow, format_time(e.time_us), r.level, r.title, e.computer(), e.event_id,
                                file.filename().string(), e.record_id);
    }
  }

  // A correlation's match: its time is its last event's; its events are named by file and record.
  void correlation_line(std::string& out, const CorrelationMatch& m, const std::vector<EventRef>& refs) const {
    const auto& r = correlator.rules()[m.correlation];
    const auto& k = *r.correlation;
    const auto type = detect::sigma::correlation_type_name(k.type);
    std::string group;
    for (const auto& [name, value] : m.group) group += fmt::format("{}{}={}", group.empty() ? "" : " ", name, value);
    if (options.format == "jsonl") {
      auto o = rule_json(r);
      o["time"] = format_time(m.last_us);
      o["first_time"] = format_time(m.first_us);
      o["correlation"] = type;
      o["timespan"] = k.timespan;
      boost::json::object g;
      for (const auto& [name, value] : m.group) g[name] = value;
      o["group"] = std::move(g);
      if (m.value == std::floor(m.value) && std::abs(m.value) < 9e15) o["value"] = static_cast<std::int64_t>(m.value);
      else o["value"] = m.value;
      o["matches_in_window"] = m.event_count;
      boost::json::array list;
      for (const auto e : m.events) {
        const auto& ref = refs[e];
        const auto& rule = engine.rules()[ref.rule];
        list.push_back({{"file", files[ref.file].string()}, {"record_id", ref.record_id}, {"time", format_time(ref.time_us)},
                          {"rule_id", rule.id.empty() ? rule.name : rule.id}, {"title", rule.title}});
      }
      o["events"] = std::move(list);
      out += boost::json::serialize(o);
      out += '\n';
    } else if (options.format == "csv") {
      std::string fields = fmt::format("{}; {}={}; matches in window={}", group, type, m.value, m.event_count);
      for (const auto e : m.events) fields += fmt::format("; {}#{}", files[refs[e].file].filename().string(), refs[e].record_id);
      out += fmt::format("{},{},{},{},{},{},,,,,,{}\n", csv_cell(format_time(m.last_us)), csv_cell(r.level), csv_cell(r.id),
                         csv_cell(r.title), csv_cell(r.status), csv_cell(attack_tags(r)), csv_cell(fields));
    } else {
      out += fmt::format(kCorrelationRow, format_time(m.last_us), r.level, r.title, group, "",
                         say("cli.correlation_cell", type, m.value,
                             k.timespan.empty() ? say("cli.correlation_all_time") : k.timespan));
    }
  }

  // One unit read and its events matched.
  FileResult run(std::size_t u, Engine::Scanner& scanner, std::vector<detect::Match>& found) {
    const auto i = units[u].file;
    FileResult out;
    out.output = spare_text();
    // An EVTX file holds one channel's log, written by any number of providers: a part whose
    // first records are all from one channel no rule wants is not read further (unless
    // --all-files). Some logs mix channels: a forwarded-events log, or one saved from a view over
    // several logs. One is read whole as soon as it shows it: by its name or RenderingInfo
    // (detect::may_mix_channels), or by a second channel among its first kProbedRecords records.
    // A JSON file is always read whole.
    enum class Probe { kFirst, kProbing, kDone } probe = options.all_files ? Probe::kDone : Probe::kFirst;
    std::string probed_channel;
    std::uint32_t probed = 0;
    auto format = detect::InputFormat::kUnknown;  // known before the first event
    // The progress line's counts, shared by the threads, are added to in batches: one
    // shared counter written per event would bounce between the cores' caches.
    constexpr std::uint64_t kShownEvery = 4096;
    std::uint64_t events_unshown = 0, matches_unshown = 0;
    auto result = detect::read_events(files[i], mapping, [&](const Event& e) {
      if (probe == Probe::kFirst) {
        probe = Probe::kDone;
        if (format == detect::InputFormat::kEvtx && !e.channel().empty() && !engine.wants_channel(e.channel()) &&
            !detect::may_mix_channels(files[i], e)) {
          probe = Probe::kProbing;
          probed_channel.assign(e.channel());
        }
      } else if (probe == Probe::kProbing && !detect::equals_ignoring_case(e.channel(), probed_channel)) {
        probe = Probe::kDone;  // a second channel: read on
      }
      if (probe == Probe::kProbing && probed++ == kProbedRecords) {
        out.skipped = true;
        return false;
      }
      ++out.events;
      if (++events_unshown == kShownEvery) {
        events += events_unshown;
        matches += matches_unshown;
        events_unshown = matches_unshown = 0;
      }
      if ((from_us != 0 && e.time_us < from_us) || (to_us != 0 && (e.time_us == 0 || e.time_us > to_us))) return true;
      found.clear();
      scanner.match(e, found);
      for (const auto& m : found) {
        if (correlator.reads(m.rule)) {
          Correlator::Input in{m.rule, e.time_us, out.refs.size(), {}};
          for (const auto& f : correlator.fields_of(m.rule)) in.values.emplace_back(scanner.field_value(e, m.rule, f));
          out.inputs.push_back(std::move(in));
          out.refs.push_back({i, e.record_id, e.time_us, m.rule});
        }
        if (!correlator.shows(m.rule)) {
          ++out.read_only;
          continue;
        }
        line(out, scanner, e, m.rule, files[i]);
        ++out.by_rule[m.rule];
        ++out.matches;
        ++matches_unshown;
      }
      return true;
    }, &bytes, units[u].range, &format);
    events += events_unshown;
    matches += matches_unshown;
    for (const auto& p : result.problems)
      out.problems.push_back(p.where.empty() ? p.reason : fmt::format("{}: {}", p.where, p.reason));
    out.done = true;
    return out;
  }

  // A worker thread: units in turn, each handed to the main thread, which writes in order.
  void work() {
    auto scanner = engine.scanner();
    std::vector<detect::Match> found;
    while (true) {
      const auto u = next++;
      if (u >= units.size()) return;
      auto out = run(u, scanner, found);
      {
        std::lock_guard lock(mutex);
        results[u] = std::move(out);
      }
      done.notify_all();
    }
  }
};

}  // namespace

int hunt(const HuntOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  if (options.format != "jsonl" && options.format != "csv" && options.format != "table") {
    std::cerr << say("cli.bad_format", options.format) << "\n";
    return 2;
  }
  if (options.sort != "file" && options.sort != "time") {
    std::cerr << say("cli.bad_sort", options.sort) << "\n";
    return 2;
  }
  const bool by_time = options.sort == "time";
  const int min_rank = options.min_level.empty() ? 0 : level_rank(options.min_level);
  if (min_rank < 0) {
    std::cerr << say("cli.bad_min_level", options.min_level) << "\n";
    return 2;
  }
  std::int64_t from_us = 0, to_us = 0;
  for (auto [text, out] : {std::pair{&options.from, &from_us}, std::pair{&options.to, &to_us}}) {
    if (text->empty()) continue;
    const auto t = parse_rfc3339(*text);
    if (!t) {
      std::cerr << say("cli.bad_time", *text) << "\n";
      return 2;
    }
    *out = to_unix_ms(*t) * 1000;
  }

  // The mapping: the embedded one unless a file is named.
  std::string mapping_text(detect::builtin_windows_mapping());
  std::string mapping_name = "windows.yml (built in)";
  if (options.mapping) {
    std::ifstream in(*options.mapping, std::ios::binary);
    if (!in) {
      std::cerr << say("cli.unreadable", options.mapping->string()) << "\n";
      return 2;
    }
    std::stringstream text;
    text << in.rdbuf();
    mapping_text = text.str();
    mapping_name = options.mapping->string();
  }
  auto mapping = detect::parse_mapping(mapping_text, mapping_name);
  if (!mapping) {
    std::cerr << "khien: " << mapping.error().detail() << "\n";
    return 2;
  }

  const auto load_start = std::chrono::steady_clock::now();
  auto loaded = load_rules(options.rules, options.threads > 0 ? options.threads : std::thread::hardware_concurrency());
  const auto load_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - load_start).count();
  if (!loaded) {
    std::cerr << "khien: " << loaded.error().detail() << "\n";
    return 2;
  }
  const auto parsed = loaded->rules.size();
  auto correlations = detect::sigma::take_correlations(loaded->rules);
  // Below --min-level: dropped, unless a correlation that is kept reads it.
  std::size_t below_level = 0;
  if (min_rank > 0) {
    std::set<std::string> read;
    std::vector<bool> keep(correlations.size());
    for (bool grew = true; grew;) {
      grew = false;
      for (std::size_t i = 0; i < correlations.size(); ++i) {
        const auto& c = correlations[i];
        if (keep[i] || (level_rank(c.level) < min_rank && !read.contains(c.id) && !read.contains(c.name))) continue;
        keep[i] = grew = true;
        read.insert(c.correlation->rules.begin(), c.correlation->rules.end());
      }
    }
    std::size_t i = 0;
    below_level += static_cast<std::size_t>(std::erase_if(correlations, [&](const auto&) { return !keep[i++]; }));
    below_level += static_cast<std::size_t>(std::erase_if(loaded->rules, [&](const auto& r) {
      return level_rank(r.level) < min_rank && !read.contains(r.id) && !read.contains(r.name);
    }));
  }
  detect::Placeholders placeholders;
  if (options.placeholders) {
    auto p = load_placeholders(*options.placeholders);
    if (!p) {
      std::cerr << "khien: " << p.error().detail() << "\n";
      return 2;
    }
    placeholders = std::move(*p);
  }
  auto problems = std::move(loaded->problems);
  const auto compile_start = std::chrono::steady_clock::now();
  const auto engine =
      Engine::compile(std::move(loaded->rules), *mapping, problems, placeholders, pattern_cache_dir(options.use_cache));
  const auto correlator = Correlator::compile(std::move(correlations), engine->rules(), problems);
  const auto compile_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - compile_start).count();
  std::size_t not_loaded = 0;
  for (const auto& p : problems) {
    std::cerr << fmt::format("{}: {}{}{}\n", say(p.warning ? "cli.rule_note" : "cli.rule_not_loaded"),
                             p.rule.empty() ? "" : p.source, p.rule.empty() ? "" : fmt::format(" ({}): ", p.rule),
                             p.reason);
    not_loaded += p.warning ? 0 : 1;
  }

  auto files = files_under(options.inputs, is_log_file);
  if (!files) {
    std::cerr << "khien: " << files.error().detail() << "\n";
    return 2;
  }
  if (files->empty()) {
    std::cerr << say("cli.no_log_files") << "\n";
    return 2;
  }

  std::ofstream file_out;
  if (options.output) {
    file_out.open(*options.output, std::ios::binary | std::ios::trunc);
    if (!file_out) {
      std::cerr << say("cli.unwritable", options.output->string()) << "\n";
      return 2;
    }
  }
  std::ostream& out = options.output ? static_cast<std::ostream&>(file_out) : std::cout;
  if (options.format == "csv")
    out << "time,level,rule_id,title,status,tags,computer,channel,event_id,record_id,file,fields\n";
  if (options.format == "table")
    out << fmt::format(kTableRow, say("cli.column_time"), say("cli.column_level"), say("cli.column_rule"),
                       say("cli.column_computer"), say("cli.column_event"), say("cli.column_file"), say("cli.column_record"));

  Hunt h{options, *engine, *correlator, *mapping, std::move(*files), {}, from_us, to_us, {}, {}, {}, {}, {}, {}, {}, {}};
  h.prepare();
  const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
  const unsigned want_threads = options.threads > 0 ? options.threads : hw;
  for (std::size_t f = 0; f < h.files.size(); ++f) {
    // Large files are read in parts, by several threads when there are: their matches still come
    // out in order, and no more than a part's matches are held before they are written.
    const auto ranges = detect::split_input(h.files[f], kPartBytes);
    for (std::size_t k = 0; k < ranges.size(); ++k) h.units.push_back({f, ranges[k], k == 0});
  }
  h.results.resize(h.units.size());
  const auto threads = static_cast<unsigned>(std::min<std::size_t>(h.units.size(), want_threads));
  // One thread: the main thread reads too, with no hand-over per file.
  std::vector<std::thread> workers;
  if (threads > 1)
    for (unsigned t = 0; t < threads; ++t) workers.emplace_back([&h] { h.work(); });
  std::optional<Engine::Scanner> own_scanner;
  if (threads <= 1) own_scanner.emplace(*engine);
  std::vector<detect::Match> found;
  auto last_progress = std::chrono::steady_clock::now();

  const bool progress = isatty(STDERR_FILENO) != 0;
  std::uint64_t total_events = 0, total_matches = 0, read_only = 0;
  std::map<std::uint32_t, std::uint64_t> by_rule, by_correlation;
  std::vector<Correlator::Input> inputs;
  std::vector<EventRef> refs;
  std::uint64_t uncorrelated = 0;  // matches past --max-correlated
  // --sort time: every text of matches kept, and where each line of them lies.
  std::vector<std::string> texts;
  std::vector<Span> timeline;
  std::size_t unreadable = 0, skipped = 0;
  for (std::size_t u = 0; u < h.units.size(); ++u) {
    const auto i = h.units[u].file;
    const auto show_progress = [&] {
      const auto now = std::chrono::steady_clock::now();
      if (!progress || now - last_progress < std::chrono::milliseconds(250)) return;
      last_progress = now;
      const auto secs = std::chrono::duration<double>(now - started).count();
      std::cerr << "\r"
                << say("cli.hunt_progress", count(i), count(h.files.size()), count(h.events),
                       decimal(static_cast<double>(h.bytes) / 1e6 / std::max(secs, 1e-3), 1), count(h.matches))
                << "   " << std::flush;
    };
    FileResult r;
    if (own_scanner) {
      r = h.run(u, *own_scanner, found);
      show_progress();
    } else {
      std::unique_lock lock(h.mutex);
      while (!h.results[u].done) {
        h.done.wait_for(lock, std::chrono::milliseconds(250));
        show_progress();
      }
      r = std::move(h.results[u]);
    }
    if (by_time) {
      for (auto span : r.spans) {
        span.text = texts.size();
        timeline.push_back(span);
      }
      texts.push_back(std::move(r.output));
    } else {
      out << r.output;
      h.give_back(std::move(r.output));
    }
    if (progress && !r.problems.empty()) std::cerr << "\r\033[K";
    for (const auto& p : r.problems) std::cerr << fmt::format("{}: {}\n", h.files[i].string(), p);
    if (h.units[u].first && !r.problems.empty() && r.events == 0) ++unreadable;
    if (h.units[u].first && r.skipped) ++skipped;
    total_events += r.events;
    total_matches += r.matches;
    read_only += r.read_only;
    // Matches wait for the end to be correlated in time order: a bounded number of them.
    const auto room = options.max_correlated - std::min(options.max_correlated, inputs.size());
    if (r.inputs.size() > room) uncorrelated += r.inputs.size() - room;
    for (std::size_t k = 0; k < r.inputs.size() && k < room; ++k) {
      auto& in = r.inputs[k];
      in.event += refs.size();
      inputs.push_back(std::move(in));
    }
    refs.insert(refs.end(), r.refs.begin(), r.refs.begin() + static_cast<std::ptrdiff_t>(std::min(room, r.refs.size())));
    for (const auto& [rule, n] : r.by_rule) by_rule[rule] += n;
  }
  for (auto& w : workers) w.join();

  // Correlations, over the matches they read in time order (matches without a time cannot be).
  std::stable_sort(inputs.begin(), inputs.end(), [](const auto& a, const auto& b) { return a.time_us < b.time_us; });
  std::vector<CorrelationMatch> correlated;
  std::uint64_t untimed = 0;
  for (const auto& in : inputs) {
    if (in.time_us == 0) ++untimed;
    else correlator->feed(in, correlated);
  }
  correlator->finish(correlated);
  std::stable_sort(correlated.begin(), correlated.end(), [](const auto& a, const auto& b) { return a.last_us < b.last_us; });
  std::string text;
  for (const auto& m : correlated) {
    const auto begin = text.size();
    h.correlation_line(text, m, refs);
    timeline.push_back({m.last_us, texts.size(), begin, text.size()});
    ++by_correlation[m.correlation];
  }
  total_matches += correlated.size();
  if (by_time) {
    // One timeline: by time (events without one last), then as read.
    texts.push_back(std::move(text));
    const auto key = [](const Span& s) { return s.time == 0 ? std::numeric_limits<std::int64_t>::max() : s.time; };
    std::stable_sort(timeline.begin(), timeline.end(), [&](const Span& a, const Span& b) { return key(a) < key(b); });
    for (const auto& s : timeline) out.write(texts[s.text].data() + s.begin, static_cast<std::streamsize>(s.end - s.begin));
  } else {
    out << text;
  }
  out.flush();
  if (progress) std::cerr << "\r\033[K";

  // The summary, on stderr so that the output stays machine-readable.
  const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const auto& rules = engine->rules();
  const auto megabytes = static_cast<double>(h.bytes) / 1e6;
  std::cerr << "\n"
            << say("cli.hunt_summary", count(h.files.size()), decimal(megabytes, 1), count(unreadable), count(skipped),
                   count(total_events), decimal(seconds, 2),
                   count(static_cast<std::uint64_t>(static_cast<double>(total_events) / std::max(seconds, 1e-6))),
                   decimal(megabytes / std::max(seconds, 1e-6), 1))
            << "\n";
  const auto in_use = rules.size() - engine->unmapped().size();
  std::cerr << say("cli.hunt_rules", count(parsed), count(in_use), count(correlator->rules().size()), count(below_level),
                   count(engine->unmapped().size()), decimal(load_seconds, 2), decimal(compile_seconds, 2),
                   count(engine->databases_loaded()), count(engine->databases_loaded() + engine->databases_compiled()),
                   count(not_loaded))
            << "\n";
  if (skipped > 0) std::cerr << say("cli.hunt_skipped", count(skipped), kProbedRecords) << "\n";
  if (uncorrelated > 0)
    std::cerr << say("cli.hunt_uncorrelated", count(options.max_correlated), count(uncorrelated)) << "\n";
  if (read_only > 0 || untimed > 0)
    std::cerr << say("cli.hunt_read_only", count(read_only)) << (untimed > 0 ? say("cli.hunt_untimed", count(untimed)) : "")
              << "\n";
  // Matches per rule, detection rules and correlations together: (count, level, title).
  std::vector<std::tuple<std::uint64_t, int, std::string>> ranked;
  for (const auto& [rule, n] : by_rule) ranked.emplace_back(n, level_rank(rules[rule].level), rules[rule].title);
  for (const auto& [c, n] : by_correlation)
    ranked.emplace_back(n, level_rank(correlator->rules()[c].level), correlator->rules()[c].title);
  std::map<int, std::uint64_t, std::greater<>> by_level;
  for (const auto& [n, rank, title] : ranked) by_level[rank] += n;
  std::string levels;
  for (const auto& [rank, n] : by_level)
    levels += fmt::format("{}{} {}", levels.empty() ? "" : ", ",
                          rank >= 0 ? std::string(kLevels[static_cast<std::size_t>(rank)]) : say("cli.hunt_no_level"), count(n));
  std::cerr << say("cli.hunt_matches", count(total_matches)) << (levels.empty() ? "" : " (" + levels + ")") << "\n";
  if (!ranked.empty()) {
    std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
      return std::get<0>(a) != std::get<0>(b) ? std::get<0>(a) > std::get<0>(b) : std::get<1>(a) > std::get<1>(b);
    });
    std::cerr << fmt::format("{:>8}  {:<13} {}\n", say("cli.column_matches"), say("cli.column_level"), say("cli.column_rule"));
    for (const auto& [n, rank, title] : ranked)
      std::cerr << fmt::format("{:>8}  {:<13} {}\n", count(n), rank >= 0 ? kLevels[static_cast<std::size_t>(rank)] : "", title);
  }
  return options.fail_on_match && total_matches > 0 ? 1 : 0;
}

}  // namespace khien::cli
