//! The console's shared words added with its layout pass: month names for readable times, the
//! overview's facts and the scrollable-table label, and the Wording page's "Add a purpose" form,
//! in English and Welsh. Plain text only: the pages escape everything.

use super::PageLang;

pub struct PolishText {
    /// January … December, as they follow a day number ("2 December 2026").
    pub months: [&'static str; 12],
    /// After the time of day: the zone times are shown in.
    pub utc: &'static str,
    /// The accessible name of a table that scrolls sideways on a narrow screen.
    pub scroll_table: &'static str,
    // overview
    pub languages: &'static str,
    pub double_opt_in: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    pub purposes: &'static str,
    pub privacy_policy: &'static str,
    pub none_yet: &'static str,
    pub start_here: &'static str,
    // add a purpose
    pub add_heading: &'static str,
    pub add_intro: &'static str,
    pub purpose_key: &'static str,
    pub purpose_key_hint: &'static str,
    pub channel: &'static str,
    pub basis: &'static str,
    pub basis_consent: &'static str,
    pub basis_soft_opt_in: &'static str,
    pub basis_legitimate: &'static str,
    pub label_in: &'static str,
    pub statement_in: &'static str,
    pub furthers_purposes: &'static str,
    pub add_button: &'static str,
    pub added: &'static str,
    pub errors_heading: &'static str,
    pub bad_key: &'static str,
    pub key_taken: &'static str,
    pub bad_channel: &'static str,
    pub bad_basis: &'static str,
    pub label_missing: &'static str,
    pub statement_missing: &'static str,
    pub declaration_missing: &'static str,
    pub not_allowed_to_write: &'static str,
}

impl PageLang {
    pub fn polish(self) -> &'static PolishText {
        match self {
            PageLang::En => &EN,
            PageLang::Cy => &CY,
        }
    }
}

static EN: PolishText = PolishText {
    months: [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
        "November", "December",
    ],
    utc: "UTC",
    scroll_table: "Table (scrolls sideways)",
    languages: "Languages",
    double_opt_in: "Email confirmation before signing up (double opt-in)",
    yes: "Yes",
    no: "No",
    purposes: "What people can sign up for",
    privacy_policy: "Privacy policy",
    none_yet: "None yet.",
    start_here: "Use the navigation above to change the wording, add the banner to your site, or see how sign-ups are going.",
    add_heading: "Add a purpose",
    add_intro: "A new purpose appears in the sign-up form on your site at once. Write the label and the statement in every language the site uses; nothing is saved until every field is right.",
    purpose_key: "Purpose key",
    purpose_key_hint: "Lower-case letters, digits and underscores, starting with a letter (for example alumni_news). It is used in links and downloads and cannot be changed later.",
    channel: "Channel",
    basis: "Lawful basis",
    basis_consent: "Consent: people sign up by ticking a box; they can withdraw at any time.",
    basis_soft_opt_in: "Charitable soft opt-in: supporters who gave their details while donating or supporting may be emailed or texted about similar work unless they said no (charities only; email and text only).",
    basis_legitimate: "Legitimate interests: post may be sent unless the person objects (post only).",
    label_in: "Label",
    statement_in: "Statement shown beside the box",
    furthers_purposes: "These messages further the charity's charitable purposes (required for the soft opt-in).",
    add_button: "Add the purpose",
    added: "The purpose was added. It now appears in the sign-up form.",
    errors_heading: "The purpose was not added. Please correct:",
    bad_key: "Use lower-case letters, digits and underscores, starting with a letter (at most 64).",
    key_taken: "This site already has this purpose on this channel.",
    bad_channel: "Choose a channel.",
    bad_basis: "This lawful basis cannot be used here.",
    label_missing: "Write the label in this language.",
    statement_missing: "Write the statement in this language.",
    declaration_missing: "Confirm that these messages further the charity's purposes, or choose consent.",
    not_allowed_to_write: "Your role may view the wording but not change it.",
};

static CY: PolishText = PolishText {
    months: [
        "Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai", "Mehefin", "Gorffennaf", "Awst", "Medi", "Hydref",
        "Tachwedd", "Rhagfyr",
    ],
    utc: "UTC",
    scroll_table: "Tabl (mae'n sgrolio i'r ochr)",
    languages: "Ieithoedd",
    double_opt_in: "Cadarnhau drwy e-bost cyn ymuno (optio i mewn dwbl)",
    yes: "Ydy",
    no: "Nac ydy",
    purposes: "Beth y gall pobl ymuno ag ef",
    privacy_policy: "Polisi preifatrwydd",
    none_yet: "Dim eto.",
    start_here: "Defnyddiwch y llywio uchod i newid y geiriad, ychwanegu'r faner at eich gwefan, neu weld sut mae'r cofrestru'n mynd.",
    add_heading: "Ychwanegu diben",
    add_intro: "Mae diben newydd yn ymddangos yn y ffurflen gofrestru ar eich gwefan ar unwaith. Ysgrifennwch y label a'r datganiad ym mhob iaith y mae'r wefan yn ei defnyddio; ni chaiff dim ei gadw nes bod pob maes yn gywir.",
    purpose_key: "Allwedd y diben",
    purpose_key_hint: "Llythrennau bach, digidau a thanlinellau, gan ddechrau â llythyren (er enghraifft alumni_news). Fe'i defnyddir mewn dolenni a lawrlwythiadau ac ni ellir ei newid wedyn.",
    channel: "Sianel",
    basis: "Sail gyfreithlon",
    basis_consent: "Caniatâd: mae pobl yn ymuno drwy dicio blwch; gallant dynnu'n ôl unrhyw bryd.",
    basis_soft_opt_in: "Optio i mewn meddal elusennol: gellir anfon e-bost neu neges destun am waith tebyg at gefnogwyr a roddodd eu manylion wrth roi neu gefnogi, oni bai iddynt ddweud na (elusennau yn unig; e-bost a neges destun yn unig).",
    basis_legitimate: "Buddiannau dilys: gellir anfon post oni bai bod yr unigolyn yn gwrthwynebu (post yn unig).",
    label_in: "Label",
    statement_in: "Datganiad a ddangosir wrth y blwch",
    furthers_purposes: "Mae'r negeseuon hyn yn hyrwyddo dibenion elusennol yr elusen (yn ofynnol ar gyfer yr optio i mewn meddal).",
    add_button: "Ychwanegu'r diben",
    added: "Ychwanegwyd y diben. Mae bellach yn ymddangos yn y ffurflen gofrestru.",
    errors_heading: "Ni ychwanegwyd y diben. Cywirwch:",
    bad_key: "Defnyddiwch lythrennau bach, digidau a thanlinellau, gan ddechrau â llythyren (64 ar y mwyaf).",
    key_taken: "Mae gan y wefan hon y diben hwn ar y sianel hon eisoes.",
    bad_channel: "Dewiswch sianel.",
    bad_basis: "Ni ellir defnyddio'r sail gyfreithlon hon yma.",
    label_missing: "Ysgrifennwch y label yn yr iaith hon.",
    statement_missing: "Ysgrifennwch y datganiad yn yr iaith hon.",
    declaration_missing: "Cadarnhewch fod y negeseuon hyn yn hyrwyddo dibenion yr elusen, neu dewiswch ganiatâd.",
    not_allowed_to_write: "Gall eich rôl weld y geiriad ond nid ei newid.",
};
