-- Issue 12: the console's statistics, served from counters rather than from the ledger, so the
-- page reads a few thousand rows whatever the ledger's size. One row per site, UTC day and
-- everything the page groups by; counts only, never a person.
--
-- The counters are kept by triggers on the two append-only tables: each counter upsert runs
-- inside the very INSERT that appends the event (or cookie decision), so it is in the same D1
-- batch / SQLite transaction as the append, adds no statement to the batch, and every path that
-- appends (forms, the API, imports, the console acting for a person) counts without knowing.
-- Ledger rows are never updated or deleted (erasure removes the address, not the event), so the
-- counts only ever grow.

CREATE TABLE daily_event_counts (
  site_id TEXT NOT NULL,
  -- `YYYY-MM-DD` of the event's server time (UTC).
  day TEXT NOT NULL,
  purpose TEXT NOT NULL,
  channel TEXT NOT NULL,
  action TEXT NOT NULL,
  method TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (site_id, day, purpose, channel, action, method)
) WITHOUT ROWID;

CREATE TABLE daily_cookie_counts (
  site_id TEXT NOT NULL,
  day TEXT NOT NULL,
  -- `CookieChoice::as_str`: accept_all, reject_all, custom, gpc_signal, object.
  choice TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (site_id, day, choice)
) WITHOUT ROWID;

-- Existing events and decisions, counted once (the triggers below count everything after).
INSERT INTO daily_event_counts (site_id, day, purpose, channel, action, method, n)
SELECT site_id, substr(server_time, 1, 10), purpose, channel, action, method, COUNT(*)
FROM consent_events GROUP BY site_id, substr(server_time, 1, 10), purpose, channel, action, method;

INSERT INTO daily_cookie_counts (site_id, day, choice, n)
SELECT site_id, substr(server_time, 1, 10), choice, COUNT(*)
FROM cookie_consents GROUP BY site_id, substr(server_time, 1, 10), choice;

CREATE TRIGGER consent_events_are_counted AFTER INSERT ON consent_events
BEGIN
  INSERT INTO daily_event_counts (site_id, day, purpose, channel, action, method, n)
  VALUES (NEW.site_id, substr(NEW.server_time, 1, 10), NEW.purpose, NEW.channel, NEW.action, NEW.method, 1)
  ON CONFLICT (site_id, day, purpose, channel, action, method) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER cookie_consents_are_counted AFTER INSERT ON cookie_consents
BEGIN
  INSERT INTO daily_cookie_counts (site_id, day, choice, n)
  VALUES (NEW.site_id, substr(NEW.server_time, 1, 10), NEW.choice, 1)
  ON CONFLICT (site_id, day, choice) DO UPDATE SET n = n + 1;
END;
