-- Suppressions say who added them (an audit actor label: `person:…`, `key:…`, `admin_key`,
-- `system`) and, for the console's fixed reasons, an optional note. Rows from before keep NULL.
ALTER TABLE suppressions ADD COLUMN added_by TEXT;
ALTER TABLE suppressions ADD COLUMN note TEXT;
