#pragma once
// Reading log files into events: EVTX, JSON Lines / NDJSON, a JSON array or object, and the
// gzip of any of them. The format is found from the content, not the file name. Problems
// (an unreadable file, a corrupt chunk, a bad line) are reported with where and why; what can
// be read still is.
#include <atomic>
#include <climits>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "detect/event.h"
#include "detect/mapping.h"

namespace khien::detect {

enum class InputFormat { kUnknown, kEvtx, kJsonLines, kJsonDocument };
std::string_view input_format_name(InputFormat f);

struct InputProblem {
  std::string where;  // "line 17", "chunk 3", "record 1204"; empty for the whole file
  std::string reason;
};

struct InputResult {
  InputFormat format = InputFormat::kUnknown;
  bool compressed = false;
  bool stopped = false;  // the sink asked to stop
  std::uint64_t events = 0;
  std::vector<InputProblem> problems;
};

// A part of a file that can be read on its own: EVTX chunks [begin, end), or the JSON Lines
// that start in bytes [begin, end). The whole file by default.
struct InputRange {
  std::uint64_t begin = 0;
  std::uint64_t end = UINT64_MAX;
};

// The parts a large file can be read in, in parallel: EVTX in runs of chunks, plain JSON Lines
// in runs of lines, about `part_bytes` each. A gzip'd file, a JSON document or a small file is
// one part.
std::vector<InputRange> split_input(const std::filesystem::path& path, std::uint64_t part_bytes);

// Calls `sink` for each event of the file (or of the range), in file order; the sink returns
// false to stop reading (e.g. after first records from a channel no rule wants).
// `bytes_read`, when given, grows as the file is read (for progress); `format`, when given, is
// set as soon as the file's format is known, before any event reaches the sink.
InputResult read_events(const std::filesystem::path& path, const Mapping& mapping,
                        const std::function<bool(const Event&)>& sink, std::atomic<std::uint64_t>* bytes_read = nullptr,
                        InputRange range = {}, InputFormat* format = nullptr);

// Whether an EVTX file may be a forwarded-events log (Windows Event Collector), whose records
// come from many channels, so that its first records' channel may say nothing of the others: its
// name has "ForwardedEvents" in it (the log's file on a collector is ForwardedEvents.evtx, its
// archives Archive-ForwardedEvents-<time>.evtx), or its first record has
// RenderingInfo (which a subscription in its default format, RenderedText, adds to every
// forwarded record). A subscription in the "Events" format leaves no such mark.
bool may_mix_channels(const std::filesystem::path& path, const Event& first_record);

}  // namespace khien::detect
