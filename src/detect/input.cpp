#include "detect/input.h"

#include <fmt/format.h>
#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <memory>
#include <optional>
#include <utility>

#include "detect/evtx/file.h"
#include "detect/json_events.h"

namespace khien::detect {

std::string_view input_format_name(InputFormat f) {
  switch (f) {
    case InputFormat::kEvtx: return "evtx";
    case InputFormat::kJsonLines: return "jsonl";
    case InputFormat::kJsonDocument: return "json";
    case InputFormat::kUnknown: break;
  }
  return "unknown";
}

bool may_mix_channels(const std::filesystem::path& path, const Event& first_record) {
  std::string name = path.filename().string();
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (name.find("forwardedevents") != std::string::npos) return true;
  for (std::size_t i = 0; i < first_record.size(); ++i)
    if (first_record.name(i).starts_with("RenderingInfo_")) return true;
  return false;
}

namespace {

constexpr std::size_t kBlock = 4u << 20;            // JSON Lines are read 4 MiB at a time
constexpr std::size_t kMaxLine = 256u << 20;        // a longer line is reported and skipped
constexpr std::size_t kMaxDocument = 1024u << 20;   // a JSON array or object is read whole

struct GzCloser {
  void operator()(gzFile f) const { gzclose(f); }
};
using Gz = std::unique_ptr<std::remove_pointer_t<gzFile>, GzCloser>;

// A file descriptor, closed unless released.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      if (fd_ >= 0) ::close(fd_);
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_ = -1;
};

// Reads up to n bytes; -1 on error (reason in `why`).
long read_some(gzFile f, char* out, std::size_t n, std::string& why) {
  const int got = gzread(f, out, static_cast<unsigned>(n));
  if (got < 0) {
    int code = 0;
    why = gzerror(f, &code);
    return -1;
  }
  return got;
}

// Reads the rest of the file into `buffer` (which holds its head), up to `cap` bytes; false
// with the problem reported when it is larger or cannot be read.
bool read_rest(gzFile f, std::string& buffer, std::size_t cap, std::string_view too_large,
               std::atomic<std::uint64_t>* bytes_read, InputResult& result) {
  while (true) {
    const auto have = buffer.size();
    if (have > cap) {
      result.problems.push_back({"", std::string(too_large)});
      return false;
    }
    buffer.resize(have + kBlock);
    std::string why;
    const auto got = read_some(f, buffer.data() + have, kBlock, why);
    if (got < 0) {
      result.problems.push_back({"", fmt::format("read error: {}", why)});
      return false;
    }
    buffer.resize(have + static_cast<std::size_t>(got));
    if (bytes_read) *bytes_read += static_cast<std::uint64_t>(got);
    if (got == 0) return true;
  }
}

void read_json_lines(gzFile f, std::string buffer, const Mapping& mapping, const std::function<bool(const Event&)>& sink,
                     std::atomic<std::uint64_t>* bytes_read, InputRange range, InputResult& result) {
  JsonEvents json(mapping);
  const auto pad = JsonEvents::padding();
  std::vector<JsonProblem> problems;
  std::uint64_t line = 1;
  std::uint64_t offset = 0;  // of buffer[0] in the file
  bool eof = false;
  bool skipping_long_line = false;
  // A range after the first starts at the first line that begins in it: the byte before is
  // read too, and everything up to its line's end skipped.
  bool skip_first = false;
  if (range.begin > 0) {
    buffer.clear();
    if (gzseek(f, static_cast<z_off_t>(range.begin - 1), SEEK_SET) < 0) {
      result.problems.push_back({fmt::format("byte {}", range.begin), "cannot seek"});
      return;
    }
    offset = range.begin - 1;
    skip_first = true;
  }
  // A small range reads small blocks.
  const std::size_t block =
      range.end == UINT64_MAX ? kBlock : static_cast<std::size_t>(std::clamp<std::uint64_t>(range.end - range.begin + 4096, 4096, kBlock));
  // Where problems are: lines are counted from the start of the file only in the first range.
  auto where = [&](std::uint64_t line_number, std::uint64_t at) {
    return range.begin == 0 ? fmt::format("line {}", line_number) : fmt::format("byte {}", at);
  };
  auto counting_sink = [&](const Event& e) {
    ++result.events;
    return sink(e);
  };
  // buffer[0, have) holds unread bytes; the string only grows (resizing it zero-fills).
  std::size_t have = buffer.size();
  std::string rest;
  while (true) {
    // Top the unread bytes up to a block (or more for a long line).
    if (!eof) {
      const auto want = std::max(block, have + block / 4);
      if (buffer.size() < want + pad) buffer.resize(want + pad);
      const auto room = want - have;
      std::string why;
      const auto got = read_some(f, buffer.data() + have, room, why);
      if (got < 0) {
        result.problems.push_back({where(line, offset), fmt::format("read error: {}", why)});
        eof = true;
      } else {
        have += static_cast<std::size_t>(got);
        eof = got == 0 || static_cast<std::size_t>(got) < room;
      }
    }
    std::size_t usable = have;
    if (!eof) {
      const auto nl = std::string_view(buffer.data(), have).rfind('\n');
      if (nl == std::string::npos) {
        if (have > kMaxLine) {
          if (!skipping_long_line)
            result.problems.push_back({where(line, offset), "longer than 256 MiB; skipped"});
          skipping_long_line = true;
          offset += have;
          if (bytes_read) *bytes_read += have;
          have = 0;
        }
        continue;
      }
      usable = nl + 1;
    }
    std::string_view text(buffer.data(), usable);
    std::uint64_t text_offset = offset;
    if (skipping_long_line || skip_first) {  // the rest of a skipped line
      const auto nl = text.find('\n');
      const auto skip = nl == std::string_view::npos ? text.size() : nl + 1;
      text.remove_prefix(skip);
      text_offset += skip;
      if (skipping_long_line) ++line;
      skipping_long_line = skip_first = false;
    }
    // Lines that start at or after the range's end belong to the next range.
    bool last = eof;
    if (range.end != UINT64_MAX && text_offset + text.size() > range.end) {
      const auto inside = range.end > text_offset ? range.end - text_offset : 0;
      const auto nl = inside == 0 ? std::string_view::npos : text.find('\n', inside - 1);
      text = text.substr(0, inside == 0 ? 0 : nl == std::string_view::npos ? text.size() : nl + 1);
      last = true;
    }
    rest.assign(buffer.data() + usable, have - usable);
    if (bytes_read) *bytes_read += text_offset + text.size() - offset;  // what this range read, not what it peeked at
    offset += usable;
    std::fill_n(buffer.data() + usable, pad, ' ');  // simdjson reads past the end
    problems.clear();
    const bool go_on = json.read_lines(text, line, counting_sink, problems);
    for (const auto& p : problems) result.problems.push_back({where(p.line, text_offset + p.offset), p.reason});
    if (!go_on) {
      result.stopped = true;
      return;
    }
    std::copy(rest.begin(), rest.end(), buffer.data());
    have = rest.size();
    if (last) return;  // the last line was read whole, with or without its newline
  }
}

void read_json_document(gzFile f, std::string buffer, const Mapping& mapping,
                        const std::function<bool(const Event&)>& sink, std::atomic<std::uint64_t>* bytes_read,
                        InputResult& result) {
  const auto pad = JsonEvents::padding();
  if (!read_rest(f, buffer, kMaxDocument, "a JSON document over 1 GiB is not read whole; write it as JSON Lines",
                 bytes_read, result))
    return;
  const auto size = buffer.size();
  buffer.resize(size + pad, ' ');
  JsonEvents json(mapping);
  std::vector<JsonProblem> problems;
  const bool go_on = json.read_document(std::string_view(buffer.data(), size), [&](const Event& e) {
    ++result.events;
    return sink(e);
  }, problems);
  for (const auto& p : problems)
    result.problems.push_back({p.line == 0 ? std::string() : fmt::format("element {}", p.line), p.reason});
  result.stopped = !go_on;
}

constexpr std::size_t kMaxCompressedEvtx = 1024u << 20;  // a .evtx.gz is unpacked in memory

// EVTX: chunk by chunk (pread, bounded memory); a gzip'd file is unpacked in memory first.
void read_evtx(const std::filesystem::path& path, Fd fd, gzFile f, std::string head, bool compressed, const Mapping&,
               const std::function<bool(const Event&)>& sink, std::atomic<std::uint64_t>* bytes_read, InputRange range,
               InputResult& result) {
  std::string bytes;
  Result<evtx::File> file = Error("evtx_unreadable");
  if (compressed) {
    bytes = std::move(head);
    if (!read_rest(f, bytes, kMaxCompressedEvtx,
                   "a gzip-compressed EVTX over 1 GiB is not unpacked in memory; gunzip it first", bytes_read, result))
      return;
    file = evtx::File::from_memory(bytes);
  } else {
    file = evtx::File::open(fd.release(), path.string(), head);
  }
  if (!file) {
    result.problems.push_back({"", file.error().detail().empty() ? file.error().code() : file.error().detail()});
    return;
  }
  Event scratch;
  bool stop = false;
  evtx::RecordCallback on_record([&](const Event& e) {
    if (stop) return;
    ++result.events;
    stop = !sink(e);
  });
  const auto chunks = std::min<std::uint64_t>(file->chunk_count(), range.end);
  for (std::size_t i = range.begin; i < chunks && !stop; ++i) {
    file->read_chunk(i, scratch, on_record);
    if (bytes_read && !compressed) *bytes_read += 65536;
  }
  result.stopped = stop;
  // The header's problems are the first range's to report.
  for (const auto& p : file->problems())
    if (p.chunk != evtx::Problem::kFileHeader || range.begin == 0)
      result.problems.push_back({p.chunk == evtx::Problem::kFileHeader ? std::string("file header") : fmt::format("chunk {}", p.chunk),
                               p.reason});
}

// A file's first bytes, and the file opened once: a plain EVTX file for its own reader to
// read, anything else through zlib (gzip or plain) to read the rest.
struct Head {
  Fd fd;  // a plain EVTX file
  Gz file;
  std::string bytes;
  bool compressed = false;
};

constexpr std::size_t kHeadBytes = 4096;

std::optional<Head> open_head(const std::filesystem::path& path, InputResult& result) {
  Head h;
  h.fd = Fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (h.fd.get() < 0) {
    result.problems.push_back({"", fmt::format("cannot be opened: {}", std::strerror(errno))});
    return std::nullopt;
  }
  h.bytes.assign(kHeadBytes, '\0');
  const auto head = ::pread(h.fd.get(), h.bytes.data(), h.bytes.size(), 0);
  if (head < 0) {
    result.problems.push_back({"", fmt::format("cannot be read: {}", std::strerror(errno))});
    return std::nullopt;
  }
  h.bytes.resize(static_cast<std::size_t>(head));
  if (h.bytes.starts_with(std::string_view("ElfFile\0", 8))) return h;
  // zlib reads from the descriptor's offset, still 0 after pread, and closes it.
  h.file.reset(gzdopen(h.fd.get(), "rb"));
  if (!h.file) {
    result.problems.push_back({"", fmt::format("cannot be opened: {}", std::strerror(errno))});
    return std::nullopt;
  }
  h.fd.release();
  gzbuffer(h.file.get(), 1u << 20);
  h.bytes.assign(kHeadBytes, '\0');
  std::string why;
  const auto got = read_some(h.file.get(), h.bytes.data(), h.bytes.size(), why);
  if (got < 0) {
    result.problems.push_back({"", fmt::format("cannot be read: {}", why)});
    return std::nullopt;
  }
  h.bytes.resize(static_cast<std::size_t>(got));
  h.compressed = gzdirect(h.file.get()) == 0;
  return h;
}

// The format the head of a (gunzipped) file shows: JSON Lines when the first line is a whole
// object, one or more JSON documents otherwise; kUnknown for anything else, blank included.
InputFormat format_of(std::string_view head) {
  if (head.starts_with(std::string_view("ElfFile\0", 8))) return InputFormat::kEvtx;
  if (head.starts_with("\xEF\xBB\xBF")) head.remove_prefix(3);
  while (!head.empty() && std::isspace(static_cast<unsigned char>(head.front()))) head.remove_prefix(1);
  if (head.starts_with('[')) return InputFormat::kJsonDocument;
  if (!head.starts_with('{')) return InputFormat::kUnknown;
  auto line = head.substr(0, head.find('\n'));
  while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.remove_suffix(1);
  return line.size() > 1 && line.back() == '}' ? InputFormat::kJsonLines : InputFormat::kJsonDocument;
}

}  // namespace

InputResult read_events(const std::filesystem::path& path, const Mapping& mapping,
                        const std::function<bool(const Event&)>& sink, std::atomic<std::uint64_t>* bytes_read,
                        InputRange range, InputFormat* format) {
  InputResult result;
  auto head = open_head(path, result);
  if (!head) return result;
  result.compressed = head->compressed;
  result.format = format_of(head->bytes);
  if (format != nullptr) *format = result.format;
  gzFile f = head->file.get();
  const auto got = head->bytes.size();
  if (result.format == InputFormat::kEvtx) {
    if (bytes_read && result.compressed) *bytes_read += got;
    read_evtx(path, std::move(head->fd), f, std::move(head->bytes), result.compressed, mapping, sink, bytes_read, range,
              result);
    return result;
  }
  if (result.format == InputFormat::kUnknown) {
    const bool blank = std::all_of(head->bytes.begin(), head->bytes.end(), [](char c) {
      return std::isspace(static_cast<unsigned char>(c));
    });
    if (!blank || got == kHeadBytes)
      result.problems.push_back({"", "not EVTX or JSON: the content starts with neither \"ElfFile\", '{' nor '['"});
    return result;
  }
  if (result.format == InputFormat::kJsonLines) {
    read_json_lines(f, std::move(head->bytes), mapping, sink, bytes_read, range, result);
  } else if (range.begin == 0) {
    if (bytes_read) *bytes_read += got;
    read_json_document(f, std::move(head->bytes), mapping, sink, bytes_read, result);
  }
  return result;
}

std::vector<InputRange> split_input(const std::filesystem::path& path, std::uint64_t part_bytes) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec || size <= part_bytes || part_bytes == 0) return {InputRange{}};
  InputResult ignored;  // a file that cannot be read is one part, whose reading says why
  const auto head = open_head(path, ignored);
  if (!head || head->compressed) return {InputRange{}};
  std::vector<InputRange> out;
  const auto format = format_of(head->bytes);
  if (format == InputFormat::kEvtx) {
    constexpr std::uint64_t kHeader = 4096, kChunk = 65536;
    const auto chunks = (size - std::min(size, kHeader) + kChunk - 1) / kChunk;
    const auto per_part = std::max<std::uint64_t>(1, part_bytes / kChunk);
    for (std::uint64_t c = 0; c < chunks; c += per_part) out.push_back({c, std::min(chunks, c + per_part)});
    return out;
  }
  if (format != InputFormat::kJsonLines) return {InputRange{}};
  // The last part reads to the end, however the file grew.
  for (std::uint64_t b = 0; b < size; b += part_bytes) out.push_back({b, b + part_bytes < size ? b + part_bytes : UINT64_MAX});
  return out;
}

}  // namespace khien::detect
