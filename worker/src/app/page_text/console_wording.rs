//! Strings of the console's wording and embed pages, English and Welsh.

use consent_shared::basis::LawfulBasis;

use super::PageLang;

pub struct WordingText {
    pub title: &'static str,
    pub banner: &'static str,
    pub evidence_note: &'static str,
    pub banner_note: &'static str,
    pub label: &'static str,
    pub text: &'static str,
    pub notice_text: &'static str,
    pub refusal: &'static str,
    pub save_new_version: &'static str,
    pub saved: &'static str,
    pub versions: &'static str,
    pub version: &'static str,
    pub before_trail: &'static str,
    pub changes_from: &'static str,
    pub error_summary: &'static str,
    pub error_text: &'static str,
    pub unknown_target: &'static str,
    pub basis_consent: &'static str,
    pub basis_soft_opt_in: &'static str,
    pub basis_legitimate_interests: &'static str,
    pub preview: &'static str,
    /// The widget's own strings the preview repeats (keep in step with `widget/src/i18n.rs`).
    pub widget_cookie_choices: &'static str,
    pub widget_cookie_policy: &'static str,
    pub widget_privacy_notice: &'static str,
    pub widget_accept_all: &'static str,
    pub widget_reject_all: &'static str,
    pub widget_choose: &'static str,
    pub widget_how_we_may_contact: &'static str,
    pub embed_title: &'static str,
    pub embed_intro: &'static str,
    pub embed_script: &'static str,
    pub embed_form: &'static str,
    pub embed_form_soft: &'static str,
    pub embed_hold_back: &'static str,
    pub embed_csp: &'static str,
    pub embed_csp_intro: &'static str,
    pub embed_origins: &'static str,
    pub embed_no_origins: &'static str,
    pub embed_select_hint: &'static str,
}

impl WordingText {
    pub fn basis(&self, basis: LawfulBasis) -> &'static str {
        match basis {
            LawfulBasis::Consent => self.basis_consent,
            LawfulBasis::CharitySoftOptIn => self.basis_soft_opt_in,
            LawfulBasis::LegitimateInterests => self.basis_legitimate_interests,
        }
    }

    pub fn part(&self, part: &str) -> &'static str {
        match part {
            "label" => self.label,
            "refusal" => self.refusal,
            _ => self.text,
        }
    }
}

impl PageLang {
    pub fn wording(self) -> &'static WordingText {
        match self {
            PageLang::En => &EN,
            PageLang::Cy => &CY,
        }
    }
}

static EN: WordingText = WordingText {
    title: "Wording",
    banner: "Cookie banner",
    evidence_note: "Changing a text stores it as a new version; the old versions stay. Everyone who agreed to an old text keeps their record of exactly the words they saw.",
    banner_note: "A new cookie banner text is a new policy version: every visitor will be asked again.",
    label: "Label",
    text: "Statement",
    notice_text: "Notice",
    refusal: "Refusal box label",
    save_new_version: "Save as a new version",
    saved: "Saved as a new version.",
    versions: "Versions",
    version: "Version",
    before_trail: "stored before the audit trail began",
    changes_from: "Changes from version",
    error_summary: "Nothing was saved. Correct these texts:",
    error_text: "Enter a text of at most 4,000 characters.",
    unknown_target: "That wording is not on this site.",
    basis_consent: "Basis: consent — the person ticks a box to agree to this statement.",
    basis_soft_opt_in: "Basis: charity soft opt-in — the statement is the notice shown instead; the refusal box lets the person say no.",
    basis_legitimate_interests: "Basis: legitimate interests — the statement tells the person, who may object at any time.",
    preview: "Preview",
    widget_cookie_choices: "Cookie choices",
    widget_cookie_policy: "Cookie policy",
    widget_privacy_notice: "Privacy notice",
    widget_accept_all: "Accept all",
    widget_reject_all: "Reject all",
    widget_choose: "Choose",
    widget_how_we_may_contact: "How we may contact you",
    embed_title: "Embed",
    embed_intro: "Paste these into the pages of your website. Select the text and copy it.",
    embed_script: "In the <head> of every page",
    embed_form: "Where a sign-up form should appear",
    embed_form_soft: "A form for people who are giving you their details anyway (a donation or an event booking): the charity soft opt-in's notice and refusal box are shown",
    embed_hold_back: "Hold back a script until its cookie category is accepted",
    embed_csp: "Content-Security-Policy",
    embed_csp_intro: "If your pages send a Content-Security-Policy, it needs these sources:",
    embed_origins: "The widget only works on these origins (change them in the settings):",
    embed_no_origins: "No origin is allowed yet: add your website's origin in the settings.",
    embed_select_hint: "Select all the text in the box and copy it.",
};

static CY: WordingText = WordingText {
    title: "Geiriad",
    banner: "Baner cwcis",
    evidence_note: "Mae newid testun yn ei gadw fel fersiwn newydd; mae'r hen fersiynau'n aros. Mae pawb a gytunodd i hen destun yn cadw cofnod o'r union eiriau a welsant.",
    banner_note: "Mae testun newydd i'r faner cwcis yn fersiwn polisi newydd: gofynnir i bob ymwelydd eto.",
    label: "Label",
    text: "Datganiad",
    notice_text: "Hysbysiad",
    refusal: "Label y blwch gwrthod",
    save_new_version: "Cadw fel fersiwn newydd",
    saved: "Wedi'i gadw fel fersiwn newydd.",
    versions: "Fersiynau",
    version: "Fersiwn",
    before_trail: "cadwyd cyn i'r trywydd archwilio ddechrau",
    changes_from: "Newidiadau o fersiwn",
    error_summary: "Ni chadwyd dim. Cywirwch y testunau hyn:",
    error_text: "Rhowch destun o 4,000 nod ar y mwyaf.",
    unknown_target: "Nid yw'r geiriad hwnnw ar y wefan hon.",
    basis_consent: "Sail: caniatâd — mae'r person yn ticio blwch i gytuno i'r datganiad hwn.",
    basis_soft_opt_in: "Sail: optio i mewn meddal elusen — y datganiad yw'r hysbysiad a ddangosir yn lle hynny; mae'r blwch gwrthod yn gadael i'r person ddweud na.",
    basis_legitimate_interests: "Sail: buddiannau dilys — mae'r datganiad yn dweud wrth y person, a all wrthwynebu unrhyw bryd.",
    preview: "Rhagolwg",
    widget_cookie_choices: "Dewisiadau cwcis",
    widget_cookie_policy: "Polisi cwcis",
    widget_privacy_notice: "Hysbysiad preifatrwydd",
    widget_accept_all: "Derbyn y cyfan",
    widget_reject_all: "Gwrthod y cyfan",
    widget_choose: "Dewis",
    widget_how_we_may_contact: "Sut y cawn gysylltu â chi",
    embed_title: "Mewnosod",
    embed_intro: "Gludwch y rhain i dudalennau eich gwefan. Dewiswch y testun a'i gopïo.",
    embed_script: "Yn <head> pob tudalen",
    embed_form: "Lle dylai ffurflen gofrestru ymddangos",
    embed_form_soft: "Ffurflen i bobl sy'n rhoi eu manylion i chi beth bynnag (rhodd neu archebu digwyddiad): dangosir hysbysiad a blwch gwrthod yr optio i mewn meddal elusen",
    embed_hold_back: "Dal sgript yn ôl nes derbyn ei chategori cwcis",
    embed_csp: "Polisi Diogelwch Cynnwys",
    embed_csp_intro: "Os yw eich tudalennau'n anfon Polisi Diogelwch Cynnwys, mae angen y ffynonellau hyn arno:",
    embed_origins: "Dim ond ar y tarddleoedd hyn y mae'r teclyn yn gweithio (newidiwch nhw yn y gosodiadau):",
    embed_no_origins: "Nid oes tarddle wedi'i ganiatáu eto: ychwanegwch darddle eich gwefan yn y gosodiadau.",
    embed_select_hint: "Dewiswch yr holl destun yn y blwch a'i gopïo.",
};
