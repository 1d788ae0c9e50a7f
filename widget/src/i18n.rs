//! The widget's own words (buttons, headings, messages) in English and Welsh.
//!
//! The organisation's texts — purpose wordings, the banner statement, category labels — come from
//! the site's configuration in the language served; these are only the fixed strings around them.
//! Every [`Text`] (banner and dialog) and [`FormText`] (opt-in form) is one `match` arm holding
//! both languages, so a missing translation does not compile; the tests check none is empty. They
//! are two types so that the banner's wasm, which has no form, carries none of the form's words.

/// A language the widget's own strings exist in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Cy,
}

impl Lang {
    /// `cy`, `cy-GB`, `CY` → Welsh; `en`, `en-GB` → English; anything else → `None`.
    pub fn parse(tag: &str) -> Option<Lang> {
        // Bytes, not chars: no Unicode tables in the wasm for what is always ASCII.
        let tag = tag.as_bytes().trim_ascii();
        let primary = tag.split(|b| matches!(b, b'-' | b'_')).next().unwrap_or_default();
        match primary.to_ascii_lowercase()[..] {
            [b'c', b'y'] => Some(Lang::Cy),
            [b'e', b'n'] => Some(Lang::En),
            _ => None,
        }
    }

    /// The language asked for (the loader's `lang`, from the script tag or `<html lang>`), else
    /// the language the configuration was served in, else English.
    pub fn pick(asked: Option<&str>, served: &str) -> Lang {
        asked.and_then(Lang::parse).or_else(|| Lang::parse(served)).unwrap_or_default()
    }

    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Cy => "cy",
        }
    }

    /// The locale for `Intl` date formatting.
    pub fn locale(self) -> &'static str {
        match self {
            Lang::En => "en-GB",
            Lang::Cy => "cy-GB",
        }
    }

    pub fn t(self, text: impl Phrase) -> &'static str {
        let (en, cy) = text.both();
        match self {
            Lang::En => en,
            Lang::Cy => cy,
        }
    }
}

/// A fixed string in English and Welsh.
pub trait Phrase: Copy {
    /// (English, Welsh).
    fn both(self) -> (&'static str, &'static str);
}

/// Every fixed string the banner and the preferences dialog show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Text {
    // Banner, first layer.
    CookieChoices,
    AcceptAll,
    RejectAll,
    Choose,
    CookiePolicy,
    PrivacyNotice,
    OpensInNewTab,
    // Preferences dialog.
    CookieSettings,
    SettingsIntro,
    AlwaysOn,
    OnUnlessYouObject,
    SaveChoices,
    Close,
}

/// Every fixed string the opt-in form shows. Pieces that surround organisation data
/// (`FormTitle`, `FormIntro*`) are joined with it in the view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormText {
    FormTitle,
    FormIntroWouldLike,
    FormIntroOrWriting,
    HowWeMayContact,
    EmailAddress,
    SignUp,
    Sending,
    Queued,
    RecordedAt,
    CheckInbox,
    NothingTicked,
    EmailEmpty,
    EmailShape,
    FormLoadFailed,
    UnknownSite,
    NetworkFailure,
    Unreadable,
    HttpErrorBefore,
    HttpErrorAfter,
}

impl Text {
    pub const ALL: [Text; 13] = [
        Text::CookieChoices,
        Text::AcceptAll,
        Text::RejectAll,
        Text::Choose,
        Text::CookiePolicy,
        Text::PrivacyNotice,
        Text::OpensInNewTab,
        Text::CookieSettings,
        Text::SettingsIntro,
        Text::AlwaysOn,
        Text::OnUnlessYouObject,
        Text::SaveChoices,
        Text::Close,
    ];
}

impl FormText {
    pub const ALL: [FormText; 19] = [
        FormText::FormTitle,
        FormText::FormIntroWouldLike,
        FormText::FormIntroOrWriting,
        FormText::HowWeMayContact,
        FormText::EmailAddress,
        FormText::SignUp,
        FormText::Sending,
        FormText::Queued,
        FormText::RecordedAt,
        FormText::CheckInbox,
        FormText::NothingTicked,
        FormText::EmailEmpty,
        FormText::EmailShape,
        FormText::FormLoadFailed,
        FormText::UnknownSite,
        FormText::NetworkFailure,
        FormText::Unreadable,
        FormText::HttpErrorBefore,
        FormText::HttpErrorAfter,
    ];
}

impl Phrase for Text {
    fn both(self) -> (&'static str, &'static str) {
        match self {
            Text::CookieChoices => ("Cookie choices", "Dewisiadau cwcis"),
            Text::AcceptAll => ("Accept all", "Derbyn y cyfan"),
            Text::RejectAll => ("Reject all", "Gwrthod y cyfan"),
            Text::Choose => ("Choose", "Dewis"),
            Text::CookiePolicy => ("Cookie policy", "Polisi cwcis"),
            Text::PrivacyNotice => ("Privacy notice", "Hysbysiad preifatrwydd"),
            Text::OpensInNewTab => ("(opens in a new tab)", "(yn agor mewn tab newydd)"),
            Text::CookieSettings => ("Cookie settings", "Gosodiadau cwcis"),
            Text::SettingsIntro => (
                "Choose which cookies we may use. Only the ones you tick are set; you can change this at any time.",
                "Dewiswch pa gwcis y cawn eu defnyddio. Dim ond y rhai rydych chi'n eu ticio a gaiff eu gosod; gallwch newid hyn unrhyw bryd.",
            ),
            Text::AlwaysOn => ("Always on", "Ymlaen bob amser"),
            Text::OnUnlessYouObject => (
                "On unless you object: untick to turn off",
                "Ymlaen oni bai eich bod yn gwrthwynebu: dad-diciwch i'w ddiffodd",
            ),
            Text::SaveChoices => ("Save choices", "Cadw dewisiadau"),
            Text::Close => ("Close", "Cau"),
        }
    }
}

impl Phrase for FormText {
    fn both(self) -> (&'static str, &'static str) {
        match self {
            FormText::FormTitle => ("Stay in touch with ", "Cadwch mewn cysylltiad â "),
            FormText::FormIntroWouldLike => (
                " would like to contact you. Tick each box you agree to; leave a box unticked if you do not. You can change your mind at any time by emailing ",
                " yn dymuno cysylltu â chi. Ticiwch bob blwch rydych chi'n cytuno iddo; gadewch flwch heb ei dicio os nad ydych. Gallwch newid eich meddwl unrhyw bryd drwy e-bostio ",
            ),
            FormText::FormIntroOrWriting => (" or writing to ", " neu ysgrifennu at "),
            FormText::HowWeMayContact => ("How we may contact you", "Sut y cawn gysylltu â chi"),
            FormText::EmailAddress => ("Email address", "Cyfeiriad e-bost"),
            FormText::SignUp => ("Sign up", "Cofrestru"),
            FormText::Sending => ("Sending…", "Yn anfon…"),
            FormText::Queued => (
                "You seem to be offline. Your choices are saved on this device and will be sent as soon as you are back online.",
                "Mae'n ymddangos eich bod all-lein. Mae eich dewisiadau wedi'u cadw ar y ddyfais hon a byddant yn cael eu hanfon cyn gynted ag y byddwch ar-lein eto.",
            ),
            FormText::CheckInbox => (
                "Thank you — please check your inbox: we have sent you a link to confirm. We will send nothing until you do.",
                "Diolch — edrychwch yn eich mewnflwch: rydym wedi anfon dolen atoch i gadarnhau. Ni fyddwn yn anfon dim nes i chi wneud.",
            ),
            FormText::RecordedAt => (
                "Thank you — your choices were recorded at ",
                "Diolch — cofnodwyd eich dewisiadau am ",
            ),
            FormText::NothingTicked => ("Tick at least one box to sign up.", "Ticiwch o leiaf un blwch i gofrestru."),
            FormText::EmailEmpty => ("Enter your email address.", "Rhowch eich cyfeiriad e-bost."),
            FormText::EmailShape => (
                "Enter a valid email address, like name@example.com.",
                "Rhowch gyfeiriad e-bost dilys, fel enw@example.com.",
            ),
            FormText::FormLoadFailed => (
                "Sorry, the sign-up form could not be loaded: ",
                "Mae'n ddrwg gennym, nid oedd modd llwytho'r ffurflen gofrestru: ",
            ),
            FormText::UnknownSite => ("this page names an unknown site.", "mae'r dudalen hon yn enwi safle anhysbys."),
            FormText::NetworkFailure => (
                "We could not reach the server. Check your connection and press the button again.",
                "Nid oedd modd cyrraedd y gweinydd. Gwiriwch eich cysylltiad a phwyswch y botwm eto.",
            ),
            FormText::Unreadable => (
                "The server sent an answer we could not read. Please try again later.",
                "Anfonodd y gweinydd ateb nad oedd modd i ni ei ddarllen. Rhowch gynnig arall arni yn nes ymlaen.",
            ),
            FormText::HttpErrorBefore => (
                "The server could not take your answer (HTTP ",
                "Nid oedd modd i'r gweinydd dderbyn eich ateb (HTTP ",
            ),
            FormText::HttpErrorAfter => (
                "). Please try again later.",
                "). Rhowch gynnig arall arni yn nes ymlaen.",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check<T: Phrase + std::fmt::Debug + PartialEq>(all: &[T]) {
        for (i, text) in all.iter().enumerate() {
            let (en, cy) = text.both();
            assert!(!en.trim().is_empty(), "{text:?} has no English");
            assert!(!cy.trim().is_empty(), "{text:?} has no Welsh");
            assert_ne!(en, cy, "{text:?}: the Welsh is a copy of the English");
            assert!(!all[..i].contains(text), "{text:?} listed twice");
        }
    }

    #[test]
    fn every_text_exists_in_both_languages_and_is_listed_once() {
        check(&Text::ALL);
        check(&FormText::ALL);
    }

    #[test]
    fn the_agreed_welsh_button_texts() {
        let cy = |t| Lang::Cy.t(t);
        assert_eq!(
            [cy(Text::AcceptAll), cy(Text::RejectAll), cy(Text::Choose), cy(Text::SaveChoices)],
            ["Derbyn y cyfan", "Gwrthod y cyfan", "Dewis", "Cadw dewisiadau"]
        );
        assert_eq!(Lang::En.t(FormText::NothingTicked), "Tick at least one box to sign up.");
    }

    #[test]
    fn language_choice() {
        let cases = [
            (Some("cy"), "en", Lang::Cy),
            (Some("cy-GB"), "en", Lang::Cy),
            (Some("CY"), "en", Lang::Cy),
            (Some("en-GB"), "cy", Lang::En),
            (Some("fr"), "cy", Lang::Cy),
            (Some(""), "cy", Lang::Cy),
            (None, "en", Lang::En),
            (None, "de", Lang::En),
            (Some("fr"), "de", Lang::En),
        ];
        for (asked, served, expected) in cases {
            assert_eq!(Lang::pick(asked, served), expected, "asked {asked:?}, served {served}");
        }
    }
}
