-- The demo site used by `cargo xtask dev` and the tests. Wording modelled on the alumni-office
-- guidance in shared/seeds/000 ("I am happy to hear from … by email"). `sha256` is the SHA-256
-- of `text`; a native test (worker/tests/seed.rs) checks that it matches.
INSERT OR REPLACE INTO sites (id, org_name, contact_email, postal_address, privacy_notice_url,
  cookie_policy_url, default_lang, policy_version, created_at)
VALUES ('demo', 'Demo Alumni Association', 'alumni@example.org',
  'Alumni Office, 1 College Road, Oxbridge OX1 1AA', 'https://example.org/privacy',
  'https://example.org/cookies', 'en', 1, '2026-11-24T00:00:00.000Z');

INSERT OR IGNORE INTO site_origins (site_id, origin) VALUES ('demo', 'http://127.0.0.1:8788');
INSERT OR IGNORE INTO site_origins (site_id, origin) VALUES ('demo', 'http://localhost:8788');

INSERT OR REPLACE INTO purpose_channels (site_id, purpose, channel, current_version, position)
VALUES ('demo', 'news', 'email', 1, 0);

INSERT OR IGNORE INTO wordings (site_id, purpose, channel, version, lang, label, text, sha256, created_at)
VALUES ('demo', 'news', 'email', 1, 'en', 'News and events',
  'I am happy to hear from the Demo Alumni Association about relevant news, events, offers and opportunities for alumni by email.',
  'c3a4ba5d37e18e36f89aa102f76a981ece8808a97023761ac20744e5b8f278fb', '2026-11-24T00:00:00.000Z');

INSERT OR IGNORE INTO wordings (site_id, purpose, channel, version, lang, label, text, sha256, created_at)
VALUES ('demo', 'news', 'email', 1, 'cy', 'Newyddion a digwyddiadau',
  'Rwy''n hapus i glywed gan Gymdeithas Cyn-fyfyrwyr y Demo am newyddion, digwyddiadau, cynigion a chyfleoedd perthnasol i gyn-fyfyrwyr drwy e-bost.',
  '7eac1717b7d91202f1a42ed3bd56e992c042f30b4cc18b9f5622136508dfae7f', '2026-11-24T00:00:00.000Z');

-- Cookie banner: one strictly necessary category (the decision cookie itself) and analytics,
-- which grants Google Consent Mode's analytics_storage when accepted.
INSERT OR REPLACE INTO cookie_categories (site_id, key, required, position, texts, consent_mode) VALUES
  ('demo', 'necessary', 1, 0, '[{"lang":"en","label":"Strictly necessary","description":"Remember your cookie choice. Always on."},{"lang":"cy","label":"Cwbl angenrheidiol","description":"Cofio eich dewis cwcis. Ymlaen bob amser."}]', '[]'),
  ('demo', 'analytics', 0, 1, '[{"lang":"en","label":"Analytics","description":"Count visits anonymously so we can improve the site."},{"lang":"cy","label":"Dadansoddi","description":"Cyfrif ymweliadau''n ddienw er mwyn i ni wella''r wefan."}]', '["analytics_storage"]');

-- The words shown are read from the category texts' versions (never changed; see 0007).
INSERT OR IGNORE INTO cookie_category_texts (site_id, key, lang, version, label, description, created_at)
SELECT c.site_id, c.key, json_extract(t.value, '$.lang'), 1, json_extract(t.value, '$.label'),
       json_extract(t.value, '$.description'), '2026-11-24T00:00:00.000Z'
FROM cookie_categories c, json_each(c.texts) t WHERE c.site_id = 'demo';

INSERT OR IGNORE INTO banner_wordings (site_id, version, lang, text, sha256, created_at)
VALUES ('demo', 1, 'en',
  'The Demo Alumni Association uses cookies that are strictly necessary for this site to work. With your agreement we would also like to use analytics cookies to count visits. You can change your choice at any time.',
  '513b09fdc73a620c31b52b14b716b569e4b4664da7d1f7748e447059f3f0b9eb', '2026-11-24T00:00:00.000Z');

INSERT OR IGNORE INTO banner_wordings (site_id, version, lang, text, sha256, created_at)
VALUES ('demo', 1, 'cy',
  'Mae Cymdeithas Cyn-fyfyrwyr y Demo yn defnyddio cwcis sy''n gwbl angenrheidiol i''r wefan hon weithio. Gyda''ch caniatâd, hoffem hefyd ddefnyddio cwcis dadansoddi i gyfrif ymweliadau. Gallwch newid eich dewis unrhyw bryd.',
  '184b81e19aa8dc119349ab587ae48c7dc8b49b5e2e478123fb5979060cc854f5', '2026-11-24T00:00:00.000Z');
