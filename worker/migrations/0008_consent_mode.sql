-- Google Consent Mode v2 signals per cookie category, from the site's definition: a JSON array of
-- 'ad_storage', 'analytics_storage', 'ad_user_data', 'ad_personalization'. Nothing declared
-- grants nothing.
ALTER TABLE cookie_categories ADD COLUMN consent_mode TEXT NOT NULL DEFAULT '[]';

-- Until now the loader derived the signals from fixed category names. Existing sites keep exactly
-- that behaviour, now written down where the owner can see and change it.
UPDATE cookie_categories SET consent_mode = '["analytics_storage"]'
  WHERE required = 0 AND key = 'analytics';
UPDATE cookie_categories SET consent_mode = '["ad_storage","ad_user_data","ad_personalization"]'
  WHERE required = 0 AND key IN ('marketing', 'advertising', 'ads');
