-- Incidents and everything that hangs off them (plan §II.2): the inventory of information
-- systems they affect, workflow history, tasks, timeline, observables, evidence with its
-- custody log, approvals, sharing, statements, report submissions, follow-up actions.
-- Times are milliseconds since the Unix epoch, UTC. Every row belongs to an organisation
-- through its incident or directly.

-- The director role (Giám đốc Sở). SQLite cannot change a CHECK in place: rebuild the table.
CREATE TABLE users_new (
  id                        INTEGER PRIMARY KEY,
  username                  TEXT NOT NULL UNIQUE,
  display_name              TEXT NOT NULL,
  email                     TEXT NOT NULL DEFAULT '',
  role                      TEXT NOT NULL CHECK (role IN ('administrator', 'security-officer', 'responder', 'viewer',
                                                          'auditor', 'director')),
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
INSERT INTO users_new SELECT id, username, display_name, email, role, organization_id, disabled, password_hash,
  password_change_required, totp_secret, totp_pending, totp_last_step, locale, created_at, last_login_at FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
CREATE INDEX users_organization ON users(organization_id, id);

-- The regulatory profile an organisation works under ("2017", "2026"); NULL: its parent's.
ALTER TABLE organizations ADD COLUMN regulatory_profile TEXT;

CREATE TABLE systems (
  id                 INTEGER PRIMARY KEY,
  organization_id    INTEGER NOT NULL REFERENCES organizations(id),  -- the agency that owns it
  name               TEXT NOT NULL,
  description        TEXT NOT NULL DEFAULT '',
  owner_unit_id      INTEGER REFERENCES organizations(id),            -- the unit in charge of it
  operator           TEXT NOT NULL DEFAULT '',                        -- who operates it (a unit or a contractor)
  security_level     INTEGER CHECK (security_level BETWEEN 1 AND 5),
  national_critical  INTEGER NOT NULL DEFAULT 0 CHECK (national_critical IN (0, 1)),
  components         TEXT NOT NULL DEFAULT '[]',                      -- JSON array of texts
  created_at         INTEGER NOT NULL,
  updated_at         INTEGER NOT NULL,
  version            INTEGER NOT NULL DEFAULT 1,
  UNIQUE (organization_id, name)
);

CREATE TABLE incidents (
  id                       INTEGER PRIMARY KEY,
  organization_id          INTEGER NOT NULL REFERENCES organizations(id),  -- the agency whose incident it is
  number                   INTEGER NOT NULL,                               -- 1, 2, … per agency and year
  year                     INTEGER NOT NULL,
  title                    TEXT NOT NULL,
  description              TEXT NOT NULL DEFAULT '',
  phase                    TEXT NOT NULL,
  source                   TEXT NOT NULL CHECK (source IN ('staff-report', 'responder', 'api', 'external-notice', 'detection')),
  reporter_id              INTEGER REFERENCES users(id),
  reporter_contact         TEXT NOT NULL DEFAULT '',
  external_organization    TEXT NOT NULL DEFAULT '',
  external_reference       TEXT NOT NULL DEFAULT '',
  external_date            TEXT NOT NULL DEFAULT '',
  detected_at              INTEGER NOT NULL,
  occurred_at              INTEGER,
  scenario                 TEXT,
  cause_class              TEXT,
  severity                 TEXT,
  tlp                      TEXT NOT NULL DEFAULT 'amber',
  impacts                  TEXT NOT NULL DEFAULT '[]',           -- JSON array of the profile's impact ids
  beyond_capacity          INTEGER NOT NULL DEFAULT 0 CHECK (beyond_capacity IN (0, 1)),
  beyond_capacity_at       INTEGER,
  personal_data_breach     INTEGER NOT NULL DEFAULT 0 CHECK (personal_data_breach IN (0, 1)),
  national_security        INTEGER NOT NULL DEFAULT 0 CHECK (national_security IN (0, 1)),
  serious                  INTEGER NOT NULL DEFAULT 0 CHECK (serious IN (0, 1)),  -- in effect (computed or overridden)
  serious_at               INTEGER,
  serious_override         INTEGER CHECK (serious_override IN (0, 1)),
  serious_override_reason  TEXT NOT NULL DEFAULT '',
  approval_required        INTEGER NOT NULL DEFAULT 0 CHECK (approval_required IN (0, 1)),  -- asked for by the user
  response_option          TEXT NOT NULL DEFAULT '',
  root_cause               TEXT NOT NULL DEFAULT '',
  lessons_learned          TEXT NOT NULL DEFAULT '',
  attack_origin            TEXT NOT NULL DEFAULT '',
  spokesperson_id          INTEGER REFERENCES users(id),
  loop_count               INTEGER NOT NULL DEFAULT 0,
  contained_at             INTEGER,   -- first time containment began (for time-to-contain)
  response_ended_at        INTEGER,   -- when the system was found stable (time to recover)
  closed_at                INTEGER,
  is_drill                 INTEGER NOT NULL DEFAULT 0 CHECK (is_drill IN (0, 1)),
  profile                  TEXT NOT NULL,
  merged_into              INTEGER REFERENCES incidents(id),
  created_by               INTEGER REFERENCES users(id),
  created_at               INTEGER NOT NULL,
  updated_at               INTEGER NOT NULL,
  version                  INTEGER NOT NULL DEFAULT 1,
  UNIQUE (organization_id, year, number)
);
CREATE INDEX incidents_org_created ON incidents(organization_id, created_at DESC, id DESC);
CREATE INDEX incidents_org_phase ON incidents(organization_id, phase);
CREATE INDEX incidents_org_scenario ON incidents(organization_id, scenario);

CREATE TABLE incident_systems (
  incident_id  INTEGER NOT NULL REFERENCES incidents(id),
  system_id    INTEGER NOT NULL REFERENCES systems(id),
  PRIMARY KEY (incident_id, system_id)
) WITHOUT ROWID;
CREATE INDEX incident_systems_system ON incident_systems(system_id);

-- Every step of the workflow taken, kept for ever (loops back included).
CREATE TABLE incident_transitions (
  id           INTEGER PRIMARY KEY,
  incident_id  INTEGER NOT NULL REFERENCES incidents(id),
  step         TEXT NOT NULL,
  from_phase   TEXT NOT NULL,
  to_phase     TEXT NOT NULL,
  reason       TEXT NOT NULL DEFAULT '',
  actor_id     INTEGER REFERENCES users(id),
  at           INTEGER NOT NULL
);
CREATE INDEX incident_transitions_incident ON incident_transitions(incident_id, id);

CREATE TABLE tasks (
  id               INTEGER PRIMARY KEY,
  incident_id      INTEGER NOT NULL REFERENCES incidents(id),
  organization_id  INTEGER NOT NULL REFERENCES organizations(id),  -- the organisation that added it
  phase            TEXT NOT NULL,
  title            TEXT NOT NULL,
  detail           TEXT NOT NULL DEFAULT '',
  playbook_step    TEXT,                                            -- the playbook step it came from
  responsible      TEXT NOT NULL DEFAULT '',                        -- a taxonomy actor id
  coordinating     TEXT NOT NULL DEFAULT '[]',
  assignee_id      INTEGER REFERENCES users(id),
  due_at           INTEGER,
  status           TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in-progress', 'done', 'cancelled')),
  notes            TEXT NOT NULL DEFAULT '',
  created_by       INTEGER REFERENCES users(id),
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL,
  completed_at     INTEGER,
  version          INTEGER NOT NULL DEFAULT 1,
  UNIQUE (incident_id, playbook_step)
);
CREATE INDEX tasks_incident ON tasks(incident_id, id);
CREATE INDEX tasks_assignee ON tasks(assignee_id, status);

CREATE TABLE timeline_entries (
  id               INTEGER PRIMARY KEY,
  incident_id      INTEGER NOT NULL REFERENCES incidents(id),
  organization_id  INTEGER NOT NULL REFERENCES organizations(id),
  happened_at      INTEGER NOT NULL,
  recorded_at      INTEGER NOT NULL,
  kind             TEXT NOT NULL,        -- manual, transition, approval, evidence, task, share, statement, report
  source           TEXT NOT NULL DEFAULT '',
  text             TEXT NOT NULL,
  techniques       TEXT NOT NULL DEFAULT '[]',   -- ATT&CK technique ids
  actor_id         INTEGER REFERENCES users(id)
);
CREATE INDEX timeline_incident ON timeline_entries(incident_id, happened_at, id);

CREATE TABLE observables (
  id           INTEGER PRIMARY KEY,
  incident_id  INTEGER NOT NULL REFERENCES incidents(id),
  kind         TEXT NOT NULL,
  value        TEXT NOT NULL,                 -- normalised
  original     TEXT NOT NULL,                 -- as entered
  tlp          TEXT NOT NULL DEFAULT 'amber',
  tags         TEXT NOT NULL DEFAULT '[]',
  is_ioc       INTEGER NOT NULL DEFAULT 0 CHECK (is_ioc IN (0, 1)),
  note         TEXT NOT NULL DEFAULT '',
  created_by   INTEGER REFERENCES users(id),
  created_at   INTEGER NOT NULL,
  UNIQUE (incident_id, kind, value)
);
CREATE INDEX observables_value ON observables(kind, value);

CREATE TABLE evidence (
  id               INTEGER PRIMARY KEY,
  incident_id      INTEGER NOT NULL REFERENCES incidents(id),
  name             TEXT NOT NULL,
  sha256           TEXT NOT NULL,
  size             INTEGER NOT NULL,
  media_type       TEXT NOT NULL,
  description      TEXT NOT NULL DEFAULT '',
  collected_by     TEXT NOT NULL,      -- who collected it (a person, not always a user)
  collected_from   TEXT NOT NULL,      -- the host, device or place
  collected_at     INTEGER NOT NULL,
  method           TEXT NOT NULL DEFAULT '',
  holder           TEXT NOT NULL,      -- who holds the original now
  created_by       INTEGER REFERENCES users(id),
  created_at       INTEGER NOT NULL
);
CREATE INDEX evidence_incident ON evidence(incident_id, id);

CREATE TABLE custody_events (
  id           INTEGER PRIMARY KEY,
  evidence_id  INTEGER NOT NULL REFERENCES evidence(id),
  kind         TEXT NOT NULL CHECK (kind IN ('collected', 'transferred', 'downloaded', 'hash-mismatch')),
  from_party   TEXT NOT NULL DEFAULT '',
  to_party     TEXT NOT NULL DEFAULT '',
  note         TEXT NOT NULL DEFAULT '',
  actor_id     INTEGER REFERENCES users(id),
  address      TEXT NOT NULL DEFAULT '',
  at           INTEGER NOT NULL
);
CREATE INDEX custody_evidence ON custody_events(evidence_id, id);
CREATE TRIGGER custody_no_update BEFORE UPDATE ON custody_events
BEGIN SELECT RAISE(ABORT, 'custody entries cannot be changed'); END;
CREATE TRIGGER custody_no_delete BEFORE DELETE ON custody_events
BEGIN SELECT RAISE(ABORT, 'custody entries cannot be deleted'); END;

CREATE TABLE approvals (
  id                 INTEGER PRIMARY KEY,
  incident_id        INTEGER NOT NULL REFERENCES incidents(id),
  response_option    TEXT NOT NULL,
  approver_kind      TEXT NOT NULL CHECK (approver_kind IN ('director', 'steering-committee')),
  approver_org_id    INTEGER REFERENCES organizations(id),
  request_note       TEXT NOT NULL DEFAULT '',
  requested_by       INTEGER REFERENCES users(id),
  requested_at       INTEGER NOT NULL,
  decision           TEXT CHECK (decision IN ('approved', 'rejected')),
  comment            TEXT NOT NULL DEFAULT '',
  decider_name       TEXT NOT NULL DEFAULT '',   -- who decided (a person of the committee, or the director)
  document_reference TEXT NOT NULL DEFAULT '',   -- the written direction, when there is one
  decided_by         INTEGER REFERENCES users(id),  -- who recorded the decision
  decided_at         INTEGER
);
CREATE INDEX approvals_incident ON approvals(incident_id, id);

CREATE TABLE shares (
  id               INTEGER PRIMARY KEY,
  incident_id      INTEGER NOT NULL REFERENCES incidents(id),
  organization_id  INTEGER NOT NULL REFERENCES organizations(id),  -- shared with
  parts            TEXT NOT NULL,                                   -- JSON array: summary, tasks, timeline, observables, evidence
  purpose          TEXT NOT NULL DEFAULT '',
  granted_by       INTEGER REFERENCES users(id),
  granted_at       INTEGER NOT NULL,
  revoked_by       INTEGER REFERENCES users(id),
  revoked_at       INTEGER
);
CREATE INDEX shares_incident ON shares(incident_id);
CREATE INDEX shares_organization ON shares(organization_id, revoked_at);

CREATE TABLE statements (
  id            INTEGER PRIMARY KEY,
  incident_id   INTEGER NOT NULL REFERENCES incidents(id),
  text          TEXT NOT NULL,
  channel       TEXT NOT NULL,
  published_at  INTEGER NOT NULL,
  approved_by   TEXT NOT NULL,
  created_by    INTEGER REFERENCES users(id),
  created_at    INTEGER NOT NULL
);
CREATE INDEX statements_incident ON statements(incident_id, id);

CREATE TABLE report_submissions (
  id           INTEGER PRIMARY KEY,
  incident_id  INTEGER NOT NULL REFERENCES incidents(id),
  obligation   TEXT NOT NULL,
  channel      TEXT NOT NULL,
  recipients   TEXT NOT NULL,             -- JSON array of names
  reference    TEXT NOT NULL DEFAULT '',  -- number and symbol of the document sent
  sent_at      INTEGER NOT NULL,
  note         TEXT NOT NULL DEFAULT '',
  recorded_by  INTEGER REFERENCES users(id),
  recorded_at  INTEGER NOT NULL
);
CREATE INDEX report_submissions_incident ON report_submissions(incident_id, id);

CREATE TABLE followups (
  id           INTEGER PRIMARY KEY,
  incident_id  INTEGER NOT NULL REFERENCES incidents(id),
  action       TEXT NOT NULL,
  owner_id     INTEGER REFERENCES users(id),
  owner_name   TEXT NOT NULL DEFAULT '',
  due_at       INTEGER,
  status       TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'cancelled')),
  done_at      INTEGER,
  created_by   INTEGER REFERENCES users(id),
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL
);
CREATE INDEX followups_incident ON followups(incident_id, id);

CREATE TABLE saved_filters (
  id          INTEGER PRIMARY KEY,
  user_id     INTEGER NOT NULL REFERENCES users(id),
  name        TEXT NOT NULL,
  query       TEXT NOT NULL,   -- the list's query string
  created_at  INTEGER NOT NULL,
  UNIQUE (user_id, name)
);

-- Full-text search over titles, descriptions, notes, timeline and observables.
-- Diacritics folded, so "su co" finds "sự cố"; "đ" is not a diacritic to Unicode, so it is
-- written as "d" in the index (and in queries) to let "doi" find "đổi". Kept current by the triggers below; a row's
-- rowid is (kind << 40) | id of what it indexes (1 incident, 2 task, 4 timeline entry,
-- 5 observable), so each update finds its row directly.
CREATE VIRTUAL TABLE incident_search USING fts5(
  incident_id UNINDEXED, body, tokenize = 'unicode61 remove_diacritics 2');

CREATE TRIGGER incidents_search_insert AFTER INSERT ON incidents BEGIN
  INSERT INTO incident_search(rowid, incident_id, body)
    VALUES ((1 << 40) | NEW.id, NEW.id, replace(replace(NEW.title || ' ' || NEW.description || ' ' || NEW.root_cause || ' '
            || NEW.lessons_learned || ' ' || NEW.response_option || ' ' || NEW.external_reference, 'đ', 'd'), 'Đ', 'D'));
END;
CREATE TRIGGER incidents_search_update AFTER UPDATE OF title, description, root_cause, lessons_learned, response_option,
  external_reference ON incidents BEGIN
  UPDATE incident_search SET body = replace(replace(NEW.title || ' ' || NEW.description || ' ' || NEW.root_cause || ' '
    || NEW.lessons_learned || ' ' || NEW.response_option || ' ' || NEW.external_reference, 'đ', 'd'), 'Đ', 'D')
    WHERE rowid = (1 << 40) | NEW.id;
END;
CREATE TRIGGER tasks_search_insert AFTER INSERT ON tasks BEGIN
  INSERT INTO incident_search(rowid, incident_id, body) VALUES ((2 << 40) | NEW.id, NEW.incident_id, replace(replace(NEW.title || ' ' || NEW.notes, 'đ', 'd'), 'Đ', 'D'));
END;
CREATE TRIGGER tasks_search_update AFTER UPDATE OF title, notes ON tasks BEGIN
  UPDATE incident_search SET body = replace(replace(NEW.title || ' ' || NEW.notes, 'đ', 'd'), 'Đ', 'D') WHERE rowid = (2 << 40) | NEW.id;
END;
CREATE TRIGGER timeline_search_insert AFTER INSERT ON timeline_entries BEGIN
  INSERT INTO incident_search(rowid, incident_id, body) VALUES ((4 << 40) | NEW.id, NEW.incident_id, replace(replace(NEW.text, 'đ', 'd'), 'Đ', 'D'));
END;
CREATE TRIGGER observables_search_insert AFTER INSERT ON observables BEGIN
  INSERT INTO incident_search(rowid, incident_id, body)
    VALUES ((5 << 40) | NEW.id, NEW.incident_id, replace(replace(NEW.value || ' ' || NEW.original || ' ' || NEW.note, 'đ', 'd'), 'Đ', 'D'));
END;
CREATE TRIGGER observables_search_update AFTER UPDATE OF note ON observables BEGIN
  UPDATE incident_search SET body = replace(replace(NEW.value || ' ' || NEW.original || ' ' || NEW.note, 'đ', 'd'), 'Đ', 'D') WHERE rowid = (5 << 40) | NEW.id;
END;
CREATE TRIGGER observables_search_delete AFTER DELETE ON observables BEGIN
  DELETE FROM incident_search WHERE rowid = (5 << 40) | OLD.id;
END;
