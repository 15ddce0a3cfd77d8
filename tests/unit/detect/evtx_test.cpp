#include <gtest/gtest.h>

// libevtx (the correctness oracle) is built with libbfio, whose header Debian does not ship;
// we use none of its libbfio functions, so its declarations are left out.
#include <libevtx/features.h>
#undef LIBEVTX_HAVE_BFIO
#include <libevtx.h>

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <boost/json/stream_parser.hpp>
#include <boost/json/value.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include <iconv.h>
#include <unistd.h>
#include <zlib.h>

#include "detect/evtx/crc32.h"
#include "detect/evtx/file.h"
#include "detect/evtx/value.h"
#include "support/evtx_writer.h"

using namespace khien::detect;
namespace fs = std::filesystem;

namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

struct Record {
  uint64_t id = 0;
  uint32_t event_id = 0;
  int64_t time_us = 0;
  Fields fields;

  std::string get(std::string_view name) const {
    for (const auto& [n, v] : fields)
      if (n == name) return v;
    return {};
  }
};

struct Parsed {
  std::vector<Record> records;
  std::vector<evtx::Problem> problems;
  evtx::ChunkStats stats;
};

[[maybe_unused]] std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Parsed parse(const evtx::File& file) {
  Parsed out;
  Event event;
  evtx::RecordCallback sink([&](const Event& e) {
    Record r{e.record_id, e.event_id, e.time_us, {}};
    for (size_t i = 0; i < e.size(); ++i) r.fields.emplace_back(e.name(i), e.value(i));
    out.records.push_back(std::move(r));
  });
  out.stats = file.read_all(event, sink);
  out.problems = file.problems();
  return out;
}

[[maybe_unused]] Parsed parse_bytes(std::string_view bytes, evtx::ReadOptions options = {}) {
  auto file = evtx::File::from_memory(bytes, options);
  if (!file) return {};
  return parse(*file);
}

// Every .evtx of the shared test data, in a stable order; empty when the data is absent.
std::vector<fs::path> sample_files() {
  std::vector<fs::path> out;
  for (const char* dir : {"evtx/EVTX-ATTACK-SAMPLES", "sigma/regression_data"}) {
    const fs::path root = fs::path(KHIEN_SHARED_DATA) / dir;
    if (!fs::is_directory(root)) continue;
    for (const auto& f : fs::recursive_directory_iterator(root))
      if (f.is_regular_file() && f.path().extension() == ".evtx") out.push_back(f.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The fields of System (they come first, and end with Computer and, when present,
// Security_UserID), of RenderingInfo and the attributes of EventData or UserData themselves are
// dropped: what is left are the values of EventData or UserData.
Fields data_fields(const Fields& fields) {
  size_t k = 0;
  while (k < fields.size() && fields[k].first != "Computer") ++k;
  if (k < fields.size()) ++k;
  while (k < fields.size() && fields[k].first.starts_with("Security_")) ++k;
  Fields out;
  for (; k < fields.size(); ++k) {
    const std::string& name = fields[k].first;
    if (!name.starts_with("RenderingInfo_") && !name.starts_with("EventData_") &&
        !name.starts_with("UserData_"))
      out.push_back(fields[k]);
  }
  return out;
}

// libevtx writes some values differently from us (and the Rust crate) by design:
//   - GUIDs in braces: {5770385F-C22A-43E0-BF4C-06F5698FFBD9};
//   - hexadecimal integers zero-padded to their width: 0x000000000000f4be;
//   - FILETIMEs to the 100 ns: 2019-08-14T14:06:44.495674800Z (we stop at the microsecond);
// so its strings are brought to our form before comparing. Strings of the events themselves
// may look like this too, so our side is normalised the same way.
std::string normalised(std::string s) {
  if (s.size() == 30 && s[4] == '-' && s[10] == 'T' && s[19] == '.' && s.back() == 'Z')
    return s.substr(0, 26) + "Z";
  if (s.size() == 38 && s.front() == '{' && s.back() == '}' && s[9] == '-') return s.substr(1, 36);
  if (s.size() > 3 && s.starts_with("0x") &&
      s.find_first_not_of("0123456789abcdef", 2) == std::string::npos) {
    const size_t first = s.find_first_not_of('0', 2);
    return "0x" + (first == std::string::npos ? std::string("0") : s.substr(first));
  }
  return s;
}

// ---- libevtx --------------------------------------------------------------------------

struct OracleRecord {
  uint64_t id = 0;
  uint64_t written_filetime = 0;  // 0 when libevtx cannot give it
  std::string system_time;        // TimeCreated SystemTime from libevtx's XML
  bool has_event_id = false;
  uint32_t event_id = 0;
  std::optional<std::string> source, computer;
  std::optional<std::vector<std::string>> strings;  // nullopt when libevtx fails to give them
};

template <class SizeFn, class GetFn>
std::optional<std::string> oracle_string(libevtx_record_t* record, SizeFn size_fn, GetFn get_fn) {
  libevtx_error_t* error = nullptr;
  size_t size = 0;
  if (size_fn(record, &size, &error) != 1 || size == 0) {
    libevtx_error_free(&error);
    return std::nullopt;
  }
  std::string s(size, '\0');
  if (get_fn(record, reinterpret_cast<uint8_t*>(s.data()), size, &error) != 1) {
    libevtx_error_free(&error);
    return std::nullopt;
  }
  s.resize(size - 1);  // the size counts the terminating NUL
  return s;
}

// The records of a file as libevtx reads them (recovered records left out), or nullopt when
// it cannot open the file.
std::optional<std::vector<OracleRecord>> oracle_records(const fs::path& path, int* unreadable) {
  libevtx_file_t* file = nullptr;
  libevtx_error_t* error = nullptr;
  if (libevtx_file_initialize(&file, &error) != 1) return std::nullopt;
  if (libevtx_file_open(file, path.c_str(), libevtx_get_access_flags_read(), &error) != 1) {
    libevtx_error_free(&error);
    libevtx_file_free(&file, nullptr);
    return std::nullopt;
  }
  std::vector<OracleRecord> out;
  int count = 0;
  if (libevtx_file_get_number_of_records(file, &count, &error) != 1) libevtx_error_free(&error);
  for (int i = 0; i < count; ++i) {
    libevtx_record_t* record = nullptr;
    if (libevtx_file_get_record_by_index(file, i, &record, &error) != 1) {
      libevtx_error_free(&error);
      ++*unreadable;
      continue;
    }
    OracleRecord r;
    if (libevtx_record_get_identifier(record, &r.id, &error) != 1) libevtx_error_free(&error);
    if (libevtx_record_get_written_time(record, &r.written_filetime, &error) != 1) {
      libevtx_error_free(&error);
      r.written_filetime = 0;
    }
    if (auto xml = oracle_string(record, libevtx_record_get_utf8_xml_string_size,
                                 libevtx_record_get_utf8_xml_string)) {
      const size_t at = xml->find("SystemTime=\"");
      if (at != std::string::npos)
        r.system_time = xml->substr(at + 12, xml->find('"', at + 12) - at - 12);
    }
    r.has_event_id = libevtx_record_get_event_identifier(record, &r.event_id, &error) == 1;
    if (!r.has_event_id) libevtx_error_free(&error);
    r.source = oracle_string(record, libevtx_record_get_utf8_source_name_size,
                             libevtx_record_get_utf8_source_name);
    r.computer = oracle_string(record, libevtx_record_get_utf8_computer_name_size,
                               libevtx_record_get_utf8_computer_name);
    int strings = 0;
    if (libevtx_record_get_number_of_strings(record, &strings, &error) == 1) {
      r.strings.emplace();
      for (int s = 0; s < strings; ++s) {
        size_t size = 0;
        std::string value;
        if (libevtx_record_get_utf8_string_size(record, s, &size, &error) == 1 && size > 0) {
          value.assign(size, '\0');
          if (libevtx_record_get_utf8_string(record, s, reinterpret_cast<uint8_t*>(value.data()),
                                             size, &error) != 1) {
            libevtx_error_free(&error);
            r.strings.reset();
            break;
          }
          value.resize(size - 1);
        } else {
          libevtx_error_free(&error);
        }
        r.strings->push_back(std::move(value));
      }
    } else {
      libevtx_error_free(&error);
    }
    libevtx_record_free(&record, nullptr);
    out.push_back(std::move(r));
  }
  libevtx_file_close(file, nullptr);
  libevtx_file_free(&file, nullptr);
  return out;
}

}  // namespace

// ---- the differential test --------------------------------------------------------------

TEST(Evtx, AgreesWithLibevtxOnEverySample) {
  const auto files = sample_files();
  if (files.empty())
    GTEST_SKIP() << "no .evtx samples under " << KHIEN_SHARED_DATA << " (../shared/data is absent)";
  int compared_files = 0, oracle_unreadable = 0;
  uint64_t compared_records = 0, ours_only = 0, oracle_only = 0, strings_compared = 0;
  for (const auto& path : files) {
    auto file = evtx::File::open(path.string());
    ASSERT_TRUE(file) << path << ": " << file.error().detail();
    const Parsed ours = parse(*file);
    auto oracle = oracle_records(path, &oracle_unreadable);
    if (!oracle) {
      ADD_FAILURE() << "libevtx cannot open " << path;
      continue;
    }
    ++compared_files;
    std::map<uint64_t, const Record*> by_id;
    for (const auto& r : ours.records) by_id[r.id] = &r;
    std::set<uint64_t> oracle_ids;
    for (const auto& o : *oracle) {
      oracle_ids.insert(o.id);
      const auto it = by_id.find(o.id);
      if (it == by_id.end()) {
        ++oracle_only;
        ADD_FAILURE() << path << ": record " << o.id << " read by libevtx, not by us";
        continue;
      }
      const Record& r = *it->second;
      ++compared_records;
      const std::string where = path.string() + " record " + std::to_string(o.id);
      if (o.has_event_id) {
        EXPECT_EQ(r.event_id, o.event_id) << where;
      }
      // Our time is TimeCreated when the event has one, else the record's written time.
      std::string time;
      evtx::append_iso8601(time, r.time_us);
      if (!o.system_time.empty()) {
        EXPECT_EQ(r.get("TimeCreated_SystemTime"), normalised(o.system_time)) << where;
        EXPECT_EQ(time, r.get("TimeCreated_SystemTime")) << where;
      } else if (o.written_filetime != 0) {
        EXPECT_EQ(r.time_us, evtx::filetime_to_unix_us(o.written_filetime)) << where;
      }
      // libevtx's source name is the provider's EventSourceName when it has one.
      if (o.source) {
        const std::string source = r.get("Provider_EventSourceName");
        EXPECT_EQ(source.empty() ? r.get("Provider_Name") : source, *o.source) << where;
      }
      if (o.computer) {
        EXPECT_EQ(r.get("Computer"), *o.computer) << where;
      }
      if (!o.strings) continue;
      const Fields data = data_fields(r.fields);
      ASSERT_EQ(data.size(), o.strings->size()) << where;
      for (size_t k = 0; k < data.size(); ++k) {
        ++strings_compared;
        EXPECT_EQ(normalised(data[k].second), normalised((*o.strings)[k]))
            << where << " string " << k << " (" << data[k].first << ")";
      }
    }
    // Records libevtx does not list must be ones we recovered, never invented ones.
    for (const auto& r : ours.records)
      if (!oracle_ids.count(r.id)) ++ours_only;
    // Record identifiers come in the same order.
    std::vector<uint64_t> our_order, oracle_order;
    for (const auto& r : ours.records)
      if (oracle_ids.count(r.id)) our_order.push_back(r.id);
    for (const auto& o : *oracle)
      if (by_id.count(o.id)) oracle_order.push_back(o.id);
    EXPECT_EQ(our_order, oracle_order) << path;
  }
  std::cout << "[ evtx     ] " << compared_files << " files, " << compared_records
            << " records and " << strings_compared << " strings compared with libevtx; "
            << ours_only << " records only we read, " << oracle_only << " only libevtx read, "
            << oracle_unreadable << " libevtx could not read\n";
  EXPECT_GT(compared_records, 0u);
}

// ---- the Rust crate's JSON ----------------------------------------------------------------

namespace {

std::string json_text(const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::string:
      return std::string(v.get_string());
    case boost::json::kind::int64:
      return std::to_string(v.get_int64());
    case boost::json::kind::uint64:
      return std::to_string(v.get_uint64());
    case boost::json::kind::bool_:
      return v.get_bool() ? "true" : "false";
    case boost::json::kind::double_:
      return boost::json::serialize(v);
    case boost::json::kind::array: {
      std::string out;
      for (const auto& item : v.get_array()) out += (out.empty() ? "" : ", ") + json_text(item);
      return out;
    }
    default:
      return {};
  }
}

// Flattens the JSON of one element the way we name fields: "#attributes" as
// <name>_<attribute> (xmlns dropped), "#text" or a plain value as <name>, children by their
// own name; null gives nothing.
void flatten(const std::string& name, const boost::json::value& v, Fields& out) {
  if (v.is_null()) return;
  if (!v.is_object()) {
    out.emplace_back(name, json_text(v));
    return;
  }
  for (const auto& [key, child] : v.get_object()) {
    if (key == "#attributes") {
      for (const auto& [attribute, value] : child.get_object())
        if (!attribute.starts_with("xmlns") && !value.is_null())
          out.emplace_back(name + "_" + std::string(attribute), json_text(value));
    } else if (key == "#text") {
      flatten(name, child, out);
    } else {
      flatten(std::string(key), child, out);
    }
  }
}

// The fields of one JSON event: System, then EventData (where a null <Data> is an empty
// field, as we give every <Data>), then UserData leaves.
Fields json_fields(const boost::json::object& event) {
  Fields out;
  if (const auto* system = event.if_contains("System")) flatten("", *system, out);
  if (const auto* data = event.if_contains("EventData"); data && data->is_object()) {
    for (const auto& [key, value] : data->get_object()) {
      if (key == "#attributes")
        flatten("EventData", boost::json::object{{"#attributes", value}}, out);
      else if (value.is_null())
        out.emplace_back(std::string(key), "");
      else
        flatten(std::string(key), value, out);
    }
  }
  if (const auto* user = event.if_contains("UserData"); user && user->is_object())
    for (const auto& [key, value] : user->get_object()) flatten(std::string(key), value, out);
  return out;
}

// The events of a .json file of the regression data: JSON objects one after another.
std::vector<boost::json::object> json_events(const std::string& text) {
  std::vector<boost::json::object> out;
  boost::json::stream_parser parser;
  size_t at = 0;
  while (at < text.size()) {
    at = text.find('{', at);
    if (at == std::string::npos) break;
    parser.reset();
    boost::json::error_code ec;
    at += parser.write_some(text.data() + at, text.size() - at, ec);
    if (ec || !parser.done()) break;
    const auto v = parser.release();
    if (v.is_object() && v.as_object().contains("Event") && v.at("Event").is_object())
      out.push_back(v.at("Event").as_object());
  }
  return out;
}

}  // namespace

// Each regression .evtx sits beside a .json of the same events written by the Rust `evtx`
// crate: every System and EventData/UserData value we give equals the JSON's, in order.
TEST(Evtx, AgreesWithTheRustCratesJsonOnTheSigmaRegressionData) {
  const fs::path root = fs::path(KHIEN_SHARED_DATA) / "sigma" / "regression_data";
  if (!fs::is_directory(root))
    GTEST_SKIP() << "no regression data at " << root << " (../shared/data is absent)";
  int files = 0, events = 0;
  for (const auto& f : fs::recursive_directory_iterator(root)) {
    if (!f.is_regular_file() || f.path().extension() != ".evtx") continue;
    fs::path json_path = f.path();
    json_path.replace_extension(".json");
    if (!fs::exists(json_path)) continue;
    auto file = evtx::File::open(f.path().string());
    ASSERT_TRUE(file) << f.path();
    const Parsed ours = parse(*file);
    const auto expected = json_events(read_bytes(json_path));
    ASSERT_EQ(ours.records.size(), expected.size()) << f.path();
    ++files;
    for (size_t i = 0; i < expected.size(); ++i, ++events) {
      const Fields want = json_fields(expected[i]);
      const Fields& got = ours.records[i].fields;
      EXPECT_EQ(got.size(), want.size()) << f.path() << " event " << i;
      // The crate's JSON drops trailing spaces of a value ("cmd.exe\" " becomes "cmd.exe\""); we
      // keep them, as libevtx does, since they are in the record.
      const auto trimmed = [](std::pair<std::string, std::string> field) {
        while (!field.second.empty() && field.second.back() == ' ') field.second.pop_back();
        return field;
      };
      for (size_t k = 0; k < std::min(got.size(), want.size()); ++k)
        EXPECT_EQ(trimmed(got[k]), want[k]) << f.path() << " event " << i << " field " << k;
    }
  }
  std::cout << "[ evtx     ] " << files << " files, " << events
            << " events compared with the Rust crate's JSON\n";
  EXPECT_GT(events, 0);
}

// ---- damaged and hostile files ------------------------------------------------------------

namespace {

constexpr size_t kHeaderBlock = 4096, kChunk = 65536;

struct RawRecord {
  uint64_t id;
  size_t chunk, begin, end;  // offsets in the file
};

// The records of a sound file as its bytes chain them (chunk by chunk, size by size).
std::vector<RawRecord> raw_records(const std::string& bytes) {
  std::vector<RawRecord> out;
  for (size_t c = kHeaderBlock; c + kChunk <= bytes.size(); c += kChunk) {
    if (bytes.compare(c, 8, std::string("ElfChnk\0", 8)) != 0) continue;
    uint32_t free_space = 0;
    std::memcpy(&free_space, bytes.data() + c + 48, 4);
    for (size_t pos = c + 512;
         pos + 24 <= c + free_space && bytes.compare(pos, 4, std::string("**\0\0", 4)) == 0;) {
      uint32_t size = 0;
      uint64_t id = 0;
      std::memcpy(&size, bytes.data() + pos + 4, 4);
      std::memcpy(&id, bytes.data() + pos + 8, 8);
      if (size < 28) break;
      out.push_back({id, (c - kHeaderBlock) / kChunk, pos, pos + size});
      pos += size;
    }
  }
  return out;
}

// The sample with the most chunks holding records, and its records as read whole.
struct Sample {
  std::string bytes;
  Parsed parsed;
  std::vector<RawRecord> raw;
};

const Sample* busiest_sample() {
  static const Sample sample = [] {
    Sample best;
    size_t best_chunks = 0;
    for (const auto& path : sample_files()) {
      std::string bytes = read_bytes(path);
      auto raw = raw_records(bytes);
      std::set<size_t> chunks;
      for (const auto& r : raw) chunks.insert(r.chunk);
      if (chunks.size() > best_chunks) {
        best_chunks = chunks.size();
        best = {std::move(bytes), {}, std::move(raw)};
      }
    }
    best.parsed = parse_bytes(best.bytes);
    return best;
  }();
  return sample.bytes.empty() ? nullptr : &sample;
}

const Record* find_record(const Parsed& parsed, uint64_t id) {
  for (const auto& r : parsed.records)
    if (r.id == id) return &r;
  return nullptr;
}

bool same_record(const Record& a, const Record& b) {
  return a.id == b.id && a.event_id == b.event_id && a.time_us == b.time_us && a.fields == b.fields;
}

}  // namespace

TEST(Evtx, TruncatedFilesKeepTheRecordsBeforeTheCut) {
  const Sample* sample = busiest_sample();
  if (!sample)
    GTEST_SKIP() << "no .evtx samples under " << KHIEN_SHARED_DATA << " (../shared/data is absent)";
  ASSERT_EQ(sample->parsed.records.size(), sample->raw.size());
  std::vector<size_t> cuts = {0,    7,    127,        128,        4095,
                              4096, 4100, 4096 + 511, 4096 + 512, sample->bytes.size()};
  for (size_t cut = 4096 + 600; cut < sample->bytes.size(); cut += 12289) cuts.push_back(cut);
  for (size_t k = 0; k < sample->raw.size(); k += 13)
    cuts.push_back(sample->raw[k].end);  // right after a record
  for (const size_t cut : cuts) {
    const std::string_view bytes = std::string_view(sample->bytes).substr(0, cut);
    auto file = evtx::File::from_memory(bytes);
    if (cut < 128) {
      ASSERT_FALSE(file) << cut;
      EXPECT_EQ(file.error().code(), "evtx_not_evtx");
      continue;
    }
    ASSERT_TRUE(file) << cut;
    const Parsed parsed = parse(*file);
    // Every record wholly before the cut, in a chunk whose header is whole, is read as before.
    size_t expected = 0;
    for (const auto& r : sample->raw)
      if (r.end <= cut && kHeaderBlock + r.chunk * kChunk + 512 <= cut) ++expected;
    ASSERT_EQ(parsed.records.size(), expected) << "cut at " << cut;
    for (size_t k = 0; k < expected; ++k)
      EXPECT_TRUE(same_record(parsed.records[k], sample->parsed.records[k]))
          << "cut at " << cut << ", record " << k;
    // A cut before the end of the records of a chunk is reported.
    const bool cuts_records =
        cut > kHeaderBlock &&
        std::any_of(sample->raw.begin(), sample->raw.end(), [&](const RawRecord& r) {
          return r.chunk == (cut - kHeaderBlock) / kChunk && r.end > cut;
        });
    if (cuts_records) {
      EXPECT_FALSE(parsed.problems.empty()) << "cut at " << cut;
    }
  }
}

TEST(Evtx, FlippedBytesAreReportedAndTheUndamagedRecordsStillRead) {
  const Sample* sample = busiest_sample();
  if (!sample)
    GTEST_SKIP() << "no .evtx samples under " << KHIEN_SHARED_DATA << " (../shared/data is absent)";
  std::mt19937_64 random(20240611);
  int salvaged = 0;
  for (int round = 0; round < 60; ++round) {
    std::string bytes = sample->bytes;
    std::map<size_t, size_t> first_flip;  // chunk -> first damaged offset in the file
    const int flips = 1 + static_cast<int>(random() % 8);
    for (int k = 0; k < flips; ++k) {
      const size_t at = kHeaderBlock + random() % (bytes.size() - kHeaderBlock);
      bytes[at] = static_cast<char>(bytes[at] ^ (1 + random() % 255));
      const size_t chunk = (at - kHeaderBlock) / kChunk;
      first_flip[chunk] = first_flip.count(chunk) ? std::min(first_flip[chunk], at) : at;
    }
    for (const bool skip : {true, false}) {
      const Parsed parsed = parse_bytes(bytes, {.skip_bad_checksums = skip});
      for (const auto& r : sample->raw) {
        const auto flip = first_flip.find(r.chunk);
        const bool untouched = flip == first_flip.end();
        // Records of undamaged chunks always; with skip_bad_checksums off also the records before
        // the first damaged byte of a chunk whose header is whole.
        const bool before_damage = !skip && !untouched && flip->second >= r.end &&
                                   flip->second >= kHeaderBlock + r.chunk * kChunk + 512;
        if (!untouched && !before_damage) continue;
        const Record* got = find_record(parsed, r.id);
        ASSERT_NE(got, nullptr) << "round " << round << ": record " << r.id << " lost";
        EXPECT_TRUE(same_record(*got, *find_record(sample->parsed, r.id)))
            << "round " << round << ", record " << r.id;
        if (before_damage) ++salvaged;
      }
      // Damage inside a chunk's records is reported (a flip in unused slack may go unseen).
      bool damaged_records = false;
      for (const auto& [chunk, at] : first_flip)
        for (const auto& r : sample->raw)
          damaged_records |= r.chunk == chunk && at >= r.begin && at < r.end;
      if (damaged_records) {
        EXPECT_FALSE(parsed.problems.empty()) << "round " << round;
      }
    }
  }
  EXPECT_GT(salvaged, 0);
}

TEST(Evtx, ChunkCountComesFromTheFileSizeAndABadHeaderChecksumIsOnlyAProblem) {
  const Sample* sample = busiest_sample();
  if (!sample)
    GTEST_SKIP() << "no .evtx samples under " << KHIEN_SHARED_DATA << " (../shared/data is absent)";
  std::string bytes = sample->bytes;
  bytes[42] = 1;  // the header's number of chunks, now stale (and its checksum wrong)
  bytes[43] = 0;
  auto file = evtx::File::from_memory(bytes);
  ASSERT_TRUE(file);
  EXPECT_EQ(file->chunk_count(), (bytes.size() - kHeaderBlock) / kChunk);
  EXPECT_FALSE(file->header().checksum_ok);
  const Parsed parsed = parse(*file);
  EXPECT_EQ(parsed.records.size(), sample->parsed.records.size());
  ASSERT_FALSE(parsed.problems.empty());
  EXPECT_EQ(parsed.problems.front().chunk, evtx::Problem::kFileHeader);
  EXPECT_EQ(parsed.problems.front().reason, "file header checksum mismatch");
}

TEST(Evtx, UnusedZeroChunksAreSkippedSilently) {
  const Sample* sample = busiest_sample();
  if (!sample)
    GTEST_SKIP() << "no .evtx samples under " << KHIEN_SHARED_DATA << " (../shared/data is absent)";
  const std::string bytes = sample->bytes + std::string(kChunk, '\0');
  const Parsed parsed = parse_bytes(bytes);
  EXPECT_EQ(parsed.records.size(), sample->parsed.records.size());
  EXPECT_TRUE(parsed.problems.empty());
}

// A dirty file: the chunk header's free-space offset stops before its last record (and its
// checksums were written with it). Read from a file, so that only the used part is read: the
// record after the free space is still read, and said.
TEST(Evtx, ARecordPastAStaleFreeSpaceOffsetIsRead) {
  const Sample* sample = busiest_sample();
  if (!sample)
    GTEST_SKIP() << "no .evtx samples under " << KHIEN_SHARED_DATA << " (../shared/data is absent)";
  std::vector<RawRecord> first;
  for (const auto& r : sample->raw)
    if (r.chunk == 0) first.push_back(r);
  ASSERT_GE(first.size(), 2u);
  std::string bytes = sample->bytes;
  auto* chunk = reinterpret_cast<uint8_t*>(bytes.data() + kHeaderBlock);
  const auto stale = static_cast<uint32_t>(first.back().begin - kHeaderBlock);
  std::memcpy(chunk + 48, &stale, 4);
  const uint32_t data_crc = evtx::crc32(chunk + 512, stale - 512);
  std::memcpy(chunk + 52, &data_crc, 4);
  const uint32_t header_crc = evtx::crc32(chunk + 128, 512 - 128, evtx::crc32(chunk, 120));
  std::memcpy(chunk + 124, &header_crc, 4);
  const auto path = fs::temp_directory_path() / "khien-stale-free-space.evtx";
  std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  auto file = evtx::File::open(path.string());
  ASSERT_TRUE(file);
  const Parsed parsed = parse(*file);
  fs::remove(path);
  EXPECT_EQ(parsed.records.size(), sample->parsed.records.size());
  ASSERT_EQ(parsed.problems.size(), 1u);
  EXPECT_EQ(parsed.problems[0].reason, "1 record(s) past the header's free space offset (stale chunk header) read");
}

// Past the chunks the header counts, a chunk whose header is all zeros is preallocated space:
// not read further, whatever follows its header.
TEST(Evtx, PreallocatedChunksAreNotReadPastTheirZeroHeader) {
  const Sample* sample = busiest_sample();
  if (!sample)
    GTEST_SKIP() << "no .evtx samples under " << KHIEN_SHARED_DATA << " (../shared/data is absent)";
  std::string tail(kChunk, '\0');
  tail.replace(4096, 5, "stale");
  const Parsed parsed = parse_bytes(sample->bytes + tail);
  EXPECT_EQ(parsed.records.size(), sample->parsed.records.size());
  EXPECT_TRUE(parsed.problems.empty());
  EXPECT_EQ(parsed.stats.skipped_chunks, sample->parsed.stats.skipped_chunks + 1);
}

TEST(Evtx, AChunkWithoutItsSignatureIsReportedAndSkipped) {
  const Sample* sample = busiest_sample();
  if (!sample)
    GTEST_SKIP() << "no .evtx samples under " << KHIEN_SHARED_DATA << " (../shared/data is absent)";
  std::string bytes = sample->bytes;
  bytes[kHeaderBlock] = 'X';
  const Parsed parsed = parse_bytes(bytes);
  ASSERT_EQ(parsed.problems.size(), 1u);
  EXPECT_EQ(parsed.problems[0].chunk, 0u);
  EXPECT_EQ(parsed.problems[0].offset, kHeaderBlock);
  EXPECT_EQ(parsed.stats.skipped_chunks - sample->parsed.stats.skipped_chunks, 1u);
  size_t in_other_chunks = 0;
  for (const auto& r : sample->raw) in_other_chunks += r.chunk != 0;
  EXPECT_EQ(parsed.records.size(), in_other_chunks);
}

TEST(Evtx, ChunksReadOnSeveralThreadsGiveTheSameRecords) {
  const Sample* sample = busiest_sample();
  if (!sample)
    GTEST_SKIP() << "no .evtx samples under " << KHIEN_SHARED_DATA << " (../shared/data is absent)";
  auto file = evtx::File::from_memory(sample->bytes);
  ASSERT_TRUE(file);
  std::vector<std::vector<Record>> by_chunk(file->chunk_count());
  auto work = [&](size_t first) {
    Event event;
    for (size_t c = first; c < file->chunk_count(); c += 2) {
      evtx::RecordCallback sink([&](const Event& e) {
        Record r{e.record_id, e.event_id, e.time_us, {}};
        for (size_t i = 0; i < e.size(); ++i) r.fields.emplace_back(e.name(i), e.value(i));
        by_chunk[c].push_back(std::move(r));
      });
      file->read_chunk(c, event, sink);
    }
  };
  std::thread other(work, 1);
  work(0);
  other.join();
  std::vector<Record> all;
  for (auto& records : by_chunk) all.insert(all.end(), records.begin(), records.end());
  ASSERT_EQ(all.size(), sample->parsed.records.size());
  for (size_t k = 0; k < all.size(); ++k)
    EXPECT_TRUE(same_record(all[k], sample->parsed.records[k])) << k;
}

// A forwarded record's RenderingInfo (no sample has one) is read into prefixed fields, beside
// the record's own. The file is written by the tests' writer, which libevtx checks: it must
// read the same records, sources, computers and strings.
TEST(Evtx, RenderingInfoOfAForwardedRecordIsReadIntoPrefixedFields) {
  const std::string bytes = khien::test::evtx_file({
      khien::test::windows_event("Microsoft-Windows-Security-Auditing", 4624, "Security", "dc1.example.vn", 1,
                                 {{"TargetUserName", "alice"}, {"LogonType", "3"}}, "An account was successfully logged on."),
      khien::test::windows_event("Application Error", 1000, "Application", "ws7.example.vn", 2, {{"Data", "x.exe"}}),
  });
  const fs::path path = fs::temp_directory_path() / ("khien-forwarded-" + std::to_string(::getpid()) + ".evtx");
  std::ofstream(path, std::ios::binary) << bytes;
  int unreadable = 0;
  const auto oracle = oracle_records(path, &unreadable);
  fs::remove(path);
  const Parsed ours = parse_bytes(bytes);
  EXPECT_TRUE(ours.problems.empty()) << ours.problems.front().reason;
  ASSERT_EQ(ours.records.size(), 2u);
  ASSERT_TRUE(oracle);
  ASSERT_EQ(oracle->size(), 2u);
  EXPECT_EQ(unreadable, 0);
  for (size_t k = 0; k < 2; ++k) {
    const Record& r = ours.records[k];
    const OracleRecord& o = (*oracle)[k];
    EXPECT_EQ(r.id, o.id);
    EXPECT_EQ(r.event_id, o.event_id);
    EXPECT_EQ(r.get("Provider_Name"), o.source.value_or("?"));
    EXPECT_EQ(r.get("Computer"), o.computer.value_or("?"));
    ASSERT_TRUE(o.strings);
    std::vector<std::string> values;
    for (const auto& [name, value] : data_fields(r.fields)) values.push_back(value);
    EXPECT_EQ(values, *o.strings);
  }
  const Record& forwarded = ours.records[0];
  EXPECT_EQ(forwarded.event_id, 4624u);
  EXPECT_EQ(forwarded.get("Channel"), "Security");
  EXPECT_EQ(forwarded.get("TargetUserName"), "alice");
  EXPECT_EQ(forwarded.get("RenderingInfo_Culture"), "en-US");
  EXPECT_EQ(forwarded.get("RenderingInfo_Message"), "An account was successfully logged on.");
  EXPECT_EQ(forwarded.get("RenderingInfo_Level"), "Information");
  for (const auto& [name, value] : ours.records[1].fields) EXPECT_FALSE(name.starts_with("RenderingInfo")) << name;
}

TEST(Evtx, WhatIsNotAnEvtxFileIsAnError) {
  auto text = evtx::File::from_memory("hello, world");
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().code(), "evtx_not_evtx");
  auto missing = evtx::File::open("/nonexistent/khien/file.evtx");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), "evtx_unreadable");
}

// ---- value formatting ---------------------------------------------------------------------

namespace {

std::string text_of(uint8_t type, std::string_view bytes) {
  std::string out;
  int64_t time_us = 0;
  if (!evtx::append_value(out, type, bytes, &time_us)) return "<none>";
  return out;
}

std::string utf16(std::u16string_view s) {
  std::string out;
  for (char16_t c : s) {
    out.push_back(static_cast<char>(c & 0xff));
    out.push_back(static_cast<char>(c >> 8));
  }
  return out;
}

}  // namespace

TEST(EvtxValue, NumbersAreDecimalAndHexTypesLowercaseHex) {
  EXPECT_EQ(text_of(evtx::kInt8Type, "\xff"), "-1");
  EXPECT_EQ(text_of(evtx::kUInt16Type, std::string("\x39\x30", 2)), "12345");
  EXPECT_EQ(text_of(evtx::kInt64Type, std::string("\xfe\xff\xff\xff\xff\xff\xff\xff", 8)), "-2");
  EXPECT_EQ(text_of(evtx::kHexInt32Type, std::string("\xbe\xf4\x00\x00", 4)), "0xf4be");
  EXPECT_EQ(text_of(evtx::kHexInt64Type, std::string(8, '\0')), "0x0");
  EXPECT_EQ(text_of(evtx::kSizeTType, std::string("\x10\x00\x00\x00\x00\x00\x00\x00", 8)), "0x10");
  EXPECT_EQ(text_of(evtx::kBoolType, std::string("\x01\x00\x00\x00", 4)), "true");
  EXPECT_EQ(text_of(evtx::kBoolType, std::string(4, '\0')), "false");
  EXPECT_EQ(text_of(evtx::kReal64Type, std::string("\x9a\x99\x99\x99\x99\x99\xb9\x3f", 8)), "0.1");
  EXPECT_EQ(text_of(evtx::kUInt32Type, "\x01"), "<none>");  // too short for its type
}

TEST(EvtxValue, GuidSidTimesAndBinaryAreWrittenLikeTheRustCrate) {
  EXPECT_EQ(
      text_of(evtx::kGuidType,
              std::string("\x5f\x38\x70\x57\x2a\xc2\xe0\x43\xbf\x4c\x06\xf5\x69\x8f\xfb\xd9", 16)),
      "5770385F-C22A-43E0-BF4C-06F5698FFBD9");
  EXPECT_EQ(
      text_of(evtx::kSidType, std::string("\x01\x01\x00\x00\x00\x00\x00\x05\x12\x00\x00\x00", 12)),
      "S-1-5-18");
  // 132102652044956748 (100 ns since 1601) is 2019-08-14T14:06:44.4956748Z.
  EXPECT_EQ(text_of(evtx::kFileTimeType, std::string("\x4c\xd4\x06\x81\xa9\x52\xd5\x01", 8)),
            "2019-08-14T14:06:44.495674Z");
  // SYSTEMTIME 2019-03-19 (a Tuesday) 23:34:25.278
  EXPECT_EQ(
      text_of(evtx::kSysTimeType,
              std::string("\xe3\x07\x03\x00\x02\x00\x13\x00\x17\x00\x22\x00\x19\x00\x16\x01", 16)),
      "2019-03-19T23:34:25.278000Z");
  EXPECT_EQ(text_of(evtx::kBinaryType, std::string("\x00\xab\x10", 3)), "00AB10");
}

TEST(EvtxValue, StringsAreUtf8WithoutTrailingNuls) {
  EXPECT_EQ(text_of(evtx::kStringType, utf16(u"C:\\Windows\0\0")), "C:\\Windows");
  EXPECT_EQ(text_of(evtx::kStringType, utf16(u"Vi\u1EC7t \U0001F600")),
            "Vi\xe1\xbb\x87t \xf0\x9f\x98\x80");
  EXPECT_EQ(text_of(evtx::kStringType, utf16(u"a\xD800z")),
            "a\xef\xbf\xbdz");  // unpaired surrogate
  EXPECT_EQ(text_of(evtx::kStringType | evtx::kArrayFlag, utf16(std::u16string(u"a\0\0b\0", 5))),
            "a, , b");
  EXPECT_EQ(text_of(evtx::kAnsiStringType, "caf\xe9\x80"),
            "caf\xc3\xa9\xe2\x82\xac");  // Windows-1252
  EXPECT_EQ(text_of(evtx::kUInt16Type | evtx::kArrayFlag, std::string("\x01\x00\x02\x00", 4)),
            "1, 2");
}

// UTF-16LE to UTF-8 against glibc's iconv, the reference: random text of ASCII runs of every
// length around the widths converted at once (8 and 4 units), two- and three-byte characters
// and surrogate pairs, appended after what the string already holds.
TEST(EvtxValue, Utf16IsConvertedAsIconvDoes) {
  iconv_t cd = iconv_open("UTF-8", "UTF-16LE");
  ASSERT_NE(cd, reinterpret_cast<iconv_t>(-1));
  auto reference = [&](const std::string& in) {
    std::string out(in.size() * 2 + 16, '\0');
    char* from = const_cast<char*>(in.data());
    char* to = out.data();
    std::size_t from_left = in.size(), to_left = out.size();
    EXPECT_NE(iconv(cd, &from, &from_left, &to, &to_left), static_cast<std::size_t>(-1));
    out.resize(out.size() - to_left);
    return out;
  };
  std::mt19937 random(11);
  for (int round = 0; round < 3000; ++round) {
    std::u16string text;
    const auto pieces = random() % 6;
    for (std::uint32_t p = 0; p < pieces; ++p) {
      switch (random() % 4) {
        case 0:
        case 1:
          for (auto n = random() % 20; n > 0; --n) text.push_back(static_cast<char16_t>(0x20 + random() % 0x5f));
          break;
        case 2: text.push_back(static_cast<char16_t>(random() % 2 ? 0xe9 : 0x1ec7)); break;
        default: text += u"\U0001F600"; break;
      }
    }
    const auto bytes = utf16(text);
    std::string ours = "before ";
    evtx::append_utf16(ours, reinterpret_cast<const std::uint8_t*>(bytes.data()), text.size());
    EXPECT_EQ(ours, "before " + reference(bytes)) << round;
  }
  iconv_close(cd);
}

// ISA-L's CRC-32 against zlib's, the reference: every length around the vector widths, and
// continued over pieces as the chunk header's checksum is.
TEST(Evtx, Crc32IsZlibs) {
  std::mt19937 random(7);
  std::vector<std::uint8_t> bytes(70000);
  for (auto& b : bytes) b = static_cast<std::uint8_t>(random());
  for (std::size_t n : {0u, 1u, 3u, 15u, 16u, 17u, 63u, 64u, 65u, 127u, 255u, 256u, 511u, 512u, 4095u, 65536u, 70000u}) {
    EXPECT_EQ(evtx::crc32(bytes.data(), n), ::crc32_z(0, bytes.data(), n)) << n;
    const auto half = n / 2;
    EXPECT_EQ(evtx::crc32(bytes.data() + half, n - half, evtx::crc32(bytes.data(), half)), ::crc32_z(0, bytes.data(), n)) << n;
  }
}

// Records that replay their template's trace (binary_xml.h) give exactly what walking the
// template gives: on every sample, and on damaged copies of the busiest one read without
// skipping bad checksums (so that damaged records reach the reader).
TEST(Evtx, ReplayedTemplatesGiveWhatWalkingGives) {
  const auto files = sample_files();
  if (files.empty())
    GTEST_SKIP() << "no .evtx samples under " << KHIEN_SHARED_DATA << " (../shared/data is absent)";
  auto compare = [](const evtx::File& replayed, const evtx::File& walked, const std::string& what) {
    const Parsed a = parse(replayed), b = parse(walked);
    EXPECT_EQ(a.records.size(), b.records.size()) << what;
    for (size_t k = 0; k < std::min(a.records.size(), b.records.size()); ++k)
      if (!same_record(a.records[k], b.records[k])) {
        ADD_FAILURE() << what << ": record " << a.records[k].id << " differs";
        break;
      }
    EXPECT_EQ(a.problems.size(), b.problems.size()) << what;
    return a.records.size();
  };
  uint64_t records = 0;
  for (const auto& path : files) {
    auto replayed = evtx::File::open(path.string());
    auto walked = evtx::File::open(path.string(), {.replay_templates = false});
    ASSERT_TRUE(replayed && walked) << path;
    records += compare(*replayed, *walked, path.string());
  }
  EXPECT_GT(records, 8000u);
  const Sample* sample = busiest_sample();
  std::mt19937_64 random(20261126);
  for (int round = 0; round < 40; ++round) {
    std::string bytes = sample->bytes;
    for (int k = 0; k < 1 + static_cast<int>(random() % 8); ++k) {
      const size_t at = kHeaderBlock + random() % (bytes.size() - kHeaderBlock);
      bytes[at] = static_cast<char>(bytes[at] ^ (1 + random() % 255));
    }
    auto replayed = evtx::File::from_memory(bytes, {.skip_bad_checksums = false});
    auto walked = evtx::File::from_memory(bytes, {.skip_bad_checksums = false, .replay_templates = false});
    ASSERT_TRUE(replayed && walked);
    compare(*replayed, *walked, "damaged copy " + std::to_string(round));
  }
}

// A template traced on a record whose Binary XML value is empty, then replayed on records whose
// value at that place is not: that value must still be read (found by fuzz_evtx). Each sample's
// first record of a template with a Binary XML value is given that value empty (its bytes go to
// a neighbouring value), and the file is read replaying and walking.
TEST(Evtx, AnEmptyBinaryXmlValueInTheTracedRecordHidesNothingInTheNextOnes) {
  const auto files = sample_files();
  if (files.empty())
    GTEST_SKIP() << "no .evtx samples under " << KHIEN_SHARED_DATA << " (../shared/data is absent)";
  constexpr uint8_t kBinXml = 0x21;
  auto u16 = [](const std::string& b, size_t at) { uint16_t v = 0; std::memcpy(&v, b.data() + at, 2); return v; };
  auto u32 = [](const std::string& b, size_t at) { uint32_t v = 0; std::memcpy(&v, b.data() + at, 4); return v; };
  int emptied = 0, differing = 0;
  for (const auto& path : files) {
    std::string bytes = read_bytes(path);
    std::set<std::pair<size_t, uint32_t>> templates;  // (chunk, definition offset) seen
    bool changed = false;
    for (const auto& r : raw_records(bytes)) {
      const size_t chunk = kHeaderBlock + r.chunk * kChunk;
      size_t p = r.begin + 24;  // the record's Binary XML: fragment header, template instance
      if (p + 18 > r.end || bytes[p] != 0x0f || bytes[p + 4] != 0x0c) continue;
      const uint32_t definition = u32(bytes, p + 10);
      p += 14;
      if (definition == p - chunk) p += 24 + u32(bytes, p + 20);  // defined here
      if (p + 4 > r.end) continue;
      const uint32_t count = u32(bytes, p);
      if (!templates.insert({chunk, definition}).second || count < 2 || p + 4 + 4 * count > r.end) continue;
      for (uint32_t j = 0; j < count; ++j) {
        const size_t d = p + 4 + 4 * j;
        const size_t neighbour = j + 1 < count ? d + 4 : d - 4;  // takes the value's bytes
        const uint16_t size = u16(bytes, d), other = u16(bytes, neighbour);
        if (static_cast<uint8_t>(bytes[d + 2]) != kBinXml || size == 0 || size + other > 0xffff) continue;
        const uint16_t none = 0, more = static_cast<uint16_t>(size + other);
        std::memcpy(bytes.data() + d, &none, 2);
        std::memcpy(bytes.data() + neighbour, &more, 2);
        ++emptied;
        changed = true;
        break;
      }
    }
    if (!changed) continue;
    auto replayed = evtx::File::from_memory(bytes, {.skip_bad_checksums = false});
    auto walked = evtx::File::from_memory(bytes, {.skip_bad_checksums = false, .replay_templates = false});
    ASSERT_TRUE(replayed && walked) << path;
    const Parsed a = parse(*replayed), b = parse(*walked);
    bool same = a.records.size() == b.records.size() && a.problems.size() == b.problems.size();
    for (size_t k = 0; same && k < a.records.size(); ++k) same = same_record(a.records[k], b.records[k]);
    if (!same) ++differing;
    EXPECT_TRUE(same) << path << ": " << a.records.size() << " records replaying, " << b.records.size() << " walking";
  }
  EXPECT_GT(emptied, 0);
  EXPECT_EQ(differing, 0);
}

// Replaying a trace relies on this: whether a value converts depends on its type and size only.
TEST(Evtx, WhetherAValueConvertsDependsOnItsTypeAndSizeOnly) {
  std::mt19937_64 random(7);
  int converted = 0;
  for (unsigned type = 0; type < 0x80; ++type)
    for (size_t size = 0; size <= 40; ++size)
      for (int round = 0; round < 4; ++round) {
        std::string bytes(size, '\0');
        for (auto& b : bytes) b = static_cast<char>(random());
        std::string out;
        int64_t time_us = 0;
        const bool did = evtx::append_value(out, static_cast<uint8_t>(type), bytes, &time_us);
        EXPECT_EQ(evtx::converts(static_cast<uint8_t>(type), size), did) << "type " << type << " size " << size;
        converted += did ? 1 : 0;
      }
  EXPECT_GT(converted, 1000);
}
