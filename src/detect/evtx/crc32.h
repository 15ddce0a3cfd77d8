// CRC-32 (IEEE 802.3), the checksum of EVTX file and chunk headers and of chunk record data:
// zlib's. Internal to the EVTX reader.
#pragma once

#include <zlib.h>

#include <cstddef>
#include <cstdint>

namespace khien::detect::evtx {

// CRC-32 of `size` bytes at `data`, continuing from `crc` (0 to start).
inline uint32_t crc32(const uint8_t* data, size_t size, uint32_t crc = 0) {
  return static_cast<uint32_t>(::crc32_z(crc, data, size));
}

}  // namespace khien::detect::evtx
