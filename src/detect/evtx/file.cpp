#include "detect/evtx/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>

#include "detect/evtx/binary_xml.h"
#include "detect/evtx/chunk.h"
#include "detect/evtx/crc32.h"

namespace khien::detect::evtx {
namespace {

// File header (libyal "File header"): signature "ElfFile\0" at 0, first chunk number at 8,
// last chunk number at 16, next record identifier at 24, header size (128) at 32, minor
// version at 36, major version at 38, header block size (4096) at 40, number of chunks at 42,
// flags at 120, CRC32 of the first 120 bytes at 124. Chunks start after the 4 KiB block.
constexpr uint32_t kHeaderSize = 128;
constexpr uint32_t kHeaderBlockSize = 4096;
constexpr char kFileMagic[8] = {'E', 'l', 'f', 'F', 'i', 'l', 'e', '\0'};

template <class T>
T load(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// What one thread needs to read a chunk; kept per thread so that reading allocates nothing
// once warm.
struct Workspace {
  std::vector<uint8_t> buffer = std::vector<uint8_t>(kChunkSize);
  BinaryXmlReader reader;
  std::vector<Problem> problems;
  bool busy = false;
};

}  // namespace

struct File::State {
  ReadOptions options;
  int fd = -1;              // when reading a file
  std::string_view memory;  // when reading bytes in memory
  uint64_t size = 0;
  FileHeader header;
  mutable std::mutex problems_mutex;  // guards problems
  mutable std::vector<Problem> problems;

  ~State() {
    if (fd >= 0) ::close(fd);
  }

  Status read_header(const uint8_t* bytes, size_t available) {
    if (available < kHeaderSize || std::memcmp(bytes, kFileMagic, sizeof kFileMagic) != 0)
      return Error("evtx_not_evtx",
                   "no \"ElfFile\" signature at offset 0: not a Windows XML Event Log file");
    header.first_chunk = load<uint64_t>(bytes + 8);
    header.last_chunk = load<uint64_t>(bytes + 16);
    header.next_record_id = load<uint64_t>(bytes + 24);
    header.minor_version = load<uint16_t>(bytes + 36);
    header.major_version = load<uint16_t>(bytes + 38);
    header.chunk_count = load<uint16_t>(bytes + 42);
    header.flags = load<uint32_t>(bytes + 120);
    header.checksum_ok = crc32(bytes, 120) == load<uint32_t>(bytes + 124);
    if (!header.checksum_ok)
      problems.push_back({Problem::kFileHeader, 124, "file header checksum mismatch"});
    if (header.major_version != 3)
      problems.push_back({Problem::kFileHeader, 38,
                          "unexpected major version " + std::to_string(header.major_version)});
    if (size < kHeaderBlockSize)
      problems.push_back({Problem::kFileHeader, size, "file ends inside its header block"});
    return {};
  }
};

File::File(std::unique_ptr<State> state) : state_(std::move(state)) {}
File::File(File&&) noexcept = default;
File& File::operator=(File&&) noexcept = default;
File::~File() = default;

Result<File> File::open(const std::string& path, ReadOptions options) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error("evtx_unreadable", path + ": " + std::strerror(errno));
  return open(fd, path, {}, options);
}

Result<File> File::open(int fd, const std::string& path, std::string_view head, ReadOptions options) {
  auto state = std::make_unique<State>();
  state->options = options;
  state->fd = fd;
  struct stat st {};
  if (::fstat(state->fd, &st) != 0)
    return Error("evtx_unreadable", path + ": " + std::strerror(errno));
  state->size = static_cast<uint64_t>(st.st_size);
  uint8_t header[kHeaderSize];
  size_t got = std::min(head.size(), sizeof header);
  if (got > 0) std::memcpy(header, head.data(), got);
  if (got < sizeof header) {
    const ssize_t n = ::pread(state->fd, header, sizeof header, 0);
    if (n < 0) return Error("evtx_unreadable", path + ": " + std::strerror(errno));
    got = static_cast<size_t>(n);
  }
  auto status = state->read_header(header, got);
  if (!status) return Error(status.error().code(), path + ": " + status.error().detail());
  return File(std::move(state));
}

Result<File> File::from_memory(std::string_view bytes, ReadOptions options) {
  auto state = std::make_unique<State>();
  state->options = options;
  state->memory = bytes;
  state->size = bytes.size();
  KHIEN_TRY(state->read_header(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  return File(std::move(state));
}

const FileHeader& File::header() const { return state_->header; }

size_t File::chunk_count() const {
  if (state_->size <= kHeaderBlockSize) return 0;
  return static_cast<size_t>((state_->size - kHeaderBlockSize + kChunkSize - 1) / kChunkSize);
}

ChunkStats File::read_chunk(size_t index, Event& scratch, RecordSink& sink) const {
  thread_local Workspace shared;
  std::unique_ptr<Workspace> own;  // when the sink reads another chunk from inside a call
  Workspace* ws = &shared;
  if (shared.busy) {
    own = std::make_unique<Workspace>();
    ws = own.get();
  }
  struct Busy {  // released even when the sink throws
    Workspace* ws;
    explicit Busy(Workspace* w) : ws(w) { ws->busy = true; }
    ~Busy() { ws->busy = false; }
    Busy(const Busy&) = delete;
    Busy& operator=(const Busy&) = delete;
  } busy(ws);
  ws->problems.clear();

  ChunkStats stats;
  const ChunkPlace place{index, kHeaderBlockSize + uint64_t{index} * kChunkSize, state_->options};
  if (index < chunk_count()) {
    const uint64_t available = state_->size - place.file_offset;
    auto size = static_cast<uint32_t>(available < kChunkSize ? available : kChunkSize);
    // The first n bytes of the chunk, or nullptr when they cannot be read: read on demand
    // (pread) from a file, at hand in memory.
    size_t done = 0;
    errno = 0;
    auto have = [&](size_t n) -> const uint8_t* {
      if (state_->fd < 0) return reinterpret_cast<const uint8_t*>(state_->memory.data()) + place.file_offset;
      while (done < n) {
        const ssize_t got = ::pread(state_->fd, ws->buffer.data() + done, n - done, static_cast<off_t>(place.file_offset + done));
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) return nullptr;
        done += static_cast<size_t>(got);
      }
      return ws->buffer.data();
    };
    // The header, then the records up to its free-space offset: the rest of a chunk holds
    // nothing (and most chunks of a small log are mostly empty). All of it when a record
    // follows the free space (a stale header in a dirty file) or the header is not sound.
    const uint8_t* data = have(std::min<size_t>(size, kChunkHeaderSize));
    if (data != nullptr && size >= kChunkHeaderSize) {
      const uint32_t used = chunk_used_bytes(data);
      // Past the chunks the file header counts lies preallocated space: a chunk there whose
      // header is all zeros is not read further (a chunk in use has a header).
      if (used == 0 && index >= state_->header.chunk_count &&
          std::all_of(data, data + kChunkHeaderSize, [](uint8_t b) { return b == 0; })) {
        ++stats.skipped_chunks;
        return stats;
      }
      if (used == 0) {
        data = have(size);
      } else {
        const auto want = std::min<uint32_t>(size, used + 4);
        data = have(want);
        if (data != nullptr && !(want == used + 4 && std::memcmp(data + used, "**\0\0", 4) == 0)) size = std::min(want, used);
        else if (data != nullptr) data = have(size);
      }
    }
    if (data == nullptr) {
      ++stats.skipped_chunks;
      ++stats.problems;
      const std::string why = errno == 0 ? "the file ends early" : std::strerror(errno);
      ws->problems.push_back({index, place.file_offset, "chunk unreadable: " + why});
    }
    ws->reader.set_replay(state_->options.replay_templates);
    if (data) stats = read_chunk_records(data, size, place, ws->reader, scratch, sink, ws->problems);
  }
  if (!ws->problems.empty()) {
    std::lock_guard lock(state_->problems_mutex);
    state_->problems.insert(state_->problems.end(), ws->problems.begin(), ws->problems.end());
  }
  return stats;
}

ChunkStats File::read_all(Event& scratch, RecordSink& sink) const {
  ChunkStats total;
  for (size_t i = 0; i < chunk_count(); ++i) total += read_chunk(i, scratch, sink);
  return total;
}

std::vector<Problem> File::problems() const {
  std::lock_guard lock(state_->problems_mutex);
  return state_->problems;
}

}  // namespace khien::detect::evtx
