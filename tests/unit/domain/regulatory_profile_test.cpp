#include <gtest/gtest.h>

#include "base/time.h"
#include "domain/regulatory_profile.h"
#include "service/catalog.h"
#include "support/builtin_catalog.h"

using namespace khien;
using namespace khien::domain;

namespace {

const service::Catalog& catalog() { return khien::test_support::builtin(); }
const RegulatoryProfile& p2017() { return *catalog().profile("2017"); }
const RegulatoryProfile& p2026() { return *catalog().profile("2026"); }

Timestamp at(const char* s) { return *parse_rfc3339(s); }
std::string show(std::optional<Timestamp> t) { return t ? format_rfc3339(*t) : "none"; }

SeriousFacts level(int l, std::vector<std::string> impacts, bool beyond) {
  return SeriousFacts{{{"Cổng thông tin điện tử", l, false}}, std::move(impacts), beyond};
}

std::vector<std::string> ids(const std::vector<Obligation>& v) {
  std::vector<std::string> out;
  for (const auto& o : v) out.push_back(o.rule->id);
  return out;
}

const Obligation& find(const std::vector<Obligation>& v, const std::string& id) {
  for (const auto& o : v)
    if (o.rule->id == id) return o;
  throw std::runtime_error("no obligation " + id);
}

}  // namespace

TEST(SeriousIncident, AllThreeCriteriaOfDecision05Article9MustHold) {
  auto a = assess_serious(p2017(), level(4, {"service-interruption"}, true));
  EXPECT_TRUE(a.serious);
  ASSERT_EQ(a.reasons.size(), 3u);
  EXPECT_EQ(a.reasons[0].criterion, "system_level");
  EXPECT_EQ(a.reasons[0].subject, "Cổng thông tin điện tử");
  EXPECT_TRUE(a.reasons[0].met);
  EXPECT_EQ(a.reasons[1].subject, "service-interruption");
  EXPECT_TRUE(a.reasons[2].met);

  EXPECT_TRUE(assess_serious(p2017(), level(5, {"loss-of-control", "wide-spread"}, true)).serious);
  EXPECT_FALSE(assess_serious(p2017(), level(3, {"service-interruption"}, true)).serious);
  EXPECT_FALSE(assess_serious(p2017(), level(4, {}, true)).serious);
  EXPECT_FALSE(assess_serious(p2017(), level(4, {"not-a-criterion"}, true)).serious);
  EXPECT_FALSE(assess_serious(p2017(), level(4, {"integrity-loss"}, false)).serious);
  EXPECT_FALSE(assess_serious(p2017(), SeriousFacts{{}, {"integrity-loss"}, true}).serious);
}

TEST(SeriousIncident, ANationalCriticalSystemCountsWhateverItsLevel) {
  SeriousFacts f{{{"Hệ thống A", 0, true}}, {"secret-data-disclosure"}, true};
  EXPECT_TRUE(assess_serious(p2017(), f).serious);
}

TEST(SeriousIncident, OneQualifyingSystemAmongSeveralIsEnough) {
  SeriousFacts f{{{"Một cửa", 2, false}, {"Cổng", 4, false}}, {"service-interruption"}, true};
  auto a = assess_serious(p2017(), f);
  EXPECT_TRUE(a.serious);
  EXPECT_FALSE(a.reasons[0].met);
  EXPECT_TRUE(a.reasons[1].met);
}

TEST(SeriousIncident, TheProfile2026DefinesNoCriteria) {
  auto a = assess_serious(p2026(), level(5, {"service-interruption"}, true));
  EXPECT_FALSE(a.serious);
  ASSERT_EQ(a.reasons.size(), 1u);
  EXPECT_EQ(a.reasons[0].criterion, "not_defined");
}

TEST(Deadlines, DaysCountFromTheNextDayInTheProfileZoneAndEndAtItsEnd) {
  const auto& rule = p2017().obligation("incident-notification")->due;
  // Friday 27/11 01:00 in Hà Nội (Thursday 18:00 UTC): day one is Saturday 28/11, day five
  // Wednesday 02/12, ending at 24:00 Hà Nội time.
  EXPECT_EQ(show(deadline(p2017(), rule, at("2026-11-26T18:00:00Z"))), "2026-12-02T16:59:59.999Z");
  // Tuesday 24/11 10:00 local: day five is Sunday 29/11, so the period ends on Monday 30/11.
  EXPECT_EQ(show(deadline(p2017(), rule, at("2026-11-24T10:00:00+07:00"))), "2026-11-30T16:59:59.999Z");
  // Wednesday 25/11 23:59 local is still the 25th: day five is Monday 30/11.
  EXPECT_EQ(show(deadline(p2017(), rule, at("2026-11-25T23:59:00+07:00"))), "2026-11-30T16:59:59.999Z");
}

TEST(Deadlines, AHolidayOnTheLastDayMovesItToTheNextWorkingDay) {
  RegulatoryProfile p = p2017();
  p.day_counting.holidays = {"2026-11-30", "2026-12-01"};
  const auto& rule = p.obligation("incident-notification")->due;
  EXPECT_EQ(show(deadline(p, rule, at("2026-11-24T10:00:00+07:00"))), "2026-12-02T16:59:59.999Z");
}

TEST(Deadlines, WorkingDaysSkipWeekendsAndHolidays) {
  RegulatoryProfile p = p2017();
  DeadlineRule rule{Anchor::kDetected, DeadlineUnit::kWorkingDays, 2};
  // Friday: Monday and Tuesday are the two working days.
  EXPECT_EQ(show(deadline(p, rule, at("2026-11-27T09:00:00+07:00"))), "2026-12-01T16:59:59.999Z");
  p.day_counting.holidays = {"2026-11-30"};
  EXPECT_EQ(show(deadline(p, rule, at("2026-11-27T09:00:00+07:00"))), "2026-12-02T16:59:59.999Z");
}

TEST(Deadlines, HoursAreExactAndImmediatelyIsTheMomentItself) {
  const auto t = at("2026-11-27T22:15:30.250+07:00");
  EXPECT_EQ(show(deadline(p2026(), p2026().obligation("initial-notification")->due, t)), "2026-11-28T15:15:30.250Z");
  EXPECT_EQ(show(deadline(p2026(), p2026().obligation("incident-report")->due, t)), "2026-11-30T15:15:30.250Z");
  EXPECT_EQ(show(deadline(p2017(), p2017().obligation("initial-report")->due, t)), format_rfc3339(t));
  EXPECT_EQ(show(deadline(p2026(), p2026().obligation("closing-report")->due, t)), "none");
}

TEST(Obligations, ANormalIncidentOwesTheNotificationWithinFiveDays) {
  IncidentMoments m{at("2026-11-24T10:00:00+07:00"), {}, {}, {}};
  auto o = derive_obligations(p2017(), {}, m, {}, at("2026-11-25T10:00:00+07:00"));
  EXPECT_EQ(ids(o), (std::vector<std::string>{"incident-notification", "notification-update"}));
  EXPECT_EQ(o[0].status, ObligationStatus::kPending);
  EXPECT_EQ(show(o[0].due_at), "2026-11-30T16:59:59.999Z");
  EXPECT_EQ(o[1].status, ObligationStatus::kWaiting);

  o = derive_obligations(p2017(), {}, m, {}, at("2026-12-01T08:00:00+07:00"));
  EXPECT_EQ(o[0].status, ObligationStatus::kOverdue);

  o = derive_obligations(p2017(), {}, m, {{"incident-notification", at("2026-12-01T08:00:00+07:00")}},
                         at("2026-12-02T08:00:00+07:00"));
  EXPECT_EQ(o[0].status, ObligationStatus::kDone);
  EXPECT_TRUE(o[0].done_late);
}

TEST(Obligations, BeyondCapacityOwesForm03AtOnceAndForm04FiveDaysAfterTheEnd) {
  IncidentConditions c;
  c.beyond_capacity = true;
  IncidentMoments m{at("2026-11-24T10:00:00+07:00"), at("2026-11-24T15:00:00+07:00"), {}, {}};
  auto o = derive_obligations(p2017(), c, m, {}, at("2026-11-24T15:30:00+07:00"));
  EXPECT_EQ(ids(o), (std::vector<std::string>{"incident-notification", "initial-report", "closing-report",
                                               "notification-update"}));
  EXPECT_EQ(find(o, "initial-report").status, ObligationStatus::kOverdue);
  EXPECT_EQ(show(find(o, "initial-report").due_at), "2026-11-24T08:00:00.000Z");
  EXPECT_EQ(find(o, "closing-report").status, ObligationStatus::kWaiting);

  m.response_ended = at("2026-12-03T09:00:00+07:00");
  o = derive_obligations(p2017(), c, m,
                         {{"initial-report", at("2026-11-24T15:20:00+07:00")},
                          {"incident-notification", at("2026-11-24T16:00:00+07:00")}},
                         at("2026-12-04T09:00:00+07:00"));
  EXPECT_EQ(find(o, "initial-report").status, ObligationStatus::kDone);
  EXPECT_TRUE(find(o, "initial-report").done_late);  // "immediately" means at once
  EXPECT_EQ(find(o, "closing-report").status, ObligationStatus::kPending);
  EXPECT_EQ(show(find(o, "closing-report").due_at), "2026-12-08T16:59:59.999Z");
  EXPECT_EQ(find(o, "notification-update").status, ObligationStatus::kOverdue);
}

TEST(Obligations, TheUpdateIsNotOwedWhenTheNotificationCameAfterTheEnd) {
  IncidentMoments m{at("2026-11-24T10:00:00+07:00"), {}, {}, at("2026-11-24T12:00:00+07:00")};
  auto o = derive_obligations(p2017(), {}, m, {{"incident-notification", at("2026-11-25T09:00:00+07:00")}},
                              at("2026-11-26T09:00:00+07:00"));
  EXPECT_EQ(ids(o), (std::vector<std::string>{"incident-notification"}));
}

TEST(Obligations, Profile2026CountsHoursFromDetection) {
  IncidentConditions c;
  c.serious = true;
  c.personal_data_breach = true;
  IncidentMoments m{at("2026-11-24T10:00:00+07:00"), {}, at("2026-11-24T11:00:00+07:00"), {}};
  auto o = derive_obligations(p2026(), c, m, {}, at("2026-11-25T11:00:00+07:00"));
  EXPECT_EQ(ids(o), (std::vector<std::string>{"initial-notification", "incident-report", "personal-data-breach",
                                               "closing-report"}));
  EXPECT_EQ(find(o, "initial-notification").status, ObligationStatus::kOverdue);
  EXPECT_EQ(find(o, "incident-report").status, ObligationStatus::kPending);
  EXPECT_EQ(show(find(o, "personal-data-breach").due_at), "2026-11-27T03:00:00.000Z");
}

TEST(RegulatoryProfile, EveryRuleCitesItsSourceInBothLanguages) {
  for (const auto& p : catalog().profiles) {
    EXPECT_FALSE(p.serious.source.vi.empty());
    for (const auto& o : p.obligations) {
      EXPECT_FALSE(o.source.vi.empty()) << p.id << "/" << o.id;
      EXPECT_FALSE(o.source.en.empty()) << p.id << "/" << o.id;
      EXPECT_FALSE(o.recipients.empty()) << p.id << "/" << o.id;
    }
  }
}

TEST(RegulatoryProfile, FaultsAreNamedWithTheirPlace) {
  const std::string good(R"(id: "x"
version: 1
name: {vi: "X", en: "X"}
time_zone: Asia/Ho_Chi_Minh
day_counting: {source: {vi: a, en: a}, verified: false, weekend: [saturday, sunday], holidays: []}
recipients:
  - {id: owner, name: {vi: a, en: a}, resolve: agency}
serious: {defined: false, source: {vi: a, en: a}, verified: false}
obligations:
  - id: note
    name: {vi: a, en: a}
    when: always
    recipients: [owner]
    due: {from: detected, within: {days: 5}}
    source: {vi: a, en: a}
    verified: true
)");
  ASSERT_TRUE(parse_regulatory_profile(good, "x.yml").ok()) << parse_regulatory_profile(good, "x.yml").error().detail();
  const auto fault = [&](const std::string& from, const std::string& to) {
    std::string text = good;
    text.replace(text.find(from), from.size(), to);
    auto r = parse_regulatory_profile(text, "x.yml");
    return r.ok() ? std::string("accepted") : r.error().detail();
  };
  EXPECT_EQ(fault("Asia/Ho_Chi_Minh", "Asia/Atlantis"), "x.yml: time_zone (line 4): 'Asia/Atlantis' is not a known time zone");
  EXPECT_EQ(fault("recipients: [owner]", "recipients: [vncert]"),
            "x.yml: obligations[0].recipients (line 13): 'vncert' is not a recipient of the profile");
  EXPECT_EQ(fault("{days: 5}", "{weeks: 5}"), "x.yml: obligations[0].due.within (line 14): unknown unit 'weeks'");
  EXPECT_EQ(fault("{days: 5}", "{days: -1}"),
            "x.yml: obligations[0].due.within.days (line 14): must be a whole number from 1 to 8760");
  EXPECT_EQ(fault("when: always", "when: sometimes"),
            "x.yml: obligations[0].when: 'sometimes' is not one of: always, beyond_capacity, national_security, "
            "personal_data_breach, serious");
  EXPECT_EQ(fault("name: {vi: \"X\", en: \"X\"}", "name: {vi: \"X\"}"), "x.yml: name.en (line 3): is required");
  EXPECT_EQ(fault("weekend: [saturday, sunday]", "weekend: [caturday]"),
            "x.yml: day_counting.weekend (line 5): 'caturday' is not a weekday");
  EXPECT_NE(fault("version: 1", "version: [1"), "accepted");
}
