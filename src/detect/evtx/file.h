// Windows XML Event Log (.evtx) files, read record by record into Events.
//
// A file is a 4 KiB header and then 64 KiB chunks; each chunk holds event records whose
// Binary XML refers to templates defined in that same chunk, so chunks are read on their own
// and a caller may read different chunks of one File on several threads at once. Memory is
// bounded whatever the file size: a chunk is read (pread) only when asked for.
//
// Damage is reported, never thrown: each File keeps a list of Problems (where, what) — a bad
// chunk magic, a checksum mismatch, a record with a bad size, malformed Binary XML, a
// truncated chunk. Records are recovered one by one where the damage allows.
//
//   auto file = evtx::File::open(path);
//   if (!file) return file.error();
//   Event event;
//   evtx::RecordCallback sink([&](const Event& e) { ... });
//   for (size_t i = 0; i < file->chunk_count(); ++i) file->read_chunk(i, event, sink);
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "detect/event.h"

namespace khien::detect::evtx {

// Something wrong found in a file.
struct Problem {
  static constexpr uint64_t kFileHeader = ~uint64_t{0};
  uint64_t chunk = kFileHeader;  // chunk index, or kFileHeader
  uint64_t offset = 0;           // byte offset in the file
  std::string reason;
};

// What reading one chunk (or, summed, a file) gave.
struct ChunkStats {
  uint64_t records = 0;      // handed to the sink
  uint64_t bad_records = 0;  // found but not handed over (each also a Problem)
  uint64_t problems = 0;
  uint64_t skipped_chunks = 0;  // not read: bad magic, checksum mismatch, unreadable

  ChunkStats& operator+=(const ChunkStats& other) {
    records += other.records;
    bad_records += other.bad_records;
    problems += other.problems;
    skipped_chunks += other.skipped_chunks;
    return *this;
  }
};

// Receives each record. The Event is only valid during the call.
class RecordSink {
 public:
  virtual ~RecordSink() = default;
  virtual void on_record(const Event& event) = 0;
};

// A RecordSink calling `f(const Event&)`.
template <class F>
class RecordCallback final : public RecordSink {
 public:
  explicit RecordCallback(F f) : f_(std::move(f)) {}
  void on_record(const Event& event) override { f_(event); }

 private:
  F f_;
};

struct ReadOptions {
  // A chunk whose header or record data checksum (CRC32) does not match is always reported.
  // When true it is also skipped; when false its records are still read one by one (for
  // salvaging damaged files, and for fuzzing).
  bool skip_bad_checksums = true;
  // Records replay what their template gave for an earlier record of the chunk, with their own
  // values (binary_xml.h). False walks every record's template: the reference, for tests.
  bool replay_templates = true;
};

// The file header (the first 128 bytes of the 4 KiB header block).
struct FileHeader {
  uint64_t first_chunk = 0, last_chunk = 0;
  uint64_t next_record_id = 0;
  uint16_t minor_version = 0, major_version = 0;
  uint16_t chunk_count = 0;  // as written; may be stale in a dirty file
  uint32_t flags = 0;        // 0x1 dirty, 0x2 full
  bool checksum_ok = false;
};

class File {
 public:
  // Opens a file and reads its header. Errors: "evtx_unreadable" (cannot open or read),
  // "evtx_not_evtx" (shorter than a header, or no "ElfFile" signature). A header checksum
  // mismatch is a Problem, not an error.
  static Result<File> open(const std::string& path, ReadOptions options = {});
  // The same on a file already open, which the File then owns (and closes, even on error);
  // `head`: the file's first bytes when they have been read already (else empty), `path`: its
  // name in errors.
  static Result<File> open(int fd, const std::string& path, std::string_view head, ReadOptions options = {});

  // The same over bytes in memory. REQUIRES: `bytes` outlive the File.
  static Result<File> from_memory(std::string_view bytes, ReadOptions options = {});

  File(File&&) noexcept;
  File& operator=(File&&) noexcept;
  ~File();

  const FileHeader& header() const;

  // Chunks the file's size has room for (a truncated last chunk counts), whatever the header
  // says.
  size_t chunk_count() const;

  // Reads chunk `index` (< chunk_count()), filling `scratch` with each record in turn and
  // handing it to `sink`. An all-zero (unused) chunk gives nothing and is no problem.
  // Thread-safe: calls for different chunks, each with its own `scratch`, may run at once.
  ChunkStats read_chunk(size_t index, Event& scratch, RecordSink& sink) const;

  // read_chunk over every chunk, in order.
  ChunkStats read_all(Event& scratch, RecordSink& sink) const;

  // The problems found so far (header, and the chunks read), in the order found.
  std::vector<Problem> problems() const;

 private:
  struct State;
  explicit File(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace khien::detect::evtx
