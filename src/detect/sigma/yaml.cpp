#include "detect/sigma/yaml.h"

#include <fmt/format.h>
#include <yaml.h>

#include <map>

namespace khien::detect::yaml {

const std::string& Node::scalar() const {
  static const std::string kEmpty;
  return data_ != nullptr && data_->kind == Kind::kScalar ? data_->text : kEmpty;
}

Node Node::operator[](std::string_view key) const {
  if (!is_map()) return {};
  for (const auto& [k, v] : data_->entries)
    if (k->kind == Kind::kScalar && k->text == key) return Node(v);
  return {};
}

std::size_t Node::size() const { return data_ == nullptr ? 0 : data_->entries.size(); }

Node::Iterator Node::begin() const { return Iterator(data_ == nullptr ? nullptr : data_->entries.data()); }
Node::Iterator Node::end() const {
  return Iterator(data_ == nullptr ? nullptr : data_->entries.data() + data_->entries.size());
}

class Builder {
 public:
  static Result<Documents> build(std::string_view text) {
    yaml_parser_t parser;
    if (yaml_parser_initialize(&parser) == 0) return Error("invalid_yaml", "cannot start the YAML parser");
    yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(text.data()), text.size());
    Builder b;
    const auto error = b.run(parser);
    yaml_parser_delete(&parser);
    if (!error.empty()) return Error("invalid_yaml", error);
    return std::move(b.out_);
  }

 private:
  std::string run(yaml_parser_t& parser) {
    while (true) {
      yaml_event_t event;
      if (yaml_parser_parse(&parser, &event) == 0)
        return fmt::format("{} (line {})", parser.problem != nullptr ? parser.problem : "malformed",
                           parser.problem_mark.line + 1);
      const auto type = event.type;
      std::string error = on(event);
      yaml_event_delete(&event);
      if (!error.empty()) return error;
      if (type == YAML_STREAM_END_EVENT) return {};
    }
  }

  std::string on(const yaml_event_t& e) {
    switch (e.type) {
      case YAML_DOCUMENT_START_EVENT:
        anchors_.clear();
        root_ = nullptr;
        return {};
      case YAML_DOCUMENT_END_EVENT:
        out_.documents_.push_back(Node(root_));
        return {};
      case YAML_ALIAS_EVENT: {
        const auto it = anchors_.find(reinterpret_cast<const char*>(e.data.alias.anchor));
        if (it == anchors_.end())
          return fmt::format("unknown anchor '{}' (line {})", reinterpret_cast<const char*>(e.data.alias.anchor),
                             e.start_mark.line + 1);
        add(it->second);
        return {};
      }
      case YAML_SCALAR_EVENT: {
        auto& d = make(e.data.scalar.anchor);
        d.text.assign(reinterpret_cast<const char*>(e.data.scalar.value), e.data.scalar.length);
        d.plain = e.data.scalar.tag == nullptr && e.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        d.kind = d.plain && (d.text.empty() || d.text == "~" || d.text == "null" || d.text == "Null" || d.text == "NULL")
                     ? Node::Kind::kNull
                     : Node::Kind::kScalar;
        add(&d);
        return {};
      }
      case YAML_SEQUENCE_START_EVENT:
      case YAML_MAPPING_START_EVENT: {
        const bool map = e.type == YAML_MAPPING_START_EVENT;
        auto& d = make(map ? e.data.mapping_start.anchor : e.data.sequence_start.anchor);
        d.kind = map ? Node::Kind::kMap : Node::Kind::kSequence;
        add(&d);
        open_.push_back(&d);
        return {};
      }
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT:
        if (!open_.empty()) open_.pop_back();
        return {};
      default:
        return {};
    }
  }

  Node::Data& make(const unsigned char* anchor) {
    auto& d = out_.nodes_.emplace_back();
    if (anchor != nullptr) anchors_[reinterpret_cast<const char*>(anchor)] = &d;
    return d;
  }

  // A new node goes into the open list or map (as a key, or as the value of the last key),
  // or is the document.
  void add(const Node::Data* d) {
    if (open_.empty()) {
      root_ = d;
      return;
    }
    auto& parent = *open_.back();
    if (parent.kind == Node::Kind::kSequence)
      parent.entries.emplace_back(nullptr, d);
    else if (!parent.entries.empty() && parent.entries.back().second == nullptr)
      parent.entries.back().second = d;
    else
      parent.entries.emplace_back(d, nullptr);
  }

  Documents out_;
  std::vector<Node::Data*> open_;
  std::map<std::string, const Node::Data*, std::less<>> anchors_;
  const Node::Data* root_ = nullptr;
};

Result<Documents> parse(std::string_view text) { return Builder::build(text); }

}  // namespace khien::detect::yaml
