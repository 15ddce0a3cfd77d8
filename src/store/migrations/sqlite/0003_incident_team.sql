-- The people and organisations working on an incident beyond its agency (plan §2.1 d, f;
-- Decision 05/2017 Art. 14): named members (from the agency or from an organisation the
-- incident is shared with), requests for support to the national coordinator or the response
-- team, and comments — the discussion the agency and those it shares with hold on the incident.
-- Then search rebuilt as one document per incident, and an index for the statistics.

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

-- ---- Search: one document per incident ----
-- 0002 indexed each record (incident, task, timeline entry, observable) as its own row, so a
-- query's words had to meet in one record, and a search had to gather every matching incident
-- before ordering them. Now each incident is one document (rowid = incident id) holding all its
-- texts: every word may come from a different record, and the newest matches are found by
-- walking the index backwards and stopping at the page size. A change to any record rewrites
-- its incident's document from the view below.
DROP TRIGGER incidents_search_insert;
DROP TRIGGER incidents_search_update;
DROP TRIGGER tasks_search_insert;
DROP TRIGGER tasks_search_update;
DROP TRIGGER timeline_search_insert;
DROP TRIGGER observables_search_insert;
DROP TRIGGER observables_search_update;
DROP TRIGGER observables_search_delete;
DROP TABLE incident_search;

-- Diacritics folded, so "su co" finds "sự cố"; "đ" is not a diacritic to Unicode, so it is
-- written as "d" (also in queries) to let "doi" find "đổi". Prefix indexes for the last word
-- of a query, which is searched as a prefix while the user types.
CREATE VIRTUAL TABLE incident_search USING fts5(body, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');

CREATE VIEW incident_document (incident_id, body) AS
  SELECT i.id, replace(replace(
      i.title || ' ' || i.description || ' ' || i.root_cause || ' ' || i.lessons_learned || ' ' || i.response_option || ' '
      || i.external_reference
      || ' ' || COALESCE((SELECT group_concat(t.title || ' ' || t.notes, ' ') FROM tasks t WHERE t.incident_id = i.id), '')
      || ' ' || COALESCE((SELECT group_concat(e.text, ' ') FROM timeline_entries e WHERE e.incident_id = i.id), '')
      || ' ' || COALESCE((SELECT group_concat(o.value || ' ' || o.original || ' ' || o.note, ' ') FROM observables o
                          WHERE o.incident_id = i.id), '')
      || ' ' || COALESCE((SELECT group_concat(c.text, ' ') FROM comments c WHERE c.incident_id = i.id), ''),
    'đ', 'd'), 'Đ', 'D')
  FROM incidents i;

INSERT INTO incident_search (rowid, body) SELECT incident_id, body FROM incident_document;

CREATE TRIGGER incidents_search_insert AFTER INSERT ON incidents BEGIN
  INSERT INTO incident_search (rowid, body) SELECT incident_id, body FROM incident_document WHERE incident_id = NEW.id;
END;
CREATE TRIGGER incidents_search_update AFTER UPDATE OF title, description, root_cause, lessons_learned, response_option,
  external_reference ON incidents BEGIN
  DELETE FROM incident_search WHERE rowid = NEW.id;
  INSERT INTO incident_search (rowid, body) SELECT incident_id, body FROM incident_document WHERE incident_id = NEW.id;
END;
CREATE TRIGGER tasks_search_insert AFTER INSERT ON tasks BEGIN
  DELETE FROM incident_search WHERE rowid = NEW.incident_id;
  INSERT INTO incident_search (rowid, body) SELECT incident_id, body FROM incident_document WHERE incident_id = NEW.incident_id;
END;
CREATE TRIGGER tasks_search_update AFTER UPDATE OF title, notes ON tasks BEGIN
  DELETE FROM incident_search WHERE rowid = NEW.incident_id;
  INSERT INTO incident_search (rowid, body) SELECT incident_id, body FROM incident_document WHERE incident_id = NEW.incident_id;
END;
CREATE TRIGGER timeline_search_insert AFTER INSERT ON timeline_entries BEGIN
  DELETE FROM incident_search WHERE rowid = NEW.incident_id;
  INSERT INTO incident_search (rowid, body) SELECT incident_id, body FROM incident_document WHERE incident_id = NEW.incident_id;
END;
CREATE TRIGGER observables_search_insert AFTER INSERT ON observables BEGIN
  DELETE FROM incident_search WHERE rowid = NEW.incident_id;
  INSERT INTO incident_search (rowid, body) SELECT incident_id, body FROM incident_document WHERE incident_id = NEW.incident_id;
END;
CREATE TRIGGER observables_search_update AFTER UPDATE OF note ON observables BEGIN
  DELETE FROM incident_search WHERE rowid = NEW.incident_id;
  INSERT INTO incident_search (rowid, body) SELECT incident_id, body FROM incident_document WHERE incident_id = NEW.incident_id;
END;
CREATE TRIGGER observables_search_delete AFTER DELETE ON observables BEGIN
  DELETE FROM incident_search WHERE rowid = OLD.incident_id;
  INSERT INTO incident_search (rowid, body) SELECT incident_id, body FROM incident_document WHERE incident_id = OLD.incident_id;
END;
CREATE TRIGGER comments_search_insert AFTER INSERT ON comments BEGIN
  DELETE FROM incident_search WHERE rowid = NEW.incident_id;
  INSERT INTO incident_search (rowid, body) SELECT incident_id, body FROM incident_document WHERE incident_id = NEW.incident_id;
END;

-- ---- Statistics read from an index alone ----
-- The figures of a period (counts, times to detect, contain, recover) need these columns only;
-- covering them spares reading every incident's texts.
CREATE INDEX incidents_statistics ON incidents(organization_id, detected_at, merged_into, is_drill, scenario, cause_class,
  severity, phase, serious, loop_count, occurred_at, contained_at, response_ended_at);
