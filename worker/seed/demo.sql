-- The demo site used by `cargo xtask dev` and the tests. It is a charity (an exempt one, as
-- universities and their alumni associations often are, here with a registered number for the
-- demo): its form offers news on consent and, on forms that declare a support context (demo
-- /donate), its charitable work on the charitable purpose soft opt-in (PECR reg. 22(3A)). Wording modelled on the alumni-office
-- guidance in shared/seeds/000 ("I am happy to hear from … by email"). `sha256` is the SHA-256
-- of `text`; a native test (worker/tests/seed.rs) checks that it matches.
INSERT OR REPLACE INTO sites (id, org_name, contact_email, postal_address, privacy_notice_url,
  cookie_policy_url, default_lang, policy_version, created_at, charity_number)
VALUES ('demo', 'Demo Alumni Association', 'alumni@example.org',
  'Alumni Office, 1 College Road, Oxbridge OX1 1AA', 'https://example.org/privacy',
  'https://example.org/cookies', 'en', 1, '2026-11-24T00:00:00.000Z', '1234567');

INSERT OR IGNORE INTO site_origins (site_id, origin) VALUES ('demo', 'http://127.0.0.1:8788');
INSERT OR IGNORE INTO site_origins (site_id, origin) VALUES ('demo', 'http://localhost:8788');

INSERT OR REPLACE INTO purpose_channels (site_id, purpose, channel, current_version, position)
VALUES ('demo', 'news', 'email', 1, 0);

-- The charity's work, on the charitable purpose soft opt-in: the wording's text is the notice,
-- `refusal` the label of the unticked box to refuse.
INSERT OR REPLACE INTO purpose_channels (site_id, purpose, channel, current_version, position, basis,
  furthers_charitable_purposes)
VALUES ('demo', 'our-work', 'email', 1, 1, 'charity_soft_opt_in', 1);

INSERT OR IGNORE INTO wordings (site_id, purpose, channel, version, lang, label, text, sha256, created_at, refusal)
VALUES ('demo', 'our-work', 'email', 1, 'en', 'Our charitable work',
  'We''ll email the Demo Alumni Association''s news about our charitable work and how you can support it, because you supported us. You can stop this at any time.',
  '96cc6c1ef95ca15115fd257b6f659d00fbf1c5a6fa4f30eb21f38d783c8ac5f3', '2026-11-24T00:00:00.000Z',
  'I don''t want to receive emails about your charitable work');

INSERT OR IGNORE INTO wordings (site_id, purpose, channel, version, lang, label, text, sha256, created_at, refusal)
VALUES ('demo', 'our-work', 'email', 1, 'cy', 'Ein gwaith elusennol',
  'Byddwn yn anfon e-bost atoch gyda newyddion Cymdeithas Cyn-fyfyrwyr y Demo am ein gwaith elusennol a sut y gallwch ei gefnogi, am i chi ein cefnogi. Gallwch atal hyn unrhyw bryd.',
  '0e56358adeabc1d3259581bf8cda6256b549faf95d1f51ebfa8d39396bb4b6e2', '2026-11-24T00:00:00.000Z',
  'Nid wyf eisiau derbyn e-byst am eich gwaith elusennol');

INSERT OR IGNORE INTO wordings (site_id, purpose, channel, version, lang, label, text, sha256, created_at)
VALUES ('demo', 'news', 'email', 1, 'en', 'News and events',
  'I am happy to hear from the Demo Alumni Association about relevant news, events, offers and opportunities for alumni by email.',
  'c3a4ba5d37e18e36f89aa102f76a981ece8808a97023761ac20744e5b8f278fb', '2026-11-24T00:00:00.000Z');

INSERT OR IGNORE INTO wordings (site_id, purpose, channel, version, lang, label, text, sha256, created_at)
VALUES ('demo', 'news', 'email', 1, 'cy', 'Newyddion a digwyddiadau',
  'Rwy''n hapus i glywed gan Gymdeithas Cyn-fyfyrwyr y Demo am newyddion, digwyddiadau, cynigion a chyfleoedd perthnasol i gyn-fyfyrwyr drwy e-bost.',
  '7eac1717b7d91202f1a42ed3bd56e992c042f30b4cc18b9f5622136508dfae7f', '2026-11-24T00:00:00.000Z');

-- Cookie banner: one strictly necessary category (the decision cookie itself); analytics, on
-- consent, which grants Google Consent Mode's analytics_storage when accepted; and statistics,
-- first-party counts of how the site is used (PECR Schedule A1): under UK rules it runs unless the
-- visitor objects, under EU rules it waits for consent like analytics.
INSERT OR REPLACE INTO cookie_categories (site_id, key, required, position, texts, consent_mode, basis) VALUES
  ('demo', 'necessary', 1, 0, '[{"lang":"en","label":"Strictly necessary","description":"Remember your cookie choice. Always on."},{"lang":"cy","label":"Cwbl angenrheidiol","description":"Cofio eich dewis cwcis. Ymlaen bob amser."}]', '[]', 'strictly_necessary'),
  ('demo', 'analytics', 0, 1, '[{"lang":"en","label":"Analytics","description":"Count visits anonymously so we can improve the site."},{"lang":"cy","label":"Dadansoddi","description":"Cyfrif ymweliadau''n ddienw er mwyn i ni wella''r wefan."}]', '["analytics_storage"]', 'consent'),
  ('demo', 'statistics', 0, 2, '[{"lang":"en","label":"Site statistics","description":"Our own count of which pages are used, to improve the site. Never shared, never used to follow you elsewhere."},{"lang":"cy","label":"Ystadegau''r wefan","description":"Ein cyfrif ein hunain o ba dudalennau a ddefnyddir, i wella''r wefan. Byth yn cael ei rannu, byth yn cael ei ddefnyddio i''ch dilyn mewn mannau eraill."}]', '[]', 'statistics');

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
