#include <gtest/gtest.h>

#include "domain/observable.h"

using namespace khien::domain;

namespace {
std::string norm(ObservableKind k, std::string_view v) {
  auto r = normalize_observable(k, v);
  return r.ok() ? *r : "invalid: " + r.error().fields().at(0).detail;
}
bool rejected(ObservableKind k, std::string_view v) { return !normalize_observable(k, v).ok(); }
}  // namespace

TEST(Observable, KindNamesRoundTrip) {
  for (auto k : kAllObservableKinds) EXPECT_EQ(parse_observable_kind(observable_kind_name(k)), k);
  EXPECT_FALSE(parse_observable_kind("ssn"));
}

TEST(Observable, DefangedInputIsRefanged) {
  EXPECT_EQ(refang("hxxp://evil[.]example[.]com"), "http://evil.example.com");
  EXPECT_EQ(refang("hXXps://a(.)b{.}c[dot]d"), "https://a.b.c.d");
  EXPECT_EQ(refang("user[@]mail[.]vn"), "user@mail.vn");
  EXPECT_EQ(refang("10[.]0[.]0[.]1"), "10.0.0.1");
}

TEST(Observable, AddressesAndNetworksAreCanonical) {
  EXPECT_EQ(norm(ObservableKind::kIp, " 203.162.4.190 "), "203.162.4.190");
  EXPECT_EQ(norm(ObservableKind::kIp, "203[.]162[.]4[.]190"), "203.162.4.190");
  EXPECT_EQ(norm(ObservableKind::kIp, "2001:DB8:0:0::1"), "2001:db8::1");
  EXPECT_TRUE(rejected(ObservableKind::kIp, "256.1.1.1"));
  EXPECT_TRUE(rejected(ObservableKind::kIp, "example.com"));
  EXPECT_EQ(norm(ObservableKind::kCidr, "10.1.2.3/8"), "10.0.0.0/8");
  EXPECT_EQ(norm(ObservableKind::kCidr, "2001:db8::1/32"), "2001:db8::/32");
  EXPECT_TRUE(rejected(ObservableKind::kCidr, "10.0.0.0/33"));
  EXPECT_TRUE(rejected(ObservableKind::kCidr, "10.0.0.0"));
}

TEST(Observable, DomainsBecomeLowerCaseAsciiWithPunycode) {
  EXPECT_EQ(norm(ObservableKind::kDomain, "Mail.SXD.KhanhHoa.gov.vn."), "mail.sxd.khanhhoa.gov.vn");
  EXPECT_EQ(norm(ObservableKind::kDomain, "bücher.example"), "xn--bcher-kva.example");
  EXPECT_EQ(norm(ObservableKind::kDomain, "xâydựng.vn").rfind("xn--", 0), 0u);
  EXPECT_TRUE(rejected(ObservableKind::kDomain, "localhost"));
  EXPECT_TRUE(rejected(ObservableKind::kDomain, "exa mple.com"));
}

TEST(Observable, UrlsKeepTheirPathAndNormaliseTheHost) {
  EXPECT_EQ(norm(ObservableKind::kUrl, "hxxp://Evil[.]Example[.]com/Payload.EXE?x=1"), "http://evil.example.com/Payload.EXE?x=1");
  EXPECT_EQ(norm(ObservableKind::kUrl, "HTTPS://bücher.example:8443"), "https://xn--bcher-kva.example:8443/");
  EXPECT_EQ(norm(ObservableKind::kUrl, "http://[2001:DB8::1]/a"), "http://[2001:db8::1]/a");
  EXPECT_TRUE(rejected(ObservableKind::kUrl, "evil.example.com/a"));
  EXPECT_TRUE(rejected(ObservableKind::kUrl, "http://evil.example.com:80x/"));
}

TEST(Observable, EmailsHashesAndRegistryKeys) {
  EXPECT_EQ(norm(ObservableKind::kEmail, "Ke.Toan[@]SXD[.]gov[.]vn"), "Ke.Toan@sxd.gov.vn");
  EXPECT_TRUE(rejected(ObservableKind::kEmail, "@sxd.gov.vn"));
  EXPECT_EQ(norm(ObservableKind::kMd5, "D41D8CD98F00B204E9800998ECF8427E"), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_TRUE(rejected(ObservableKind::kSha1, "d41d8cd98f00b204e9800998ecf8427e"));
  EXPECT_EQ(norm(ObservableKind::kSha256, std::string(64, 'A')), std::string(64, 'a'));
  EXPECT_EQ(norm(ObservableKind::kRegistryKey, "hklm\\Software\\Microsoft\\Windows\\CurrentVersion\\Run"),
            "HKEY_LOCAL_MACHINE\\Software\\Microsoft\\Windows\\CurrentVersion\\Run");
  EXPECT_TRUE(rejected(ObservableKind::kRegistryKey, "Software\\Run"));
  EXPECT_EQ(norm(ObservableKind::kAccount, "  SXD\\ketoan01 "), "SXD\\ketoan01");
  EXPECT_TRUE(rejected(ObservableKind::kAccount, "   "));
}
