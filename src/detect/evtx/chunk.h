// The records of one EVTX chunk. Internal to the EVTX reader (see file.h).
#pragma once

#include <cstdint>
#include <vector>

#include "detect/evtx/binary_xml.h"
#include "detect/evtx/file.h"

namespace khien::detect::evtx {

constexpr uint32_t kChunkSize = 65536;

// Where a chunk is and how to read it.
struct ChunkPlace {
  uint64_t index = 0;
  uint64_t file_offset = 0;
  ReadOptions options;
};

constexpr uint32_t kChunkHeaderSize = 512;

// How many bytes of a chunk hold its header and records (its free-space offset), from the
// first kChunkHeaderSize bytes; 0 when they are not a sound chunk header (then read it all).
uint32_t chunk_used_bytes(const uint8_t* header);

// Reads the records of the chunk at `data` (`size` bytes: 64 KiB, or less when the file ends
// early) into `event` one at a time, handing each to `sink`; appends what is wrong to
// `problems`. `reader` holds the chunk's template cache and is reset here.
ChunkStats read_chunk_records(const uint8_t* data, uint32_t size, const ChunkPlace& place,
                              BinaryXmlReader& reader, Event& event, RecordSink& sink,
                              std::vector<Problem>& problems);

}  // namespace khien::detect::evtx
