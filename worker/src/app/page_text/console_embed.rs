//! The words of the console's Embed page that are not in `console_wording` (the copy buttons)
//! and of its live preview (`/admin/sites/{site}/embed/live`), English and Welsh. Plain text
//! only: the pages escape everything.

use super::PageLang;

pub struct EmbedText {
    /// A copy button's visible text.
    pub copy: &'static str,
    /// A copy button's accessible name; `{what}`: the box's label.
    pub copy_label: &'static str,
    /// Announced (aria-live) once the text is on the clipboard.
    pub copied: &'static str,
    /// Announced when the browser would not copy.
    pub copy_failed: &'static str,
    pub live_heading: &'static str,
    pub live_offer: &'static str,
    pub live_link: &'static str,
    pub live_title: &'static str,
    /// The preview's notice: nothing done there is recorded.
    pub live_not_recorded: &'static str,
    pub live_intro: &'static str,
    /// `{minutes}`: how long the page's credential lasts.
    pub live_expires: &'static str,
    pub live_languages: &'static str,
    pub live_open_settings: &'static str,
    pub live_form_heading: &'static str,
    pub live_back: &'static str,
}

impl PageLang {
    pub fn embed(self) -> &'static EmbedText {
        match self {
            PageLang::En => &EN,
            PageLang::Cy => &CY,
        }
    }
}

static EN: EmbedText = EmbedText {
    copy: "Copy",
    copy_label: "Copy: {what}",
    copied: "Copied to the clipboard.",
    copy_failed: "Your browser would not copy it: select the text in the box and copy it.",
    live_heading: "See it working",
    live_offer: "The live preview shows the real cookie banner and sign-up form of this site, with its current wording, languages and cookie categories. Nothing you do in the preview is recorded.",
    live_link: "Open the live preview",
    live_title: "Live preview",
    live_not_recorded: "This is a preview: nothing you do on this page is recorded. No consent, no cookie choice and no email address is kept, and no email is sent. Your answers are checked exactly as on your website, so you see the same messages.",
    live_intro: "Below is the real widget for this site, loaded by the same tags as on the Embed page. The cookie banner appears at the bottom of the window.",
    live_expires: "The preview works for {minutes} minutes; after that, reload this page.",
    live_languages: "Show the widget in:",
    live_open_settings: "Open the cookie settings",
    live_form_heading: "The sign-up form",
    live_back: "Back to the Embed page",
};

static CY: EmbedText = EmbedText {
    copy: "Copïo",
    copy_label: "Copïo: {what}",
    copied: "Wedi'i gopïo i'r clipfwrdd.",
    copy_failed: "Ni wnaeth eich porwr ei gopïo: dewiswch y testun yn y blwch a'i gopïo.",
    live_heading: "Gweld sut mae'n gweithio",
    live_offer: "Mae'r rhagolwg byw yn dangos baner cwcis a ffurflen gofrestru go iawn y wefan hon, gyda'i geiriad, ei hieithoedd a'i chategorïau cwcis presennol. Nid oes dim a wnewch yn y rhagolwg yn cael ei gofnodi.",
    live_link: "Agor y rhagolwg byw",
    live_title: "Rhagolwg byw",
    live_not_recorded: "Rhagolwg yw hwn: nid oes dim a wnewch ar y dudalen hon yn cael ei gofnodi. Ni chedwir unrhyw gydsyniad, dewis cwcis na chyfeiriad e-bost, ac ni anfonir e-bost. Caiff eich atebion eu gwirio yn union fel ar eich gwefan, felly fe welwch yr un negeseuon.",
    live_intro: "Isod mae teclyn go iawn y wefan hon, wedi'i lwytho gan yr un tagiau ag ar y dudalen Mewnosod. Mae'r faner cwcis yn ymddangos ar waelod y ffenestr.",
    live_expires: "Mae'r rhagolwg yn gweithio am {minutes} munud; ar ôl hynny, ail-lwythwch y dudalen hon.",
    live_languages: "Dangos y teclyn yn:",
    live_open_settings: "Agor y gosodiadau cwcis",
    live_form_heading: "Y ffurflen gofrestru",
    live_back: "Yn ôl i'r dudalen Mewnosod",
};
