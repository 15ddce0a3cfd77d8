// Text of Binary XML substitution values (the typed values a record supplies to its template),
// written the way the Rust `evtx` crate writes them so our fields match its JSON output.
// Internal to the EVTX reader.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace khien::detect::evtx {

// Value types of [MS-EVEN6] 2.2.12 (libyal: "Value types"). `kArrayFlag` marks an array of
// the base type: strings NUL-separated, fixed-size types packed.
enum ValueType : uint8_t {
  kNullType = 0x00,
  kStringType = 0x01,  // UTF-16LE
  kAnsiStringType = 0x02,
  kInt8Type = 0x03,
  kUInt8Type = 0x04,
  kInt16Type = 0x05,
  kUInt16Type = 0x06,
  kInt32Type = 0x07,
  kUInt32Type = 0x08,
  kInt64Type = 0x09,
  kUInt64Type = 0x0a,
  kReal32Type = 0x0b,
  kReal64Type = 0x0c,
  kBoolType = 0x0d,  // 32-bit
  kBinaryType = 0x0e,
  kGuidType = 0x0f,
  kSizeTType = 0x10,  // 4 or 8 bytes, written as hex
  kFileTimeType = 0x11,
  kSysTimeType = 0x12,
  kSidType = 0x13,
  kHexInt32Type = 0x14,
  kHexInt64Type = 0x15,
  kEvtHandleType = 0x20,
  kBinXmlType = 0x21,  // a nested Binary XML fragment: structure, not text
  kEvtXmlType = 0x23,
  kArrayFlag = 0x80,
};

// FILETIME (100 ns ticks since 1601-01-01 UTC) to microseconds since 1970-01-01 UTC.
int64_t filetime_to_unix_us(uint64_t filetime);

// Appends "YYYY-MM-DDTHH:MM:SS.ffffffZ" for microseconds since 1970-01-01 UTC.
void append_iso8601(std::string& out, int64_t unix_us);

// Appends UTF-16LE text (`units` code units at `data`) as UTF-8; an unpaired surrogate
// becomes U+FFFD.
void append_utf16(std::string& out, const uint8_t* data, size_t units);

// Appends the text of a value of `type` held in `bytes`. The items of an array are joined
// with `separator`.
// Trailing NULs of strings are dropped. Returns false, appending nothing, when the bytes do
// not fit the type (a wrong size) or the type has no text (null, handles, nested Binary XML).
// When the value is a FILETIME or SYSTEMTIME, `*time_us` receives it (microseconds since
// 1970); otherwise it is left alone.
bool append_value(std::string& out, uint8_t type, std::string_view bytes, int64_t* time_us,
                  std::string_view separator = ", ");
// Whether append_value() converts a value of this type (not an array) and size: nothing else
// decides it.
bool converts(uint8_t type, size_t size);

}  // namespace khien::detect::evtx
