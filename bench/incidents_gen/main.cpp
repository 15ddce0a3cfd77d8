// Benchmark of the incident store: generates incidents with tasks, observables and timeline
// entries through the service layer (as the API would), then times the list with filters, the
// full-text search, the statistics and the incident page's reads. Prints one line per figure;
// bench/incidents runs it and the sqlite3 baselines.
// Usage: khien_bench_incidents DATA_DIR COUNT
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "base/crypto.h"
#include "service/services.h"
#include "store/evidence_dir.h"
#include "store/sqlite/sqlite_store.h"

using namespace khien;
using namespace khien::service;
using Steady = std::chrono::steady_clock;

namespace {

constexpr const char* kWords[] = {"máy chủ", "cổng thông tin", "thư điện tử", "mã độc", "tài khoản", "mạng nội bộ",
                                  "tường lửa", "cơ sở dữ liệu", "dịch vụ công", "sao lưu", "mật khẩu", "phần mềm",
                                  "truy cập", "giả mạo", "tấn công", "lỗi", "quá tải", "nguồn điện"};

double ms(Steady::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

struct Timing {
  std::vector<double> samples;
  void add(double v) { samples.push_back(v); }
  double pct(double p) {
    std::sort(samples.begin(), samples.end());
    return samples[std::min(samples.size() - 1, static_cast<std::size_t>(p * static_cast<double>(samples.size())))];
  }
};

void report(const char* name, Timing& t) {
  std::printf("%-28s p50 %8.2f ms   p99 %8.2f ms   (%zu runs)\n", name, t.pct(0.50), t.pct(0.99), t.samples.size());
}

template <class T>
const T& must(const Result<T>& r, const char* what) {
  if (!r.ok()) {
    std::fprintf(stderr, "%s: %s %s\n", what, r.error().code().c_str(), r.error().detail().c_str());
    std::exit(1);
  }
  return r.value();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s DATA_DIR COUNT\n", argv[0]);
    return 2;
  }
  crypto::init();
  const std::filesystem::path dir = argv[1];
  const int count = std::stoi(argv[2]);
  std::filesystem::create_directories(dir);
  const auto db = dir / "khien.db";
  must(store::migrate_sqlite(db), "migrate");
  auto opened = store::open_sqlite_store(db, 4);
  auto& st = must(opened, "open");
  SystemClock clock;
  SecuritySettings settings;
  auto catalog = must(builtin_catalog(), "catalog");
  store::EvidenceDirectory files(dir / "evidence");
  Services services(*st, clock, settings, catalog, files);
  const RequestMeta meta{"127.0.0.1", "bench"};

  // One agency under a coordinator, an administrator.
  auto national = must(services.organizations.create_as_operator({"vncert", "VNCERT/CC", domain::OrgKind::kNational, {}, false}, meta), "org");
  auto province = must(services.organizations.create_as_operator({"so-tttt", "Sở TT&TT", domain::OrgKind::kCoordinator, national.id, false}, meta), "org");
  auto agency = must(services.organizations.create_as_operator({"so-xay-dung", "Sở Xây dựng", domain::OrgKind::kAgency, province.id, false}, meta), "org");
  UserCreate uc{"bench.admin", "Bench", "", domain::Role::kAdministrator, agency.id, "Bench-Password-2026!"};
  auto admin = must(services.users.create_as_operator(uc, meta), "user");
  Principal p;
  p.user = admin.id;
  p.username = admin.username;
  p.organization = agency.id;
  p.tenant = agency.id;
  p.role = domain::Role::kAdministrator;

  std::mt19937 rng(42);
  const auto pick = [&](auto& list) -> decltype(auto) { return list[rng() % std::size(list)]; };
  const auto& scenarios = catalog.taxonomy.scenarios;
  const char* severities[] = {"low", "medium", "high", "critical"};
  const auto now = clock.now();

  const auto gen_start = Steady::now();
  std::vector<IncidentId> ids;
  for (int n = 0; n < count; ++n) {
    IncidentInput in;
    in.title = std::string("Sự cố ") + pick(kWords) + " " + pick(kWords) + " " + std::to_string(n);
    in.description = std::string("Phát hiện ") + pick(kWords) + " bất thường tại " + pick(kWords);
    in.scenario = scenarios[rng() % scenarios.size()].id;
    in.severity = severities[rng() % 4];
    in.detected_at = now - std::chrono::minutes(rng() % (365 * 24 * 60));
    in.is_drill = rng() % 20 == 0;
    auto v = must(services.incidents.create(p, in, meta), "incident");
    ids.push_back(v.incident.id);
    ObservableInput o;
    o.kind = "ip";
    o.value = "203.0." + std::to_string(rng() % 256) + "." + std::to_string(rng() % 256);
    must(services.incidents.add_observable(p, v.incident.id, o, meta), "observable");
    o.kind = "domain";
    o.value = std::string("evil") + std::to_string(rng() % 5000) + ".example.com";
    must(services.incidents.add_observable(p, v.incident.id, o, meta), "observable");
    must(services.incidents.add_timeline(p, v.incident.id, {*in.detected_at, "Ghi nhận ban đầu: " + in.description, "bench", {}}, meta),
         "timeline");
    if ((n + 1) % 10000 == 0) std::fprintf(stderr, "generated %d incidents (%.0f s)\n", n + 1, ms(Steady::now() - gen_start) / 1000);
  }
  std::printf("generated %d incidents in %.1f s (%.2f ms each, with tasks, 2 observables and a timeline entry)\n", count,
              ms(Steady::now() - gen_start) / 1000, ms(Steady::now() - gen_start) / count);
  std::printf("database size %.1f MB\n", static_cast<double>(std::filesystem::file_size(db)) / 1e6);

  Timing list, search, stats, page;
  const char* phases[] = {"received", "verifying", "containment"};
  for (int i = 0; i < 300; ++i) {
    IncidentQuery q;
    q.filter.limit = 50;
    q.filter.scenario = scenarios[rng() % scenarios.size()].id;
    if (i % 2) q.filter.phases = {phases[rng() % 3]};
    if (i % 3 == 0) q.filter.severity = severities[rng() % 4];
    const auto t0 = Steady::now();
    must(services.incidents.list(p, q), "list");
    list.add(ms(Steady::now() - t0));
  }
  for (int i = 0; i < 300; ++i) {
    IncidentQuery q;
    q.filter.limit = 50;
    q.filter.text = std::string(pick(kWords)) + (i % 2 ? " " + std::string(pick(kWords)) : "");
    const auto t0 = Steady::now();
    must(services.incidents.list(p, q), "search");
    search.add(ms(Steady::now() - t0));
  }
  for (int i = 0; i < 20; ++i) {
    const auto t0 = Steady::now();
    must(services.statistics.incidents(p, now - std::chrono::days(366), now + std::chrono::minutes(1), false), "stats");
    stats.add(ms(Steady::now() - t0));
  }
  for (int i = 0; i < 300; ++i) {
    const auto id = ids[rng() % ids.size()];
    const auto t0 = Steady::now();
    must(services.incidents.get(p, id), "get");
    must(services.incidents.tasks(p, id), "tasks");
    must(services.incidents.timeline(p, id), "timeline");
    must(services.incidents.observables(p, id), "observables");
    page.add(ms(Steady::now() - t0));
  }
  report("list with filters (50)", list);
  report("full-text search (50)", search);
  report("statistics (1 year)", stats);
  report("incident page (4 reads)", page);
  return 0;
}
