-- Organisations, users, sessions, API tokens and the hash-chained audit log.
CREATE TABLE organizations (
  id            INTEGER PRIMARY KEY,
  slug          TEXT NOT NULL UNIQUE,
  name          TEXT NOT NULL,
  kind          TEXT NOT NULL CHECK (kind IN ('national', 'coordinator', 'agency', 'unit')),
  parent_id     INTEGER REFERENCES organizations(id),
  require_totp  INTEGER NOT NULL DEFAULT 0 CHECK (require_totp IN (0, 1)),
  created_at    INTEGER NOT NULL
);
CREATE INDEX organizations_parent ON organizations(parent_id);

CREATE TABLE users (
  id                        INTEGER PRIMARY KEY,
  username                  TEXT NOT NULL UNIQUE,
  display_name              TEXT NOT NULL,
  email                     TEXT NOT NULL DEFAULT '',
  role                      TEXT NOT NULL CHECK (role IN ('administrator', 'security-officer', 'responder', 'viewer', 'auditor')),
  organization_id           INTEGER NOT NULL REFERENCES organizations(id),
  disabled                  INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  password_hash             TEXT NOT NULL,
  password_change_required  INTEGER NOT NULL DEFAULT 0 CHECK (password_change_required IN (0, 1)),
  totp_secret               TEXT,
  totp_pending              TEXT,
  totp_last_step            INTEGER,
  locale                    TEXT NOT NULL DEFAULT 'vi' CHECK (locale IN ('vi', 'en')),
  created_at                INTEGER NOT NULL,
  last_login_at             INTEGER
);
CREATE INDEX users_organization ON users(organization_id, id);

CREATE TABLE sessions (
  id_hash       TEXT PRIMARY KEY,
  user_id       INTEGER NOT NULL REFERENCES users(id),
  csrf_token    TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  last_seen_at  INTEGER NOT NULL,
  address       TEXT NOT NULL,
  user_agent    TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
  id            INTEGER PRIMARY KEY,
  user_id       INTEGER NOT NULL REFERENCES users(id),
  name          TEXT NOT NULL,
  scope         TEXT NOT NULL CHECK (scope IN ('read', 'read-write')),
  prefix        TEXT NOT NULL,
  secret_hash   TEXT NOT NULL UNIQUE,
  created_at    INTEGER NOT NULL,
  expires_at    INTEGER,
  last_used_at  INTEGER,
  revoked_at    INTEGER
);
CREATE INDEX api_tokens_user ON api_tokens(user_id, id);

CREATE TABLE audit_log (
  id               INTEGER PRIMARY KEY,
  at               TEXT NOT NULL,
  actor_id         INTEGER,
  actor            TEXT NOT NULL,
  organization_id  INTEGER,
  action           TEXT NOT NULL,
  target_type      TEXT NOT NULL,
  target_id        TEXT NOT NULL,
  changes          TEXT NOT NULL,
  address          TEXT NOT NULL,
  user_agent       TEXT NOT NULL,
  outcome          TEXT NOT NULL,
  prev_hash        TEXT NOT NULL,
  hash             TEXT NOT NULL
);
CREATE INDEX audit_log_organization ON audit_log(organization_id, id);
CREATE INDEX audit_log_action ON audit_log(action, id);

-- The last entry written, kept in the same transaction: truncation and appended rows show.
CREATE TABLE audit_head (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  last_id    INTEGER NOT NULL,
  last_hash  TEXT NOT NULL
);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit entries cannot be changed'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit entries cannot be deleted'); END;
