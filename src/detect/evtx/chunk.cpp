#include "detect/evtx/chunk.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "detect/evtx/crc32.h"
#include "detect/evtx/value.h"

namespace khien::detect::evtx {
namespace {

// Chunk header (512 bytes; libyal "Chunk header"): signature "ElfChnk\0" at 0, first and
// last record numbers at 8 and 16, first and last record identifiers at 24 and 32, header
// size (128) at 40, last record offset at 44, free space offset at 48, CRC32 of the record
// data [512, free space) at 52, flags at 120, CRC32 of [0, 120) and [128, 512) at 124; then
// the common string offsets (64 x 4) and template pointers (32 x 4).
constexpr char kChunkMagic[8] = {'E', 'l', 'f', 'C', 'h', 'n', 'k', '\0'};

// Event record: signature "**\0\0" (4), size (4), identifier (8), written time FILETIME (8),
// Binary XML, and a copy of the size (4) as its last bytes.
constexpr uint32_t kRecordHeaderSize = 24;
constexpr uint32_t kMinRecordSize = kRecordHeaderSize + 4;
constexpr char kRecordMagic[4] = {'*', '*', '\0', '\0'};

uint32_t load32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

uint64_t load64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

// Eight words at a time: an unused chunk is 64 KiB of zeros, and about a third of the chunks of
// a typical file are unused.
bool all_zero(const uint8_t* data, uint32_t size) {
  uint32_t at = 0;
  for (; size - at >= 64; at += 64) {
    uint64_t any = 0;
    for (uint32_t k = 0; k < 64; k += 8) any |= load64(data + at + k);
    if (any != 0) return false;
  }
  for (; at < size; ++at) {
    if (data[at] != 0) return false;
  }
  return true;
}

// Why the record at `pos` is not one, or nullptr.
const char* record_fault(const uint8_t* data, uint32_t size, uint32_t pos) {
  if (std::memcmp(data + pos, kRecordMagic, 4) != 0) return "bad record signature";
  const uint32_t record_size = load32(data + pos + 4);
  if (record_size < kMinRecordSize) return "record size too small";
  if (record_size > size - pos) return "record runs past the end of the chunk";
  if (load32(data + pos + record_size - 4) != record_size) return "record size and its copy differ";
  return nullptr;
}

class ChunkRecords {
 public:
  ChunkRecords(const uint8_t* data, uint32_t size, const ChunkPlace& place,
               std::vector<Problem>& problems)
      : data_(data), size_(size), place_(place), problems_(problems) {}

  ChunkStats read(BinaryXmlReader& reader, Event& event, RecordSink& sink) {
    if (size_ < sizeof kChunkMagic || std::memcmp(data_, kChunkMagic, sizeof kChunkMagic) != 0) {
      if (!all_zero(data_, size_))
        skip(0, "bad chunk signature (not \"ElfChnk\")");
      else
        ++stats_.skipped_chunks;
      return stats_;
    }
    if (size_ < kChunkHeaderSize) {
      skip(0, "chunk header truncated (the file ends)");
      return stats_;
    }
    const uint32_t header_crc = crc32(data_ + 128, kChunkHeaderSize - 128, crc32(data_, 120));
    if (header_crc != load32(data_ + 124)) {
      if (!report(124, "chunk header checksum mismatch")) return stats_;
    }
    uint32_t free_space = load32(data_ + 48);
    if (free_space < kChunkHeaderSize || free_space > kChunkSize) {
      add_problem(48, "free space offset " + std::to_string(free_space) + " outside the chunk");
      free_space = size_;
    } else if (free_space > size_) {
      add_problem(size_, "chunk truncated at " + std::to_string(size_) + " bytes (the file ends)");
      free_space = size_;
    } else if (crc32(data_ + kChunkHeaderSize, free_space - kChunkHeaderSize) !=
               load32(data_ + 52)) {
      if (!report(52, "chunk record data checksum mismatch")) return stats_;
    }
    read_records(free_space, reader, event, sink);
    return stats_;
  }

 private:
  // Reads records from the end of the header. Past the free space offset (a stale header in
  // a dirty file) a record is taken only when it continues the identifier sequence.
  void read_records(uint32_t free_space, BinaryXmlReader& reader, Event& event, RecordSink& sink) {
    reader.begin_chunk(data_, size_);
    uint32_t pos = kChunkHeaderSize;
    uint64_t last_id = 0;
    bool have_last = false;
    uint64_t recovered = 0;
    while (size_ - pos >= kRecordHeaderSize) {
      const char* fault = record_fault(data_, size_, pos);
      if (pos >= free_space) {
        if (fault || !have_last || load64(data_ + pos + 8) != last_id + 1) break;
        ++recovered;
      }
      if (fault) {
        ++stats_.bad_records;
        add_problem(pos, fault);
        const uint32_t next = find_record_signature(pos + 1, free_space);
        if (next == 0) break;
        pos = next;
        continue;
      }
      const uint32_t record_size = load32(data_ + pos + 4);
      last_id = load64(data_ + pos + 8);
      have_last = true;
      event.clear();
      event.record_id = last_id;
      event.time_us = filetime_to_unix_us(load64(data_ + pos + 16));
      if (const char* error = reader.read(pos + kRecordHeaderSize, pos + record_size - 4, event)) {
        ++stats_.bad_records;
        add_problem(pos, "record " + std::to_string(last_id) + ": " + error);
      } else {
        ++stats_.records;
        sink.on_record(event);
      }
      pos += record_size;
    }
    if (recovered > 0)
      add_problem(48,
                  std::to_string(recovered) +
                      " record(s) past the header's free space offset (stale chunk header) read");
  }

  // The next record signature at or after `from`, before `limit`; 0 when none.
  uint32_t find_record_signature(uint32_t from, uint32_t limit) const {
    limit = std::min(limit, size_);
    for (uint32_t p = from; p + kRecordHeaderSize <= limit; ++p) {
      if (data_[p] == '*' && std::memcmp(data_ + p, kRecordMagic, 4) == 0) return p;
    }
    return 0;
  }

  // A checksum fault: reported; returns whether to go on reading the chunk.
  bool report(uint32_t offset, const char* reason) {
    if (place_.options.skip_bad_checksums) {
      skip(offset, std::string(reason) + "; chunk skipped");
      return false;
    }
    add_problem(offset, reason);
    return true;
  }

  void skip(uint32_t offset, std::string reason) {
    ++stats_.skipped_chunks;
    add_problem(offset, std::move(reason));
  }

  void add_problem(uint32_t offset, std::string reason) {
    ++stats_.problems;
    problems_.push_back({place_.index, place_.file_offset + offset, std::move(reason)});
  }

  const uint8_t* data_;
  uint32_t size_;
  const ChunkPlace& place_;
  std::vector<Problem>& problems_;
  ChunkStats stats_;
};

}  // namespace

uint32_t chunk_used_bytes(const uint8_t* header) {
  if (std::memcmp(header, kChunkMagic, sizeof kChunkMagic) != 0) return 0;
  const uint32_t free_space = load32(header + 48);
  return free_space >= kChunkHeaderSize && free_space <= kChunkSize ? free_space : 0;
}

ChunkStats read_chunk_records(const uint8_t* data, uint32_t size, const ChunkPlace& place,
                              BinaryXmlReader& reader, Event& event, RecordSink& sink,
                              std::vector<Problem>& problems) {
  return ChunkRecords(data, std::min(size, kChunkSize), place, problems).read(reader, event, sink);
}

}  // namespace khien::detect::evtx
