// The hunt benchmark's measurements, one per run (bench/hunt runs them all and prints ratios):
//   khien_bench_hunt jsonl-gen OUT MB EVTX_DIR      JSON Lines of the EVTX events, repeated to MB
//   khien_bench_hunt evtx-parse REPEAT EVTX_DIR     our EVTX reader alone
//   khien_bench_hunt libevtx-parse REPEAT EVTX_DIR  libevtx: each record's id, event id, source, computer, strings
//   khien_bench_hunt json-parse FILE                simdjson On-Demand: every line parsed, every field visited
//   khien_bench_hunt reference EVENTS RULES_DIR FILE  the tests' reference evaluator on the first EVENTS events
//   khien_bench_hunt engine EVENTS RULES_DIR FILE   the engine alone on the first EVENTS events, held in memory
// Each prints one line: "<what> events <n> bytes <n> seconds <s> rss_mb <m>".
// khien_bench_system_malloc is the same program with the C library's allocator instead of
// khien's (jemalloc): libevtx measured as Debian ships it.
#include <fmt/format.h>
#include <libevtx/features.h>
#undef LIBEVTX_HAVE_BFIO
#include <libevtx.h>
#include <simdjson.h>
#include <sys/resource.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/rules.h"
#include "detect/engine.h"
#include "detect/evtx/file.h"
#include "detect/input.h"
#include "detect/json_events.h"
#include "detect/mapping.h"
#include "detect/reference_evaluator.h"
#include "detect/sigma/parse.h"


using namespace khien;
namespace fs = std::filesystem;

namespace {

std::vector<fs::path> evtx_files(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file() && e.path().extension() == ".evtx") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

double rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

void report(const char* what, std::uint64_t events, std::uint64_t bytes, std::chrono::steady_clock::time_point start) {
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << fmt::format("{} events {} bytes {} seconds {:.3f} rss_mb {:.0f}\n", what, events, bytes, s, rss_mb());
}

detect::Mapping mapping() { return *detect::parse_mapping(detect::builtin_windows_mapping(), "windows.yml"); }

int jsonl_gen(const fs::path& out, std::uint64_t mb, const fs::path& dir) {
  std::vector<std::string> lines;
  const auto m = mapping();
  for (const auto& f : evtx_files(dir))
    detect::read_events(f, m, [&](const detect::Event& e) {
      boost::json::object o;
      for (std::size_t i = 0; i < e.size(); ++i) o[e.name(i)] = e.value(i);
      lines.push_back(boost::json::serialize(o));
      return true;
    });
  std::ofstream o(out, std::ios::binary);
  std::uint64_t written = 0;
  while (written < mb << 20)
    for (const auto& l : lines) {
      o << l << '\n';
      written += l.size() + 1;
    }
  std::cout << fmt::format("jsonl-gen events_per_pass {} bytes {}\n", lines.size(), written);
  return 0;
}

int evtx_parse(int repeat, const fs::path& dir) {
  const auto files = evtx_files(dir);
  const auto start = std::chrono::steady_clock::now();
  std::uint64_t events = 0, bytes = 0;
  detect::Event scratch;
  detect::evtx::RecordCallback sink([&](const detect::Event&) { ++events; });
  for (int r = 0; r < repeat; ++r)
    for (const auto& f : files) {
      auto file = detect::evtx::File::open(f.string());
      if (!file) continue;
      bytes += fs::file_size(f);
      file->read_all(scratch, sink);
    }
  report("evtx-parse", events, bytes, start);
  return 0;
}

int libevtx_parse(int repeat, const fs::path& dir) {
  const auto files = evtx_files(dir);
  const auto start = std::chrono::steady_clock::now();
  std::uint64_t events = 0, bytes = 0;
  std::string buf(1 << 16, '\0');
  for (int r = 0; r < repeat; ++r)
    for (const auto& f : files) {
      libevtx_file_t* file = nullptr;
      libevtx_error_t* error = nullptr;
      if (libevtx_file_initialize(&file, &error) != 1) continue;
      if (libevtx_file_open(file, f.c_str(), libevtx_get_access_flags_read(), &error) != 1) {
        libevtx_error_free(&error);
        libevtx_file_free(&file, nullptr);
        continue;
      }
      bytes += fs::file_size(f);
      int count = 0;
      if (libevtx_file_get_number_of_records(file, &count, &error) != 1) libevtx_error_free(&error);
      for (int i = 0; i < count; ++i) {
        libevtx_record_t* record = nullptr;
        if (libevtx_file_get_record_by_index(file, i, &record, &error) != 1) {
          libevtx_error_free(&error);
          continue;
        }
        ++events;
        uint64_t id = 0;
        uint32_t event_id = 0;
        if (libevtx_record_get_identifier(record, &id, &error) != 1) libevtx_error_free(&error);
        if (libevtx_record_get_event_identifier(record, &event_id, &error) != 1) libevtx_error_free(&error);
        auto text = [&](auto get) {
          if (get(record, reinterpret_cast<uint8_t*>(buf.data()), buf.size(), &error) != 1) libevtx_error_free(&error);
        };
        text(libevtx_record_get_utf8_source_name);
        text(libevtx_record_get_utf8_computer_name);
        int strings = 0;
        if (libevtx_record_get_number_of_strings(record, &strings, &error) != 1) libevtx_error_free(&error);
        for (int s = 0; s < strings; ++s)
          if (libevtx_record_get_utf8_string(record, s, reinterpret_cast<uint8_t*>(buf.data()), buf.size(), &error) != 1)
            libevtx_error_free(&error);
        libevtx_record_free(&record, nullptr);
      }
      libevtx_file_close(file, nullptr);
      libevtx_file_free(&file, nullptr);
    }
  report("libevtx-parse", events, bytes, start);
  return 0;
}

int json_parse(const fs::path& path) {
  // Streamed in blocks like the hunt reads it; every field of every line visited.
  std::ifstream in(path, std::ios::binary);
  const auto start = std::chrono::steady_clock::now();
  simdjson::ondemand::parser parser;
  std::uint64_t events = 0, bytes = 0, fields = 0;
  std::string block, rest;
  std::vector<char> buf(4 << 20);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    const auto got = static_cast<std::size_t>(in.gcount());
    if (got == 0) break;
    bytes += got;
    block = rest;
    block.append(buf.data(), got);
    const auto nl = block.rfind('\n');
    rest = nl == std::string::npos ? block : block.substr(nl + 1);
    block.resize(nl == std::string::npos ? 0 : nl + 1);
    const auto size = block.size();
    block.resize(size + simdjson::SIMDJSON_PADDING, ' ');
    simdjson::ondemand::document_stream stream;
    if (parser.iterate_many(block.data(), size, 1 << 20).get(stream)) continue;
    for (auto doc : stream) {
      simdjson::ondemand::object o;
      if (doc.get_object().get(o)) continue;
      ++events;
      for (auto field : o) {
        std::string_view v;
        if (!field.value().get_string().get(v)) fields += v.size() > 0 ? 1 : 0;
      }
    }
  }
  report("json-parse", events, bytes, start);
  return fields > 0 ? 0 : 1;
}

int reference(std::uint64_t limit, const fs::path& rules_dir, const fs::path& file) {
  auto loaded = cli::load_rules({rules_dir});
  if (!loaded) return 2;
  (void)detect::sigma::take_correlations(loaded->rules);  // events only
  const auto m = mapping();
  std::vector<std::vector<const detect::Source*>> sources;
  for (const auto& r : loaded->rules) sources.push_back(m.sources_for(r.logsource));
  const auto start = std::chrono::steady_clock::now();
  std::uint64_t events = 0, matches = 0;
  std::atomic<std::uint64_t> bytes{0};
  detect::read_events(file, m, [&](const detect::Event& e) {
    for (std::size_t i = 0; i < loaded->rules.size(); ++i)
      if (detect::reference::matches(loaded->rules[i], sources[i], e)) ++matches;
    return ++events < limit;
  }, &bytes);
  report("reference", events, bytes, start);
  return matches > 0 ? 0 : 1;
}

// The engine alone on events held in memory (reading excluded), with the compile time.
int engine(std::uint64_t limit, const fs::path& rules_dir, const fs::path& file) {
  auto loaded = cli::load_rules({rules_dir});
  if (!loaded) return 2;
  (void)detect::sigma::take_correlations(loaded->rules);
  const auto m = mapping();
  std::vector<detect::Event> events;
  detect::read_events(file, m, [&](const detect::Event& e) {
    events.push_back(e);
    return events.size() < limit;
  });
  auto start = std::chrono::steady_clock::now();
  std::vector<detect::RuleProblem> problems;
  const auto compiled = detect::Engine::compile(std::move(loaded->rules), m, problems);
  report("engine-compile", 0, 0, start);
  auto scanner = compiled->scanner();
  std::vector<detect::Match> found;
  std::uint64_t matches = 0;
  start = std::chrono::steady_clock::now();
  for (const auto& e : events) {
    found.clear();
    scanner.match(e, found);
    matches += found.size();
  }
  report("engine-match", events.size(), 0, start);
  return matches > 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> a(argv + 1, argv + argc);
  if (a.size() == 4 && a[0] == "jsonl-gen") return jsonl_gen(a[1], std::stoull(a[2]), a[3]);
  if (a.size() == 3 && a[0] == "evtx-parse") return evtx_parse(std::stoi(a[1]), a[2]);
  if (a.size() == 3 && a[0] == "libevtx-parse") return libevtx_parse(std::stoi(a[1]), a[2]);
  if (a.size() == 2 && a[0] == "json-parse") return json_parse(a[1]);
  if (a.size() == 4 && a[0] == "reference") return reference(std::stoull(a[1]), a[2], a[3]);
  if (a.size() == 4 && a[0] == "engine") return engine(std::stoull(a[1]), a[2], a[3]);
  std::cerr << "usage: see the comment at the top of bench/hunt_bench/main.cpp\n";
  return 2;
}
