//! Lawful bases since the Data (Use and Access) Act 2025: which basis a purpose × channel may rest
//! on, which collections may be a charitable-purpose soft opt-in, and how each cookie category is
//! treated under the rules that apply to a visitor (UK PECR with its Schedule A1 exceptions, or
//! the EU's ePrivacy rules, which have none).
//!
//! Pure rules as data; the dates and facts they need are arguments. Sources: PECR reg. 22(3A)
//! (charitable purpose soft opt-in) and Schedule A1 (statistics and appearance exceptions), both in
//! force 5 February 2026; the ICO's guidance on direct marketing using electronic mail (28 April
//! 2026) and on storage and access technologies (29 April 2026). See docs/COMPLIANCE.md.

#[cfg(feature = "ledger")]
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::consent::Action;
#[cfg(feature = "ledger")]
use crate::consent::Method;
use crate::site::Channel;

/// Why the organisation may contact people for a purpose on a channel. Stored in site
/// definitions and events: variants are never removed.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LawfulBasis {
    /// Specific prior consent by a positive action (PECR reg. 22(2); UK GDPR art. 6(1)(a)).
    #[default]
    Consent,
    /// PECR reg. 22(3A): a charity's electronic mail to people who gave it their details while
    /// supporting or asking about its charitable purposes, with a refusal offered then and in
    /// every message. Email and SMS only.
    CharitySoftOptIn,
    /// Post needs no prior consent under PECR; UK GDPR art. 6(1)(f) with the absolute right to
    /// object to direct marketing (art. 21(3)). Post only.
    LegitimateInterests,
}

impl LawfulBasis {
    pub const ALL: [LawfulBasis; 3] =
        [LawfulBasis::Consent, LawfulBasis::CharitySoftOptIn, LawfulBasis::LegitimateInterests];

    pub fn as_str(self) -> &'static str {
        match self {
            LawfulBasis::Consent => "consent",
            LawfulBasis::CharitySoftOptIn => "charity_soft_opt_in",
            LawfulBasis::LegitimateInterests => "legitimate_interests",
        }
    }

    pub fn parse(raw: &str) -> Option<LawfulBasis> {
        LawfulBasis::ALL.into_iter().find(|b| b.as_str() == raw)
    }
}

/// Why a purpose × channel may not rest on the basis its definition names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BasisRefusal {
    #[error(
        "the charitable purpose soft opt-in is for charities only: give the organisation's charity number"
    )]
    SoftOptInNotACharity,
    #[error("the charitable purpose soft opt-in covers electronic mail (email and SMS) only, not {0:?}")]
    SoftOptInChannel(Channel),
    #[error("the charitable purpose soft opt-in is only for messages whose sole purpose is to further the charity's charitable purposes: mark the purpose as such, or ask for consent")]
    SoftOptInPurposeNotCharitable,
    #[error("legitimate interests without consent is offered for post only, not {0:?}: email, SMS and phone marketing need consent or the soft opt-in")]
    LegitimateInterestsChannel(Channel),
}

/// The facts about a site a basis depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BasisFacts {
    /// The organisation gave a charity number (registered or exempt charity).
    pub is_charity: bool,
    /// The site owner declared that this purpose's sole aim is to further the charitable purposes.
    pub furthers_charitable_purposes: bool,
}

/// Whether `basis` is allowed for a purpose on `channel`.
pub fn check_basis(basis: LawfulBasis, channel: Channel, facts: BasisFacts) -> Result<(), BasisRefusal> {
    match basis {
        LawfulBasis::Consent => Ok(()),
        LawfulBasis::CharitySoftOptIn => {
            if !matches!(channel, Channel::Email | Channel::Sms) {
                Err(BasisRefusal::SoftOptInChannel(channel))
            } else if !facts.is_charity {
                Err(BasisRefusal::SoftOptInNotACharity)
            } else if !facts.furthers_charitable_purposes {
                Err(BasisRefusal::SoftOptInPurposeNotCharitable)
            } else {
                Ok(())
            }
        }
        LawfulBasis::LegitimateInterests => match channel {
            Channel::Post => Ok(()),
            other => Err(BasisRefusal::LegitimateInterestsChannel(other)),
        },
    }
}

/// Whether `raw` is a charity number as `Organisation::charity_number` documents: England and
/// Wales 6–8 digits (a linked charity may add `-N`), Scotland `SC` + 6 digits, Northern Ireland
/// `NIC` + 6 digits (or the bare 6 digits the register also shows), or `exempt: <regulator>` for
/// an exempt charity with the name of its principal regulator (3–100 characters).
pub fn is_charity_number(raw: &str) -> bool {
    let raw = raw.trim();
    let digits =
        |s: &str, lo: usize, hi: usize| (lo..=hi).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
    if let Some(regulator) = raw.strip_prefix("exempt:").or_else(|| raw.strip_prefix("Exempt:")) {
        let regulator = regulator.trim();
        return (3..=100).contains(&regulator.chars().count()) && !regulator.chars().any(char::is_control);
    }
    if let Some(rest) = raw.strip_prefix("SC") {
        return digits(rest, 6, 6);
    }
    if let Some(rest) = raw.strip_prefix("NIC") {
        return digits(rest, 6, 6);
    }
    let (main, linked) = raw.split_once('-').unwrap_or((raw, "1"));
    digits(main, 6, 8) && digits(linked, 1, 3)
}

/// On which basis the organisation may contact a person now for a purpose whose definition
/// names `defined`, given their current state there (`None`: no event). `None`: it may not.
/// Consent and soft opt-in need their event; legitimate interests (post) hold until an objection
/// or withdrawal; a refusal ends every basis.
pub fn basis_in_force(defined: LawfulBasis, state: Option<Action>) -> Option<LawfulBasis> {
    match state {
        Some(Action::Granted) => Some(LawfulBasis::Consent),
        Some(Action::SoftOptIn) => Some(LawfulBasis::CharitySoftOptIn),
        Some(Action::Withdrawn | Action::Objected) => None,
        Some(Action::Pending) | None => {
            (defined == LawfulBasis::LegitimateInterests).then_some(LawfulBasis::LegitimateInterests)
        }
    }
}

/// The action that stops contact for a purpose: withdrawing consent, or objecting where the
/// organisation relies on the soft opt-in or legitimate interests.
pub fn stop_action(defined: LawfulBasis, state: Option<Action>) -> Action {
    match basis_in_force(defined, state) {
        Some(LawfulBasis::Consent) => Action::Withdrawn,
        Some(_) => Action::Objected,
        None if defined == LawfulBasis::Consent => Action::Withdrawn,
        None => Action::Objected,
    }
}

#[cfg(feature = "ledger")]
/// The first day contact details may be collected on the charitable purpose soft opt-in.
pub fn soft_opt_in_start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 2, 5).expect("a valid date")
}

/// How the person was supporting or asking about the charity's purposes when they gave their
/// details, as the site owner declares it per form. Stored in events: never removed.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SupportContext {
    Donation,
    Membership,
    Volunteering,
    Event,
    /// Asked for information about the charity's work (expressing an interest).
    Enquiry,
}

impl SupportContext {
    pub const ALL: [SupportContext; 5] = [
        SupportContext::Donation,
        SupportContext::Membership,
        SupportContext::Volunteering,
        SupportContext::Event,
        SupportContext::Enquiry,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SupportContext::Donation => "donation",
            SupportContext::Membership => "membership",
            SupportContext::Volunteering => "volunteering",
            SupportContext::Event => "event",
            SupportContext::Enquiry => "enquiry",
        }
    }

    pub fn parse(raw: &str) -> Option<SupportContext> {
        SupportContext::ALL.into_iter().find(|c| c.as_str() == raw)
    }
}

#[cfg(feature = "ledger")]
/// Why a collection cannot be recorded as a charitable purpose soft opt-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SoftOptInRefusal {
    #[error("details collected before 5 February 2026 can never be a charitable purpose soft opt-in")]
    BeforeCommencement,
    #[error(
        "only details the person gave the charity directly (a web form, a paper form) qualify, not {0:?}"
    )]
    NotDirect(Method),
    #[error("a soft opt-in needs the context in which the person supported the charity (donation, membership, volunteering, event, enquiry)")]
    NoContext,
    #[error("a soft opt-in recorded by the organisation needs its statement (directly_from_person: true) that the person gave their details to the charity directly, not through a third party, a trading subsidiary, a fundraising platform or a bought list")]
    NoDirectEvidence,
}

#[cfg(feature = "ledger")]
/// One collection of contact details that might be a soft opt-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Collection {
    pub method: Method,
    /// When the person gave their details (for an import: the date on the original record).
    pub collected_at: DateTime<Utc>,
    pub context: Option<SupportContext>,
    /// The person gave the details to the charity itself, not through a third party (a
    /// fundraising platform, a trading subsidiary, a bought list). Always true for the worker's
    /// own web forms; an import must say so row by row.
    pub directly_from_person: bool,
}

#[cfg(feature = "ledger")]
/// Whether `collection` may be recorded as a charitable purpose soft opt-in.
pub fn soft_opt_in_allowed(collection: Collection) -> Result<(), SoftOptInRefusal> {
    if collection.collected_at.date_naive() < soft_opt_in_start() {
        return Err(SoftOptInRefusal::BeforeCommencement);
    }
    if !matches!(collection.method, Method::WebForm | Method::PaperForm | Method::AdminImport) {
        return Err(SoftOptInRefusal::NotDirect(collection.method));
    }
    if !collection.directly_from_person {
        return Err(SoftOptInRefusal::NoDirectEvidence);
    }
    if collection.context.is_none() {
        return Err(SoftOptInRefusal::NoContext);
    }
    Ok(())
}

/// What a cookie category is for, which decides whether it needs consent. Stored in site
/// definitions: variants are never removed.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CookieBasis {
    /// Essential to the service the visitor asked for: always on, never asked about.
    StrictlyNecessary,
    /// Everything else, and always advertising, profiling and cross-site tracking.
    #[default]
    Consent,
    /// PECR Schedule A1: first-party statistics about how the site is used, to improve it.
    Statistics,
    /// PECR Schedule A1: remembering the visitor's choice of look or function.
    Appearance,
}

impl CookieBasis {
    pub const ALL: [CookieBasis; 4] = [
        CookieBasis::StrictlyNecessary,
        CookieBasis::Consent,
        CookieBasis::Statistics,
        CookieBasis::Appearance,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CookieBasis::StrictlyNecessary => "strictly_necessary",
            CookieBasis::Consent => "consent",
            CookieBasis::Statistics => "statistics",
            CookieBasis::Appearance => "appearance",
        }
    }
}

/// Which law's cookie rules apply to a visitor. Recorded with each cookie decision.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleSet {
    /// UK PECR as amended: statistics and appearance run unless the visitor objects.
    Uk,
    /// EU ePrivacy: every non-essential category needs prior consent.
    Eu,
}

impl RuleSet {
    pub fn as_str(self) -> &'static str {
        match self {
            RuleSet::Uk => "uk",
            RuleSet::Eu => "eu",
        }
    }
}

/// How a category behaves for a visitor under a rule set.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Treatment {
    /// Runs; nothing to decide.
    AlwaysOn,
    /// Runs only after the visitor accepts.
    OptIn,
    /// Runs at once unless the visitor objects (or sends Global Privacy Control).
    OptOut,
}

pub fn treatment(basis: CookieBasis, rules: RuleSet) -> Treatment {
    match (basis, rules) {
        (CookieBasis::StrictlyNecessary, _) => Treatment::AlwaysOn,
        (CookieBasis::Consent, _) => Treatment::OptIn,
        (CookieBasis::Statistics | CookieBasis::Appearance, RuleSet::Uk) => Treatment::OptOut,
        (CookieBasis::Statistics | CookieBasis::Appearance, RuleSet::Eu) => Treatment::OptIn,
    }
}

/// What the banner must be for a set of categories under a rule set.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BannerKind {
    /// Only strictly necessary categories: nothing to show.
    None,
    /// Every non-essential category is an exception: a compact notice with "Turn off".
    NoticeOnly,
    /// At least one category needs consent: the consent banner.
    Consent,
}

pub fn banner_kind(bases: impl IntoIterator<Item = CookieBasis>, rules: RuleSet) -> BannerKind {
    let mut kind = BannerKind::None;
    for basis in bases {
        match treatment(basis, rules) {
            Treatment::AlwaysOn => {}
            Treatment::OptOut => {
                if kind == BannerKind::None {
                    kind = BannerKind::NoticeOnly;
                }
            }
            Treatment::OptIn => return BannerKind::Consent,
        }
    }
    kind
}

/// EU member states and the other EEA states (Iceland, Liechtenstein, Norway), as ISO 3166-1
/// alpha-2 codes (Cloudflare's `request.cf.country` spelling; Greece is `GR`).
pub const EEA_COUNTRIES: [&str; 30] = [
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT",
    "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO",
];

/// Which rules a site applies where: its choice, with the defaults the demo uses.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionRules {
    /// Visitors in the United Kingdom (`GB`).
    pub uk: RuleSet,
    /// Visitors in the EEA.
    pub eea: RuleSet,
    /// Everyone else, and visitors whose country is unknown.
    pub other: RuleSet,
}

impl Default for RegionRules {
    fn default() -> Self {
        RegionRules { uk: RuleSet::Uk, eea: RuleSet::Eu, other: RuleSet::Uk }
    }
}

impl RegionRules {
    /// The rules for a visitor from `country` (`None`, `XX` or `T1` when unknown).
    pub fn for_country(&self, country: Option<&str>) -> RuleSet {
        let Some(code) = country.map(str::trim).filter(|c| c.len() == 2) else { return self.other };
        let code = code.to_ascii_uppercase();
        if code == "GB" {
            self.uk
        } else if EEA_COUNTRIES.contains(&code.as_str()) {
            self.eea
        } else {
            self.other
        }
    }
}

/// A stored cookie decision stands only while the rules it was made under still apply: a UK
/// visitor's objection-based decision seen from the EU (or the reverse) is asked again.
pub fn decision_still_applies(made_under: Option<RuleSet>, now_under: RuleSet) -> bool {
    // Decisions recorded before rule sets existed were all opt-in decisions (every category
    // needed consent), which satisfy either rule set.
    made_under.is_none_or(|made| made == now_under)
}

#[cfg(all(test, feature = "ledger"))]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use expect_test::expect;
    use std::fmt::Write;

    #[test]
    fn which_bases_each_channel_may_rest_on() {
        let mut table = String::new();
        for charity in [true, false] {
            for furthers in [true, false] {
                for basis in LawfulBasis::ALL {
                    let row: Vec<String> = Channel::ALL
                        .into_iter()
                        .map(|channel| {
                            let facts =
                                BasisFacts { is_charity: charity, furthers_charitable_purposes: furthers };
                            match check_basis(basis, channel, facts) {
                                Ok(()) => format!("{}:ok", channel.as_str()),
                                Err(e) => format!("{}:{e:?}", channel.as_str()),
                            }
                        })
                        .collect();
                    writeln!(
                        table,
                        "charity={charity} furthers={furthers} {}: {}",
                        basis.as_str(),
                        row.join(" ")
                    )
                    .unwrap();
                }
            }
        }
        expect![[r#"
            charity=true furthers=true consent: email:ok post:ok phone:ok sms:ok
            charity=true furthers=true charity_soft_opt_in: email:ok post:SoftOptInChannel(Post) phone:SoftOptInChannel(Phone) sms:ok
            charity=true furthers=true legitimate_interests: email:LegitimateInterestsChannel(Email) post:ok phone:LegitimateInterestsChannel(Phone) sms:LegitimateInterestsChannel(Sms)
            charity=true furthers=false consent: email:ok post:ok phone:ok sms:ok
            charity=true furthers=false charity_soft_opt_in: email:SoftOptInPurposeNotCharitable post:SoftOptInChannel(Post) phone:SoftOptInChannel(Phone) sms:SoftOptInPurposeNotCharitable
            charity=true furthers=false legitimate_interests: email:LegitimateInterestsChannel(Email) post:ok phone:LegitimateInterestsChannel(Phone) sms:LegitimateInterestsChannel(Sms)
            charity=false furthers=true consent: email:ok post:ok phone:ok sms:ok
            charity=false furthers=true charity_soft_opt_in: email:SoftOptInNotACharity post:SoftOptInChannel(Post) phone:SoftOptInChannel(Phone) sms:SoftOptInNotACharity
            charity=false furthers=true legitimate_interests: email:LegitimateInterestsChannel(Email) post:ok phone:LegitimateInterestsChannel(Phone) sms:LegitimateInterestsChannel(Sms)
            charity=false furthers=false consent: email:ok post:ok phone:ok sms:ok
            charity=false furthers=false charity_soft_opt_in: email:SoftOptInNotACharity post:SoftOptInChannel(Post) phone:SoftOptInChannel(Phone) sms:SoftOptInNotACharity
            charity=false furthers=false legitimate_interests: email:LegitimateInterestsChannel(Email) post:ok phone:LegitimateInterestsChannel(Phone) sms:LegitimateInterestsChannel(Sms)
        "#]]
        .assert_eq(&table);
    }

    #[test]
    fn which_collections_may_be_a_soft_opt_in() {
        let day = |y, m, d| Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).unwrap();
        let cases = [
            (Method::WebForm, day(2026, 2, 5), Some(SupportContext::Donation), true),
            (Method::WebForm, day(2026, 2, 4), Some(SupportContext::Donation), true),
            (Method::PaperForm, day(2026, 6, 1), Some(SupportContext::Event), true),
            (Method::AdminImport, day(2026, 6, 1), Some(SupportContext::Membership), true),
            (Method::AdminImport, day(2026, 6, 1), Some(SupportContext::Membership), false),
            (Method::WebForm, day(2026, 6, 1), None, true),
            (Method::PreferencePage, day(2026, 6, 1), Some(SupportContext::Enquiry), true),
            (Method::Banner, day(2026, 6, 1), Some(SupportContext::Enquiry), true),
        ];
        let mut out = String::new();
        for (method, collected_at, context, directly_from_person) in cases {
            let verdict =
                soft_opt_in_allowed(Collection { method, collected_at, context, directly_from_person });
            writeln!(
                out,
                "{} {} {:?} direct={directly_from_person}: {verdict:?}",
                method.as_str(),
                collected_at.date_naive(),
                context.map(SupportContext::as_str)
            )
            .unwrap();
        }
        expect![[r#"
            web_form 2026-02-05 Some("donation") direct=true: Ok(())
            web_form 2026-02-04 Some("donation") direct=true: Err(BeforeCommencement)
            paper_form 2026-06-01 Some("event") direct=true: Ok(())
            admin_import 2026-06-01 Some("membership") direct=true: Ok(())
            admin_import 2026-06-01 Some("membership") direct=false: Err(NoDirectEvidence)
            web_form 2026-06-01 None direct=true: Err(NoContext)
            preference_page 2026-06-01 Some("enquiry") direct=true: Err(NotDirect(PreferencePage))
            banner 2026-06-01 Some("enquiry") direct=true: Err(NotDirect(Banner))
        "#]]
        .assert_eq(&out);
    }

    #[test]
    fn cookie_treatment_and_banner_by_rules() {
        let mut out = String::new();
        for rules in [RuleSet::Uk, RuleSet::Eu] {
            for basis in CookieBasis::ALL {
                writeln!(out, "{} {}: {:?}", rules.as_str(), basis.as_str(), treatment(basis, rules))
                    .unwrap();
            }
            let sets: [&[CookieBasis]; 4] = [
                &[CookieBasis::StrictlyNecessary],
                &[CookieBasis::StrictlyNecessary, CookieBasis::Statistics, CookieBasis::Appearance],
                &[CookieBasis::StrictlyNecessary, CookieBasis::Statistics, CookieBasis::Consent],
                &[],
            ];
            for set in sets {
                let names: Vec<_> = set.iter().map(|b| b.as_str()).collect();
                writeln!(
                    out,
                    "{} banner for {names:?}: {:?}",
                    rules.as_str(),
                    banner_kind(set.iter().copied(), rules)
                )
                .unwrap();
            }
        }
        expect![[r#"
            uk strictly_necessary: AlwaysOn
            uk consent: OptIn
            uk statistics: OptOut
            uk appearance: OptOut
            uk banner for ["strictly_necessary"]: None
            uk banner for ["strictly_necessary", "statistics", "appearance"]: NoticeOnly
            uk banner for ["strictly_necessary", "statistics", "consent"]: Consent
            uk banner for []: None
            eu strictly_necessary: AlwaysOn
            eu consent: OptIn
            eu statistics: OptIn
            eu appearance: OptIn
            eu banner for ["strictly_necessary"]: None
            eu banner for ["strictly_necessary", "statistics", "appearance"]: Consent
            eu banner for ["strictly_necessary", "statistics", "consent"]: Consent
            eu banner for []: None
        "#]]
        .assert_eq(&out);
    }

    #[test]
    fn who_may_be_contacted_on_which_basis() {
        let states = [
            None,
            Some(Action::Granted),
            Some(Action::SoftOptIn),
            Some(Action::Pending),
            Some(Action::Withdrawn),
            Some(Action::Objected),
        ];
        let mut out = String::new();
        for defined in LawfulBasis::ALL {
            for state in states {
                writeln!(
                    out,
                    "{} {:?}: in force {:?}, stop with {:?}",
                    defined.as_str(),
                    state.map(Action::as_str),
                    basis_in_force(defined, state).map(LawfulBasis::as_str),
                    stop_action(defined, state).as_str()
                )
                .unwrap();
            }
        }
        expect![[r#"
            consent None: in force None, stop with "withdrawn"
            consent Some("granted"): in force Some("consent"), stop with "withdrawn"
            consent Some("soft_opt_in"): in force Some("charity_soft_opt_in"), stop with "objected"
            consent Some("pending"): in force None, stop with "withdrawn"
            consent Some("withdrawn"): in force None, stop with "withdrawn"
            consent Some("objected"): in force None, stop with "withdrawn"
            charity_soft_opt_in None: in force None, stop with "objected"
            charity_soft_opt_in Some("granted"): in force Some("consent"), stop with "withdrawn"
            charity_soft_opt_in Some("soft_opt_in"): in force Some("charity_soft_opt_in"), stop with "objected"
            charity_soft_opt_in Some("pending"): in force None, stop with "objected"
            charity_soft_opt_in Some("withdrawn"): in force None, stop with "objected"
            charity_soft_opt_in Some("objected"): in force None, stop with "objected"
            legitimate_interests None: in force Some("legitimate_interests"), stop with "objected"
            legitimate_interests Some("granted"): in force Some("consent"), stop with "withdrawn"
            legitimate_interests Some("soft_opt_in"): in force Some("charity_soft_opt_in"), stop with "objected"
            legitimate_interests Some("pending"): in force Some("legitimate_interests"), stop with "objected"
            legitimate_interests Some("withdrawn"): in force None, stop with "objected"
            legitimate_interests Some("objected"): in force None, stop with "objected"
        "#]].assert_eq(&out);
    }

    #[test]
    fn the_state_after_each_action() {
        use crate::consent::next_state;
        let all = [Action::Granted, Action::Withdrawn, Action::Pending, Action::SoftOptIn, Action::Objected];
        let mut out = String::new();
        for current in std::iter::once(None).chain(all.map(Some)) {
            let row: Vec<String> =
                all.iter().map(|e| format!("{}→{}", e.as_str(), next_state(current, *e).as_str())).collect();
            writeln!(out, "{:?}: {}", current.map(Action::as_str), row.join(" ")).unwrap();
        }
        expect![[r#"
            None: granted→granted withdrawn→withdrawn pending→pending soft_opt_in→soft_opt_in objected→objected
            Some("granted"): granted→granted withdrawn→withdrawn pending→granted soft_opt_in→granted objected→objected
            Some("withdrawn"): granted→granted withdrawn→withdrawn pending→pending soft_opt_in→withdrawn objected→objected
            Some("pending"): granted→granted withdrawn→withdrawn pending→pending soft_opt_in→soft_opt_in objected→objected
            Some("soft_opt_in"): granted→granted withdrawn→withdrawn pending→soft_opt_in soft_opt_in→soft_opt_in objected→objected
            Some("objected"): granted→granted withdrawn→withdrawn pending→pending soft_opt_in→objected objected→objected
        "#]].assert_eq(&out);
    }

    #[test]
    fn which_charity_numbers_are_well_formed() {
        let mut out = String::new();
        for raw in [
            "1234567",
            "202918",
            "12345678",
            "1123456-1",
            "12345",
            "123456789",
            "SC012345",
            "SC01234",
            "sc012345",
            "NIC100002",
            "NIC10000",
            "exempt: Office for Students",
            "exempt:",
            "exempt: x",
            "charity",
            "",
            " 1234567 ",
        ] {
            writeln!(out, "{raw:?}: {}", is_charity_number(raw)).unwrap();
        }
        expect![[r#"
            "1234567": true
            "202918": true
            "12345678": true
            "1123456-1": true
            "12345": false
            "123456789": false
            "SC012345": true
            "SC01234": false
            "sc012345": false
            "NIC100002": true
            "NIC10000": false
            "exempt: Office for Students": true
            "exempt:": false
            "exempt: x": false
            "charity": false
            "": false
            " 1234567 ": true
        "#]]
        .assert_eq(&out);
    }

    #[test]
    fn rules_by_country() {
        let rules = RegionRules::default();
        let mut out = String::new();
        for country in [
            Some("GB"),
            Some("gb"),
            Some("FR"),
            Some("NO"),
            Some("GR"),
            Some("US"),
            Some("JE"),
            Some("XX"),
            Some("T1"),
            Some(""),
            None,
        ] {
            writeln!(out, "{country:?}: {}", rules.for_country(country).as_str()).unwrap();
        }
        expect![[r#"
            Some("GB"): uk
            Some("gb"): uk
            Some("FR"): eu
            Some("NO"): eu
            Some("GR"): eu
            Some("US"): uk
            Some("JE"): uk
            Some("XX"): uk
            Some("T1"): uk
            Some(""): uk
            None: uk
        "#]]
        .assert_eq(&out);
        let strict = RegionRules { uk: RuleSet::Uk, eea: RuleSet::Eu, other: RuleSet::Eu };
        assert_eq!(strict.for_country(Some("US")), RuleSet::Eu);
        assert_eq!(strict.for_country(Some("GB")), RuleSet::Uk);
    }

    #[test]
    fn a_decision_is_asked_again_when_the_rules_change() {
        assert!(decision_still_applies(Some(RuleSet::Uk), RuleSet::Uk));
        assert!(!decision_still_applies(Some(RuleSet::Uk), RuleSet::Eu));
        assert!(!decision_still_applies(Some(RuleSet::Eu), RuleSet::Uk));
        assert!(decision_still_applies(None, RuleSet::Eu));
    }
}
