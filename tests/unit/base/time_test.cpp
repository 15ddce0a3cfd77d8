#include <gtest/gtest.h>

#include "base/time.h"

using namespace khien;

TEST(Time, FormatsUtcWithMilliseconds) {
  EXPECT_EQ(format_rfc3339(from_unix_ms(1764028800123)), "2025-11-25T00:00:00.123Z");
  EXPECT_EQ(format_rfc3339(from_unix_ms(0)), "1970-01-01T00:00:00.000Z");
}

TEST(Time, ParsesRfc3339WithOffsetIntoUtc) {
  auto t = parse_rfc3339("2026-11-24T07:30:00+07:00");
  ASSERT_TRUE(t);
  EXPECT_EQ(format_rfc3339(*t), "2026-11-24T00:30:00.000Z");
}

TEST(Time, ParsesFractionAndDateOnly) {
  EXPECT_EQ(format_rfc3339(*parse_rfc3339("2026-01-02T03:04:05.67Z")), "2026-01-02T03:04:05.670Z");
  EXPECT_EQ(format_rfc3339(*parse_rfc3339("2026-01-02")), "2026-01-02T00:00:00.000Z");
}

TEST(Time, RefusesMalformedText) {
  for (const char* bad : {"", "2026", "2026-13-01", "2026-02-30", "2026-01-02T25:00:00Z", "2026-01-02T03:04:05",
                          "2026-01-02T03:04:05Zjunk", "2026-01-02T03:04:05.Z", "yesterday"})
    EXPECT_FALSE(parse_rfc3339(bad)) << bad;
}
