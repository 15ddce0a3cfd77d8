-- The people and organisations working on an incident beyond its agency (plan §2.1 d, f;
-- Decision 05/2017 Art. 14): named members (from the agency or from an organisation the
-- incident is shared with), requests for support to the national coordinator or the response
-- team, and comments — the discussion the agency and those it shares with hold on the incident.

CREATE TABLE incident_members (
  id               INTEGER PRIMARY KEY,
  incident_id      INTEGER NOT NULL REFERENCES incidents(id),
  user_id          INTEGER NOT NULL REFERENCES users(id),
  organization_id  INTEGER NOT NULL REFERENCES organizations(id),  -- the member's tenant when added
  role             TEXT NOT NULL,                                   -- lead | responder | expert | liaison | observer
  added_by         INTEGER REFERENCES users(id),
  added_at         INTEGER NOT NULL,
  removed_by       INTEGER REFERENCES users(id),
  removed_at       INTEGER
);
CREATE INDEX incident_members_incident ON incident_members(incident_id, id);
CREATE UNIQUE INDEX incident_members_active ON incident_members(incident_id, user_id) WHERE removed_at IS NULL;

CREATE TABLE support_requests (
  id               INTEGER PRIMARY KEY,
  incident_id      INTEGER NOT NULL REFERENCES incidents(id),
  organization_id  INTEGER NOT NULL REFERENCES organizations(id),  -- asked for support
  kinds            TEXT NOT NULL,                                   -- JSON array: expert, forensics, malware-analysis, …
  detail           TEXT NOT NULL,
  share_id         INTEGER REFERENCES shares(id),                  -- the share that lets it see the incident
  requested_by     INTEGER REFERENCES users(id),
  requested_at     INTEGER NOT NULL,
  status           TEXT NOT NULL DEFAULT 'requested',               -- requested | accepted | declined | completed | withdrawn
  response         TEXT NOT NULL DEFAULT '',
  responded_by     INTEGER REFERENCES users(id),
  responded_at     INTEGER
);
CREATE INDEX support_requests_incident ON support_requests(incident_id, id);
CREATE INDEX support_requests_organization ON support_requests(organization_id, status);

CREATE TABLE comments (
  id               INTEGER PRIMARY KEY,
  incident_id      INTEGER NOT NULL REFERENCES incidents(id),
  organization_id  INTEGER NOT NULL REFERENCES organizations(id),  -- the author's tenant
  author_id        INTEGER REFERENCES users(id),
  text             TEXT NOT NULL,
  created_at       INTEGER NOT NULL
);
CREATE INDEX comments_incident ON comments(incident_id, id);

-- Comments are searched with the rest of the incident (rowid kind 3, as 0002 reserved).
CREATE TRIGGER comments_search_insert AFTER INSERT ON comments BEGIN
  INSERT INTO incident_search(rowid, incident_id, body) VALUES ((3 << 40) | NEW.id, NEW.incident_id, replace(replace(NEW.text, 'đ', 'd'), 'Đ', 'D'));
END;
