// The YAML tree Sigma rules are read into (libyaml) against yaml-cpp, the oracle: the same
// documents, kinds, texts and plainness on every SigmaHQ rule file, and on the corners.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "detect/sigma/yaml.h"

using namespace khien::detect;
namespace fs = std::filesystem;

namespace {

// Compares a node with yaml-cpp's; returns the first difference, or empty.
std::string difference(const yaml::Node& ours, const YAML::Node& theirs, const std::string& where) {
  if (!theirs || theirs.IsNull()) return ours.is_null() ? "" : where + ": not null";
  if (theirs.IsScalar()) {
    if (!ours.is_scalar()) return where + ": not a scalar";
    if (ours.scalar() != theirs.Scalar()) return where + ": '" + ours.scalar() + "' is not '" + theirs.Scalar() + "'";
    if (ours.plain() != (theirs.Tag() == "?")) return where + ": plainness differs (tag " + theirs.Tag() + ")";
    return "";
  }
  if (ours.size() != theirs.size()) return where + ": sizes differ";
  if (theirs.IsSequence()) {
    if (!ours.is_sequence()) return where + ": not a list";
    std::size_t i = 0;
    for (const auto& item : ours)
      if (auto d = difference(item, theirs[i], where + "[" + std::to_string(i) + "]"); !d.empty()) return d;
      else ++i;
    return "";
  }
  if (!ours.is_map()) return where + ": not a map";
  auto it = theirs.begin();
  for (const auto& entry : ours) {
    if (auto d = difference(entry.first, it->first, where + " key"); !d.empty()) return d;
    if (auto d = difference(entry.second, it->second, where + "." + entry.first.scalar()); !d.empty()) return d;
    ++it;
  }
  return "";
}

yaml::Documents parse(const std::string& text) {
  auto docs = yaml::parse(text);
  EXPECT_TRUE(docs) << text << ": " << (docs ? "" : docs.error().detail());
  return docs ? std::move(*docs) : yaml::Documents{};
}

}  // namespace

TEST(Yaml, ReadsEverySigmaHqRuleAsYamlCppDoes) {
  const fs::path root = fs::path(KHIEN_SHARED_DATA) / "sigma";
  if (!fs::is_directory(root)) GTEST_SKIP() << "no SigmaHQ rules at " << root << " (../shared/data is absent)";
  std::size_t files = 0, nodes = 0;
  for (const auto& f : fs::recursive_directory_iterator(root)) {
    if (!f.is_regular_file() || (f.path().extension() != ".yml" && f.path().extension() != ".yaml")) continue;
    std::ifstream in(f.path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    std::vector<YAML::Node> theirs;
    try {
      for (const auto& d : YAML::LoadAll(text.str()))
        if (!d.IsNull()) theirs.push_back(d);
    } catch (const YAML::Exception& e) {
      EXPECT_FALSE(yaml::parse(text.str())) << f.path() << ": yaml-cpp refuses it (" << e.what() << "), we do not";
      continue;
    }
    const auto ours = yaml::parse(text.str());
    ASSERT_TRUE(ours) << f.path() << ": " << ours.error().detail();
    std::vector<yaml::Node> documents;
    for (const auto& d : ours->documents())
      if (!d.is_null()) documents.push_back(d);
    ASSERT_EQ(documents.size(), theirs.size()) << f.path();
    for (std::size_t k = 0; k < theirs.size(); ++k) {
      const auto d = difference(documents[k], theirs[k], f.path().string());
      EXPECT_EQ(d, "");
      nodes += documents[k].size();
    }
    ++files;
  }
  EXPECT_GT(files, 4000u);
  EXPECT_GT(nodes, 20000u);
}

TEST(Yaml, CornersAnswerAsYamlCppDoes) {
  const std::vector<std::string> texts = {
      "a: null\nb: ~\nc:\nd: 'null'\ne: \"~\"\nf: NULL\ng: nil\n",
      "a: 12\nb: '12'\nc: !!str 12\nd: 0x3e7\ne: true\nf: 'true'\n",
      "x: &v [1, 2]\ny: *v\nz: &m {k: v}\nw: *m\n",
      "block: |\n  two\n  lines\nfolded: >\n  one\n  line\nkeep: |+\n  end\n\n",
      "a: 1\na: 2\n",
      "list:\n  - a\n  - {b: c}\n  - [d, e]\n  -\n  - ''\n",
      "? [complex, key]\n: value\n",
      "'quoted key': 1\n\"double\": 2\n",
      "unicode: 'Thông tư 12/2022'\nescaped: \"tab\\there\\u00e9\"\n",
  };
  for (const auto& text : texts) {
    const auto ours = parse(text);
    ASSERT_EQ(ours.documents().size(), 1u) << text;
    EXPECT_EQ(difference(ours.documents()[0], YAML::Load(text), "document"), "") << text;
  }
  const auto repeated = parse("a: 1\na: 2\n");  // owns the nodes
  const auto doc = repeated.documents()[0];
  EXPECT_EQ(doc["a"].scalar(), "1");  // the first entry, as yaml-cpp gives it
  EXPECT_FALSE(doc["missing"]);
  EXPECT_TRUE(doc["missing"].is_null());
  EXPECT_EQ(doc["a"]["deeper"].scalar(), "");
}

TEST(Yaml, StreamsAndErrors) {
  EXPECT_TRUE(parse("").documents().empty());
  const auto two = parse("---\ntitle: a\n---\ntitle: b\n...\n");
  ASSERT_EQ(two.documents().size(), 2u);
  EXPECT_EQ(two.documents()[1]["title"].scalar(), "b");
  const auto broken = yaml::parse("title: a\nlist: [1, 2\nother: x\n");
  ASSERT_FALSE(broken);
  EXPECT_NE(broken.error().detail().find("(line "), std::string::npos) << broken.error().detail();
  const auto alias = yaml::parse("a: *nowhere\n");
  ASSERT_FALSE(alias);
  EXPECT_NE(alias.error().detail().find("nowhere"), std::string::npos) << alias.error().detail();
  const auto tab = yaml::parse("a:\n\t- b\n");
  EXPECT_FALSE(tab);
}
