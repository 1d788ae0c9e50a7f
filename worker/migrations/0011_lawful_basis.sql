-- Issue 13: lawful bases since the Data (Use and Access) Act 2025 — the charitable purpose soft
-- opt-in (PECR reg. 22(3A)), cookie categories that need only an opt-out (PECR Schedule A1), and
-- which cookie rules apply where. Existing sites keep exactly today's behaviour: every purpose on
-- consent, every category on consent (or strictly necessary when required), UK rules for the UK
-- and everyone else, EU rules for the EEA (which, with every category on consent, changes nothing).

-- The charity's number (registered or `exempt: <regulator>`); NULL: not a charity.
ALTER TABLE sites ADD COLUMN charity_number TEXT;
-- Which cookie rules ('uk' or 'eu') apply to visitors from the UK, the EEA and elsewhere.
ALTER TABLE sites ADD COLUMN rules_uk TEXT NOT NULL DEFAULT 'uk';
ALTER TABLE sites ADD COLUMN rules_eea TEXT NOT NULL DEFAULT 'eu';
ALTER TABLE sites ADD COLUMN rules_other TEXT NOT NULL DEFAULT 'uk';

-- Why the organisation may contact people for a purpose on a channel.
ALTER TABLE purpose_channels ADD COLUMN basis TEXT NOT NULL DEFAULT 'consent'
  CHECK (basis IN ('consent', 'charity_soft_opt_in', 'legitimate_interests'));
ALTER TABLE purpose_channels ADD COLUMN furthers_charitable_purposes INTEGER NOT NULL DEFAULT 0;

-- For a purpose on the soft opt-in the wording's text is the notice and this the label of the
-- unticked refusal box, versioned (and never changed) with it.
ALTER TABLE wordings ADD COLUMN refusal TEXT;

-- What a cookie category is for; `required` stays, as `basis = 'strictly_necessary'`.
ALTER TABLE cookie_categories ADD COLUMN basis TEXT;
UPDATE cookie_categories SET basis = CASE WHEN required = 1 THEN 'strictly_necessary' ELSE 'consent' END;

-- The evidence of a soft opt-in collection: the context the site declared for the form, and that
-- the details came from the person directly. NULL for every other event.
ALTER TABLE consent_events ADD COLUMN support_context TEXT;
ALTER TABLE consent_events ADD COLUMN direct_from_person INTEGER;

-- The cookie rules a decision was made under ('uk' or 'eu'); NULL before rule sets existed.
ALTER TABLE cookie_consents ADD COLUMN rule_set TEXT;

-- Suppression wins over a soft opt-in as it does over a grant.
CREATE TRIGGER suppressed_subjects_cannot_be_soft_opted_in BEFORE INSERT ON consent_events
WHEN NEW.action = 'soft_opt_in'
  AND EXISTS (SELECT 1 FROM suppressions WHERE site_id = NEW.site_id AND subject = NEW.subject)
BEGIN
  SELECT RAISE(ABORT, 'suppressed: this subject is on the do-not-contact list');
END;
