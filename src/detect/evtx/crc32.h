// CRC-32 (IEEE 802.3, reflected, as gzip and zlib compute it), the checksum of EVTX file and
// chunk headers and of chunk record data: ISA-L's, which uses the CPU's carry-less multiply
// (several times zlib's speed on the records of every chunk). Internal to the EVTX reader;
// tests check it against zlib's.
#pragma once

#include <isa-l/crc.h>

#include <cstddef>
#include <cstdint>

namespace khien::detect::evtx {

// CRC-32 of `size` bytes at `data`, continuing from `crc` (0 to start).
inline uint32_t crc32(const uint8_t* data, size_t size, uint32_t crc = 0) {
  return ::crc32_gzip_refl(crc, data, size);
}

}  // namespace khien::detect::evtx
