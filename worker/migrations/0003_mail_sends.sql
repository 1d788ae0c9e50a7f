-- When each kind of transactional mail last went to a subject, so "Lost your link?",
-- confirmations and address changes cannot be used to flood an inbox.
CREATE TABLE mail_sends (
  site_id TEXT NOT NULL,
  subject TEXT NOT NULL,
  kind TEXT NOT NULL,
  sent_at TEXT NOT NULL,
  PRIMARY KEY (site_id, subject, kind)
);
