-- Issue 9: what a public request proved, and cookie category texts kept as versions.

-- The registered `Origin` a browser sent, and its `Sec-Fetch-Site` (NULL for earlier events and
-- for requests that did not come from a browser page).
ALTER TABLE consent_events ADD COLUMN request_origin TEXT;
ALTER TABLE consent_events ADD COLUMN fetch_site TEXT;

-- Every cookie category text ever shown, never updated: a changed text is a new version, and the
-- current text of a category in a language is its highest version. A cookie decision (its
-- server_time) is traced to the texts shown by `created_at`.
CREATE TABLE cookie_category_texts (
  site_id TEXT NOT NULL,
  key TEXT NOT NULL,
  lang TEXT NOT NULL,
  version INTEGER NOT NULL,
  label TEXT NOT NULL,
  description TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (site_id, key, lang, version)
);

CREATE TRIGGER cookie_category_texts_never_change
BEFORE UPDATE ON cookie_category_texts
BEGIN
  SELECT RAISE(ABORT, 'cookie category texts are versions: never changed');
END;

CREATE TRIGGER cookie_category_texts_never_deleted
BEFORE DELETE ON cookie_category_texts
BEGIN
  SELECT RAISE(ABORT, 'cookie category texts are versions: never deleted');
END;

-- The texts shown so far become version 1.
INSERT INTO cookie_category_texts (site_id, key, lang, version, label, description, created_at)
SELECT c.site_id, c.key, json_extract(t.value, '$.lang'), 1, json_extract(t.value, '$.label'),
       json_extract(t.value, '$.description'), COALESCE(s.created_at, '1970-01-01T00:00:00.000Z')
FROM cookie_categories c JOIN sites s ON s.id = c.site_id, json_each(c.texts) t;
