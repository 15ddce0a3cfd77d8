#include "detect/json_events.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include "detect/compare.h"

namespace khien::detect {

namespace od = simdjson::ondemand;

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

template <class T>
T number_or_zero(std::string_view s) {
  T v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

}  // namespace

struct JsonEvents::Impl {
  const Mapping& mapping;
  od::parser parser;
  Event event;
  Event renamed;
  std::string path;
  std::string name;

  // The top-level key each JSON shape's detect path starts with: an event none of whose keys
  // is one of these has no shape to apply (the usual case, checked as the keys go by, first
  // by their sizes).
  std::vector<std::string_view> shape_roots;
  std::uint64_t shape_root_sizes = 0;  // bit n: a root has n characters (63: 63 or more)

  explicit Impl(const Mapping& m) : mapping(m) {
    for (const auto& shape : mapping.json) {
      shape_roots.push_back(std::string_view(shape.detect).substr(0, shape.detect.find('.')));
      shape_root_sizes |= size_bit(shape_roots.back());
    }
  }
  static std::uint64_t size_bit(std::string_view s) { return std::uint64_t{1} << std::min<std::size_t>(s.size(), 63); }
  bool shape_root(std::string_view key) const {
    return (shape_root_sizes & size_bit(key)) != 0 && std::find(shape_roots.begin(), shape_roots.end(), key) != shape_roots.end();
  }

  // A member's key and value. The key is taken as written when it has no escape (nearly
  // always), which spares unescaping: it ends at the quote before the colon that precedes
  // the value (the text between is whitespace, or the parser would have refused it).
  static od::value* member_of(simdjson::simdjson_result<od::field>& result, std::string_view& key) {
    if (result.error()) return nullptr;
    auto& member = result.value_unsafe();
    auto& v = member.value();  // not copied: a copy made here stalls on the stores just made to it
    const char* raw = member.key().raw();  // after the opening quote
    const char* end = v.raw_json_token().data();
    while (end > raw && *end != ':') --end;
    while (end > raw && *end != '"') --end;
    key = {raw, static_cast<std::size_t>(end - raw)};
    if (std::memchr(raw, '\\', key.size()) != nullptr && member.unescaped_key().get(key)) return nullptr;
    return &v;
  }

  // A scalar's text: strings unescaped, numbers as written, booleans, null as empty.
  bool scalar(od::value& v, std::string_view& out) {
    od::json_type type;
    return !v.type().get(type) && scalar(v, type, out);
  }
  // A string as written when it has no escape (the token is the quoted text, then any
  // whitespace), else unescaped. Inlined: most values of most events are strings.
  [[gnu::always_inline]] static bool string_of(od::value& v, std::string_view& out) {
    const auto token = trim(v.raw_json_token());
    if (token.size() >= 2 && token.back() == '"' && std::memchr(token.data() + 1, '\\', token.size() - 2) == nullptr) {
      out = token.substr(1, token.size() - 2);
      return true;
    }
    return !v.get_string().get(out);
  }
  bool scalar(od::value& v, od::json_type type, std::string_view& out) {
    switch (type) {
      case od::json_type::string:
        return string_of(v, out);
      case od::json_type::number:
        out = trim(v.raw_json_token());
        return true;
      case od::json_type::boolean: {
        bool b = false;
        if (v.get_bool().get(b)) return false;
        out = b ? "true" : "false";
        return true;
      }
      case od::json_type::null:
        out = {};
        return !v.is_null().error();
      default:
        return false;
    }
  }

  bool add_value(std::string_view field, od::value v) {
    od::json_type type;
    if (v.type().get(type)) return false;
    if (type == od::json_type::array) {
      od::array a;
      if (v.get_array().get(a)) return false;
      for (auto element : a) {
        od::value e;
        if (element.get(e) || !add_value(field, e)) return false;
      }
      return true;
    }
    if (type == od::json_type::object) {
      // {"#attributes": {...}, "#text": x}: the text under the field's name, attributes as field_attr.
      od::object o;
      if (v.get_object().get(o)) return false;
      return element(field, o);
    }
    std::string_view text;
    if (!scalar(v, text)) return false;
    event.add(field, text);
    return true;
  }

  // An XML element rendered as JSON: #attributes become <name>_<attr>, #text the value,
  // children are elements named by their own key.
  bool element(std::string_view elem, od::object o) {
    const std::string owner(elem);
    for (auto member : o) {
      std::string_view key;
      od::value* v_at = member_of(member, key);
      if (v_at == nullptr) return false;
      od::value& v = *v_at;
      if (key == "#attributes") {
        od::object attrs;
        if (v.get_object().get(attrs)) return false;
        for (auto a : attrs) {
          std::string_view attr;
          od::value* av_at = member_of(a, attr);
          if (av_at == nullptr) return false;
          od::value& av = *av_at;
          std::string_view text;
          if (!scalar(av, text)) return false;
          name.assign(owner).append("_").append(attr);
          event.add(name, text);
        }
      } else if (key == "#text") {
        if (!add_value(owner, v)) return false;
      } else {
        const std::string child(key);
        if (!add_value(child, v)) return false;
      }
    }
    return true;
  }

  // EventData: <Data Name="X"> rendered as X; unnamed Data as Data.
  bool event_data(od::object o) {
    for (auto member : o) {
      std::string_view key;
      od::value* v_at = member_of(member, key);
      if (v_at == nullptr) return false;
      od::value& v = *v_at;
      if (key == "#attributes") continue;
      const std::string field(key);
      if (!add_value(field, v)) return false;
    }
    return true;
  }

  bool evtx_shape(od::object event_object) {
    for (auto member : event_object) {
      std::string_view key;
      od::value* v_at = member_of(member, key);
      if (v_at == nullptr) return false;
      od::value& v = *v_at;
      od::json_type type;
      if (v.type().get(type)) return false;
      if (type != od::json_type::object) continue;
      od::object o;
      if (v.get_object().get(o)) return false;
      if (key == "System" || key == "UserData") {
        // Each child is an element; UserData's single child wraps the leaves.
        for (auto child : o) {
          std::string_view ck;
          od::value* cv_at = member_of(child, ck);
          if (cv_at == nullptr) return false;
          od::value& cv = *cv_at;
          if (ck == "#attributes") continue;
          const std::string child_name(ck);
          od::json_type ct;
          if (cv.type().get(ct)) return false;
          if (key == "UserData" && ct == od::json_type::object) {
            od::object leaves;
            if (cv.get_object().get(leaves) || !event_data(leaves)) return false;
          } else if (!add_value(child_name, cv)) {
            return false;
          }
        }
      } else if (key == "EventData") {
        if (!event_data(o)) return false;
      }
    }
    return true;
  }

  bool flatten(od::object o) {
    for (auto member : o) {
      std::string_view key;
      od::value* v_at = member_of(member, key);
      if (v_at == nullptr) return false;
      od::value& v = *v_at;
      const auto before = path.size();
      if (!path.empty()) path.push_back('.');
      path.append(key);
      if (!flatten_value(v)) return false;
      path.resize(before);
    }
    return true;
  }

  bool flatten_value(od::value v) {
    od::json_type type;
    return !v.type().get(type) && flatten_value(v, type);
  }
  bool flatten_value(od::value v, od::json_type type) {
    if (type == od::json_type::object) {
      od::object o;
      return !v.get_object().get(o) && flatten(o);
    }
    if (type == od::json_type::array) {
      od::array a;
      if (v.get_array().get(a)) return false;
      for (auto element : a) {
        od::value e;
        if (element.get(e) || !flatten_value(e)) return false;
      }
      return true;
    }
    std::string_view text;
    if (!scalar(v, type, text)) return false;
    event.add(path, text);
    return true;
  }

  // Renames the flattened paths by the first JSON shape whose detect path the event has.
  void apply_shape() {
    const JsonShape* shape = nullptr;
    for (const auto& s : mapping.json)
      if (event.get(s.detect)) {
        shape = &s;
        break;
      }
    if (shape == nullptr) return;
    renamed.clear();
    for (std::size_t i = 0; i < event.size(); ++i) {
      const auto field = event.name(i);
      std::string_view to = field;
      for (const auto& [from, target] : shape->fields) {
        if (from.size() > 2 && from.ends_with(".*")) {
          const auto prefix = std::string_view(from).substr(0, from.size() - 1);
          if (field.starts_with(prefix)) {
            to = field.substr(prefix.size());
            break;
          }
        } else if (from == field) {
          to = target;
          break;
        }
      }
      renamed.add(to, event.value(i));
    }
    std::swap(event, renamed);
  }

  void finish() {
    event.event_id = number_or_zero<std::uint32_t>(event.event_id_text());
    event.record_id = number_or_zero<std::uint64_t>(event.record_id_text());
    event.time_us = to_time_us(event.time_text()).value_or(0);
  }

  // One object, already positioned. Returns false with `error` set when it is not readable.
  bool object(od::object o) {
    event.clear();
    path.clear();
    bool evtx = false;
    bool shaped = false;  // a key starts some shape's detect path
    bool ok = true;
    for (auto member : o) {
      std::string_view key;
      od::value* v_at = member_of(member, key);
      if (v_at == nullptr) return false;
      od::value& v = *v_at;
      if (!shaped) shaped = shape_root(key);
      od::json_type type;
      if (v.type().get(type)) return false;
      if (type == od::json_type::string) {
        std::string_view text;
        if (!string_of(v, text)) return false;
        event.add(key, text);
      } else if (key == "Event" && type == od::json_type::object && event.size() == 0 && !evtx) {
        od::object eo;
        if (v.get_object().get(eo)) return false;
        evtx = true;
        ok = evtx_shape(eo);
      } else if (type == od::json_type::object || type == od::json_type::array) {
        path.assign(key);
        ok = flatten_value(v, type);
      } else {
        std::string_view text;
        ok = scalar(v, type, text);
        if (ok) event.add(key, text);
      }
      if (!ok) return false;
    }
    if (!evtx && shaped) apply_shape();
    finish();
    return true;
  }
};

JsonEvents::JsonEvents(const Mapping& mapping) : impl_(new Impl(mapping)) {}
JsonEvents::~JsonEvents() { delete impl_; }

std::size_t JsonEvents::padding() { return simdjson::SIMDJSON_PADDING; }

namespace {

bool blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

}  // namespace

// One line by itself (the careful path: a line the batch could not take).
bool JsonEvents::read_line(std::string_view text, std::size_t at, std::size_t end, std::uint64_t line, const Sink& sink,
                           std::vector<JsonProblem>& problems) {
  auto content = text.substr(at, end - at);
  std::size_t start = 0;
  while (start < content.size() && blank(content[start])) ++start;
  if (start == content.size()) return true;
  od::document doc;
  auto error = impl_->parser.iterate(content.data(), content.size(), text.size() - at + padding()).get(doc);
  od::object o;
  if (!error) error = doc.get_object().get(o);
  if (error) {
    problems.push_back({line, fmt::format("not a JSON object: {}", simdjson::error_message(error)), at});
    return true;
  }
  if (!impl_->object(o)) {
    problems.push_back({line, "malformed JSON", at});
    return true;
  }
  const char* after = nullptr;  // the parser stops after the object: anything more is found here
  if (!doc.current_location().get(after)) {
    problems.push_back({line, "more than one JSON value on the line", at});
    return true;
  }
  return sink(impl_->event);
}

bool JsonEvents::read_lines(std::string_view text, std::uint64_t& line, const Sink& sink,
                            std::vector<JsonProblem>& problems) {
  // The lines in batches (simdjson finds the structure of a whole batch at once), each
  // document checked to be one line of its own. A line the batch cannot take (malformed, not
  // an object, a document over lines, content after it) is read by itself, like those after
  // it for a while: a broken line never spoils the others.
  constexpr std::size_t kBatch = 1u << 20;
  constexpr int kCarefulLines = 1024;
  std::size_t cursor = 0;  // the start of a line not read yet, whose number is `line`
  auto skip_blank_lines = [&](std::size_t to) {
    for (; cursor < to; ++cursor) {
      if (text[cursor] == '\n') ++line;
      else if (!blank(text[cursor])) return false;
    }
    return true;
  };
  while (cursor < text.size()) {
    od::document_stream stream;
    const auto base = cursor;
    bool careful = impl_->parser.iterate_many(text.data() + base, text.size() - base, kBatch).get(stream) != simdjson::SUCCESS;
    if (!careful) {
      // A document is given to the sink once the next one shows that it ended on its line:
      // nothing but whitespace from its line's end to the next document. Until then it is
      // pending, and a batch that stops leaves it unread.
      bool pending = false;
      std::size_t pending_end = 0;  // the end of the pending document's line
      auto release = [&](std::size_t next) {
        for (auto i = pending_end; i < next; ++i)
          if (text[i] != '\n' && !blank(text[i])) return false;
        pending = false;
        cursor = pending_end;
        return true;
      };
      for (auto it = stream.begin(); it != stream.end(); ++it) {
        if (it.error()) {
          careful = true;
          break;
        }
        const auto at = base + it.current_index();
        if (at >= text.size()) {
          careful = true;
          break;
        }
        if (pending) {
          if (at < pending_end || !release(at)) {  // the document went on past its line
            careful = true;
            break;
          }
          if (!sink(impl_->event)) return false;
        }
        if (at < cursor || !skip_blank_lines(at)) {  // not at the start of a line
          careful = true;
          break;
        }
        auto end = text.find('\n', at);
        if (end == std::string_view::npos) end = text.size();
        auto doc = *it;
        od::object o;
        if (doc.get_object().get(o) || !impl_->object(o)) {
          careful = true;
          break;
        }
        pending = true;
        pending_end = end;
      }
      // The last document is read again by itself below: no next one shows where its line
      // ends, and the batch may have left out what follows it there.
      if (pending) careful = true;
      if (!careful && !skip_blank_lines(text.size())) careful = true;  // a document the batch left
    }
    if (!careful) break;
    // The batch starts again after kCarefulLines lines: input with many bad lines costs a
    // batch's structure (kBatch bytes) at most once in so many lines.
    for (int n = 0; n < kCarefulLines && cursor < text.size(); ++n) {
      auto end = text.find('\n', cursor);
      if (end == std::string_view::npos) end = text.size();
      if (!read_line(text, cursor, end, line, sink, problems)) return false;
      cursor = end + 1;
      if (end < text.size()) ++line;
    }
  }
  return true;
}

bool JsonEvents::read_document(std::string_view text, const Sink& sink, std::vector<JsonProblem>& problems) {
  // One batch over the whole text: documents may be pretty-printed and concatenated.
  od::document_stream stream;
  if (auto error = impl_->parser.iterate_many(text.data(), text.size(), std::max<std::size_t>(text.size(), 4096)).get(stream)) {
    problems.push_back({0, fmt::format("not JSON: {}", simdjson::error_message(error))});
    return true;
  }
  std::uint64_t index = 0;
  for (auto doc : stream) {
    od::json_type type{};
    if (auto error = doc.type().get(type)) {
      problems.push_back({index + 1, fmt::format("not JSON: {}; the rest is not read", simdjson::error_message(error))});
      return true;
    }
    if (type == od::json_type::object) {
      ++index;
      od::object o;
      if (doc.get_object().get(o) || !impl_->object(o)) {
        problems.push_back({index, "malformed JSON; the rest is not read"});
        return true;
      }
      if (!sink(impl_->event)) return false;
      continue;
    }
    od::array a;
    if (type != od::json_type::array || doc.get_array().get(a)) {
      problems.push_back({index + 1, "not a JSON object or array of objects; the rest is not read"});
      return true;
    }
    for (auto element : a) {
      ++index;
      od::object o;
      if (element.get_object().get(o) || !impl_->object(o)) {
        // On-Demand cannot step over a broken element: the rest is lost.
        problems.push_back({index, "malformed JSON; the rest is not read"});
        return true;
      }
      if (!sink(impl_->event)) return false;
    }
  }
  return true;
}

}  // namespace khien::detect
