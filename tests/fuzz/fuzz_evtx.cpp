// Any bytes as an EVTX file, every record of every chunk read with checksum failures not
// skipped (so damaged Binary XML is reached). Bytes without the "ElfFile" signature are taken
// as one chunk behind a file header, so that seeds can be single chunks: e.g. the 64 KiB
// chunks cut from ../shared/data/evtx/EVTX-ATTACK-SAMPLES (at 4096 + k * 65536).
#include <cstring>
#include <string>

#include "detect/evtx/file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace khien::detect;
  std::string bytes(reinterpret_cast<const char*>(data), size);
  if (size < 8 || std::memcmp(data, "ElfFile", 8) != 0) {
    std::string header(4096, '\0');
    std::memcpy(header.data(), "ElfFile", 8);
    header[32] = static_cast<char>(128);  // header size
    header[38] = 3;                       // major version
    bytes = header + bytes;
  }
  auto file = evtx::File::from_memory(bytes, {.skip_bad_checksums = false});
  if (!file) return 0;
  Event event;
  std::size_t total = 0;
  evtx::RecordCallback sink([&](const Event& e) {
    for (std::size_t i = 0; i < e.size(); ++i) total += e.name(i).size() + e.value(i).size();
  });
  (void)file->read_all(event, sink);
  (void)file->problems();
  volatile std::size_t observed = total;  // the fields are read, not optimised away
  (void)observed;
  return 0;
}
