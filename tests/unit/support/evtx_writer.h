// Small EVTX files written by the tests, for what no sample file has (a forwarded-events log's
// RenderingInfo, chosen channels in chosen order). Each record is an instance of a
// template of its own, defined in the record. As Windows writes them, attribute values are text
// of the template and element contents are substitutions: UTF-16 strings, but EventID's, a
// 16-bit number. Names are defined where they are used. Checksums are zlib's CRC-32.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace khien::test {

struct XmlElement {
  std::string name;
  std::vector<std::pair<std::string, std::string>> attributes;
  std::string text;  // the content, when the element has no children (ASCII)
  std::vector<XmlElement> children;
};

// <Event> with its System (provider, event id, channel, computer, record id), EventData
// (<Data Name=...>) and, when `rendered_message` is not empty, RenderingInfo as a Windows Event
// Collector subscription in its default format (RenderedText) adds to each forwarded record.
inline XmlElement windows_event(const std::string& provider, int event_id, const std::string& channel,
                                const std::string& computer, std::uint64_t record_id,
                                const std::vector<std::pair<std::string, std::string>>& data,
                                const std::string& rendered_message = "") {
  XmlElement system{"System", {}, "", {}};
  system.children.push_back({"Provider", {{"Name", provider}}, "", {}});
  system.children.push_back({"EventID", {}, std::to_string(event_id), {}});
  system.children.push_back({"EventRecordID", {}, std::to_string(record_id), {}});
  system.children.push_back({"Channel", {}, channel, {}});
  system.children.push_back({"Computer", {}, computer, {}});
  XmlElement event_data{"EventData", {}, "", {}};
  for (const auto& [name, value] : data) event_data.children.push_back({"Data", {{"Name", name}}, value, {}});
  XmlElement event{"Event", {{"xmlns", "http://schemas.microsoft.com/win/2004/08/events/event"}}, "", {system, event_data}};
  if (!rendered_message.empty())
    event.children.push_back({"RenderingInfo", {{"Culture", "en-US"}}, "",
                              {{"Message", {}, rendered_message, {}}, {"Level", {}, "Information", {}}}});
  return event;
}

namespace evtx_writer_detail {

constexpr std::size_t kHeaderBlock = 4096, kChunk = 65536, kChunkHeader = 512;

inline void put16(std::string& b, std::size_t at, std::uint16_t v) { std::memcpy(b.data() + at, &v, 2); }
inline void put32(std::string& b, std::size_t at, std::uint32_t v) { std::memcpy(b.data() + at, &v, 4); }
inline void put64(std::string& b, std::size_t at, std::uint64_t v) { std::memcpy(b.data() + at, &v, 8); }

// Binary XML written at the end of `chunk`, whose offsets are the chunk's.
struct Writer {
  std::string& chunk;
  struct Substitution {
    std::uint8_t type;  // 0x01 UTF-16 string, 0x06 16-bit unsigned
    std::string bytes;
  };
  std::vector<Substitution> values;  // in their index order
  void u8(std::uint8_t v) { chunk.push_back(static_cast<char>(v)); }
  void u16(std::uint16_t v) { chunk.append(reinterpret_cast<const char*>(&v), 2); }
  void u32(std::uint32_t v) { chunk.append(reinterpret_cast<const char*>(&v), 4); }
  void utf16(const std::string& ascii) {
    for (const char c : ascii) u16(static_cast<std::uint16_t>(static_cast<unsigned char>(c)));
  }
  // A name defined where it is referred to: its offset is that of the bytes right after.
  void name(const std::string& n) {
    u32(static_cast<std::uint32_t>(chunk.size() + 4));
    u32(0);  // offset of the next name in the hash bucket
    u16(0);  // hash (not checked by readers)
    u16(static_cast<std::uint16_t>(n.size()));
    utf16(n);
    u16(0);
  }
  void text(const std::string& t) {
    u8(0x05);  // value
    u8(0x01);  // string
    u16(static_cast<std::uint16_t>(t.size()));
    utf16(t);
  }
  void substitution(const std::string& element, const std::string& t) {
    Substitution v{0x01, {}};
    if (element == "EventID") {
      const auto n = static_cast<std::uint16_t>(std::stoul(t));
      v = {0x06, std::string(reinterpret_cast<const char*>(&n), 2)};
    } else {
      for (const char c : t) v.bytes.append({c, '\0'});
    }
    u8(0x0d);  // normal substitution
    u16(static_cast<std::uint16_t>(values.size()));
    u8(v.type);
    values.push_back(std::move(v));
  }
  void element(const XmlElement& e) {
    u8(e.attributes.empty() ? 0x01 : 0x41);  // open start element (0x40: has attributes)
    u16(0xffff);                             // dependency identifier: none
    const std::size_t data_size_at = chunk.size();
    u32(0);  // data size: from after it to the end of the element
    name(e.name);
    if (!e.attributes.empty()) {
      const std::size_t attributes_size_at = chunk.size();
      u32(0);  // attribute list size
      for (std::size_t k = 0; k < e.attributes.size(); ++k) {
        u8(k + 1 < e.attributes.size() ? 0x46 : 0x06);  // attribute (0x40: more follow)
        name(e.attributes[k].first);
        text(e.attributes[k].second);
      }
      put32(chunk, attributes_size_at, static_cast<std::uint32_t>(chunk.size() - attributes_size_at - 4));
    }
    if (e.children.empty() && e.text.empty()) {
      u8(0x03);  // close empty element
    } else {
      u8(0x02);  // close start element
      if (e.children.empty()) substitution(e.name, e.text);
      for (const auto& c : e.children) element(c);
      u8(0x04);  // end element
    }
    put32(chunk, data_size_at, static_cast<std::uint32_t>(chunk.size() - data_size_at - 4));
  }
};

}  // namespace evtx_writer_detail

namespace evtx_writer_detail {

inline std::uint32_t crc(const std::string& b, std::size_t from, std::size_t to, uLong c = 0) {
  return static_cast<std::uint32_t>(
      ::crc32(c, reinterpret_cast<const Bytef*>(b.data() + from), static_cast<uInt>(to - from)));
}

// Record `id` (its template numbered `id` too) at the end of `chunk`.
inline void write_record(std::string& chunk, const XmlElement& record, std::uint64_t id) {
  const std::size_t at = chunk.size();
  chunk.append("**\0\0", 4);
  chunk.append(20, '\0');  // size, id, written time: filled below
  Writer w{chunk};
  w.u8(0x0f), w.u8(1), w.u8(1), w.u8(0);                  // fragment header
  w.u8(0x0c), w.u8(0x01);                                 // template instance
  w.u32(static_cast<std::uint32_t>(id));                  // template identifier
  w.u32(static_cast<std::uint32_t>(chunk.size() + 4));  // its definition: right here
  w.u32(0);                                               // offset of the next definition
  for (std::uint64_t b = 0; b < 4; ++b) w.u32(static_cast<std::uint32_t>(0x6b686965 + id * 4 + b));  // GUID
  const std::size_t data_size_at = chunk.size();
  w.u32(0);  // data size, filled below
  w.u8(0x0f), w.u8(1), w.u8(1), w.u8(0);
  w.element(record);
  w.u8(0x00);  // end of the definition's fragment
  put32(chunk, data_size_at, static_cast<std::uint32_t>(chunk.size() - data_size_at - 4));
  w.u32(static_cast<std::uint32_t>(w.values.size()));  // substitution values
  for (const auto& v : w.values) w.u16(static_cast<std::uint16_t>(v.bytes.size())), w.u8(v.type), w.u8(0);
  for (const auto& v : w.values) chunk += v.bytes;
  w.u8(0x00);  // end of the record's fragment
  const auto size = static_cast<std::uint32_t>(chunk.size() - at + 4);
  w.u32(size);
  put32(chunk, at + 4, size);
  put64(chunk, at + 8, id);
  put64(chunk, at + 16, 133'000'000'000'000'000ull + id * 10'000'000ull);  // FILETIME, late 2022
}

// The header of a chunk holding records [first, last] whose last starts at `last_at`; then the
// chunk padded to its 64 KiB.
inline void finish_chunk(std::string& chunk, std::uint64_t first, std::uint64_t last, std::uint32_t last_at) {
  const auto free_space = static_cast<std::uint32_t>(chunk.size());
  put64(chunk, 8, first);
  put64(chunk, 16, last);
  put64(chunk, 24, first);
  put64(chunk, 32, last);
  put32(chunk, 40, 128);
  put32(chunk, 44, last_at);
  put32(chunk, 48, free_space);
  put32(chunk, 52, crc(chunk, kChunkHeader, free_space));
  chunk.resize(kChunk, '\0');
  put32(chunk, 124, crc(chunk, 128, kChunkHeader, crc(chunk, 0, 120)));
}

}  // namespace evtx_writer_detail

// An EVTX file holding `records` (record ids 1, 2, ...) in as many chunks as they need, every
// checksum right.
inline std::string evtx_file(const std::vector<XmlElement>& records) {
  using namespace evtx_writer_detail;
  std::vector<std::string> chunks;
  std::string chunk;
  std::uint64_t first = 0;
  std::uint32_t last_at = 0;
  for (std::uint64_t id = 1; id <= records.size(); ++id) {
    if (chunk.empty()) {
      chunk.assign(kChunkHeader, '\0');
      std::memcpy(chunk.data(), "ElfChnk", 8);
      first = id;
    }
    const std::size_t at = chunk.size();
    write_record(chunk, records[id - 1], id);
    if (chunk.size() > kChunk) {  // does not fit: the chunk ends before it
      if (at == kChunkHeader) throw std::length_error("a record larger than a chunk");
      chunk.resize(at);
      finish_chunk(chunk, first, id - 1, last_at);
      chunks.push_back(std::move(chunk));
      chunk.clear();
      --id;
      continue;
    }
    last_at = static_cast<std::uint32_t>(at);
  }
  if (!chunk.empty()) {
    finish_chunk(chunk, first, records.size(), last_at);
    chunks.push_back(std::move(chunk));
  }

  std::string file(kHeaderBlock, '\0');
  std::memcpy(file.data(), "ElfFile", 8);
  put64(file, 8, 0);                                    // first chunk
  put64(file, 16, chunks.empty() ? 0 : chunks.size() - 1);  // last chunk
  put64(file, 24, records.size() + 1);                  // next record id
  put32(file, 32, 128);                                 // header size
  put16(file, 36, 1);                                   // minor version
  put16(file, 38, 3);                                   // major version
  put16(file, 40, static_cast<std::uint16_t>(kHeaderBlock));
  put16(file, 42, static_cast<std::uint16_t>(chunks.size()));
  put32(file, 124, crc(file, 0, 120));
  for (const auto& c : chunks) file += c;
  return file;
}

}  // namespace khien::test
