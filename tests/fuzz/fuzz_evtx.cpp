// Any bytes as an EVTX file, every record of every chunk read with checksum failures not
// skipped (so damaged Binary XML is reached). Bytes without the "ElfFile" signature are taken
// as one chunk behind a file header, so that seeds can be single chunks: e.g. the 64 KiB
// chunks cut from ../shared/data/evtx/EVTX-ATTACK-SAMPLES (at 4096 + k * 65536).
// Differential too: records read replaying template traces must be those read walking every
// template (the reference), field for field, with the same problems.
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "detect/evtx/file.h"

namespace {

struct Read {
  std::vector<std::string> records;  // each record's id, event id, time and fields, as one text
  std::size_t problems = 0;
};

Read read(const std::string& bytes, bool replay) {
  using namespace khien::detect;
  Read out;
  auto file = evtx::File::from_memory(bytes, {.skip_bad_checksums = false, .replay_templates = replay});
  if (!file) return out;
  Event event;
  evtx::RecordCallback sink([&](const Event& e) {
    std::string r = std::to_string(e.record_id) + ' ' + std::to_string(e.event_id) + ' ' + std::to_string(e.time_us);
    for (std::size_t i = 0; i < e.size(); ++i) r.append(1, '\n').append(e.name(i)).append(1, '=').append(e.value(i));
    out.records.push_back(std::move(r));
  });
  (void)file->read_all(event, sink);
  out.problems = file->problems().size();
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  if (size < 8 || std::memcmp(data, "ElfFile", 8) != 0) {
    std::string header(4096, '\0');
    std::memcpy(header.data(), "ElfFile", 8);
    header[32] = static_cast<char>(128);  // header size
    header[38] = 3;                       // major version
    bytes = header + bytes;
  }
  const Read replayed = read(bytes, true), walked = read(bytes, false);
  if (replayed.records != walked.records || replayed.problems != walked.problems) std::abort();
  return 0;
}
