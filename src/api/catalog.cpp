// The data the incident rules run on, for the UI and integrations: taxonomy, playbooks and
// regulatory profiles, in the caller's language. The same for every organisation.
#include <boost/json.hpp>

#include "api/routes.h"

namespace khien::api {

namespace {

std::string_view lang(const Ctx& c) { return c.locale == i18n::Locale::kEn ? "en" : "vi"; }

boost::json::array named(const Ctx& c, const std::vector<domain::NamedEntry>& v) {
  boost::json::array a;
  for (const auto& e : v) a.push_back({{"id", e.id}, {"name", e.name.in(lang(c))}});
  return a;
}

Result<http::Response> taxonomy(Ctx& c) {
  KHIEN_TRY(service::authorize(c.who(), domain::Action::kIncidentRead, service::Access::kRead));
  const auto& t = c.services.incidents.catalog().taxonomy;
  const auto l = lang(c);
  boost::json::array groups, scenarios;
  for (const auto& g : t.groups) groups.push_back({{"id", g.id}, {"name", g.name.in(l)}, {"cause", g.cause}});
  for (const auto& s : t.scenarios)
    scenarios.push_back({{"id", s.id}, {"number", s.number}, {"group", s.group}, {"name", s.name.in(l)}});
  return json_response(200, boost::json::object{{"cause_classes", named(c, t.cause_classes)},
                                                {"groups", std::move(groups)},
                                                {"scenarios", std::move(scenarios)},
                                                {"actors", named(c, t.actors)},
                                                {"severities", named(c, t.severities)},
                                                {"tlp", named(c, t.tlp)}});
}

boost::json::object playbook_summary(const Ctx& c, const domain::Playbook& p) {
  std::size_t steps = 0;
  for (const auto& [phase, list] : p.phases) steps += list.size();
  return {{"scenario", p.scenario},
          {"version", p.version},
          {"title", p.title.in(lang(c))},
          {"summary", p.summary.in(lang(c))},
          {"steps", steps}};
}

Result<http::Response> list_playbooks(Ctx& c) {
  KHIEN_TRY(service::authorize(c.who(), domain::Action::kIncidentRead, service::Access::kRead));
  boost::json::array items;
  for (const auto& p : c.services.incidents.catalog().playbooks) items.push_back(playbook_summary(c, p));
  return json_response(200, boost::json::object{{"items", std::move(items)}});
}

Result<http::Response> get_playbook(Ctx& c) {
  KHIEN_TRY(service::authorize(c.who(), domain::Action::kIncidentRead, service::Access::kRead));
  const auto* p = c.services.incidents.catalog().playbook(c.req.path_param("scenario").value_or(""));
  if (!p) return Error("not_found");
  const auto l = lang(c);
  auto out = playbook_summary(c, *p);
  boost::json::array refs, questions, hints, phases;
  for (const auto& r : p->references) refs.emplace_back(r);
  for (const auto& q : p->cause_questions) {
    boost::json::array suggests;
    for (const auto& s : q.suggests) suggests.emplace_back(s);
    questions.push_back({{"id", q.id}, {"text", q.text.in(l)}, {"suggests", std::move(suggests)}});
  }
  for (const auto& h : p->severity_hints) hints.push_back({{"severity", h.severity}, {"when", h.when.in(l)}});
  for (domain::Phase phase : domain::kPlaybookPhases) {
    boost::json::array steps;
    for (const auto& s : p->steps(phase)) {
      boost::json::array coordinating;
      for (const auto& a : s.coordinating) coordinating.emplace_back(a);
      steps.push_back({{"id", s.id},
                       {"title", s.title.in(l)},
                       {"detail", s.detail.in(l)},
                       {"responsible", s.responsible},
                       {"coordinating", std::move(coordinating)},
                       {"due_hours", s.due_hours}});
    }
    phases.push_back({{"phase", domain::phase_name(phase)}, {"steps", std::move(steps)}});
  }
  out["references"] = std::move(refs);
  out["cause_questions"] = std::move(questions);
  out["severity_hints"] = std::move(hints);
  out["phases"] = std::move(phases);
  return json_response(200, out);
}

Result<http::Response> list_profiles(Ctx& c) {
  KHIEN_TRY(service::authorize(c.who(), domain::Action::kIncidentRead, service::Access::kRead));
  const auto l = lang(c);
  boost::json::array items;
  for (const auto& p : c.services.incidents.catalog().profiles) {
    boost::json::array impacts, obligations;
    for (const auto& i : p.serious.impacts) impacts.push_back({{"id", i.id}, {"name", i.name.in(l)}, {"source", i.source}});
    for (const auto& o : p.obligations)
      obligations.push_back({{"id", o.id},
                             {"name", o.name.in(l)},
                             {"when", domain::condition_name(o.when)},
                             {"source", o.source.in(l)},
                             {"verified", o.verified}});
    items.push_back({{"id", p.id},
                     {"version", p.version},
                     {"name", p.name.in(l)},
                     {"time_zone", p.time_zone},
                     {"serious_defined", p.serious.defined},
                     {"serious_source", p.serious.source.in(l)},
                     {"impacts", std::move(impacts)},
                     {"obligations", std::move(obligations)}});
  }
  return json_response(200, boost::json::object{{"items", std::move(items)}});
}

}  // namespace

void add_catalog_routes(std::vector<RouteSpec>& r) {
  r.push_back({"GET", "/api/v1/taxonomy", taxonomy});
  r.push_back({"GET", "/api/v1/playbooks", list_playbooks});
  r.push_back({"GET", "/api/v1/playbooks/{scenario}", get_playbook});
  r.push_back({"GET", "/api/v1/regulatory-profiles", list_profiles});
}

}  // namespace khien::api
