#include "base/time.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (auto t = khien::parse_rfc3339({reinterpret_cast<const char*>(data), size})) (void)khien::format_rfc3339(*t);
  return 0;
}
