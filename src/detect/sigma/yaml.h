#pragma once
// YAML documents as Sigma rules are read: a tree of maps, lists and texts built from libyaml's
// events. Loading SigmaHQ's 2,407 Windows rules takes yaml-cpp about 0.4 s and libyaml about
// 0.04 s; rules are loaded at the start of every hunt, so rules are read with libyaml. The
// nodes answer as yaml-cpp's do (yaml_test.cpp compares both on every SigmaHQ rule file):
// a scalar is plain (`Tag() == "?"` in yaml-cpp) when it is neither quoted, nor a block, nor
// tagged; a plain "", "~", "null", "Null" or "NULL" is null; a map may repeat a key, and
// `[key]` gives its first entry.
//
//   auto docs = yaml::parse(text);          // every document of the stream
//   if (!docs) ... docs.error().detail() names the line;
//   for (const auto& doc : docs->documents()) if (doc.is_map()) doc["title"].scalar() ...
#include <deque>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace khien::detect::yaml {

class Node {
 public:
  enum class Kind : unsigned char { kNull, kScalar, kSequence, kMap };

  Node() = default;  // undefined: what a missing key gives
  explicit operator bool() const { return data_ != nullptr; }
  bool is_null() const { return data_ == nullptr || data_->kind == Kind::kNull; }
  bool is_scalar() const { return data_ != nullptr && data_->kind == Kind::kScalar; }
  bool is_sequence() const { return data_ != nullptr && data_->kind == Kind::kSequence; }
  bool is_map() const { return data_ != nullptr && data_->kind == Kind::kMap; }
  // Neither quoted, nor a block (| >), nor tagged: its text may mean a number, a boolean...
  bool plain() const { return data_ != nullptr && data_->plain; }
  // A scalar's text; empty for anything else.
  const std::string& scalar() const;
  // A map's first entry with this key (a scalar); undefined when there is none.
  Node operator[](std::string_view key) const;
  std::size_t size() const;  // entries of a map, items of a list

  // A list gives its items, a map its entries: `first` the key, `second` the value. An item is
  // itself the list's item (for a map, the entry's value).
  struct Item;
  class Iterator;
  Iterator begin() const;
  Iterator end() const;

 private:
  friend class Builder;
  friend class Documents;
  struct Data {
    Kind kind = Kind::kNull;
    bool plain = false;
    std::string text;
    std::vector<std::pair<const Data*, const Data*>> entries;  // a list: {nullptr, item}
  };
  explicit Node(const Data* d) : data_(d) {}
  const Data* data_ = nullptr;
};

struct Node::Item : Node {
  Item(Node key, Node value) : Node(value), first(key), second(value) {}
  Node first, second;
};

class Node::Iterator {
 public:
  using Entry = std::pair<const Data*, const Data*>;
  explicit Iterator(const Entry* at) : at_(at) {}
  Item operator*() const { return {Node(at_->first), Node(at_->second)}; }
  Iterator& operator++() {
    ++at_;
    return *this;
  }
  bool operator!=(const Iterator& o) const { return at_ != o.at_; }

 private:
  const Entry* at_;
};

// The documents of a stream, which own their nodes.
class Documents {
 public:
  const std::vector<Node>& documents() const { return documents_; }

 private:
  friend class Builder;
  std::deque<Node::Data> nodes_;
  std::vector<Node> documents_;
};

// Every document of `text`; fails with the line (1-based) and libyaml's reason.
Result<Documents> parse(std::string_view text);

}  // namespace khien::detect::yaml
