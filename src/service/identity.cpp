#include "service/identity.h"

#include <boost/json.hpp>

#include <algorithm>

#include "base/crypto.h"
#include "domain/totp.h"
#include "service/audit_trail.h"
#include "service/organizations.h"

namespace khien::service {

namespace {
constexpr auto kTouchEvery = std::chrono::minutes(1);  // last_seen / last_used written at most this often

// A hash to verify against when the user does not exist, so both answers take as long.
const std::string& timing_hash() {
  static const std::string h = crypto::hash_password("khien: no such user, same work");
  return h;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

AuditEvent self_event(const Principal& p, std::string action) {
  return event_by(p, std::move(action), "user", p.user.str());
}
}  // namespace

Status check_password_policy(const SecuritySettings& s, std::string_view field, std::string_view password,
                             std::string_view username) {
  if (auto reason = domain::check_password(s.password_policy, password, username))
    return validation_error(std::string(field), "password_policy", *reason);
  return {};
}

Identity::Identity(Store& store, const Clock& clock, SecuritySettings settings)
    : store_(store),
      clock_(clock),
      settings_(settings),
      throttle_(settings.max_failures_per_account, settings.max_failures_per_address, settings.throttle_window) {
  timing_hash();
}

Result<Principal> Identity::principal_for(Tx& tx, const User& user) {
  const auto org = tx.find_organization(user.organization);
  if (!org) return Error("unauthenticated");
  Principal p;
  p.user = user.id;
  p.username = user.username;
  p.organization = user.organization;
  p.tenant = org->kind == domain::OrgKind::kUnit ? tenant_of(tx, user.organization) : user.organization;
  p.role = user.role;
  p.password_change_required = user.password_change_required;
  bool totp_required = org->require_totp;
  if (!totp_required && p.tenant != p.organization) {
    if (auto t = tx.find_organization(p.tenant)) totp_required = t->require_totp;
  }
  p.totp_enrolment_required = totp_required && !user.totp_secret;
  return p;
}

Result<LoginResult> Identity::login(const LoginInput& in, const RequestMeta& meta) {
  const auto now = clock_.now();
  const std::string account = lower(in.username);
  const std::string address = meta.address;

  auto fail = [&](std::optional<User> user, std::string reason, Error error) -> Error {
    throttle_.failed(account, address, now);
    const Status st = store_.write([&](Tx& tx) -> Status {
      AuditEvent e;
      e.actor = in.username.substr(0, 64);
      e.action = "auth.login_failed";
      e.target_type = "user";
      if (user) {
        e.actor_id = user->id;
        e.organization = tenant_of(tx, user->organization);
        e.target_id = user->id.str();
      }
      e.changes["reason"] = reason;
      e.success = false;
      record(tx, clock_, meta, std::move(e));
      return {};
    });
    if (!st.ok()) return st.error();
    return error;
  };

  if (auto wait = throttle_.blocked(account, address, now)) {
    // Throttled attempts are audited too but do not extend the lock-out.
    const Status st = store_.write([&](Tx& tx) -> Status {
      AuditEvent e;
      e.actor = in.username.substr(0, 64);
      e.action = "auth.login_throttled";
      e.target_type = "user";
      e.success = false;
      if (auto u = tx.find_user_by_username(account)) {
        e.actor_id = u->id;
        e.organization = tenant_of(tx, u->organization);
        e.target_id = u->id.str();
      }
      record(tx, clock_, meta, std::move(e));
      return {};
    });
    if (!st.ok()) return st.error();
    return Error("rate_limited").with_retry_after(*wait);
  }

  std::optional<User> user;
  KHIEN_TRY(store_.read([&](Tx& tx) -> Status {
    user = tx.find_user_by_username(account);
    return {};
  }));
  if (!user) {
    crypto::verify_password(timing_hash(), in.password);
    return fail(std::nullopt, "unknown_user", Error("invalid_credentials"));
  }
  const bool password_ok = crypto::verify_password(user->password_hash, in.password);
  if (!password_ok || user->disabled)
    return fail(user, password_ok ? "disabled" : "wrong_password", Error("invalid_credentials"));

  std::optional<std::int64_t> totp_step;
  if (user->totp_secret) {
    if (!in.totp) return Error("totp_required");
    const auto secret = crypto::base32_decode(*user->totp_secret).value_or(std::vector<std::uint8_t>{});
    totp_step = domain::verify_totp(secret, *in.totp, now, user->totp_last_step);
    if (!totp_step) return fail(user, "invalid_totp", Error("invalid_totp"));
  }

  throttle_.succeeded(account);
  LoginResult out;
  out.session_id = crypto::random_token(32);
  out.csrf_token = crypto::random_token(32);
  KHIEN_TRY(store_.write([&](Tx& tx) -> Status {
    auto fresh = tx.find_user(user->id);
    if (!fresh) return Error("invalid_credentials");
    if (totp_step) fresh->totp_last_step = *totp_step;
    fresh->last_login_at = now;
    tx.update_user(*fresh);
    tx.delete_sessions_before(now - settings_.session_absolute, now - settings_.session_idle);
    if (in.previous_session_id) tx.delete_session(crypto::sha256_hex(*in.previous_session_id));
    tx.insert_session(Session{crypto::sha256_hex(out.session_id), fresh->id, out.csrf_token, now, now, meta.address,
                              meta.user_agent.substr(0, 512)});
    auto p = principal_for(tx, *fresh);
    if (!p.ok()) return p.error();
    p->csrf_token = out.csrf_token;
    auto e = self_event(*p, "auth.login");
    if (totp_step) e.changes["totp"] = true;
    record(tx, clock_, meta, std::move(e));
    auto me = load_me(tx, *p);
    if (!me.ok()) return me.error();
    out.me = std::move(me).value();
    return {};
  }));
  return out;
}

Status Identity::logout(const Principal& p, const RequestMeta& meta) {
  return store_.write([&](Tx& tx) -> Status {
    if (!p.session_id_hash.empty()) tx.delete_session(p.session_id_hash);
    record(tx, clock_, meta, self_event(p, "auth.logout"));
    return {};
  });
}

Result<Principal> Identity::authenticate_session(std::string_view session_id) {
  const auto now = clock_.now();
  const auto hash = crypto::sha256_hex(session_id);
  std::optional<Session> session;
  std::optional<Principal> principal;
  bool expired = false;
  KHIEN_TRY(store_.read([&](Tx& tx) -> Status {
    session = tx.find_session(hash);
    if (!session) return {};
    if (session->created_at + settings_.session_absolute <= now || session->last_seen_at + settings_.session_idle <= now) {
      expired = true;
      return {};
    }
    auto user = tx.find_user(session->user);
    if (!user || user->disabled) return {};
    auto p = principal_for(tx, *user);
    if (p.ok()) principal = std::move(p).value();
    return {};
  }));
  if (expired) {
    KHIEN_TRY(store_.write([&](Tx& tx) -> Status {
      tx.delete_session(hash);
      return {};
    }));
    return Error("session_expired");
  }
  if (!principal) return Error("unauthenticated");
  if (session->last_seen_at + kTouchEvery <= now) {
    KHIEN_TRY(store_.write([&](Tx& tx) -> Status {
      tx.touch_session(hash, now);
      return {};
    }));
  }
  principal->session_id_hash = hash;
  principal->csrf_token = session->csrf_token;
  return *principal;
}

Result<Principal> Identity::authenticate_token(std::string_view secret) {
  const auto now = clock_.now();
  const auto hash = crypto::sha256_hex(secret);
  std::optional<ApiToken> token;
  std::optional<Principal> principal;
  KHIEN_TRY(store_.read([&](Tx& tx) -> Status {
    token = tx.find_token_by_hash(hash);
    if (!token || token->revoked_at || (token->expires_at && *token->expires_at <= now)) return {};
    auto user = tx.find_user(token->user);
    if (!user || user->disabled) return {};
    auto p = principal_for(tx, *user);
    if (p.ok()) principal = std::move(p).value();
    return {};
  }));
  if (!principal) return Error("unauthenticated");
  if (!token->last_used_at || *token->last_used_at + kTouchEvery <= now) {
    KHIEN_TRY(store_.write([&](Tx& tx) -> Status {
      if (auto t = tx.find_token(token->id)) {
        t->last_used_at = now;
        tx.update_token(*t);
      }
      return {};
    }));
  }
  principal->via_token = true;
  principal->read_only = token->scope == "read";
  // A token acts for a user who has already finished the first sign-in duties in the UI.
  return *principal;
}

Result<Me> Identity::load_me(Tx& tx, const Principal& p) {
  auto user = tx.find_user(p.user);
  auto org = tx.find_organization(p.organization);
  if (!user || !org) return Error("unauthenticated");
  Me me{*user, *org, {}, p.totp_enrolment_required};
  for (auto a : domain::kAllActions)
    if (domain::permits(p.role, a)) me.permissions.emplace_back(domain::action_name(a));
  return me;
}

Result<Me> Identity::me(const Principal& p) {
  KHIEN_TRY(authorize(p, domain::Action::kOwnAccountManage, Access::kRead));
  std::optional<Me> out;
  KHIEN_TRY(store_.read([&](Tx& tx) -> Status {
    auto me = load_me(tx, p);
    if (!me.ok()) return me.error();
    out = std::move(me).value();
    return {};
  }));
  return *out;
}

Result<Me> Identity::update_me(const Principal& p, std::optional<std::string> display_name,
                               std::optional<std::string> locale, const RequestMeta& meta) {
  KHIEN_TRY(authorize(p, domain::Action::kOwnAccountManage, Access::kChange));
  std::optional<Me> out;
  KHIEN_TRY(store_.write([&](Tx& tx) -> Status {
    auto user = tx.find_user(p.user);
    if (!user) return Error("unauthenticated");
    auto e = self_event(p, "me.update");
    if (display_name && *display_name != user->display_name) {
      note_change(e.changes, "display_name", boost::json::string(user->display_name), boost::json::string(*display_name));
      user->display_name = *display_name;
    }
    if (locale && *locale != user->locale) {
      note_change(e.changes, "locale", boost::json::string(user->locale), boost::json::string(*locale));
      user->locale = *locale;
    }
    if (!e.changes.empty()) {
      tx.update_user(*user);
      record(tx, clock_, meta, std::move(e));
    }
    auto me = load_me(tx, p);
    if (!me.ok()) return me.error();
    out = std::move(me).value();
    return {};
  }));
  return *out;
}

Status Identity::change_password(const Principal& p, std::string_view current, std::string_view next,
                                 const RequestMeta& meta) {
  KHIEN_TRY(authorize(p, domain::Action::kOwnAccountManage, Access::kChange));
  KHIEN_TRY(check_password_policy(settings_, "new_password", next, p.username));
  if (current == next) return validation_error("new_password", "password_unchanged");
  std::optional<User> user;
  KHIEN_TRY(store_.read([&](Tx& tx) -> Status {
    user = tx.find_user(p.user);
    return {};
  }));
  if (!user) return Error("unauthenticated");
  if (!crypto::verify_password(user->password_hash, current))
    return validation_error("current_password", "wrong_password");
  const auto hash = crypto::hash_password(next);
  return store_.write([&](Tx& tx) -> Status {
    auto u = tx.find_user(p.user);
    if (!u) return Error("unauthenticated");
    u->password_hash = hash;
    u->password_change_required = false;
    tx.update_user(*u);
    // Other sessions of the user end; this one stays.
    tx.delete_sessions_of(p.user, p.session_id_hash);
    record(tx, clock_, meta, self_event(p, "me.password_change"));
    return {};
  });
}

Result<TotpEnrolment> Identity::begin_totp(const Principal& p, const RequestMeta& meta) {
  KHIEN_TRY(authorize(p, domain::Action::kOwnAccountManage, Access::kChange));
  const auto secret = crypto::base32_encode(crypto::random_bytes(20));
  KHIEN_TRY(store_.write([&](Tx& tx) -> Status {
    auto u = tx.find_user(p.user);
    if (!u) return Error("unauthenticated");
    if (u->totp_secret) return Error("totp_already_enabled");
    u->totp_pending = secret;
    tx.update_user(*u);
    record(tx, clock_, meta, self_event(p, "me.totp_enrolment_start"));
    return {};
  }));
  return TotpEnrolment{secret, domain::totp_uri("Khiên", p.username, secret)};
}

Status Identity::confirm_totp(const Principal& p, std::string_view code, const RequestMeta& meta) {
  KHIEN_TRY(authorize(p, domain::Action::kOwnAccountManage, Access::kChange));
  return store_.write([&](Tx& tx) -> Status {
    auto u = tx.find_user(p.user);
    if (!u) return Error("unauthenticated");
    if (u->totp_secret) return Error("totp_already_enabled");
    if (!u->totp_pending) return Error("totp_not_started");
    const auto secret = crypto::base32_decode(*u->totp_pending).value_or(std::vector<std::uint8_t>{});
    const auto step = domain::verify_totp(secret, code, clock_.now(), std::nullopt);
    if (!step) return validation_error("code", "invalid_totp");
    u->totp_secret = u->totp_pending;
    u->totp_pending.reset();
    u->totp_last_step = *step;
    tx.update_user(*u);
    record(tx, clock_, meta, self_event(p, "me.totp_enable"));
    return {};
  });
}

Status Identity::disable_totp(const Principal& p, std::string_view password, std::string_view code,
                              const RequestMeta& meta) {
  KHIEN_TRY(authorize(p, domain::Action::kOwnAccountManage, Access::kChange));
  std::optional<User> user;
  std::optional<Organization> org;
  bool required = false;
  KHIEN_TRY(store_.read([&](Tx& tx) -> Status {
    user = tx.find_user(p.user);
    if (auto o = tx.find_organization(p.organization)) required = o->require_totp;
    if (auto t = tx.find_organization(p.tenant)) required = required || t->require_totp;
    return {};
  }));
  if (!user) return Error("unauthenticated");
  if (!user->totp_secret) return Error("totp_not_enabled");
  if (required) return Error("totp_required_by_organization");
  if (!crypto::verify_password(user->password_hash, password)) return validation_error("password", "wrong_password");
  const auto secret = crypto::base32_decode(*user->totp_secret).value_or(std::vector<std::uint8_t>{});
  if (!domain::verify_totp(secret, code, clock_.now(), user->totp_last_step))
    return validation_error("code", "invalid_totp");
  return store_.write([&](Tx& tx) -> Status {
    auto u = tx.find_user(p.user);
    if (!u) return Error("unauthenticated");
    u->totp_secret.reset();
    u->totp_pending.reset();
    u->totp_last_step.reset();
    tx.update_user(*u);
    record(tx, clock_, meta, self_event(p, "me.totp_disable"));
    return {};
  });
}

Result<CreatedToken> Identity::create_token(const Principal& p, const TokenCreate& in, const RequestMeta& meta) {
  KHIEN_TRY(authorize(p, domain::Action::kOwnTokensManage, Access::kChange));
  if (p.via_token) return Error("forbidden", "API tokens are created from a signed-in session");
  CreatedToken out;
  out.secret = "khien_" + crypto::random_token(32);
  auto& t = out.token;
  t.user = p.user;
  t.name = in.name;
  t.scope = in.scope;
  t.prefix = out.secret.substr(0, 12);
  t.secret_hash = crypto::sha256_hex(out.secret);
  t.created_at = clock_.now();
  if (in.expires_in_days) t.expires_at = t.created_at + std::chrono::days(*in.expires_in_days);
  KHIEN_TRY(store_.write([&](Tx& tx) -> Status {
    t.id = tx.insert_token(t);
    auto e = event_by(p, "token.create", "token", t.id.str());
    e.changes["name"] = t.name;
    e.changes["scope"] = t.scope;
    if (t.expires_at) e.changes["expires_at"] = format_rfc3339(*t.expires_at);
    record(tx, clock_, meta, std::move(e));
    return {};
  }));
  return out;
}

Result<TokenPage> Identity::list_tokens(const Principal& p, std::optional<std::int64_t> after_id, int limit) {
  KHIEN_TRY(authorize(p, domain::Action::kOwnTokensManage, Access::kRead));
  TokenPage page;
  KHIEN_TRY(store_.read([&](Tx& tx) -> Status {
    page.items = tx.list_tokens(p.user, after_id, limit + 1);
    return {};
  }));
  if (static_cast<int>(page.items.size()) > limit) {
    page.items.resize(static_cast<std::size_t>(limit));
    page.next_after_id = page.items.back().id.value();
  }
  return page;
}

Status Identity::revoke_token(const Principal& p, TokenId id, const RequestMeta& meta) {
  KHIEN_TRY(authorize(p, domain::Action::kOwnTokensManage, Access::kChange));
  return store_.write([&](Tx& tx) -> Status {
    auto t = tx.find_token(id);
    if (!t || t->user != p.user) return Error("not_found");
    if (t->revoked_at) return {};
    t->revoked_at = clock_.now();
    tx.update_token(*t);
    auto e = event_by(p, "token.revoke", "token", id.str());
    e.changes["name"] = t->name;
    record(tx, clock_, meta, std::move(e));
    return {};
  });
}

}  // namespace khien::service
