// Binary XML ([MS-EVEN6] 2.2.12) of the records of one EVTX chunk, read straight into the
// flat fields of an Event (the naming is in detect/event.h; README.md has the details).
// Templates are compiled once per chunk, keyed by their offset in the chunk, into a list of
// nodes; a record then only walks its template's nodes with its own substitution values.
// Internal to the EVTX reader.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "detect/event.h"

namespace khien::detect::evtx {

class BinaryXmlReader {
 public:
  BinaryXmlReader();

  // Starts a chunk: what was cached for the previous one is forgotten. REQUIRES: `chunk`
  // (`size` bytes, at most 64 KiB) stays valid and unchanged until the next begin_chunk.
  void begin_chunk(const uint8_t* chunk, uint32_t size);

  // Adds to `event` the fields of the Binary XML fragment at [begin, end) of the chunk.
  // Returns nullptr, or why the fragment is malformed (a static string). On failure the event
  // holds the fields read before the fault. Never reads outside the chunk; bounded in time
  // and memory whatever the bytes.
  const char* read(uint32_t begin, uint32_t end, Event& event);

  // Whether a record may replay what its template gave for an earlier record of the chunk
  // (below); false walks every record's template (tests compare the two). On by default.
  void set_replay(bool on) { replay_ = on; }

 private:
  enum class NameKind : uint8_t {
    kOther,
    kSystem,
    kEventData,
    kUserData,
    kRenderingInfo,
    kData,
    kBinary,
    kName,
    kXmlns,
    kEventId,
    kTimeCreated,
    kSystemTime
  };
  enum class Section : uint8_t { kNone, kSystem, kEventData, kUserData, kRenderingInfo, kOther };
  enum class Op : uint8_t { kOpen, kAttribute, kContent, kClose, kText, kSubstitution };

  struct Name {
    uint32_t at, size;  // UTF-8 in pool_
    NameKind kind;
    // As an attribute: the field name "<Element>_<Attribute>" it first gave outside
    // RenderingInfo, at [pair_at, pair_at + pair_size) of pairs_; pair_element is the
    // element's name index, kNoPair when none is kept.
    uint32_t pair_element, pair_at, pair_size;
  };
  static constexpr uint32_t kNoPair = ~uint32_t{0};
  // kOpen, kAttribute: a = name index. kText: [a, a + b) of pool_. kSubstitution: index.
  struct Node {
    Op op;
    uint16_t index;
    uint32_t a, b;
  };
  struct Template {
    uint32_t begin, end;  // nodes_
    const char* error;    // nullptr when it compiled
  };
  struct Value {
    uint32_t at;  // chunk offset
    uint16_t size;
    uint8_t type;
  };
  struct Frame {
    uint32_t name;
    Section section;
    bool has_child, has_content;
    // The content is so far one array value, its items separated by NULs at
    // [text_at, array_end): the element then stands for one element per item, as Windows
    // renders <Data>%1</Data> with a string array.
    bool is_array;
    uint32_t parts;    // text and values in the content so far
    uint32_t text_at;  // this element's text starts there in text_
    uint32_t array_end;
    uint32_t field_at, field_size;  // <Data Name="..."> in field_names_; field_size 0 when none
  };

  uint32_t u16(uint32_t at) const;
  uint32_t u32(uint32_t at) const;
  const char* name_at(uint32_t offset, uint32_t& index);
  const char* name_ref(uint32_t& pos, uint32_t end, uint32_t& index);
  const char* utf16_literal(uint32_t& pos, uint32_t end, Node& node);
  const char* compile(uint32_t& pos, uint32_t end, bool has_dependency_id);
  const char* template_at(uint32_t offset, uint32_t& begin, uint32_t& end);

  const char* read_fragment(uint32_t& pos, uint32_t end, int nesting);
  const char* read_template_instance(uint32_t& pos, uint32_t end, int nesting);
  const char* expand(uint32_t begin, uint32_t end, size_t values_at, size_t value_count,
                     int nesting);
  const char* open_element(uint32_t name);
  void finish_attribute();
  void add_content_part();
  void close_element();
  void pop_frame(const Frame& frame);
  std::string_view name_text(uint32_t name) const;
  std::string_view attribute_field(uint32_t element, uint32_t attribute);
  void emit_field(std::string_view field, std::string_view value);
  void emit_fields(std::string_view field, std::string_view value, bool is_array);

  // Replaying templates. Walking a template's nodes for every record costs a branch per
  // node; yet the fields a template instance gives depend only on its values' types and on
  // the elements it is read inside. So the first instance of a template in the chunk is also
  // walked with a marker in place of each value's text: the fields that come out, their names
  // and their values as text and markers, are the template's trace. A later instance inside
  // the same elements, whose values have the same types (and the same values failing to
  // convert), gets the trace's fields with its own values converted in place of the markers.
  // A value holding Binary XML (an event's EventData is one) is not walked for the trace: the
  // trace says where it comes, inside which elements, and it is read there, itself replayed
  // when it can be. Anything else (arrays, a value failing to convert, a limit reached) walks
  // the template, which stays the reference.
  struct TracePart {
    uint32_t at, size;  // text: [at, at + size) of trace_text_
    int32_t value;      // >= 0: this substitution value instead
  };
  struct TraceField {
    uint32_t name_at, name_size;    // in trace_text_
    uint32_t part_begin, part_end;  // trace_parts_
    // >= 0: not a field but this value's Binary XML, read inside the elements
    // [frames_at, frames_end) of trace_frames_, once the template walk took steps_at steps.
    int32_t nested;
    uint32_t frames_at, frames_end;
    uint64_t steps_at;
  };
  struct Trace {
    enum class State : uint8_t { kNone, kReady, kNever };
    State state = State::kNone;
    uint32_t value_count = 0;
    uint32_t signature_at = 0;                // value_count entries of signatures_
    uint32_t field_begin = 0, field_end = 0;  // trace_fields_
    uint32_t frames_at = 0, frames_end = 0;   // the elements it was read inside (trace_frames_)
    int32_t event_id_field = -1;              // the field whose value is the event id
    int32_t time_value = -1;                  // the value whose time is the event's time
    uint64_t steps = 0;                       // nodes walked (the chunk's work limit)
  };
  struct Nested {  // found by the walk for a trace
    int32_t value;
    uint32_t field;  // fields of trace_event_ before it
    uint32_t frames_at, frames_end;
    uint64_t steps_at;
  };
  static constexpr uint32_t kFailed = 0x100;  // in a signature: the value did not convert
  static constexpr uint32_t kEmpty = 0x200;   // in a signature: a Binary XML value of no bytes
  bool plain_context() const;
  bool same_context(uint32_t frames_at, uint32_t frames_end) const;
  uint32_t keep_context();
  bool traceable(size_t values_at, size_t value_count) const;
  void make_trace(Trace& trace, uint32_t nodes_begin, uint32_t nodes_end, size_t values_at, size_t value_count,
                  int nesting);
  // By value: reading nested values may add traces.
  const char* replay(Trace trace, size_t values_at, size_t value_count, int nesting, bool& replayed);

  const uint8_t* chunk_ = nullptr;
  uint32_t size_ = 0;
  bool replay_ = true;
  bool symbolic_ = false;  // walking for a trace: markers instead of values
  std::vector<Trace> traces_;  // per template, as templates_
  std::vector<uint32_t> signatures_;
  std::vector<TraceField> trace_fields_;
  std::vector<TracePart> trace_parts_;
  std::vector<Frame> trace_frames_;
  std::vector<Nested> nested_;
  std::string trace_text_, value_text_;
  Event trace_event_;
  int32_t event_id_field_ = -1;  // set by close_element: index of the EventID field in the event
  int32_t time_value_ = -1;      // set by finish_attribute: the value the event's time came from
  int32_t attribute_time_value_ = -1;
  uint32_t symbolic_markers_ = 0;
  size_t symbolic_signature_at_ = 0;
  uint64_t symbolic_steps_ = 0;  // chunk_steps_ when the walk began
  bool symbolic_failed_ = false;

  // Per chunk: names and templates by chunk offset (index + 1; 0 = not read yet).
  std::vector<uint16_t> name_slot_, template_slot_;
  std::vector<uint32_t> used_name_slots_, used_template_slots_;
  std::vector<Name> names_;
  std::vector<Template> templates_;
  std::vector<Node> nodes_;
  std::string pool_;
  std::string pairs_;  // attribute field names (Name::pair_at)
  uint64_t chunk_steps_ = 0, chunk_bytes_ = 0;

  // Per record.
  Event* event_ = nullptr;
  std::vector<Value> values_;
  std::vector<Frame> frames_;
  std::string text_, field_names_, field_;
  uint64_t record_bytes_ = 0;
  int64_t attribute_name_ = -1;
  uint32_t attribute_at_ = 0;
  bool attribute_has_content_ = false;
  int64_t attribute_time_us_ = 0;
  bool attribute_has_time_ = false;
};

}  // namespace khien::detect::evtx
