// One log event as the detection engine sees it: a flat list of (field, value) pairs, with
// the few values every match shows (time, computer, channel, provider, event id, record id).
//
// Field names follow the Windows convention Sigma rules are written against:
//   - System children by element name (EventID, Channel, Computer, Level, Keywords, ...);
//     an attribute of a System child as <Element>_<Attribute> (Provider_Name,
//     TimeCreated_SystemTime, Execution_ProcessID, Security_UserID, ...);
//   - EventData <Data Name="X"> as X, unnamed <Data> as Data, <Binary> as Binary;
//   - UserData by the name of each leaf element.
// A name may repeat. Readers fill one Event per record and reuse it, so adding a field does
// not allocate once the buffers have grown.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace khien::detect {

class Event {
 public:
  void clear() {
    text_.clear();
    fields_.clear();
    event_id = 0;
    record_id = 0;
    time_us = 0;
  }

  void add(std::string_view name, std::string_view value) {
    const auto name_at = static_cast<uint32_t>(text_.size());
    text_.append(name);
    const auto value_at = static_cast<uint32_t>(text_.size());
    text_.append(value);
    fields_.push_back({name_at, static_cast<uint32_t>(name.size()), value_at,
                       static_cast<uint32_t>(value.size())});
  }

  // Drops the fields after the first n (a reader undoing what it added to a record).
  void truncate(size_t n) {
    if (n >= fields_.size()) return;
    text_.resize(fields_[n].name_at);
    fields_.resize(n);
  }

  size_t size() const { return fields_.size(); }
  std::string_view name(size_t i) const { return {text_.data() + fields_[i].name_at, fields_[i].name_size}; }
  std::string_view value(size_t i) const { return {text_.data() + fields_[i].value_at, fields_[i].value_size}; }

  // The first value of a field, if the event has it.
  std::optional<std::string_view> get(std::string_view field) const {
    for (size_t i = 0; i < fields_.size(); ++i) {
      if (name(i) == field) return value(i);
    }
    return std::nullopt;
  }
  std::string_view get_or_empty(std::string_view field) const { return get(field).value_or(std::string_view{}); }

  std::string_view channel() const { return get_or_empty("Channel"); }
  std::string_view provider() const { return get_or_empty("Provider_Name"); }
  std::string_view computer() const { return get_or_empty("Computer"); }

  // Set by the reader: the event id, the record number, and the time (microseconds since
  // 1970-01-01 UTC; 0 when the event has none).
  uint32_t event_id = 0;
  uint64_t record_id = 0;
  int64_t time_us = 0;

 private:
  struct Slot {
    uint32_t name_at, name_size, value_at, value_size;
  };
  std::string text_;
  std::vector<Slot> fields_;
};

}  // namespace khien::detect
