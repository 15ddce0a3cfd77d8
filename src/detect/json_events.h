#pragma once
// Events from JSON: an object, JSON Lines (one object per line), or an array of objects,
// parsed with simdjson On-Demand straight into an Event named as event.h says. An object with
// Event.System is read as the EVTX-as-JSON shape (evtx_dump, Chainsaw, SigmaHQ's regression
// data); any other object is flattened to dotted paths, then renamed by the mapping's first
// JSON shape whose `detect` path it has (Winlogbeat, NXLog, ECS in windows.yml).
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "detect/event.h"
#include "detect/mapping.h"

namespace khien::detect {

struct JsonProblem {
  std::uint64_t line = 0;  // 1-based line (JSON Lines) or element index (array); 0: the text
  std::string reason;
  std::uint64_t offset = 0;  // JSON Lines: where the line starts in the text given
};

class JsonEvents {
 public:
  explicit JsonEvents(const Mapping& mapping);
  ~JsonEvents();
  JsonEvents(const JsonEvents&) = delete;
  JsonEvents& operator=(const JsonEvents&) = delete;

  // Returns false to stop reading.
  using Sink = std::function<bool(const Event&)>;

  // JSON Lines: each non-blank line one object. `text` must stay readable for
  // `padding()` bytes past its end (simdjson reads ahead). A bad line is reported and skipped.
  // `line` is the number of the text's first line; when all is read, that of the line after
  // its last newline. Returns false when the sink asked to stop.
  bool read_lines(std::string_view text, std::uint64_t& line, const Sink& sink, std::vector<JsonProblem>& problems);
  // Documents: objects or arrays of objects, one or several one after another, pretty-printed
  // or not (same padding rule).
  bool read_document(std::string_view text, const Sink& sink, std::vector<JsonProblem>& problems);

  static std::size_t padding();

 private:
  bool read_line(std::string_view text, std::size_t at, std::size_t end, std::uint64_t line, const Sink& sink,
                 std::vector<JsonProblem>& problems);

  struct Impl;
  Impl* impl_;
};

}  // namespace khien::detect
