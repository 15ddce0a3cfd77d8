#include "detect/evtx/binary_xml.h"

#include <algorithm>
#include <charconv>
#include <cstring>

#include "detect/evtx/value.h"

namespace khien::detect::evtx {
namespace {

// Binary XML tokens ([MS-EVEN6] 2.2.12; libyal "Binary XML token types"). The 0x40 bit of
// an element start means "has attributes", of an attribute "more attributes follow", of
// value/CDATA/references "more data follows".
constexpr uint8_t kEndOfFragment = 0x00;
constexpr uint8_t kOpenStartElement = 0x01;
constexpr uint8_t kCloseStartElement = 0x02;
constexpr uint8_t kCloseEmptyElement = 0x03;
constexpr uint8_t kEndElement = 0x04;
constexpr uint8_t kValue = 0x05;
constexpr uint8_t kAttribute = 0x06;
constexpr uint8_t kCData = 0x07;
constexpr uint8_t kCharRef = 0x08;
constexpr uint8_t kEntityRef = 0x09;
constexpr uint8_t kPITarget = 0x0a;
constexpr uint8_t kPIData = 0x0b;
constexpr uint8_t kTemplateInstance = 0x0c;
constexpr uint8_t kNormalSubstitution = 0x0d;
constexpr uint8_t kOptionalSubstitution = 0x0e;
constexpr uint8_t kFragmentHeader = 0x0f;
constexpr uint8_t kMoreBit = 0x40;

// Limits against hostile input; real records stay far below them.
constexpr size_t kMaxDepth = 64;               // nested elements, across nested fragments
constexpr int kMaxNesting = 8;                 // Binary XML values inside substitution values
constexpr size_t kMaxNodesPerChunk = 1 << 20;  // compiled template nodes
constexpr uint64_t kMaxStepsPerChunk = uint64_t{1} << 24;
constexpr uint64_t kMaxBytesPerRecord = uint64_t{4} << 20;
constexpr uint64_t kMaxBytesPerChunk = uint64_t{64} << 20;

void append_code_point(std::string& out, uint32_t cp) {
  if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xc0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out.push_back(static_cast<char>(0xe0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

}  // namespace

BinaryXmlReader::BinaryXmlReader() : name_slot_(65536), template_slot_(65536) {}

uint32_t BinaryXmlReader::u16(uint32_t at) const {
  return chunk_[at] | (uint32_t{chunk_[at + 1]} << 8);
}

uint32_t BinaryXmlReader::u32(uint32_t at) const {
  uint32_t v;
  std::memcpy(&v, chunk_ + at, 4);
  return v;
}

void BinaryXmlReader::begin_chunk(const uint8_t* chunk, uint32_t size) {
  chunk_ = chunk;
  size_ = size < 65536 ? size : 65536;
  for (uint32_t at : used_name_slots_) name_slot_[at] = 0;
  for (uint32_t at : used_template_slots_) template_slot_[at] = 0;
  used_name_slots_.clear();
  used_template_slots_.clear();
  names_.clear();
  templates_.clear();
  nodes_.clear();
  pool_.clear();
  pairs_.clear();
  chunk_steps_ = 0;
  chunk_bytes_ = 0;
  traces_.clear();
  signatures_.clear();
  trace_fields_.clear();
  trace_parts_.clear();
  trace_frames_.clear();
  trace_text_.clear();
}

// A name: offset of the next name in its hash bucket (4), hash (2), number of characters
// (2), UTF-16 characters, NUL (2). Names are read once per chunk.
const char* BinaryXmlReader::name_at(uint32_t offset, uint32_t& index) {
  if (offset >= size_) return "name offset outside the chunk";
  if (name_slot_[offset] != 0) {
    index = name_slot_[offset] - 1u;
    return nullptr;
  }
  if (offset + 8 > size_) return "name outside the chunk";
  const uint32_t count = u16(offset + 6);
  if (offset + 8 + 2 * count > size_) return "name outside the chunk";
  if (names_.size() >= 65535) return "too many names in the chunk";
  Name name{static_cast<uint32_t>(pool_.size()), 0, NameKind::kOther, kNoPair, 0, 0};
  append_utf16(pool_, chunk_ + offset + 8, count);
  name.size = static_cast<uint32_t>(pool_.size() - name.at);
  const std::string_view s(pool_.data() + name.at, name.size);
  if (s == "System")
    name.kind = NameKind::kSystem;
  else if (s == "EventData")
    name.kind = NameKind::kEventData;
  else if (s == "UserData")
    name.kind = NameKind::kUserData;
  else if (s == "RenderingInfo")
    name.kind = NameKind::kRenderingInfo;
  else if (s == "Data")
    name.kind = NameKind::kData;
  else if (s == "Binary")
    name.kind = NameKind::kBinary;
  else if (s == "Name")
    name.kind = NameKind::kName;
  else if (s == "EventID")
    name.kind = NameKind::kEventId;
  else if (s == "TimeCreated")
    name.kind = NameKind::kTimeCreated;
  else if (s == "SystemTime")
    name.kind = NameKind::kSystemTime;
  else if (s.starts_with("xmlns"))
    name.kind = NameKind::kXmlns;
  names_.push_back(name);
  index = static_cast<uint32_t>(names_.size() - 1);
  name_slot_[offset] = static_cast<uint16_t>(index + 1);
  used_name_slots_.push_back(offset);
  return nullptr;
}

// A name reference: the name's chunk offset (4). When that offset is the very next byte the
// name is defined right here and the stream continues after it.
const char* BinaryXmlReader::name_ref(uint32_t& pos, uint32_t end, uint32_t& index) {
  if (end - pos < 4) return "truncated name reference";
  const uint32_t offset = u32(pos);
  pos += 4;
  if (offset == pos) {
    if (end - pos < 8) return "truncated name";
    const uint32_t size = 8 + 2 * u16(pos + 6) + 2;
    if (end - pos < size) return "truncated name";
    pos += size;
  }
  return name_at(offset, index);
}

// Character count (2) then UTF-16 characters: a text value, CDATA or PI data.
const char* BinaryXmlReader::utf16_literal(uint32_t& pos, uint32_t end, Node& node) {
  if (end - pos < 2) return "truncated text";
  const uint32_t count = u16(pos);
  if (end - pos - 2 < 2 * count) return "truncated text";
  node.a = static_cast<uint32_t>(pool_.size());
  append_utf16(pool_, chunk_ + pos + 2, count);
  node.b = static_cast<uint32_t>(pool_.size()) - node.a;
  pos += 2 + 2 * count;
  return nullptr;
}

// Compiles the tokens at [pos, end) into nodes_, up to and including the end-of-fragment
// token, checking that elements and attributes nest properly (expand() relies on it).
// Element starts carry a 2-byte dependency identifier inside template definitions only.
const char* BinaryXmlReader::compile(uint32_t& pos, uint32_t end, bool has_dependency_id) {
  size_t depth = 0;
  bool in_start_tag = false, in_attribute = false, had_root = false;
  while (pos < end) {
    if (nodes_.size() >= kMaxNodesPerChunk) return "templates of the chunk too large";
    const uint8_t token = chunk_[pos++];
    const uint8_t type = token & static_cast<uint8_t>(~kMoreBit);
    Node node{Op::kText, 0, 0, 0};
    const char* error = nullptr;
    switch (type) {
      case kEndOfFragment:
        if (depth != 0 || in_start_tag) return "fragment ends inside an element";
        return nullptr;
      case kFragmentHeader:  // major version, minor version, flags
        if (end - pos < 3) return "truncated fragment header";
        pos += 3;
        continue;
      case kOpenStartElement: {
        // [dependency identifier (2)], data size (4), name, [attribute list size (4)]
        if (in_start_tag || (depth == 0 && had_root)) return "element where none may start";
        if (depth >= kMaxDepth) return "elements nested too deeply";
        const uint32_t fixed = has_dependency_id ? 6 : 4;
        if (end - pos < fixed) return "truncated element start";
        pos += fixed;
        node.op = Op::kOpen;
        if ((error = name_ref(pos, end, node.a))) return error;
        if (token & kMoreBit) {
          if (end - pos < 4) return "truncated element start";
          pos += 4;
        }
        ++depth;
        had_root = true;
        in_start_tag = true;
        in_attribute = false;
        break;
      }
      case kCloseStartElement:
        if (!in_start_tag) return "misplaced close of a start tag";
        node.op = Op::kContent;
        in_start_tag = in_attribute = false;
        break;
      case kCloseEmptyElement:
      case kEndElement:
        if (type == kCloseEmptyElement ? !in_start_tag : (in_start_tag || depth == 0))
          return "misplaced element end";
        node.op = Op::kClose;
        --depth;
        in_start_tag = in_attribute = false;
        break;
      case kAttribute:
        if (!in_start_tag) return "attribute outside a start tag";
        node.op = Op::kAttribute;
        if ((error = name_ref(pos, end, node.a))) return error;
        in_attribute = true;
        break;
      case kValue:
      case kCData:
      case kCharRef:
      case kEntityRef:
      case kNormalSubstitution:
      case kOptionalSubstitution:
        if (in_start_tag ? !in_attribute : depth == 0)
          return "value outside an element or attribute";
        if (type == kValue) {
          if (end - pos < 1) return "truncated value";
          if (chunk_[pos++] != kStringType) return "text value of a type other than string";
          if ((error = utf16_literal(pos, end, node))) return error;
        } else if (type == kCData) {
          if ((error = utf16_literal(pos, end, node))) return error;
        } else if (type == kCharRef) {
          if (end - pos < 2) return "truncated character reference";
          node.a = static_cast<uint32_t>(pool_.size());
          append_code_point(pool_, u16(pos));
          node.b = static_cast<uint32_t>(pool_.size()) - node.a;
          pos += 2;
        } else if (type == kEntityRef) {
          uint32_t name = 0;
          if ((error = name_ref(pos, end, name))) return error;
          const std::string_view entity(pool_.data() + names_[name].at, names_[name].size);
          const std::string_view text = entity == "lt"     ? "<"
                                        : entity == "gt"   ? ">"
                                        : entity == "amp"  ? "&"
                                        : entity == "quot" ? "\""
                                        : entity == "apos" ? "'"
                                                           : std::string_view{};
          node.a = static_cast<uint32_t>(pool_.size());
          if (text.empty())
            pool_.append("&").append(entity).append(";");
          else
            pool_.append(text);
          node.b = static_cast<uint32_t>(pool_.size()) - node.a;
        } else {  // substitution: index (2), value type (1)
          if (end - pos < 3) return "truncated substitution";
          node.op = Op::kSubstitution;
          node.index = static_cast<uint16_t>(u16(pos));
          pos += 3;
        }
        break;
      case kPITarget: {
        if (in_start_tag) return "processing instruction inside a start tag";
        uint32_t name = 0;
        if ((error = name_ref(pos, end, name))) return error;
        continue;
      }
      case kPIData:
        if (in_start_tag) return "processing instruction inside a start tag";
        if ((error = utf16_literal(pos, end, node))) return error;
        pool_.resize(node.a);
        continue;
      case kTemplateInstance:
        return "template instance inside an element";
      default:
        return "unknown Binary XML token";
    }
    nodes_.push_back(node);
  }
  if (depth != 0 || !had_root) return "fragment ends inside an element";
  return nullptr;
}

// A template definition: offset of the next definition (4), GUID (16), data size (4), then
// the data (a fragment: header, one element, end of fragment).
const char* BinaryXmlReader::template_at(uint32_t offset, uint32_t& begin, uint32_t& end) {
  if (offset >= size_) return "template offset outside the chunk";
  if (template_slot_[offset] == 0) {
    if (templates_.size() >= 65535) return "too many templates in the chunk";
    Template t{static_cast<uint32_t>(nodes_.size()), 0, nullptr};
    if (size_ - offset < 24) {
      t.error = "template definition outside the chunk";
    } else {
      const uint32_t data_size = u32(offset + 20);
      uint32_t pos = offset + 24;
      if (data_size > size_ - pos)
        t.error = "template definition outside the chunk";
      else
        t.error = compile(pos, pos + data_size, true);
    }
    t.end = static_cast<uint32_t>(nodes_.size());
    templates_.push_back(t);
    template_slot_[offset] = static_cast<uint16_t>(templates_.size());
    used_template_slots_.push_back(offset);
  }
  const Template& t = templates_[template_slot_[offset] - 1u];
  begin = t.begin;
  end = t.end;
  return t.error;
}

const char* BinaryXmlReader::read(uint32_t begin, uint32_t end, Event& event) {
  if (begin > end || end > size_) return "record outside the chunk";
  event_ = &event;
  values_.clear();
  frames_.clear();
  text_.clear();
  field_names_.clear();
  record_bytes_ = 0;
  attribute_name_ = -1;
  uint32_t pos = begin;
  return read_fragment(pos, end, 0);
}

// A fragment: header, then either a template instance or elements, then end of fragment.
const char* BinaryXmlReader::read_fragment(uint32_t& pos, uint32_t end, int nesting) {
  if (nesting > kMaxNesting) return "Binary XML values nested too deeply";
  while (pos < end) {
    const uint8_t token = chunk_[pos];
    switch (token & static_cast<uint8_t>(~kMoreBit)) {
      case kFragmentHeader:
        if (end - pos < 4) return "truncated fragment header";
        pos += 4;
        break;
      case kEndOfFragment:
        ++pos;
        return nullptr;
      case kTemplateInstance:
        if (const char* error = read_template_instance(pos, end, nesting)) return error;
        break;
      case kOpenStartElement: {  // elements without a template (no dependency identifiers)
        const auto first = static_cast<uint32_t>(nodes_.size());
        if (const char* error = compile(pos, end, false)) return error;
        return expand(first, static_cast<uint32_t>(nodes_.size()), values_.size(), 0, nesting);
      }
      default:
        return "unexpected token at the start of a fragment";
    }
  }
  return nullptr;
}

// Template instance: token (1), unknown (1), template identifier (4), definition offset (4),
// [the definition, when defined here], number of values (4), per value its size (2), type (1)
// and an unused byte, then the values one after another.
const char* BinaryXmlReader::read_template_instance(uint32_t& pos, uint32_t end, int nesting) {
  if (end - pos < 10) return "truncated template instance";
  const uint32_t definition = u32(pos + 6);
  pos += 10;
  if (definition == pos) {
    if (end - pos < 24) return "truncated template definition";
    const uint32_t data_size = u32(pos + 20);
    pos += 24;
    if (data_size > end - pos) return "truncated template definition";
    pos += data_size;
  }
  uint32_t nodes_begin = 0, nodes_end = 0;
  if (const char* error = template_at(definition, nodes_begin, nodes_end)) return error;
  if (end - pos < 4) return "truncated substitution values";
  const uint32_t count = u32(pos);
  pos += 4;
  if (count > (end - pos) / 4) return "truncated substitution values";
  const size_t values_at = values_.size();
  uint32_t value_pos = pos + 4 * count;
  for (uint32_t i = 0; i < count; ++i) {
    const uint32_t size = u16(pos + 4 * i);
    if (size > end - value_pos) return "substitution value past the end of the record";
    values_.push_back({value_pos, static_cast<uint16_t>(size), chunk_[pos + 4 * i + 2]});
    value_pos += size;
  }
  pos = value_pos;
  const char* error = nullptr;
  bool replayed = false;
  if (replay_ && !symbolic_ && plain_context()) {
    const size_t index = template_slot_[definition] - 1u;
    if (traces_.size() <= index) traces_.resize(index + 1);
    Trace& trace = traces_[index];
    if (trace.state == Trace::State::kNone && traceable(values_at, count))
      make_trace(trace, nodes_begin, nodes_end, values_at, count, nesting);
    if (trace.state == Trace::State::kReady && same_context(trace.frames_at, trace.frames_end))
      error = replay(trace, values_at, count, nesting, replayed);
  }
  if (!replayed) error = expand(nodes_begin, nodes_end, values_at, count, nesting);
  values_.resize(values_at);
  return error;
}

// Where a template instance can be traced and replayed: no text or attribute pending in the
// elements around it (the record's top, or a Binary XML value after a whole element).
bool BinaryXmlReader::plain_context() const {
  return text_.empty() && field_names_.empty() && attribute_name_ < 0;
}

bool BinaryXmlReader::same_context(uint32_t frames_at, uint32_t frames_end) const {
  if (frames_end - frames_at != frames_.size()) return false;
  for (size_t k = 0; k < frames_.size(); ++k) {
    const Frame& a = frames_[k];
    const Frame& b = trace_frames_[frames_at + k];
    if (a.name != b.name || a.section != b.section || a.has_child != b.has_child || a.has_content != b.has_content ||
        a.is_array != b.is_array || a.parts != b.parts || a.field_size != b.field_size)
      return false;
  }
  return true;
}

uint32_t BinaryXmlReader::keep_context() {
  const auto at = static_cast<uint32_t>(trace_frames_.size());
  trace_frames_.insert(trace_frames_.end(), frames_.begin(), frames_.end());
  return at;
}

// Values a trace can stand for: no arrays (how many fields an array gives depends on it).
bool BinaryXmlReader::traceable(size_t values_at, size_t value_count) const {
  if (value_count >= (1u << 14)) return false;  // markers hold 14 bits
  for (size_t k = 0; k < value_count; ++k)
    if (values_[values_at + k].type & kArrayFlag) return false;
  return true;
}

// Walks the template with markers for the values (see Trace), into trace_event_, and keeps
// the fields that came out. The walk leaves the record's state as it found it.
void BinaryXmlReader::make_trace(Trace& trace, uint32_t nodes_begin, uint32_t nodes_end, size_t values_at,
                                 size_t value_count, int nesting) {
  constexpr size_t kMaxTraceBytes = size_t{4} << 20;  // per chunk
  trace.state = Trace::State::kNever;                 // unless all goes well
  if (trace_text_.size() + trace_frames_.size() * sizeof(Frame) + trace_fields_.size() * sizeof(TraceField) +
          trace_parts_.size() * sizeof(TracePart) >
      kMaxTraceBytes)
    return;
  Event* const record_event = event_;
  const uint64_t steps = chunk_steps_, record_bytes = record_bytes_, chunk_bytes = chunk_bytes_;
  const std::vector<Frame> frames = frames_;
  const size_t signature_at = signatures_.size();
  for (size_t k = 0; k < value_count; ++k) {
    const Value& value = values_[values_at + k];
    // An empty Binary XML value gives nothing, so the trace has no place for it to be read.
    signatures_.push_back(value.type | (value.type == kBinXmlType && value.size == 0 ? kEmpty : 0));
  }
  trace_event_.clear();
  nested_.clear();
  event_ = &trace_event_;
  symbolic_ = true;
  symbolic_failed_ = false;
  symbolic_signature_at_ = signature_at;
  symbolic_markers_ = 0;
  symbolic_steps_ = steps;
  event_id_field_ = time_value_ = -1;
  const char* error = expand(nodes_begin, nodes_end, values_at, value_count, nesting);
  symbolic_ = false;
  const uint64_t walked = chunk_steps_ - steps;
  event_ = record_event;
  chunk_steps_ = steps;
  record_bytes_ = record_bytes;
  chunk_bytes_ = chunk_bytes;
  frames_ = frames;
  text_.clear();
  field_names_.clear();
  attribute_name_ = -1;
  size_t markers = 0;
  for (size_t i = 0; i < trace_event_.size(); ++i) {
    if (trace_event_.name(i).find('\x01') != std::string_view::npos) error = "a field named by a value";
    const auto v = trace_event_.value(i);
    markers += static_cast<size_t>(std::count(v.begin(), v.end(), '\x01'));
  }
  // Every \x01 must be a marker: a text holding one would be ambiguous.
  if (error != nullptr || symbolic_failed_ || markers != symbolic_markers_ || event_id_field_ == -2) {
    signatures_.resize(signature_at);
    return;
  }
  trace.value_count = static_cast<uint32_t>(value_count);
  trace.signature_at = static_cast<uint32_t>(signature_at);
  trace.frames_at = keep_context();
  trace.frames_end = static_cast<uint32_t>(trace_frames_.size());
  trace.field_begin = static_cast<uint32_t>(trace_fields_.size());
  size_t next_nested = 0;
  auto add_nested = [&](size_t before_field) {
    for (; next_nested < nested_.size() && nested_[next_nested].field == before_field; ++next_nested) {
      const Nested& n = nested_[next_nested];
      trace_fields_.push_back({0, 0, 0, 0, n.value, n.frames_at, n.frames_end, n.steps_at});
    }
  };
  for (size_t i = 0; i < trace_event_.size(); ++i) {
    add_nested(i);
    TraceField f{static_cast<uint32_t>(trace_text_.size()), static_cast<uint32_t>(trace_event_.name(i).size()),
                 static_cast<uint32_t>(trace_parts_.size()), 0, -1, 0, 0, 0};
    trace_text_.append(trace_event_.name(i));
    const auto v = trace_event_.value(i);
    for (size_t at = 0; at < v.size();) {
      const size_t marker = v.find('\x01', at);
      if (marker != at) {
        const size_t end = marker == std::string_view::npos ? v.size() : marker;
        trace_parts_.push_back({static_cast<uint32_t>(trace_text_.size()), static_cast<uint32_t>(end - at), -1});
        trace_text_.append(v.substr(at, end - at));
        at = end;
        continue;
      }
      const auto low = static_cast<uint8_t>(v[at + 1]) & 0x7f, high = static_cast<uint8_t>(v[at + 2]) & 0x7f;
      trace_parts_.push_back({0, 0, static_cast<int32_t>(low | (high << 7))});
      at += 3;
    }
    f.part_end = static_cast<uint32_t>(trace_parts_.size());
    trace_fields_.push_back(f);
  }
  add_nested(trace_event_.size());
  trace.field_end = static_cast<uint32_t>(trace_fields_.size());
  trace.event_id_field = event_id_field_;
  trace.time_value = time_value_;
  trace.steps = walked;
  trace.state = Trace::State::kReady;
}

// The trace's fields with this instance's values, its Binary XML values read where they come.
// `replayed` false, with the event and the chunk's counts as they were, when the instance
// cannot be replayed: it is then walked. Otherwise what reading a Binary XML value returned.
const char* BinaryXmlReader::replay(Trace trace, size_t values_at, size_t value_count, int nesting,
                                    bool& replayed) {
  replayed = false;
  if (value_count != trace.value_count || chunk_steps_ + trace.steps > kMaxStepsPerChunk) return nullptr;
  // The values must have the trace's types, and convert (or not) as its values did; then
  // nothing below can fail but a limit.
  for (size_t k = 0; k < value_count; ++k) {
    const uint32_t signature = signatures_[trace.signature_at + k];
    const Value& value = values_[values_at + k];
    if ((signature & 0xff) != value.type) return nullptr;
    if (value.type != kBinXmlType && converts(value.type, value.size) == ((signature & kFailed) != 0)) return nullptr;
    if (value.type == kBinXmlType && (value.size == 0) != ((signature & kEmpty) != 0)) return nullptr;
  }
  const size_t fields_before = event_->size();
  const uint64_t steps = chunk_steps_, record_bytes = record_bytes_, chunk_bytes = chunk_bytes_;
  uint64_t nested_steps = 0;
  int64_t time_us = 0;
  size_t event_id_at = SIZE_MAX;
  int32_t emitted = 0;  // fields of the trace so far (nested values are not)
  for (uint32_t f = trace.field_begin; f < trace.field_end; ++f) {
    const TraceField field = trace_fields_[f];  // a copy: nested values may add fields
    if (field.nested >= 0) {
      // Read as the walk would: inside the same elements, after as many steps. From here on
      // the instance counts as read, whatever comes of it.
      // The elements it was read inside: these around the instance (the same as when the trace
      // was made), then those the template had open.
      const Value& value = values_[values_at + static_cast<size_t>(field.nested)];
      const size_t around = frames_.size();
      frames_.insert(frames_.end(), trace_frames_.begin() + field.frames_at + around,
                     trace_frames_.begin() + field.frames_end);
      chunk_steps_ = steps + field.steps_at + nested_steps;
      replayed = true;
      uint32_t pos = value.at;
      if (const char* error = read_fragment(pos, value.at + value.size, nesting + 1)) return error;
      nested_steps = chunk_steps_ - steps - field.steps_at;
      frames_.resize(around);
      // The walk would stop at its node past the limit; here, with the fields before the value.
      if (steps + trace.steps + nested_steps > kMaxStepsPerChunk) return "chunk expands beyond the work limit";
      continue;
    }
    value_text_.clear();
    for (uint32_t p = field.part_begin; p < field.part_end; ++p) {
      const TracePart& part = trace_parts_[p];
      if (part.value < 0) {
        value_text_.append(trace_text_, part.at, part.size);
        continue;
      }
      const Value& value = values_[values_at + static_cast<size_t>(part.value)];
      int64_t t = 0;
      append_value(value_text_, value.type, {reinterpret_cast<const char*>(chunk_) + value.at, value.size}, &t);
      if (part.value == trace.time_value) time_us = t;
    }
    if (emitted++ == trace.event_id_field) event_id_at = event_->size();
    emit_field({trace_text_.data() + field.name_at, field.name_size}, value_text_);
    if (record_bytes_ > kMaxBytesPerRecord || chunk_bytes_ > kMaxBytesPerChunk) {
      if (replayed) return "record expands beyond the size limit";  // as the walk says it
      event_->truncate(fields_before);
      chunk_steps_ = steps;
      record_bytes_ = record_bytes;
      chunk_bytes_ = chunk_bytes;
      return nullptr;
    }
  }
  replayed = true;
  chunk_steps_ = steps + trace.steps + nested_steps;
  if (!frames_.empty()) frames_.back().has_child = true;  // as the instance's root element made it
  if (trace.time_value >= 0) event_->time_us = time_us;
  if (event_id_at < event_->size()) {
    const auto id = event_->value(event_id_at);
    uint32_t event_id = 0;
    std::from_chars(id.data(), id.data() + id.size(), event_id);
    event_->event_id = event_id;
  }
  return nullptr;
}

// Walks compiled nodes, turning elements, attributes and values into fields.
const char* BinaryXmlReader::expand(uint32_t begin, uint32_t end, size_t values_at,
                                    size_t value_count, int nesting) {
  for (uint32_t i = begin; i < end; ++i) {
    if (++chunk_steps_ > kMaxStepsPerChunk) return "chunk expands beyond the work limit";
    const Node node = nodes_[i];  // a copy: nested fragments may grow nodes_
    switch (node.op) {
      case Op::kOpen:
        if (attribute_name_ >= 0) finish_attribute();
        if (const char* error = open_element(node.a)) return error;
        break;
      case Op::kAttribute:
        if (attribute_name_ >= 0) finish_attribute();
        attribute_name_ = node.a;
        attribute_at_ = static_cast<uint32_t>(text_.size());
        attribute_has_content_ = attribute_has_time_ = false;
        break;
      case Op::kContent:
        if (attribute_name_ >= 0) finish_attribute();
        break;
      case Op::kClose:
        if (attribute_name_ >= 0) finish_attribute();
        close_element();
        break;
      case Op::kText:
        if (attribute_name_ < 0) add_content_part();
        text_.append(pool_, node.a, node.b);
        if (attribute_name_ >= 0) attribute_has_content_ = true;
        break;
      case Op::kSubstitution: {
        if (node.index >= value_count) break;  // missing values read as null
        const Value value = values_[values_at + node.index];
        if (value.type == kBinXmlType) {
          if (attribute_name_ >= 0 || value.size == 0) break;
          if (symbolic_) {  // read where it comes when the trace is replayed
            // Its root element makes its parent one with a child: already so, or no trace.
            if (!plain_context() || frames_.empty() || !frames_.back().has_child) symbolic_failed_ = true;
            const uint32_t at = keep_context();
            nested_.push_back({node.index, static_cast<uint32_t>(event_->size()), at,
                               static_cast<uint32_t>(trace_frames_.size()), chunk_steps_ - symbolic_steps_});
            break;
          }
          uint32_t pos = value.at;
          if (const char* error = read_fragment(pos, value.at + value.size, nesting + 1))
            return error;
          break;
        }
        int64_t time_us = 0;
        const std::string_view bytes(reinterpret_cast<const char*>(chunk_) + value.at, value.size);
        if (attribute_name_ < 0 && (value.type & kArrayFlag) && frames_.back().parts == 0) {
          Frame& frame = frames_.back();
          if (!append_value(text_, value.type, bytes, &time_us, std::string_view("\0", 1))) break;
          frame.is_array = frame.has_content = true;
          frame.parts = 1;
          frame.array_end = static_cast<uint32_t>(text_.size());
          break;
        }
        if (symbolic_) {  // a marker for the value, if it converts (see Trace)
          value_text_.clear();
          if (!append_value(value_text_, value.type, bytes, &time_us)) {
            signatures_[symbolic_signature_at_ + node.index] |= kFailed;
            break;
          }
          text_.push_back('\x01');
          text_.push_back(static_cast<char>(0x80 | (node.index & 0x7f)));
          text_.push_back(static_cast<char>(0x80 | (node.index >> 7)));
          ++symbolic_markers_;
        } else if (!append_value(text_, value.type, bytes, &time_us)) {
          break;
        }
        if (attribute_name_ < 0) {
          add_content_part();  // keeps the text just appended at the end
        } else {
          attribute_has_content_ = true;
          if (value.type == kFileTimeType || value.type == kSysTimeType) {
            attribute_time_us_ = time_us;
            attribute_time_value_ = node.index;
            attribute_has_time_ = true;
          }
        }
        break;
      }
    }
    if (text_.size() > kMaxBytesPerRecord) return "record expands beyond the size limit";
    if (record_bytes_ > kMaxBytesPerRecord || chunk_bytes_ > kMaxBytesPerChunk)
      return "record expands beyond the size limit";
  }
  return nullptr;
}

const char* BinaryXmlReader::open_element(uint32_t name) {
  if (frames_.size() >= kMaxDepth) return "elements nested too deeply";
  Section section = Section::kNone;
  if (frames_.size() == 1) {
    switch (names_[name].kind) {
      case NameKind::kSystem:
        section = Section::kSystem;
        break;
      case NameKind::kEventData:
        section = Section::kEventData;
        break;
      case NameKind::kUserData:
        section = Section::kUserData;
        break;
      case NameKind::kRenderingInfo:
        section = Section::kRenderingInfo;
        break;
      default:
        section = Section::kOther;
        break;
    }
  } else if (!frames_.empty()) {
    section = frames_.back().section;
  }
  if (!frames_.empty()) frames_.back().has_child = true;
  const auto text_at = static_cast<uint32_t>(text_.size());
  frames_.push_back({name, section, false, false, false, 0, text_at, text_at,
                     static_cast<uint32_t>(field_names_.size()), 0});
  return nullptr;
}

// Attributes of the root (Event) and xmlns declarations are dropped; <Data Name="X"> names
// its field; every other attribute becomes <Element>_<Attribute>.
void BinaryXmlReader::finish_attribute() {
  const auto attribute = static_cast<uint32_t>(attribute_name_);
  attribute_name_ = -1;
  Frame& frame = frames_.back();
  const size_t depth = frames_.size() - 1;
  const Name& element = names_[frame.name];
  const NameKind kind = names_[attribute].kind;
  const std::string_view value(text_.data() + attribute_at_, text_.size() - attribute_at_);
  if (attribute_has_content_ && depth > 0 && kind != NameKind::kXmlns) {
    if (frame.section == Section::kEventData && depth == 2 &&
        (element.kind == NameKind::kData || element.kind == NameKind::kBinary)) {
      if (element.kind == NameKind::kData && kind == NameKind::kName && frame.field_size == 0) {
        frame.field_at = static_cast<uint32_t>(field_names_.size());
        field_names_.append(value);
        frame.field_size = static_cast<uint32_t>(value.size());
      }
    } else if (frame.section == Section::kRenderingInfo && depth >= 2) {
      field_.assign("RenderingInfo_")
          .append(name_text(frame.name))
          .append("_")
          .append(name_text(attribute));
      emit_field(field_, value);
    } else {
      emit_field(attribute_field(frame.name, attribute), value);
      if (frame.section == Section::kSystem && element.kind == NameKind::kTimeCreated &&
          kind == NameKind::kSystemTime && attribute_has_time_) {
        event_->time_us = attribute_time_us_;
        time_value_ = attribute_time_value_;
      }
    }
  }
  text_.resize(attribute_at_);
}

// Text or a value joins the content of the current element; an array read so far as one
// element per item becomes one text, its items joined with ", ".
void BinaryXmlReader::add_content_part() {
  Frame& frame = frames_.back();
  frame.has_content = true;
  ++frame.parts;
  if (!frame.is_array) return;
  frame.is_array = false;
  std::string joined;
  for (uint32_t k = frame.text_at; k < frame.array_end; ++k) {
    if (text_[k] == '\0')
      joined.append(", ");
    else
      joined.push_back(text_[k]);
  }
  text_.replace(frame.text_at, frame.array_end - frame.text_at, joined);
}

// <Data> directly under EventData is always a field (empty when it has no content), as is a
// <Binary> there with content; otherwise an element below the sections (depth 2 and more) is
// one when it is a leaf with content.
void BinaryXmlReader::close_element() {
  const Frame frame = frames_.back();
  const size_t fields_before = event_->size();
  const size_t depth = frames_.size() - 1;
  const Name& element = names_[frame.name];
  const std::string_view value(text_.data() + frame.text_at, text_.size() - frame.text_at);
  if (depth >= 2) {
    if (frame.section == Section::kEventData && depth == 2 && element.kind == NameKind::kData) {
      const std::string_view field =
          frame.field_size != 0
              ? std::string_view(field_names_.data() + frame.field_at, frame.field_size)
              : std::string_view("Data");
      emit_fields(field, value, frame.is_array);
    } else if (frame.section == Section::kEventData && depth == 2 &&
               element.kind == NameKind::kBinary) {
      if (!frame.has_content) return pop_frame(frame);
      emit_fields("Binary", value, frame.is_array);
    } else if (!frame.has_child && frame.has_content) {
      if (frame.section == Section::kRenderingInfo) {
        field_.assign("RenderingInfo_").append(name_text(frame.name));
        emit_fields(field_, value, frame.is_array);
      } else {
        emit_fields(name_text(frame.name), value, frame.is_array);
      }
      if (frame.section == Section::kSystem && depth == 2 && element.kind == NameKind::kEventId) {
        uint32_t id = 0;
        std::from_chars(value.data(), value.data() + value.size(), id);
        event_->event_id = id;
        // Which field gave it (for a trace); -2 when none did.
        event_id_field_ = !frame.is_array && event_->size() == fields_before + 1 ? static_cast<int32_t>(fields_before) : -2;
      }
    }
  }
  pop_frame(frame);
}

void BinaryXmlReader::pop_frame(const Frame& frame) {
  text_.resize(frame.text_at);
  field_names_.resize(frame.field_at);
  frames_.pop_back();
}

std::string_view BinaryXmlReader::name_text(uint32_t name) const {
  return {pool_.data() + names_[name].at, names_[name].size};
}

// "<Element>_<Attribute>", kept per attribute name for the first element it is read with (an
// attribute name nearly always belongs to one element), so that a template's attributes are
// named once per chunk rather than once per record. Long names are not kept, which bounds
// pairs_ by the chunk's names.
std::string_view BinaryXmlReader::attribute_field(uint32_t element, uint32_t attribute) {
  constexpr uint32_t kMaxKeptPair = 256;
  Name& name = names_[attribute];
  if (name.pair_element == element) return {pairs_.data() + name.pair_at, name.pair_size};
  const std::string_view element_text = name_text(element), attribute_text = name_text(attribute);
  const size_t size = element_text.size() + 1 + attribute_text.size();
  if (size > kMaxKeptPair || name.pair_element != kNoPair) {
    field_.assign(element_text).append("_").append(attribute_text);
    return field_;
  }
  name.pair_element = element;
  name.pair_at = static_cast<uint32_t>(pairs_.size());
  name.pair_size = static_cast<uint32_t>(size);
  pairs_.append(element_text).append("_").append(attribute_text);
  return {pairs_.data() + name.pair_at, name.pair_size};
}

// One field, or one per item of an array (items separated by NULs).
void BinaryXmlReader::emit_fields(std::string_view field, std::string_view value,
                                  bool is_array) {
  if (!is_array) return emit_field(field, value);
  for (size_t begin = 0;;) {
    const size_t end = value.find('\0', begin);
    emit_field(field, value.substr(begin, end == std::string_view::npos ? std::string_view::npos
                                                                         : end - begin));
    if (end == std::string_view::npos) return;
    begin = end + 1;
  }
}

void BinaryXmlReader::emit_field(std::string_view field, std::string_view value) {
  const uint64_t bytes = field.size() + value.size();
  record_bytes_ += bytes;
  chunk_bytes_ += bytes;
  if (record_bytes_ > kMaxBytesPerRecord || chunk_bytes_ > kMaxBytesPerChunk)
    return;  // expand() reports it
  event_->add(field, value);
}

}  // namespace khien::detect::evtx
