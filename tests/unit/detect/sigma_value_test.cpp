#include <gtest/gtest.h>

#include "detect/sigma/value.h"

using namespace khien::detect::sigma;

namespace {

// A pattern written back as Sigma would: `*`, `?`, and literal text with those escaped.
std::string show(const Pattern& p) {
  std::string out;
  for (const auto& piece : p) {
    if (piece.kind == Piece::Kind::kAnyRun) out += '*';
    else if (piece.kind == Piece::Kind::kAnyOne) out += '?';
    else
      for (char c : piece.text) out += (c == '*' || c == '?') ? std::string("\\") + c : std::string(1, c);
  }
  return out;
}

std::vector<std::string> patterns(std::vector<Modifier> mods, const std::string& value) {
  FieldTest t;
  t.field = "CommandLine";
  t.modifiers = std::move(mods);
  Value v;
  v.text = value;
  auto r = string_patterns(t, v);
  if (!r) return {"error: " + r.error().detail()};
  std::vector<std::string> out;
  for (const auto& p : *r) out.push_back(show(p));
  return out;
}

}  // namespace

TEST(SigmaValue, WildcardsAndTheirEscapes) {
  // Sigma `C:\Windows\\*.exe`: a folder, then a wildcard; a backslash before a letter is itself.
  const Pattern p = parse_wildcards("C:\\Windows\\\\*.exe");
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0].text, "C:\\Windows\\");
  EXPECT_EQ(p[1].kind, Piece::Kind::kAnyRun);
  EXPECT_EQ(p[2].text, ".exe");
  // Sigma `C:\Windows\*.exe`: the star is a character.
  const Pattern star = parse_wildcards("C:\\Windows\\*.exe");
  ASSERT_EQ(star.size(), 1u);
  EXPECT_EQ(star[0].text, "C:\\Windows*.exe");
  const Pattern escaped = parse_wildcards("what\\?\\*\\\\*");
  ASSERT_EQ(escaped.size(), 2u);
  EXPECT_EQ(escaped[0].text, "what?*\\");  // \? \* \\ are the characters, the last * a wildcard
  EXPECT_EQ(escaped[1].kind, Piece::Kind::kAnyRun);
  EXPECT_EQ(parse_wildcards("a**b").size(), 3u);  // runs collapse
  EXPECT_EQ(parse_wildcards("a?b")[1].kind, Piece::Kind::kAnyOne);
}

TEST(SigmaValue, Placement) {
  EXPECT_EQ(patterns({Modifier::kContains}, "mimikatz"), std::vector<std::string>{"*mimikatz*"});
  EXPECT_EQ(patterns({Modifier::kStartswith}, "C:\\Temp\\"), std::vector<std::string>{"C:\\Temp\\*"});
  EXPECT_EQ(patterns({Modifier::kEndswith}, "\\cmd.exe"), std::vector<std::string>{"*\\cmd.exe"});
  EXPECT_EQ(patterns({Modifier::kContains}, "*already*"), std::vector<std::string>{"*already*"});
  EXPECT_EQ(patterns({}, "exact"), std::vector<std::string>{"exact"});
  EXPECT_EQ(patterns({Modifier::kContains, Modifier::kEndswith}, "x"),
            std::vector<std::string>{"error: 'CommandLine': contains, startswith and endswith exclude each other"});
}

TEST(SigmaValue, Base64AndItsOffsets) {
  EXPECT_EQ(base64("whoami"), "d2hvYW1p");
  EXPECT_EQ(base64("ab"), "YWI=");
  EXPECT_EQ(base64("a"), "YQ==");
  // SigmaHQ's own example and pySigma's rule for the three offsets.
  EXPECT_EQ(base64_offsets("/bin/bash"), (std::vector<std::string>{"L2Jpbi9iYXNo", "9iaW4vYmFza", "vYmluL2Jhc2"}));
  EXPECT_EQ(base64_offsets("ping"), (std::vector<std::string>{"cGluZ", "Bpbm", "waW5n"}));
  EXPECT_EQ(patterns({Modifier::kBase64offset, Modifier::kContains}, "/bin/bash"),
            (std::vector<std::string>{"*L2Jpbi9iYXNo*", "*9iaW4vYmFza*", "*vYmluL2Jhc2*"}));
  EXPECT_EQ(patterns({Modifier::kBase64}, "a*b"),
            std::vector<std::string>{"error: 'CommandLine': base64 of a value holding wildcards is not defined"});
}

TEST(SigmaValue, Utf16Encodings) {
  EXPECT_EQ(utf16("ab", false, false), std::string("a\0b\0", 4));
  EXPECT_EQ(utf16("ab", true, false), std::string("\0a\0b", 4));
  EXPECT_EQ(utf16("a", false, true), std::string("\xFF\xFE" "a\0", 4));
  EXPECT_EQ(utf16("đ", false, false), std::string("\x11\x01", 2));
  EXPECT_EQ(utf16("\xF0\x9F\x98\x80", false, false), std::string("\x3D\xD8\x00\xDE", 4));  // U+1F600, a surrogate pair
  EXPECT_EQ(patterns({Modifier::kWide, Modifier::kBase64}, "whoami"), std::vector<std::string>{"dwBoAG8AYQBtAGkA"});
  EXPECT_EQ(patterns({Modifier::kUtf16, Modifier::kBase64}, "IEX"), std::vector<std::string>{"//5JAEUAWAA="});
}

TEST(SigmaValue, Windash) {
  EXPECT_EQ(windash_variants(" -enc "), (std::vector<std::string>{" -enc ", " /enc ", " \xE2\x80\x93" "enc ",
                                                                    " \xE2\x80\x94" "enc ", " \xE2\x80\x95" "enc "}));
  EXPECT_EQ(windash_variants("-a -b").size(), 25u);        // every combination
  EXPECT_EQ(windash_variants("a-b"), std::vector<std::string>{"a-b"});  // inside a word: not a switch
  EXPECT_EQ(windash_variants("x - y"), std::vector<std::string>{"x - y"});  // not followed by a word
  EXPECT_EQ(windash_variants("/c"), (std::vector<std::string>{"-c", "/c", "\xE2\x80\x93" "c", "\xE2\x80\x94" "c", "\xE2\x80\x95" "c"}));
  EXPECT_EQ(patterns({Modifier::kContains, Modifier::kWindash}, " -f ").size(), 5u);
  // A hostile rule cannot make the expansion explode.
  EXPECT_EQ(patterns({Modifier::kWindash}, "-a -b -c -d -e"),
            std::vector<std::string>{"error: 'CommandLine': windash over 5 switches (5^5 variants); at most 4 are expanded"});
}

TEST(SigmaValue, PatternsMatchWholeValuesCaselessByDefault) {
  const auto p = parse_wildcards("*\\POWERSHELL.exe");
  EXPECT_TRUE(pattern_matches(p, "C:\\Windows\\System32\\powershell.exe", false));
  EXPECT_FALSE(pattern_matches(p, "C:\\Windows\\System32\\powershell.exe", true));
  EXPECT_FALSE(pattern_matches(p, "C:\\powershell.exe.bak", false));
  EXPECT_TRUE(pattern_matches(parse_wildcards("a?c*"), "abcdef", false));
  EXPECT_FALSE(pattern_matches(parse_wildcards("a?c"), "ac", false));
  EXPECT_TRUE(pattern_matches(parse_wildcards("*ab*ab*"), "xabyyab", false));
  EXPECT_FALSE(pattern_matches(parse_wildcards("*ab*ab*"), "xab", false));
  EXPECT_TRUE(pattern_matches(parse_wildcards("*"), "", false));
  EXPECT_TRUE(pattern_matches(parse_wildcards(""), "", false));
  EXPECT_FALSE(pattern_matches(parse_wildcards(""), "x", false));
}
