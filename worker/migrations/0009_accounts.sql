-- Named accounts for the people who run a site, their roles, their sessions and sign-in links,
-- and the API keys machines use. Staff accounts, not list members: the address is kept to mail
-- sign-in links to; lookups go by a keyed HMAC of its normalised form.
CREATE TABLE people (
  id TEXT PRIMARY KEY,
  -- HMAC(SUBJECT_KEY, "staff-email:v1|" + normalised address): how a sign-in finds the person.
  email_key TEXT NOT NULL UNIQUE,
  -- Where sign-in links go (the address as given, domain in ASCII).
  email TEXT NOT NULL,
  created_at TEXT NOT NULL
);

CREATE TABLE memberships (
  person_id TEXT NOT NULL REFERENCES people(id),
  site_id TEXT NOT NULL REFERENCES sites(id),
  role TEXT NOT NULL CHECK (role IN ('owner', 'dpo', 'editor', 'viewer')),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (person_id, site_id)
);
CREATE INDEX memberships_by_site ON memberships (site_id, role);

-- A site never loses its last owner: the whole batch that tries fails (nothing partial).
CREATE TRIGGER memberships_keep_an_owner_on_update
BEFORE UPDATE OF role ON memberships
WHEN OLD.role = 'owner' AND NEW.role <> 'owner'
  AND (SELECT COUNT(*) FROM memberships WHERE site_id = OLD.site_id AND role = 'owner') <= 1
BEGIN
  SELECT RAISE(ABORT, 'last_owner: a site keeps at least one owner');
END;

CREATE TRIGGER memberships_keep_an_owner_on_delete
BEFORE DELETE ON memberships
WHEN OLD.role = 'owner'
  AND (SELECT COUNT(*) FROM memberships WHERE site_id = OLD.site_id AND role = 'owner') <= 1
BEGIN
  SELECT RAISE(ABORT, 'last_owner: a site keeps at least one owner');
END;

-- A session is found by the SHA-256 of its cookie value; the value itself is never stored.
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  person_id TEXT NOT NULL REFERENCES people(id),
  created_at TEXT NOT NULL,
  last_seen_at TEXT NOT NULL,
  revoked_at TEXT
);
CREATE INDEX sessions_by_person ON sessions (person_id, revoked_at);

-- Single-use sign-in links, by the SHA-256 of their token.
CREATE TABLE sign_in_links (
  token_hash TEXT PRIMARY KEY,
  person_id TEXT NOT NULL REFERENCES people(id),
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  used_at TEXT
);
CREATE INDEX sign_in_links_by_person ON sign_in_links (person_id);

-- Machine keys, one site each: `ck_<prefix>_<secret>`; only the SHA-256 of the secret is kept.
CREATE TABLE api_keys (
  prefix TEXT PRIMARY KEY,
  site_id TEXT NOT NULL REFERENCES sites(id),
  name TEXT NOT NULL,
  secret_hash TEXT NOT NULL,
  -- JSON array of scope names.
  scopes TEXT NOT NULL,
  -- The audit actor label of whoever created it (person:…, admin_key).
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  last_used_at TEXT,
  expires_at TEXT,
  revoked_at TEXT
);
CREATE INDEX api_keys_by_site ON api_keys (site_id, created_at);
