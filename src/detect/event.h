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

#include <algorithm>
#include <array>
#include <cstring>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace khien::detect {

class Event {
 public:
  void clear() {
    names_.clear();
    values_.clear();
    fields_.clear();
    known_.fill(0);
    event_id = 0;
    record_id = 0;
    time_us = 0;
  }

  [[gnu::always_inline]] void add(std::string_view name, std::string_view value) {
    const auto size = static_cast<uint32_t>(name.size());
    const auto name_at = static_cast<uint32_t>(names_.size() + sizeof size);
    char* n = names_.extend(sizeof size + name.size());
    std::memcpy(n, &size, sizeof size);
    if (!name.empty()) std::memcpy(n + sizeof size, name.data(), name.size());  // an empty view's data may be null
    const auto value_at = static_cast<uint32_t>(values_.size());
    char* v = values_.extend(value.size() + 1);
    if (!value.empty()) std::memcpy(v, value.data(), value.size());
    v[value.size()] = '\0';
    if (const auto k = known_of(name); k != kNotKnown && known_[k] == 0) known_[k] = static_cast<uint32_t>(fields_.size() + 1);
    fields_.push_back({name_at, size, value_at, static_cast<uint32_t>(value.size())});
  }

  // Drops the fields after the first n (a reader undoing what it added to a record).
  void truncate(size_t n) {
    if (n >= fields_.size()) return;
    names_.resize(fields_[n].name_at - sizeof(uint32_t));
    values_.resize(fields_[n].value_at);
    fields_.resize(n);
    for (auto& k : known_)
      if (k > n) k = 0;
  }

  size_t size() const { return fields_.size(); }
  std::string_view name(size_t i) const { return {names_.data() + fields_[i].name_at, fields_[i].name_size}; }
  std::string_view value(size_t i) const { return {values_.data() + fields_[i].value_at, fields_[i].value_size}; }

  // Every field name in order, each after its size: two events have the same names in the
  // same order exactly when these are equal (one comparison instead of one per field).
  std::string_view names() const { return names_.view(); }
  // Every value in order, each followed by a NUL (what keywords are searched in).
  std::string_view values() const { return values_.view(); }

  // The first value of a field, if the event has it.
  std::optional<std::string_view> get(std::string_view field) const {
    for (size_t i = 0; i < fields_.size(); ++i) {
      if (name(i) == field) return value(i);
    }
    return std::nullopt;
  }
  std::string_view get_or_empty(std::string_view field) const { return get(field).value_or(std::string_view{}); }

  // The first values of the fields every reader and the engine look at, found as the fields
  // are added (empty when the event has none).
  std::string_view channel() const { return known(kChannel); }
  std::string_view provider() const { return known(kProvider); }
  std::string_view computer() const { return known(kComputer); }
  std::string_view event_id_text() const { return known(kEventId); }
  std::string_view record_id_text() const { return known(kRecordId); }
  std::string_view time_text() const { return known(kTime); }

  // Set by the reader: the event id, the record number, and the time (microseconds since
  // 1970-01-01 UTC; 0 when the event has none).
  uint32_t event_id = 0;
  uint64_t record_id = 0;
  int64_t time_us = 0;

 private:
  struct Slot {
    uint32_t name_at, name_size, value_at, value_size;
  };
  enum Known : uint8_t { kChannel, kProvider, kComputer, kEventId, kRecordId, kTime, kKnownCount, kNotKnown = kKnownCount };
  static Known known_of(std::string_view name) {
    switch (name.size()) {
      case 7: return name == "Channel" ? kChannel : name == "EventID" ? kEventId : kNotKnown;
      case 8: return name == "Computer" ? kComputer : kNotKnown;
      case 13: return name == "Provider_Name" ? kProvider : name == "EventRecordID" ? kRecordId : kNotKnown;
      case 22: return name == "TimeCreated_SystemTime" ? kTime : kNotKnown;
      default: return kNotKnown;
    }
  }
  std::string_view known(Known k) const { return known_[k] == 0 ? std::string_view{} : value(known_[k] - 1); }

  // Bytes appended in place: the hot path of every reader, so extending stays inline (a
  // std::string's append is a call into the library).
  class Buffer {
   public:
    Buffer() = default;
    // A copy holds the bytes, not the room grown for the largest event read so far.
    Buffer(const Buffer& other) : bytes_(other.view()), size_(other.size_) {}
    Buffer& operator=(const Buffer& other) {
      if (this != &other) {
        bytes_.assign(other.view());
        size_ = other.size_;
      }
      return *this;
    }
    Buffer(Buffer&& other) noexcept : bytes_(std::move(other.bytes_)), size_(std::exchange(other.size_, 0)) {}
    Buffer& operator=(Buffer&& other) noexcept {
      bytes_ = std::move(other.bytes_);
      size_ = std::exchange(other.size_, 0);
      return *this;
    }

    // Room for n more bytes at the end; returns where they go.
    char* extend(size_t n) {
      if (n > bytes_.size() - size_) bytes_.resize(std::max(2 * bytes_.size(), size_ + n));
      char* at = bytes_.data() + size_;
      size_ += n;
      return at;
    }
    void clear() { size_ = 0; }
    void resize(size_t n) { size_ = n; }  // n <= size()
    size_t size() const { return size_; }
    const char* data() const { return bytes_.data(); }
    std::string_view view() const { return {bytes_.data(), size_}; }

   private:
    std::string bytes_;  // its size is the capacity; only the first size_ bytes are held
    size_t size_ = 0;
  };

  Buffer names_, values_;
  std::vector<Slot> fields_;
  std::array<uint32_t, kKnownCount> known_{};  // index + 1 of each known field's first value; 0: none
};

}  // namespace khien::detect
