//! Every fixed string of the person-facing pages and emails, in English and Welsh. Site content
//! (organisation, consent wording) comes from the site; these are the words around it.
//! `{org}`, `{email}`, `{days}` and `{list}` are filled in by the caller with plain text; the
//! page templates (maud) escape the whole string, so none of these may contain markup.

pub mod complaints;
pub mod console_categories;
pub mod console_data;
pub mod console_embed;
pub mod console_import;
pub mod console_people;
pub mod console_people2;
pub mod console_polish;
pub mod console_register;
pub mod console_retention;
pub mod console_review;
pub mod console_settings;
pub mod console_wording;

use consent_shared::consent::{Action, Method};
use consent_shared::site::Channel;

/// The languages the pages speak. A site's consent wording may exist in others; the page
/// then uses the site's default language for its own words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageLang {
    En,
    Cy,
}

impl PageLang {
    pub fn parse(code: &str) -> Option<PageLang> {
        match code {
            "en" => Some(PageLang::En),
            "cy" => Some(PageLang::Cy),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            PageLang::En => "en",
            PageLang::Cy => "cy",
        }
    }

    /// The other language, for the switch link (named in its own language).
    pub fn other(self) -> (PageLang, &'static str) {
        match self {
            PageLang::En => (PageLang::Cy, "Cymraeg"),
            PageLang::Cy => (PageLang::En, "English"),
        }
    }

    pub fn text(self) -> &'static PageText {
        match self {
            PageLang::En => &EN,
            PageLang::Cy => &CY,
        }
    }
}

pub struct PageText {
    pub lang: PageLang,
    pub preferences_title: &'static str,
    pub preferences_intro: &'static str,
    pub who_we_are: &'static str,
    pub contact: &'static str,
    pub postal_address: &'static str,
    pub privacy_notice: &'static str,
    pub choices_heading: &'static str,
    pub choices_help: &'static str,
    pub agreed_on: &'static str,
    pub not_agreed: &'static str,
    pub awaiting_confirmation: &'static str,
    /// A soft opt-in line: "You supported us on {date}, so we may email you …".
    pub supported_on: &'static str,
    /// A post line on legitimate interests.
    pub by_post_unless: &'static str,
    pub objected: &'static str,
    pub save_choices: &'static str,
    pub withdraw_all_heading: &'static str,
    pub withdraw_all_help: &'static str,
    pub withdraw_all: &'static str,
    pub details_heading: &'static str,
    pub name: &'static str,
    pub email: &'static str,
    pub email_help: &'static str,
    pub save_details: &'static str,
    pub history_heading: &'static str,
    pub history_empty: &'static str,
    pub when: &'static str,
    pub what: &'static str,
    pub choice: &'static str,
    pub how: &'static str,
    pub wording_shown: &'static str,
    pub version: &'static str,
    pub data_heading: &'static str,
    pub download_help: &'static str,
    pub download: &'static str,
    pub restrict_heading: &'static str,
    pub restrict_help: &'static str,
    pub restrict: &'static str,
    pub restricted_now: &'static str,
    pub lift: &'static str,
    pub erase_heading: &'static str,
    pub erase_help: &'static str,
    pub erase_confirm: &'static str,
    pub erase: &'static str,
    pub saved: &'static str,
    pub nothing_changed: &'static str,
    pub withdrew_all: &'static str,
    pub details_saved: &'static str,
    pub email_sent: &'static str,
    pub restricted_done: &'static str,
    pub lifted_done: &'static str,
    pub erased_title: &'static str,
    pub erased_body: &'static str,
    pub nothing_held_title: &'static str,
    pub nothing_held_body: &'static str,
    pub form_expired: &'static str,
    pub erase_needs_confirm: &'static str,
    pub suppressed: &'static str,
    pub page_out_of_date: &'static str,
    pub email_change_unavailable: &'static str,
    pub bad_name: &'static str,
    pub bad_email: &'static str,
    pub try_again_title: &'static str,
    pub try_again: &'static str,
    pub lost_title: &'static str,
    pub lost_intro: &'static str,
    pub lost_send: &'static str,
    pub lost_sent: &'static str,
    pub lost_unavailable: &'static str,
    pub confirm_title: &'static str,
    pub confirm_intro: &'static str,
    pub confirm_button: &'static str,
    pub confirmed: &'static str,
    pub nothing_to_confirm: &'static str,
    pub confirm_email_title: &'static str,
    pub confirm_email_intro: &'static str,
    pub email_confirmed: &'static str,
    pub email_taken: &'static str,
    pub mail_link_subject: &'static str,
    pub mail_link_body: &'static str,
    pub mail_confirm_subject: &'static str,
    pub mail_confirm_body: &'static str,
    pub mail_confirm_email_subject: &'static str,
    pub mail_confirm_email_body: &'static str,
    pub mail_email_taken_body: &'static str,
    pub mail_ignore: &'static str,
    pub lang_switch: &'static str,
    pub link_broken_title: &'static str,
    pub link_broken_help: &'static str,
    pub unsubscribe_title: &'static str,
    pub unsubscribe_ask: &'static str,
    pub unsubscribe_button: &'static str,
    pub questions: &'static str,
    pub unsubscribed_title: &'static str,
    pub unsubscribed_body: &'static str,
    pub unsubscribe_use_button: &'static str,
    /// "everything {by}", with `by` from [`PageText::channel`].
    pub everything: &'static str,
    pub too_many_title: &'static str,
    pub too_many_body: &'static str,
}

impl PageText {
    pub fn action(&self, action: Action) -> &'static str {
        let en = self.lang == PageLang::En;
        match (action, en) {
            (Action::Granted, true) => "Agreed",
            (Action::Granted, false) => "Cytuno",
            (Action::Withdrawn, true) => "Withdrew",
            (Action::Withdrawn, false) => "Tynnu'n ôl",
            (Action::Pending, true) => "Asked for (waiting for confirmation)",
            (Action::Pending, false) => "Gofyn (yn aros am gadarnhad)",
            (Action::SoftOptIn, true) => "Supported us (charity soft opt-in; you did not refuse)",
            (Action::SoftOptIn, false) => "Ein cefnogi (optio i mewn meddal elusennol; ni wnaethoch wrthod)",
            (Action::Objected, true) => "Objected",
            (Action::Objected, false) => "Gwrthwynebu",
        }
    }

    pub fn method(&self, method: Method) -> &'static str {
        let en = self.lang == PageLang::En;
        match (method, en) {
            (Method::WebForm, true) => "A form on our website",
            (Method::WebForm, false) => "Ffurflen ar ein gwefan",
            (Method::Banner, true) => "Our website's cookie banner",
            (Method::Banner, false) => "Baner cwcis ein gwefan",
            (Method::PreferencePage, true) => "This preference page",
            (Method::PreferencePage, false) => "Y dudalen dewisiadau hon",
            (Method::UnsubscribeLink, true) => "The unsubscribe link in an email",
            (Method::UnsubscribeLink, false) => "Y ddolen dad-danysgrifio mewn e-bost",
            (Method::OneClick, true) => "One-click unsubscribe in your email program",
            (Method::OneClick, false) => "Dad-danysgrifio ag un clic yn eich rhaglen e-bost",
            (Method::AdminImport, true) => "Added by us from our records",
            (Method::AdminImport, false) => "Ychwanegwyd gennym ni o'n cofnodion",
            (Method::PaperForm, true) => "A paper form",
            (Method::PaperForm, false) => "Ffurflen bapur",
            (Method::EmailConfirmation, true) => "The confirmation link we emailed you",
            (Method::EmailConfirmation, false) => "Y ddolen gadarnhau a anfonwyd atoch",
        }
    }

    pub fn channel(&self, channel: Channel) -> &'static str {
        let en = self.lang == PageLang::En;
        match (channel, en) {
            (Channel::Email, true) => "by email",
            (Channel::Email, false) => "drwy e-bost",
            (Channel::Post, true) => "by post",
            (Channel::Post, false) => "drwy'r post",
            (Channel::Phone, true) => "by phone",
            (Channel::Phone, false) => "dros y ffôn",
            (Channel::Sms, true) => "by text message",
            (Channel::Sms, false) => "drwy neges destun",
        }
    }
}

static EN: PageText = PageText {
    lang: PageLang::En,
    preferences_title: "Your preferences",
    preferences_intro: "What {org} may send to {email}, what you have told us, and your data.",
    who_we_are: "Who we are",
    contact: "Contact",
    postal_address: "Address",
    privacy_notice: "Our privacy notice",
    choices_heading: "What we may send you",
    choices_help: "Tick what you would like. Untick anything you no longer want: it stops at once.",
    agreed_on: "You agreed on {date}.",
    not_agreed: "You have not agreed to this.",
    awaiting_confirmation: "Waiting for you to confirm from the email we sent.",
    supported_on: "You supported us on {date}, so we may email you about our work; you can stop this at any time: untick the box and save.",
    by_post_unless: "We write to you by post unless you ask us not to: untick the box and save to stop.",
    objected: "You asked us to stop.",
    save_choices: "Save my choices",
    withdraw_all_heading: "Stop everything",
    withdraw_all_help: "Withdraw from every kind of message above in one step.",
    withdraw_all: "Withdraw from everything",
    details_heading: "Your details",
    name: "Name",
    email: "Email address",
    email_help: "If you change it, we send a link to the new address to confirm it is yours.",
    save_details: "Save my details",
    history_heading: "Your history",
    history_empty: "Nothing recorded yet.",
    when: "When (UTC)",
    what: "What",
    choice: "Choice",
    how: "How",
    wording_shown: "Wording shown",
    version: "version",
    data_heading: "Your data",
    download_help: "A file (JSON) of everything we hold about you: details, choices and history.",
    download: "Download my data",
    restrict_heading: "Pause the use of your data",
    restrict_help:
        "We keep your data but use it for nothing — you get no messages — until you lift the pause.",
    restrict: "Pause the use of my data",
    restricted_now: "The use of your data is paused. We send you nothing until you lift the pause.",
    lift: "Lift the pause",
    erase_heading: "Delete your data",
    erase_help: "We delete your name and email address. We keep an anonymous code so we never add you \
                 again by mistake, and our record of your choices under that code only.",
    erase_confirm: "I understand this cannot be undone",
    erase: "Delete my data",
    saved: "Your choices are saved. Changes took effect straight away.",
    nothing_changed: "Nothing changed: your choices were already as shown.",
    withdrew_all: "You have withdrawn from everything. We will not send you any more messages.",
    details_saved: "Your details are saved.",
    email_sent: "We have sent a link to the new address. Your address changes when you open it.",
    restricted_done: "The use of your data is paused.",
    lifted_done: "The pause is lifted.",
    erased_title: "Your data is deleted",
    erased_body: "{org} has deleted your name and email address. An anonymous code stays on our \
                  do-not-contact list, so you will not be added again.",
    nothing_held_title: "We hold no details for you",
    nothing_held_body: "{org} holds no name or email address for this link.",
    form_expired: "This form had expired, so nothing was changed. Please try again.",
    erase_needs_confirm: "Tick the box to confirm, then press the button again.",
    suppressed:
        "You asked us never to contact you, so we cannot sign you up. Contact {org} if this is a mistake.",
    page_out_of_date:
        "The wording changed while this page was open, so nothing was saved. Please check it and try again.",
    email_change_unavailable: "We cannot confirm a new address just now. Please contact {org} to change it.",
    bad_name: "Your name can be at most 200 characters.",
    bad_email: "That email address does not look right. Please check it.",
    try_again_title: "Please try again",
    try_again: "We could not do that just now. Please try again in a minute.",
    lost_title: "Get a new link to your preferences",
    lost_intro: "Enter the email address you gave {org}. If we have it, we will email you a new link \
                 to see and change what we send you.",
    lost_send: "Email me a link",
    lost_sent: "If {email} is on our list, we have sent a new link to it. It works for {days} days. \
                If nothing arrives, check your spam folder or contact {org}.",
    lost_unavailable: "We cannot send emails just now. Please contact {org}.",
    confirm_title: "Confirm your sign-up",
    confirm_intro: "Please confirm that you want {org} to send you: {list}.",
    confirm_button: "Confirm",
    confirmed: "Thank you — you are signed up. You can change this at any time from the link in our emails.",
    nothing_to_confirm:
        "There is nothing waiting for confirmation: it is already confirmed or was withdrawn.",
    confirm_email_title: "Confirm your new email address",
    confirm_email_intro: "Use this address for everything {org} sends you?",
    email_confirmed: "Your email address is now {email}.",
    email_taken: "This address already has its own record with {org}, so nothing was changed.",
    mail_link_subject: "Your link to your preferences with {org}",
    mail_link_body: "You asked for a link to see and change what {org} sends you. It works for {days} days:",
    mail_confirm_subject: "Please confirm your sign-up with {org}",
    mail_confirm_body:
        "Please confirm that you want {org} to send you: {list}. Nothing is sent until you do:",
    mail_confirm_email_subject: "Confirm your new email address with {org}",
    mail_confirm_email_body: "You asked {org} to use this address from now on. Confirm it here:",
    mail_email_taken_body: "Someone asked {org} to move a record to this address, but it already has its \
                            own record, so nothing was changed.",
    mail_ignore: "If this was not you, ignore this message: nothing changes.",
    lang_switch: "Language",
    link_broken_title: "This link does not work",
    link_broken_help: "Use the link in a more recent email, or contact the organisation that sent it.",
    unsubscribe_title: "Unsubscribe",
    unsubscribe_ask: "Stop {list} from {org}?",
    unsubscribe_button: "Unsubscribe",
    questions: "Questions:",
    unsubscribed_title: "You are unsubscribed",
    unsubscribed_body: "{org} will not send you {list} any more. This took effect straight away.",
    unsubscribe_use_button: "Use the button on the unsubscribe page.",
    everything: "everything {by}",
    too_many_title: "Too many requests",
    too_many_body: "We received too many requests from your connection in a short time. \
                    Please wait {seconds} seconds and try again.",
};

static CY: PageText = PageText {
    lang: PageLang::Cy,
    preferences_title: "Eich dewisiadau",
    preferences_intro: "Beth y caiff {org} ei anfon at {email}, beth rydych wedi'i ddweud wrthym, a'ch data.",
    who_we_are: "Pwy ydym ni",
    contact: "Cysylltu",
    postal_address: "Cyfeiriad",
    privacy_notice: "Ein hysbysiad preifatrwydd",
    choices_heading: "Beth y cawn ei anfon atoch",
    choices_help: "Ticiwch yr hyn yr hoffech ei gael. Dad-diciwch unrhyw beth nad ydych ei eisiau mwyach: mae'n dod i ben ar unwaith.",
    agreed_on: "Fe wnaethoch gytuno ar {date}.",
    not_agreed: "Nid ydych wedi cytuno i hyn.",
    awaiting_confirmation: "Yn aros i chi gadarnhau o'r e-bost a anfonwyd gennym.",
    supported_on: "Fe wnaethoch ein cefnogi ar {date}, felly efallai y byddwn yn anfon e-bost atoch am ein gwaith; gallwch atal hyn unrhyw bryd: dad-diciwch y blwch a chadw.",
    by_post_unless: "Rydym yn ysgrifennu atoch drwy'r post oni bai eich bod yn gofyn i ni beidio: dad-diciwch y blwch a chadw i atal hyn.",
    objected: "Fe wnaethoch ofyn i ni stopio.",
    save_choices: "Cadw fy newisiadau",
    withdraw_all_heading: "Atal popeth",
    withdraw_all_help: "Tynnu'n ôl o bob math o neges uchod mewn un cam.",
    withdraw_all: "Tynnu'n ôl o bopeth",
    details_heading: "Eich manylion",
    name: "Enw",
    email: "Cyfeiriad e-bost",
    email_help: "Os byddwch yn ei newid, byddwn yn anfon dolen i'r cyfeiriad newydd i gadarnhau mai chi biau.",
    save_details: "Cadw fy manylion",
    history_heading: "Eich hanes",
    history_empty: "Dim wedi'i gofnodi eto.",
    when: "Pryd (UTC)",
    what: "Beth",
    choice: "Dewis",
    how: "Sut",
    wording_shown: "Y geiriad a ddangoswyd",
    version: "fersiwn",
    data_heading: "Eich data",
    download_help: "Ffeil (JSON) o bopeth sydd gennym amdanoch: manylion, dewisiadau a hanes.",
    download: "Lawrlwytho fy nata",
    restrict_heading: "Oedi'r defnydd o'ch data",
    restrict_help: "Rydym yn cadw eich data ond yn ei ddefnyddio i ddim — ni chewch unrhyw negeseuon — nes i chi godi'r saib.",
    restrict: "Oedi'r defnydd o fy nata",
    restricted_now: "Mae'r defnydd o'ch data wedi'i oedi. Ni fyddwn yn anfon dim atoch nes i chi godi'r saib.",
    lift: "Codi'r saib",
    erase_heading: "Dileu eich data",
    erase_help: "Rydym yn dileu eich enw a'ch cyfeiriad e-bost. Rydym yn cadw cod dienw fel na fyddwn byth yn \
                 eich ychwanegu eto drwy gamgymeriad, a'n cofnod o'ch dewisiadau o dan y cod hwnnw yn unig.",
    erase_confirm: "Rwy'n deall na ellir dadwneud hyn",
    erase: "Dileu fy nata",
    saved: "Mae eich dewisiadau wedi'u cadw. Daeth y newidiadau i rym ar unwaith.",
    nothing_changed: "Dim wedi newid: roedd eich dewisiadau eisoes fel y'u dangosir.",
    withdrew_all: "Rydych wedi tynnu'n ôl o bopeth. Ni fyddwn yn anfon rhagor o negeseuon atoch.",
    details_saved: "Mae eich manylion wedi'u cadw.",
    email_sent: "Rydym wedi anfon dolen i'r cyfeiriad newydd. Bydd eich cyfeiriad yn newid pan fyddwch yn ei hagor.",
    restricted_done: "Mae'r defnydd o'ch data wedi'i oedi.",
    lifted_done: "Mae'r saib wedi'i godi.",
    erased_title: "Mae eich data wedi'i ddileu",
    erased_body: "Mae {org} wedi dileu eich enw a'ch cyfeiriad e-bost. Mae cod dienw yn aros ar ein rhestr \
                  peidio â chysylltu, felly ni fyddwch yn cael eich ychwanegu eto.",
    nothing_held_title: "Nid oes gennym fanylion amdanoch",
    nothing_held_body: "Nid oes gan {org} enw na chyfeiriad e-bost ar gyfer y ddolen hon.",
    form_expired: "Roedd y ffurflen hon wedi dod i ben, felly ni newidiwyd dim. Rhowch gynnig arall arni.",
    erase_needs_confirm: "Ticiwch y blwch i gadarnhau, yna pwyswch y botwm eto.",
    suppressed: "Gofynnoch i ni beidio byth â chysylltu â chi, felly ni allwn eich cofrestru. Cysylltwch â {org} os yw hyn yn gamgymeriad.",
    page_out_of_date: "Newidiodd y geiriad tra oedd y dudalen hon ar agor, felly ni chadwyd dim. Gwiriwch ef a rhowch gynnig arall arni.",
    email_change_unavailable: "Ni allwn gadarnhau cyfeiriad newydd ar hyn o bryd. Cysylltwch â {org} i'w newid.",
    bad_name: "Gall eich enw fod yn 200 nod ar y mwyaf.",
    bad_email: "Nid yw'r cyfeiriad e-bost hwnnw'n edrych yn iawn. Gwiriwch ef.",
    try_again_title: "Rhowch gynnig arall arni",
    try_again: "Ni allem wneud hynny ar hyn o bryd. Rhowch gynnig arall arni ymhen munud.",
    lost_title: "Cael dolen newydd i'ch dewisiadau",
    lost_intro: "Rhowch y cyfeiriad e-bost a roesoch i {org}. Os yw gennym, byddwn yn anfon dolen newydd atoch \
                 i weld a newid yr hyn a anfonwn atoch.",
    lost_send: "Anfon dolen ataf",
    lost_sent: "Os yw {email} ar ein rhestr, rydym wedi anfon dolen newydd ato. Mae'n gweithio am {days} diwrnod. \
                Os na ddaw dim, edrychwch yn eich ffolder sbam neu cysylltwch â {org}.",
    lost_unavailable: "Ni allwn anfon e-byst ar hyn o bryd. Cysylltwch â {org}.",
    confirm_title: "Cadarnhewch eich cofrestriad",
    confirm_intro: "Cadarnhewch eich bod am i {org} anfon y canlynol atoch: {list}.",
    confirm_button: "Cadarnhau",
    confirmed: "Diolch — rydych wedi cofrestru. Gallwch newid hyn unrhyw bryd o'r ddolen yn ein e-byst.",
    nothing_to_confirm: "Nid oes dim yn aros am gadarnhad: mae eisoes wedi'i gadarnhau neu wedi'i dynnu'n ôl.",
    confirm_email_title: "Cadarnhewch eich cyfeiriad e-bost newydd",
    confirm_email_intro: "Defnyddio'r cyfeiriad hwn ar gyfer popeth y mae {org} yn ei anfon atoch?",
    email_confirmed: "Eich cyfeiriad e-bost bellach yw {email}.",
    email_taken: "Mae gan y cyfeiriad hwn ei gofnod ei hun gyda {org} eisoes, felly ni newidiwyd dim.",
    mail_link_subject: "Eich dolen i'ch dewisiadau gyda {org}",
    mail_link_body: "Gofynnoch am ddolen i weld a newid yr hyn y mae {org} yn ei anfon atoch. Mae'n gweithio am {days} diwrnod:",
    mail_confirm_subject: "Cadarnhewch eich cofrestriad gyda {org}",
    mail_confirm_body: "Cadarnhewch eich bod am i {org} anfon y canlynol atoch: {list}. Ni anfonir dim nes i chi wneud:",
    mail_confirm_email_subject: "Cadarnhewch eich cyfeiriad e-bost newydd gyda {org}",
    mail_confirm_email_body: "Gofynnoch i {org} ddefnyddio'r cyfeiriad hwn o hyn ymlaen. Cadarnhewch ef yma:",
    mail_email_taken_body: "Gofynnodd rhywun i {org} symud cofnod i'r cyfeiriad hwn, ond mae ganddo ei gofnod \
                            ei hun eisoes, felly ni newidiwyd dim.",
    mail_ignore: "Os nad chi oedd hwn, anwybyddwch y neges hon: nid oes dim yn newid.",
    lang_switch: "Iaith",
    link_broken_title: "Nid yw'r ddolen hon yn gweithio",
    link_broken_help: "Defnyddiwch y ddolen mewn e-bost mwy diweddar, neu cysylltwch â'r sefydliad a'i hanfonodd.",
    unsubscribe_title: "Dad-danysgrifio",
    unsubscribe_ask: "Rhoi'r gorau i gael {list} gan {org}?",
    unsubscribe_button: "Dad-danysgrifio",
    questions: "Cwestiynau:",
    unsubscribed_title: "Rydych wedi dad-danysgrifio",
    unsubscribed_body: "Ni fydd {org} yn anfon {list} atoch mwyach. Daeth hyn i rym ar unwaith.",
    unsubscribe_use_button: "Defnyddiwch y botwm ar y dudalen dad-danysgrifio.",
    everything: "popeth {by}",
    too_many_title: "Gormod o geisiadau",
    too_many_body: "Daeth gormod o geisiadau o'ch cysylltiad mewn amser byr. \
                    Arhoswch {seconds} eiliad a rhowch gynnig arall arni.",
};

/// Every fixed string of the console's pages (sign-in, sign-out, the landing page) and of the
/// sign-in mail, in English and Welsh. `{email}` and `{minutes}` are filled in by the caller.
pub struct ConsoleText {
    pub sign_in_title: &'static str,
    pub sign_in_intro: &'static str,
    pub email: &'static str,
    pub send_link: &'static str,
    pub link_sent: &'static str,
    pub bad_email: &'static str,
    pub form_expired: &'static str,
    pub mail_off: &'static str,
    pub link_title: &'static str,
    pub link_intro: &'static str,
    pub link_button: &'static str,
    pub link_broken_title: &'static str,
    pub link_used: &'static str,
    pub link_expired: &'static str,
    pub link_unknown: &'static str,
    pub link_no_access: &'static str,
    pub send_new: &'static str,
    pub home_title: &'static str,
    pub home_intro: &'static str,
    pub site: &'static str,
    pub role: &'static str,
    pub no_sites: &'static str,
    pub sign_out: &'static str,
    pub sign_out_everywhere: &'static str,
    pub sign_out_everywhere_help: &'static str,
    pub signed_out: &'static str,
    pub mail_subject: &'static str,
    pub mail_body: &'static str,
    pub mail_ignore: &'static str,
    pub owner: &'static str,
    pub dpo: &'static str,
    pub editor: &'static str,
    pub viewer: &'static str,
    pub overview: &'static str,
    pub import: &'static str,
    pub organisation: &'static str,
    pub contact: &'static str,
    pub site_navigation: &'static str,
    pub no_access: &'static str,
    pub not_allowed: &'static str,
    pub no_such_page: &'static str,
    pub people: &'static str,
    pub suppressions: &'static str,
    pub team: &'static str,
}

impl ConsoleText {
    pub fn role(&self, role: consent_shared::access::Role) -> &'static str {
        use consent_shared::access::Role;
        match role {
            Role::Owner => self.owner,
            Role::Dpo => self.dpo,
            Role::Editor => self.editor,
            Role::Viewer => self.viewer,
        }
    }
}

impl PageLang {
    pub fn console(self) -> &'static ConsoleText {
        match self {
            PageLang::En => &CONSOLE_EN,
            PageLang::Cy => &CONSOLE_CY,
        }
    }
}

static CONSOLE_EN: ConsoleText = ConsoleText {
    sign_in_title: "Sign in",
    sign_in_intro: "Enter the email address your organisation added you with. We will email you a link that signs you in.",
    email: "Email address",
    send_link: "Email me a sign-in link",
    link_sent: "If {email} has an account, a sign-in link is on its way. It works once, within {minutes} minutes.",
    bad_email: "Enter a valid email address.",
    form_expired: "This form has expired or did not come from this site. Please try again.",
    mail_off: "Signing in by email is not available here: this service has no mail set up. Ask whoever runs it.",
    link_title: "Sign in to the console",
    link_intro: "Press the button to sign in on this device.",
    link_button: "Sign in",
    link_broken_title: "This sign-in link does not work",
    link_used: "It has been used already: each link works once.",
    link_expired: "It has expired: a link works for {minutes} minutes.",
    link_unknown: "It is not a link we sent, or it was copied incompletely.",
    link_no_access: "Your account no longer has a role on any site. Ask an owner of your organisation.",
    send_new: "Send a new link",
    home_title: "Your sites",
    home_intro: "You are signed in. These are the sites you have a role on.",
    site: "Site",
    role: "Role",
    no_sites: "You have no role on any site.",
    sign_out: "Sign out",
    sign_out_everywhere: "Sign out everywhere",
    sign_out_everywhere_help: "Ends your sessions on every device and browser.",
    signed_out: "You are signed out.",
    mail_subject: "Your sign-in link",
    mail_body: "Use this link to sign in to the consent console. It works once, within {minutes} minutes.",
    mail_ignore: "If you did not ask to sign in, ignore this email: nothing happens.",
    owner: "Owner",
    dpo: "Data protection officer",
    editor: "Editor",
    viewer: "Viewer",
    overview: "Overview",
    import: "Import",
    organisation: "Organisation",
    contact: "Contact",
    site_navigation: "This site in the console",
    no_access: "You do not have access to this page. Ask an owner of the site if you need it.",
    not_allowed: "This page cannot be used that way.",
    no_such_page: "There is no such page in the console.",
    people: "People",
    suppressions: "Suppressions",
    team: "Team and keys",
};

static CONSOLE_CY: ConsoleText = ConsoleText {
    sign_in_title: "Mewngofnodi",
    sign_in_intro: "Rhowch y cyfeiriad e-bost a ddefnyddiodd eich sefydliad i'ch ychwanegu. Byddwn yn anfon dolen atoch sy'n eich mewngofnodi.",
    email: "Cyfeiriad e-bost",
    send_link: "Anfon dolen mewngofnodi ataf",
    link_sent: "Os oes gan {email} gyfrif, mae dolen mewngofnodi ar ei ffordd. Mae'n gweithio unwaith, o fewn {minutes} munud.",
    bad_email: "Rhowch gyfeiriad e-bost dilys.",
    form_expired: "Mae'r ffurflen hon wedi dod i ben neu ni ddaeth o'r wefan hon. Rhowch gynnig arall arni.",
    mail_off: "Nid yw mewngofnodi drwy e-bost ar gael yma: nid oes e-bost wedi'i osod ar gyfer y gwasanaeth hwn. Gofynnwch i bwy bynnag sy'n ei redeg.",
    link_title: "Mewngofnodi i'r consol",
    link_intro: "Pwyswch y botwm i fewngofnodi ar y ddyfais hon.",
    link_button: "Mewngofnodi",
    link_broken_title: "Nid yw'r ddolen mewngofnodi hon yn gweithio",
    link_used: "Mae wedi'i defnyddio eisoes: mae pob dolen yn gweithio unwaith.",
    link_expired: "Mae wedi dod i ben: mae dolen yn gweithio am {minutes} munud.",
    link_unknown: "Nid yw'n ddolen a anfonwyd gennym, neu ni chafodd ei chopïo'n llawn.",
    link_no_access: "Nid oes gan eich cyfrif rôl ar unrhyw wefan bellach. Gofynnwch i un o berchnogion eich sefydliad.",
    send_new: "Anfon dolen newydd",
    home_title: "Eich gwefannau",
    home_intro: "Rydych wedi mewngofnodi. Dyma'r gwefannau y mae gennych rôl arnynt.",
    site: "Gwefan",
    role: "Rôl",
    no_sites: "Nid oes gennych rôl ar unrhyw wefan.",
    sign_out: "Allgofnodi",
    sign_out_everywhere: "Allgofnodi ym mhobman",
    sign_out_everywhere_help: "Yn dod â'ch sesiynau i ben ar bob dyfais a phorwr.",
    signed_out: "Rydych wedi allgofnodi.",
    mail_subject: "Eich dolen mewngofnodi",
    mail_body: "Defnyddiwch y ddolen hon i fewngofnodi i'r consol caniatâd. Mae'n gweithio unwaith, o fewn {minutes} munud.",
    mail_ignore: "Os na wnaethoch ofyn i fewngofnodi, anwybyddwch yr e-bost hwn: nid oes dim yn digwydd.",
    owner: "Perchennog",
    dpo: "Swyddog diogelu data",
    editor: "Golygydd",
    viewer: "Gwyliwr",
    overview: "Trosolwg",
    import: "Mewnforio",
    organisation: "Sefydliad",
    contact: "Cyswllt",
    site_navigation: "Y wefan hon yn y consol",
    no_access: "Nid oes gennych fynediad i'r dudalen hon. Gofynnwch i berchennog y wefan os oes ei hangen arnoch.",
    not_allowed: "Ni ellir defnyddio'r dudalen hon felly.",
    no_such_page: "Nid oes tudalen o'r fath yn y consol.",
    people: "Pobl",
    suppressions: "Ataliadau",
    team: "Tîm ac allweddi",
};
