//! Strings of the console's retention page (`console_retention`), English and Welsh.

use super::PageLang;

pub struct RetentionText {
    pub title: &'static str,
    pub intro: &'static str,
    pub cookie_months: &'static str,
    pub cookie_months_hint: &'static str,
    pub audit_years: &'static str,
    pub audit_years_hint: &'static str,
    pub idempotency: &'static str,
    pub idempotency_value: &'static str,
    pub idempotency_hint: &'static str,
    pub not_purged_title: &'static str,
    pub not_purged: &'static str,
    pub how_title: &'static str,
    pub how: &'static str,
    pub last_purges: &'static str,
    pub no_purges: &'static str,
    pub cookie_chain: &'static str,
    pub audit_chain: &'static str,
    /// "{n} records, up to #{seq}, latest {day}".
    pub purged_line: &'static str,
    pub save: &'static str,
    pub saved: &'static str,
    pub unchanged: &'static str,
    pub error_summary: &'static str,
    pub error_cookie_number: &'static str,
    pub error_cookie_range: &'static str,
    pub error_audit_number: &'static str,
    pub error_audit_range: &'static str,
}

impl PageLang {
    pub fn retention(self) -> &'static RetentionText {
        match self {
            PageLang::En => &EN,
            PageLang::Cy => &CY,
        }
    }
}

static EN: RetentionText = RetentionText {
    title: "Retention",
    intro: "How long this site keeps records before the nightly job deletes them. Keep records no longer than you need them (storage limitation, UK GDPR art. 5(1)(e)), and long enough to show what you did.",
    cookie_months: "Cookie banner decisions: months to keep",
    cookie_months_hint: "From 1 to 60 months; 24 if you never change it. Anonymous decisions (no name or address): the choice, the page's policy version, a shortened IP address and the browser. The visitor's own cookie lasts 6 months, so keep at least that long to answer a question about it.",
    audit_years: "Audit trail: years to keep",
    audit_years_hint: "From 1 to 20 years; 6 if you never change it. The trail is your evidence of who looked at, exported, changed or erased people's data, so it is kept at least a year: complaints and claims come months or years later (most civil claims may be brought within 6 years).",
    idempotency: "Answers kept for retried requests",
    idempotency_value: "24 hours (the same for every site; not a setting)",
    idempotency_hint: "A retried sign-up gets the first answer back instead of being recorded twice. Retries come within seconds, and the answer holds a keyed fingerprint of a request that named a person, so it is kept no longer than a day.",
    not_purged_title: "What is never deleted on a timer",
    not_purged: "Consent records (who agreed to or withdrew from what, when and how), the do-not-contact list and the people on your list are not deleted by this job: they are the proof of consent and of every objection. Deciding when to delete a person's whole record is part of your data review.",
    how_title: "How deletion stays provable",
    how: "Cookie decisions and audit entries are chained: each record seals the one before it. Before deleting the oldest ones, the job seals a checkpoint — the last record deleted, how many, when — and the ledger check then starts from it and proves the rest of the chain continues from there. A record deleted any other way shows as tampering.",
    last_purges: "Purges so far",
    no_purges: "Nothing has been deleted yet.",
    cookie_chain: "Cookie decisions",
    audit_chain: "Audit entries",
    purged_line: "{n} records deleted, everything before #{next}; the latest purge on {day}",
    save: "Save retention settings",
    saved: "Your retention settings are saved. The next nightly job applies them.",
    unchanged: "Nothing changed.",
    error_summary: "Nothing was saved. Correct these fields:",
    error_cookie_number: "Enter a whole number of months, like 24.",
    error_cookie_range: "Enter a number of months from 1 to 60.",
    error_audit_number: "Enter a whole number of years, like 6.",
    error_audit_range: "Enter a number of years from 1 to 20: the audit trail is kept at least a year.",
};

static CY: RetentionText = RetentionText {
    title: "Cadw cofnodion",
    intro: "Am ba hyd y mae'r wefan hon yn cadw cofnodion cyn i'r dasg nosweithiol eu dileu. Peidiwch â chadw cofnodion yn hwy nag sydd eu hangen (cyfyngu ar storio, GDPR y DU erthygl 5(1)(e)), ond cadwch nhw'n ddigon hir i ddangos yr hyn a wnaethoch.",
    cookie_months: "Penderfyniadau'r faner cwcis: misoedd i'w cadw",
    cookie_months_hint: "O 1 i 60 mis; 24 os na fyddwch byth yn ei newid. Penderfyniadau dienw (dim enw na chyfeiriad): y dewis, fersiwn polisi'r dudalen, cyfeiriad IP wedi'i fyrhau a'r porwr. Mae cwci'r ymwelydd ei hun yn para 6 mis, felly cadwch nhw o leiaf cyhyd â hynny i ateb cwestiwn amdano.",
    audit_years: "Llwybr archwilio: blynyddoedd i'w cadw",
    audit_years_hint: "O 1 i 20 mlynedd; 6 os na fyddwch byth yn ei newid. Y llwybr yw eich tystiolaeth o bwy a edrychodd ar ddata pobl, a'i allforio, ei newid neu ei ddileu, felly fe'i cedwir am o leiaf blwyddyn: daw cwynion a hawliadau fisoedd neu flynyddoedd yn ddiweddarach (gellir dwyn y rhan fwyaf o hawliadau sifil o fewn 6 blynedd).",
    idempotency: "Atebion a gedwir ar gyfer ceisiadau a ailanfonir",
    idempotency_value: "24 awr (yr un fath i bob gwefan; nid yw'n osodiad)",
    idempotency_hint: "Mae cofrestriad a ailanfonir yn cael yr ateb cyntaf yn ôl yn lle cael ei gofnodi ddwywaith. Daw ailgeisiadau o fewn eiliadau, ac mae'r ateb yn dal ôl bys wedi'i allweddu o gais a enwodd berson, felly ni chaiff ei gadw am fwy na diwrnod.",
    not_purged_title: "Yr hyn na chaiff byth ei ddileu ar amserydd",
    not_purged: "Nid yw'r dasg hon yn dileu cofnodion caniatâd (pwy a gytunodd i beth neu a'i tynnodd yn ôl, pryd a sut), y rhestr peidio â chysylltu na'r bobl ar eich rhestr: dyma'r prawf o ganiatâd ac o bob gwrthwynebiad. Mae penderfynu pryd i ddileu cofnod cyfan person yn rhan o'ch adolygiad data.",
    how_title: "Sut mae dileu'n parhau'n brofadwy",
    how: "Mae penderfyniadau cwcis a chofnodion archwilio wedi'u cadwyno: mae pob cofnod yn selio'r un o'i flaen. Cyn dileu'r rhai hynaf, mae'r dasg yn selio pwynt gwirio — y cofnod olaf a ddilëwyd, faint, pryd — ac mae gwiriad y cyfriflyfr wedyn yn dechrau ohono ac yn profi bod gweddill y gadwyn yn parhau oddi yno. Mae cofnod a ddilëir mewn unrhyw ffordd arall yn dangos fel ymyrraeth.",
    last_purges: "Dileadau hyd yma",
    no_purges: "Nid oes dim wedi'i ddileu eto.",
    cookie_chain: "Penderfyniadau cwcis",
    audit_chain: "Cofnodion archwilio",
    purged_line: "{n} o gofnodion wedi'u dileu, popeth cyn #{next}; y dilead diweddaraf ar {day}",
    save: "Cadw'r gosodiadau cadw",
    saved: "Mae eich gosodiadau cadw wedi'u cadw. Bydd y dasg nosweithiol nesaf yn eu defnyddio.",
    unchanged: "Ni newidiodd dim.",
    error_summary: "Ni chadwyd dim. Cywirwch y meysydd hyn:",
    error_cookie_number: "Rhowch nifer cyfan o fisoedd, fel 24.",
    error_cookie_range: "Rhowch nifer o fisoedd o 1 i 60.",
    error_audit_number: "Rhowch nifer cyfan o flynyddoedd, fel 6.",
    error_audit_range: "Rhowch nifer o flynyddoedd o 1 i 20: cedwir y llwybr archwilio am o leiaf blwyddyn.",
};
