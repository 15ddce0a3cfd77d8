#include "detect/evtx/value.h"

#include <bit>
#include <charconv>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace khien::detect::evtx {
namespace {

constexpr int64_t kFiletimeUnixEpochUs = 11644473600000000;  // 1601-01-01 to 1970-01-01
constexpr int64_t kUsPerDay = 86400000000;
constexpr char kHexUpper[] = "0123456789ABCDEF";
constexpr char kHexLower[] = "0123456789abcdef";

template <class T>
T load(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

template <class T>
void append_number(std::string& out, T v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;  // a 32-byte buffer holds any integer and the shortest form of any float/double
  out.append(buf, static_cast<size_t>(end - buf));
}

void append_hex_prefixed(std::string& out, uint64_t v) {
  char buf[18];
  char* p = buf + sizeof buf;
  do {
    *--p = kHexLower[v & 0xf];
    v >>= 4;
  } while (v != 0);
  *--p = 'x';
  *--p = '0';
  out.append(p, buf + sizeof buf);
}

void append_digits(std::string& out, unsigned v, int width) {
  char buf[10];
  for (int i = width - 1; i >= 0; --i) {
    buf[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  out.append(buf, static_cast<size_t>(width));
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

// Windows-1252 bytes 0x80..0x9f (the rest of the code page is Latin-1).
constexpr char16_t kCp1252High[32] = {
    0x20ac, 0xfffd, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160,
    0x2039, 0x0152, 0xfffd, 0x017d, 0xfffd, 0xfffd, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022,
    0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0xfffd, 0x017e, 0x0178};

void append_code_point(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xc0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xe0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out.push_back(static_cast<char>(0xf0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

void append_ansi(std::string& out, std::string_view s) {
  for (char ch : s) {
    const auto b = static_cast<unsigned char>(ch);
    if (b < 0x80)
      out.push_back(ch);
    else
      append_code_point(out, b < 0xa0 ? kCp1252High[b - 0x80] : b);
  }
}

size_t utf16_units_without_trailing_nuls(const char* p, size_t units) {
  while (units > 0 && p[2 * units - 2] == 0 && p[2 * units - 1] == 0) --units;
  return units;
}

// Windows GUID: Data1..Data3 little-endian, Data4 as stored; uppercase, no braces.
void append_guid(std::string& out, const char* p) {
  static constexpr int kOrder[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
  char buf[36];
  int n = 0;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) buf[n++] = '-';
    const auto b = static_cast<unsigned char>(p[kOrder[i]]);
    buf[n++] = kHexUpper[b >> 4];
    buf[n++] = kHexUpper[b & 0xf];
  }
  out.append(buf, sizeof buf);
}

// SID: revision (1), sub-authority count (1), authority (6, big-endian), then the
// sub-authorities (4 each, little-endian).
bool append_sid(std::string& out, std::string_view b) {
  if (b.size() < 8) return false;
  uint64_t authority = 0;
  for (int i = 2; i < 8; ++i)
    authority = (authority << 8) | static_cast<unsigned char>(b[static_cast<size_t>(i)]);
  out.append("S-");
  append_number(out, static_cast<unsigned>(static_cast<unsigned char>(b[0])));
  out.push_back('-');
  append_number(out, authority);
  const size_t count = static_cast<unsigned char>(b[1]);
  for (size_t i = 0; i < count && 8 + 4 * i + 4 <= b.size(); ++i) {
    out.push_back('-');
    append_number(out, load<uint32_t>(b.data() + 8 + 4 * i));
  }
  return true;
}

// SYSTEMTIME: year, month, day of week, day, hour, minute, second, milliseconds (2 each).
bool systemtime_to_unix_us(const char* p, int64_t* us) {
  const auto f = [p](int i) { return static_cast<unsigned>(load<uint16_t>(p + 2 * i)); };
  const unsigned year = f(0), month = f(1), day = f(3), hour = f(4), minute = f(5), second = f(6),
                 ms = f(7);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59 ||
      ms > 999)
    return false;
  const int64_t days = days_from_civil(year, month, day);
  *us = ((days * 24 + hour) * 60 + minute) * 60000000 + second * int64_t{1000000} +
        ms * int64_t{1000};
  return true;
}

size_t item_size(uint8_t base) {
  switch (base) {
    case kInt8Type:
    case kUInt8Type:
      return 1;
    case kInt16Type:
    case kUInt16Type:
      return 2;
    case kInt32Type:
    case kUInt32Type:
    case kReal32Type:
    case kBoolType:
    case kHexInt32Type:
      return 4;
    case kInt64Type:
    case kUInt64Type:
    case kReal64Type:
    case kFileTimeType:
    case kHexInt64Type:
      return 8;
    case kGuidType:
    case kSysTimeType:
      return 16;
    default:
      return 0;
  }
}

// One fixed-size item of `base` type at `p`, of `size` bytes (item_size, or 4/8 for SizeT).
void append_item(std::string& out, uint8_t base, const char* p, size_t size, int64_t* time_us) {
  switch (base) {
    case kInt8Type:
      append_number(out, static_cast<int>(static_cast<signed char>(*p)));
      break;
    case kUInt8Type:
      append_number(out, static_cast<unsigned>(static_cast<unsigned char>(*p)));
      break;
    case kInt16Type:
      append_number(out, load<int16_t>(p));
      break;
    case kUInt16Type:
      append_number(out, load<uint16_t>(p));
      break;
    case kInt32Type:
      append_number(out, load<int32_t>(p));
      break;
    case kUInt32Type:
      append_number(out, load<uint32_t>(p));
      break;
    case kInt64Type:
      append_number(out, load<int64_t>(p));
      break;
    case kUInt64Type:
      append_number(out, load<uint64_t>(p));
      break;
    case kReal32Type:
      append_number(out, load<float>(p));
      break;
    case kReal64Type:
      append_number(out, load<double>(p));
      break;
    case kBoolType:
      out.append(load<uint32_t>(p) != 0 ? "true" : "false");
      break;
    case kGuidType:
      append_guid(out, p);
      break;
    case kHexInt32Type:
      append_hex_prefixed(out, load<uint32_t>(p));
      break;
    case kHexInt64Type:
      append_hex_prefixed(out, load<uint64_t>(p));
      break;
    case kSizeTType:
      append_hex_prefixed(out, size == 4 ? load<uint32_t>(p) : load<uint64_t>(p));
      break;
    case kFileTimeType: {
      const int64_t us = filetime_to_unix_us(load<uint64_t>(p));
      append_iso8601(out, us);
      if (time_us) *time_us = us;
      break;
    }
    case kSysTimeType: {
      int64_t us = 0;
      if (systemtime_to_unix_us(p, &us)) {
        append_iso8601(out, us);
        if (time_us) *time_us = us;
      }
      break;
    }
    default:
      break;
  }
}

}  // namespace

int64_t filetime_to_unix_us(uint64_t filetime) {
  return static_cast<int64_t>(filetime / 10) - kFiletimeUnixEpochUs;
}

void append_iso8601(std::string& out, int64_t unix_us) {
  int64_t days = unix_us / kUsPerDay;
  int64_t rest = unix_us % kUsPerDay;
  if (rest < 0) {
    rest += kUsPerDay;
    --days;
  }
  // civil_from_days (H. Hinnant)
  const int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400 + (m <= 2);
  if (y >= 0 && y <= 9999)
    append_digits(out, static_cast<unsigned>(y), 4);
  else
    append_number(out, y);
  out.push_back('-');
  append_digits(out, m, 2);
  out.push_back('-');
  append_digits(out, d, 2);
  out.push_back('T');
  const auto secs = static_cast<unsigned>(rest / 1000000);
  append_digits(out, secs / 3600, 2);
  out.push_back(':');
  append_digits(out, secs / 60 % 60, 2);
  out.push_back(':');
  append_digits(out, secs % 60, 2);
  out.push_back('.');
  append_digits(out, static_cast<unsigned>(rest % 1000000), 6);
  out.push_back('Z');
}

void append_utf16(std::string& out, const uint8_t* data, size_t units) {
  // Most text is ASCII: copy its leading ASCII run with one byte per unit, and reserve the
  // worst case (3 UTF-8 bytes per code unit) only for the rest.
  size_t start = out.size();
  out.resize(start + units);
  auto* w = reinterpret_cast<unsigned char*>(out.data() + start);
  size_t i = 0;
#if defined(__SSE2__)
  // Eight units at a time while they are all ASCII (every x86-64 has SSE2): each unit's high
  // nine bits zero, the low bytes packed.
  const __m128i not_ascii = _mm_set1_epi16(static_cast<short>(0xff80));
  for (; units - i >= 8; i += 8) {
    const __m128i eight = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + 2 * i));
    if (_mm_movemask_epi8(_mm_cmpeq_epi16(_mm_and_si128(eight, not_ascii), _mm_setzero_si128())) != 0xffff) break;
    _mm_storel_epi64(reinterpret_cast<__m128i*>(w), _mm_packus_epi16(eight, eight));
    w += 8;
  }
#endif
  if constexpr (std::endian::native == std::endian::little) {
    for (; units - i >= 4; i += 4) {  // four units at a time while they are all ASCII
      uint64_t four;
      std::memcpy(&four, data + 2 * i, 8);
      if ((four & 0xff80ff80ff80ff80) != 0) break;
      for (int k = 0; k < 4; ++k) *w++ = static_cast<unsigned char>(four >> (16 * k));
    }
  }
  while (i < units && data[2 * i + 1] == 0 && data[2 * i] < 0x80) {
    *w++ = data[2 * i];
    ++i;
  }
  if (i == units) return;
  start += i;
  out.resize(start + (units - i) * 3);
  w = reinterpret_cast<unsigned char*>(out.data() + start);
  while (i < units) {
    uint32_t c = data[2 * i] | (static_cast<uint32_t>(data[2 * i + 1]) << 8);
    ++i;
    if (c < 0x80) {
      *w++ = static_cast<unsigned char>(c);
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      const uint32_t next =
          i < units ? (data[2 * i] | (static_cast<uint32_t>(data[2 * i + 1]) << 8)) : 0;
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        ++i;  // two units (6 bytes reserved) become 4 bytes
        *w++ = static_cast<unsigned char>(0xf0 | (c >> 18));
        *w++ = static_cast<unsigned char>(0x80 | ((c >> 12) & 0x3f));
        *w++ = static_cast<unsigned char>(0x80 | ((c >> 6) & 0x3f));
        *w++ = static_cast<unsigned char>(0x80 | (c & 0x3f));
        continue;
      }
      c = 0xfffd;
    }
    if (c < 0x800) {
      *w++ = static_cast<unsigned char>(0xc0 | (c >> 6));
      *w++ = static_cast<unsigned char>(0x80 | (c & 0x3f));
    } else {
      *w++ = static_cast<unsigned char>(0xe0 | (c >> 12));
      *w++ = static_cast<unsigned char>(0x80 | ((c >> 6) & 0x3f));
      *w++ = static_cast<unsigned char>(0x80 | (c & 0x3f));
    }
  }
  out.resize(static_cast<size_t>(reinterpret_cast<char*>(w) - out.data()));
}

bool append_value(std::string& out, uint8_t type, std::string_view bytes, int64_t* time_us,
                  std::string_view separator) {
  const char* p = bytes.data();
  const auto* u = reinterpret_cast<const uint8_t*>(p);
  switch (type) {
    case kStringType:
      append_utf16(out, u, utf16_units_without_trailing_nuls(p, bytes.size() / 2));
      return true;
    case kAnsiStringType: {
      size_t n = bytes.size();
      while (n > 0 && p[n - 1] == 0) --n;
      append_ansi(out, bytes.substr(0, n));
      return true;
    }
    case kBinaryType:
    case kBinaryType | kArrayFlag:
      for (char ch : bytes) {
        const auto b = static_cast<unsigned char>(ch);
        out.push_back(kHexUpper[b >> 4]);
        out.push_back(kHexUpper[b & 0xf]);
      }
      return true;
    case kSidType:
      return append_sid(out, bytes);
    case kSizeTType:
      if (bytes.size() != 4 && bytes.size() != 8) return false;
      append_item(out, kSizeTType, p, bytes.size(), time_us);
      return true;
    case kStringType | kArrayFlag: {
      // Each string ends with a NUL; an unterminated tail is one more.
      const size_t units = bytes.size() / 2;
      size_t begin = 0;
      for (size_t i = 0; i < units; ++i) {
        if (u[2 * i] == 0 && u[2 * i + 1] == 0) {
          if (begin != 0) out.append(separator);
          append_utf16(out, u + 2 * begin, i - begin);
          begin = i + 1;
        }
      }
      if (begin < units) {
        if (begin != 0) out.append(separator);
        append_utf16(out, u + 2 * begin, units - begin);
      }
      return true;
    }
    case kAnsiStringType | kArrayFlag: {
      size_t begin = 0;
      for (size_t i = 0; i < bytes.size(); ++i) {
        if (p[i] == 0) {
          if (begin != 0) out.append(separator);
          append_ansi(out, bytes.substr(begin, i - begin));
          begin = i + 1;
        }
      }
      if (begin < bytes.size()) {
        if (begin != 0) out.append(separator);
        append_ansi(out, bytes.substr(begin));
      }
      return true;
    }
    case kSidType | kArrayFlag: {
      // SIDs one after another, each 8 + 4 * sub-authority count bytes.
      size_t at = 0;
      bool first = true;
      while (at + 8 <= bytes.size()) {
        const size_t size = 8 + 4 * static_cast<size_t>(static_cast<unsigned char>(p[at + 1]));
        if (at + size > bytes.size()) break;
        if (!first) out.append(separator);
        first = false;
        append_sid(out, bytes.substr(at, size));
        at += size;
      }
      return !first;
    }
    default:
      break;
  }
  const bool is_array = (type & kArrayFlag) != 0;
  const auto base = static_cast<uint8_t>(type & ~kArrayFlag);
  const size_t size = base == kSizeTType ? (is_array ? 8 : bytes.size()) : item_size(base);
  if (size == 0 || bytes.size() < size) return false;
  if (!is_array) {
    append_item(out, base, p, size, time_us);
    return true;
  }
  for (size_t at = 0; at + size <= bytes.size(); at += size) {
    if (at != 0) out.append(separator);
    append_item(out, base, p + at, size, time_us);
  }
  return true;
}

bool converts(uint8_t type, size_t size) {
  switch (type) {
    case kStringType:
    case kAnsiStringType:
    case kBinaryType:
      return true;
    case kSidType:
      return size >= 8;
    case kSizeTType:
      return size == 4 || size == 8;
    default:
      return (type & kArrayFlag) == 0 && item_size(type) != 0 && size >= item_size(type);
  }
}

}  // namespace khien::detect::evtx
