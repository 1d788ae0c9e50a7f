//! Wire DTOs between the widget (and other clients) and the worker.
//!
//! Versioned by module: `v1` is served under `/api/v1/`. A field is only ever added as optional;
//! anything else is a new version. Tests in the worker pin the JSON shapes.

pub mod v1 {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Serialize};

    pub use crate::basis::{
        BannerKind, CookieBasis, LawfulBasis, RegionRules, RuleSet, SupportContext, Treatment,
    };
    pub use crate::consent::{Action, CookieChoice, Method};
    pub use crate::site::{Channel, ConsentSignal, Organisation};

    // People, roles and keys: server-side only, like `access` (the widget never needs them).
    #[cfg(feature = "ledger")]
    mod accounts;
    #[cfg(feature = "ledger")]
    pub use accounts::*;

    /// `GET /api/v1/sites/{site}/config`: what a form or banner shows.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub struct SiteConfig {
        pub site: String,
        pub lang: String,
        pub policy_version: u32,
        pub organisation: Organisation,
        pub purposes: Vec<PurposeOption>,
        #[serde(default)]
        pub cookie_categories: Vec<CookieCategoryOption>,
        /// The banner's first-layer statement, when the site has a banner.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub banner: Option<BannerText>,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub struct CookieCategoryOption {
        pub key: String,
        /// `basis == strictly_necessary`, kept for clients that predate `basis`.
        pub required: bool,
        /// What the category is for; absent means consent (or strictly necessary when required).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub basis: Option<CookieBasis>,
        pub label: String,
        pub description: String,
        /// The Consent Mode v2 signals accepting this category grants (none when absent).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub consent_mode: Vec<ConsentSignal>,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub struct BannerText {
        pub version: u32,
        pub lang: String,
        pub text: String,
        pub sha256: String,
    }

    /// `POST /api/v1/sites/{site}/cookie-consents`: an anonymous banner decision.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(deny_unknown_fields)]
    pub struct CookieDecision {
        /// Random id (UUID) the browser keeps in its decision cookie.
        pub consent_id: String,
        /// Non-essential categories accepted; empty for "Reject all".
        pub categories: Vec<String>,
        pub choice: CookieChoice,
        pub policy_version: u32,
        /// SHA-256 of the banner text shown, as served in `SiteConfig.banner`.
        pub wording_sha256: String,
        pub reject_on_first_layer: bool,
        #[serde(default)]
        pub gpc: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub client_time: Option<String>,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub struct CookieReceipt {
        pub record_id: String,
        pub recorded_at: String,
        /// `true` when this answered the console's live preview: everything was checked as for a
        /// real decision, and nothing was recorded. Absent on every real answer.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub preview: Option<bool>,
    }

    /// `POST /api/v1/admin/sites/{site}/consents` (admin key): choices that reached the
    /// organisation another way — a paper form, an import — or a withdrawal it was told of.
    /// One person per request; all changes are written atomically.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(deny_unknown_fields)]
    pub struct RecordedChanges {
        pub email: String,
        pub method: Method,
        pub changes: Vec<Change>,
        /// Where the choice was made (a form reference, a URL).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub source: Option<String>,
        /// When the person made the choice, if earlier than now (RFC 3339).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub occurred_at: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub lang: Option<String>,
        /// For a `soft_opt_in` change: how the person was supporting the charity when they gave
        /// their details (required for it).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub context: Option<SupportContext>,
        /// For a `soft_opt_in` change: `true` states that the person gave these details to the
        /// charity directly (not a third party, a trading subsidiary or a bought list). Required
        /// for it, with `occurred_at` on or after 2026-02-05.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub directly_from_person: Option<bool>,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(deny_unknown_fields)]
    pub struct Change {
        pub purpose: String,
        pub channel: Channel,
        pub action: Action,
        /// The wording the person saw; a grant must name an existing version. Defaults to the
        /// current one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub wording_version: Option<u32>,
    }

    /// `POST /api/v1/admin/sites/{site}/suppressions` (admin key): never contact this address.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(deny_unknown_fields)]
    pub struct SuppressionRequest {
        pub email: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub reason: Option<String>,
    }

    /// `POST /api/v1/admin/sites/{site}/links` (admin key).
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(deny_unknown_fields)]
    pub struct LinkRequest {
        pub email: String,
        /// The list to unsubscribe from; every purpose on the channel when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub purpose: Option<String>,
        /// Defaults to email.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub channel: Option<Channel>,
    }

    /// Signed links for one person, and the header values a mailer puts on the message.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub struct Links {
        /// The person's preference centre (`/p/{token}`).
        pub preferences_url: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub preferences_expires_at: Option<String>,
        pub unsubscribe_url: String,
        /// `List-Unsubscribe` header value.
        pub list_unsubscribe: String,
        /// `List-Unsubscribe-Post` header value (RFC 8058).
        pub list_unsubscribe_post: String,
        pub expires_at: String,
    }

    /// `POST /api/v1/admin/sites/{site}/subjects/{access|erase|restrict}` (admin key): a data
    /// rights request that reached the organisation (by letter, phone or email).
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(deny_unknown_fields)]
    pub struct SubjectRequest {
        pub email: String,
        /// For `restrict`: `true` to restrict, `false` to lift the restriction.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub restricted: Option<bool>,
    }

    /// One person who may be contacted now for a purpose on a channel.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub struct AudienceMember {
        pub email: String,
        pub subject: String,
        /// When the consent (or soft opt-in) that is in force was recorded; for legitimate
        /// interests, when the person was first held.
        pub granted_at: String,
        pub event_id: String,
        /// A signed one-click unsubscribe link for this list (exports fill it in).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub unsubscribe_url: Option<String>,
        /// A signed link to the person's preference centre (exports fill it in).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub preferences_url: Option<String>,
        /// Why this person may be contacted: `consent`, `charity_soft_opt_in` or (post only)
        /// `legitimate_interests`. Keep the lists apart, as the ICO expects.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub basis: Option<LawfulBasis>,
        /// The name the person gave, if any (mailing tools' `name` column).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub name: Option<String>,
    }

    /// `GET /api/v1/sites/{site}/audience?purpose=&channel=&count=true`: how many people may be
    /// contacted now, without listing them.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub struct AudienceCount {
        pub site: String,
        pub purpose: String,
        pub channel: Channel,
        pub count: u64,
    }

    /// `GET /api/v1/sites/{site}/ledger/verify`.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub struct VerifyReport {
        /// Everything holds: the chain, every event's append mark, the current state, the
        /// cookie chain and the latest anchor.
        pub valid: bool,
        pub events_checked: u64,
        pub head_seq: i64,
        pub head_hash: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub first_broken: Option<BrokenLinkReport>,
        /// The event chain alone holds (links and the events they seal).
        #[serde(default)]
        pub chain_valid: bool,
        /// Unkeyed (v1) links at the chain's start, sealed before `LEDGER_KEY`: anyone with
        /// database access could have rewritten these before the first anchor.
        #[serde(default)]
        pub legacy_links: u64,
        /// Events without a valid append mark: written some other way than the append path.
        #[serde(default)]
        pub unmarked_events: u64,
        /// The first of them (at most `REPORT_LIMIT`).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub first_unmarked: Vec<UnmarkedRow>,
        /// The row sealing stopped in front of (the chain ends before it).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub sealing_stopped_at: Option<UnmarkedRow>,
        /// Events written before append marks existed, accepted without one.
        #[serde(default)]
        pub legacy_unmarked_events: u64,
        /// Subject × purpose × channel whose `consent_state` (what the audience reads) differs
        /// from the state rebuilt from the marked events.
        #[serde(default)]
        pub state_disagreements: u64,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub first_state_disagreements: Vec<StateDisagreement>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub cookie_chain: Option<CookieChainReport>,
        /// The latest anchor outside the database; absent when no anchor store is configured.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub anchor: Option<AnchorReport>,
        /// The site's audit trail of administrative acts.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub audit_trail: Option<AuditChainReport>,
    }

    /// How many rows of each finding a report lists (the counts are complete).
    pub const REPORT_LIMIT: usize = 20;

    /// A row that did not come through the append path.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub struct UnmarkedRow {
        /// Event id (or cookie decision id).
        pub id: String,
        /// Write position.
        pub pos: i64,
        pub reason: String,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub struct StateDisagreement {
        pub subject: String,
        pub purpose: String,
        pub channel: String,
        /// Rebuilt from the events (`None`: no marked event).
        pub expected: Option<String>,
        /// In `consent_state` (`None`: no row).
        pub found: Option<String>,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub struct CookieChainReport {
        pub valid: bool,
        pub records_checked: u64,
        pub head_seq: i64,
        pub head_hash: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub first_broken: Option<BrokenLinkReport>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub sealing_stopped_at: Option<UnmarkedRow>,
        /// Decisions (up to `REPORT_LIMIT`) outside the chain where sealing never looks: written
        /// into the database directly.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub unchained: Vec<UnmarkedRow>,
        /// The retention purges of old decisions, in words; absent when none was made.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub purged: Option<PurgedReport>,
    }

    /// What retention purges removed from the start of a chain, and where verification started.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub struct PurgedReport {
        /// Sealed purge checkpoints, each checked under `LEDGER_KEY`.
        pub checkpoints: u64,
        /// Records purged in all.
        pub records_purged: i64,
        /// Verification started after this place (the latest checkpoint).
        pub starts_after_seq: i64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub last_purged_at: Option<String>,
        /// In words: "Records before #N were purged … the chain from there is intact."
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub summary: Option<String>,
        /// A checkpoint that does not hold (forged, altered, missing): tampering.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub problem: Option<String>,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub struct AnchorReport {
        /// Whether any anchor was found.
        pub found: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub seq: Option<i64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub cookie_seq: Option<i64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub anchored_at: Option<String>,
        /// The stored chains still pass through the anchored heads.
        pub extends: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub problem: Option<String>,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub struct BrokenLinkReport {
        pub seq: i64,
        pub event_id: String,
        pub reason: String,
    }

    /// `PUT /api/v1/admin/sites/{site}`: a site as its owner describes it. The server assigns
    /// wording versions: a changed text becomes a new version, and old versions stay.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(deny_unknown_fields)]
    pub struct SiteDefinition {
        pub organisation: Organisation,
        pub allowed_origins: Vec<String>,
        pub default_lang: String,
        pub purposes: Vec<PurposeDefinition>,
        #[serde(default)]
        pub cookie_categories: Vec<CookieCategoryDefinition>,
        /// Banner first-layer text per language.
        #[serde(default)]
        pub banner: Vec<TextDefinition>,
        /// Email consents from web forms stay pending until confirmed from an emailed link.
        #[serde(default)]
        pub double_opt_in: bool,
        /// Which cookie rules apply where; default UK rules for the UK, EU rules for the EEA, UK
        /// rules elsewhere.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub region_rules: Option<RegionRules>,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(deny_unknown_fields)]
    pub struct PurposeDefinition {
        pub purpose: String,
        pub channel: Channel,
        pub wordings: Vec<WordingDefinition>,
        /// `consent` (default), `charity_soft_opt_in` (email and SMS; a charity's purpose that
        /// furthers its charitable purposes; each wording's `text` is then the notice and its
        /// `refusal` the label of the unticked refusal box) or `legitimate_interests` (post).
        #[serde(default)]
        pub basis: LawfulBasis,
        /// The messages' sole purpose is to further the charity's charitable purposes.
        #[serde(default)]
        pub furthers_charitable_purposes: bool,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(deny_unknown_fields)]
    pub struct WordingDefinition {
        pub lang: String,
        pub label: String,
        pub text: String,
        /// Soft opt-in purposes only (and required for them): the label of the unticked box to
        /// refuse, e.g. "I don't want to receive emails about your work".
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub refusal: Option<String>,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(deny_unknown_fields)]
    pub struct CookieCategoryDefinition {
        pub key: String,
        /// Strictly necessary (the older spelling of `basis: strictly_necessary`).
        #[serde(default)]
        pub required: bool,
        /// `strictly_necessary`, `consent`, `statistics` (PECR Schedule A1: first-party
        /// statistics of how the site is used, to improve it) or `appearance` (remembering the
        /// visitor's choice of look or function). Default: `strictly_necessary` when `required`,
        /// else `consent`. Advertising, profiling and cross-site tracking are always `consent`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub basis: Option<CookieBasis>,
        pub texts: Vec<crate::site::CategoryText>,
        /// The Consent Mode v2 signals accepting this category grants, e.g.
        /// `["analytics_storage"]`; none when absent. Not allowed on a required category.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub consent_mode: Vec<ConsentSignal>,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(deny_unknown_fields)]
    pub struct TextDefinition {
        pub lang: String,
        pub text: String,
    }

    /// `GET /api/v1/sites/{site}/policy[?lang=]`: what the loader checks on every page view.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub struct PolicySummary {
        pub policy_version: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub banner_sha256: Option<String>,
        pub cookie_policy_url: String,
        /// Every optional cookie category (what a decision cookie may name) with the Consent
        /// Mode signals accepting it grants. The loader checks a returning visitor's cookie
        /// against these keys and sends the Consent Mode update from them, without the UI.
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        pub categories: BTreeMap<String, Vec<ConsentSignal>>,
        /// The cookie rules that apply to this visitor (from their country). A stored decision
        /// made under other rules (the `r` field of the decision cookie) must be asked again.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub rule_set: Option<RuleSet>,
        /// How each optional category behaves for this visitor: `opt_in` (waits for consent) or
        /// `opt_out` (runs at once unless the visitor objected or sends GPC).
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        pub treatments: BTreeMap<String, Treatment>,
        /// What to show a visitor without a decision: `consent` banner, `notice_only`, or `none`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub banner_kind: Option<BannerKind>,
    }

    /// One checkbox: a purpose on a channel with the exact wording to show next to it.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub struct PurposeOption {
        pub purpose: String,
        pub channel: Channel,
        pub wording_version: u32,
        pub lang: String,
        pub label: String,
        /// The consent statement beside the checkbox; for a soft opt-in purpose, the notice.
        pub text: String,
        pub sha256: String,
        /// Absent for consent. `charity_soft_opt_in`: show `text` as a notice (no consent box)
        /// with an unticked box labelled `refusal`, and send the answer in `notices`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub basis: Option<LawfulBasis>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub refusal: Option<String>,
    }

    /// `POST /api/v1/sites/{site}/consents`: the purposes a person ticked, as they saw them.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(deny_unknown_fields)]
    pub struct ConsentSubmission {
        pub email: String,
        /// Only ticked options are sent: silence is never consent.
        /// At most `ledger::MAX_CHOICES_PER_SUBMISSION` (a test in the worker checks the schema).
        #[cfg_attr(feature = "openapi", schema(max_items = 32))]
        pub consents: Vec<ChosenPurpose>,
        /// The page the form was on.
        pub page_url: String,
        /// The language the wording was shown in; defaults to the site's language.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub lang: Option<String>,
        /// The browser's clock when the person pressed submit (RFC 3339), kept as evidence only.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub client_time: Option<String>,
        /// The soft opt-in notices the form showed, each with whether its refusal box was ticked.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        #[cfg_attr(feature = "openapi", schema(max_items = 32))]
        pub notices: Vec<NoticeAnswer>,
        /// How the person is supporting the charity on this form, as the site declared it on the
        /// embed (`data-consent-context`); required when `notices` is not empty.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub context: Option<SupportContext>,
    }

    /// A soft opt-in notice as shown, and the answer to its unticked refusal box.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(deny_unknown_fields)]
    pub struct NoticeAnswer {
        pub purpose: String,
        pub channel: Channel,
        pub wording_version: u32,
        /// The person ticked "I don't want to receive …": recorded as `objected`; otherwise
        /// `soft_opt_in`.
        pub refused: bool,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(deny_unknown_fields)]
    pub struct ChosenPurpose {
        pub purpose: String,
        pub channel: Channel,
        pub wording_version: u32,
    }

    /// The answer to a recorded submission (replayed unchanged for a repeated Idempotency-Key).
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub struct ConsentReceipt {
        pub recorded_at: String,
        pub events: Vec<RecordedEvent>,
        /// `true` when this answered the console's live preview: everything was checked as for a
        /// real decision, and nothing was recorded. Absent on every real answer.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub preview: Option<bool>,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub struct RecordedEvent {
        /// The ledger event's id: in answers to the admin key. The public form endpoint leaves
        /// it out, so its answer is the same whether or not anything could be recorded for the
        /// address (a suppressed or erased address records nothing and must not be told apart).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub event_id: Option<String>,
        pub purpose: String,
        pub channel: Channel,
        pub action: String,
        pub wording_version: u32,
        pub wording_sha256: String,
    }

    /// `GET /healthz`: the worker answers and its database does.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub struct Health {
        /// Always `ok` (anything else is an error status).
        pub status: String,
        /// The worker's package version.
        pub version: String,
    }

    // These answers were `json!` objects (keys sorted) before they had a type: fields stay in
    // alphabetical order so the bytes on the wire did not change.

    /// `POST /api/v1/admin/sites/{site}/suppressions`: the address will never be contacted.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub struct Suppressed {
        pub subject: String,
        pub suppressed: bool,
    }

    /// `POST /api/v1/admin/sites/{site}/subjects/erase`: personal data gone, address suppressed.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub struct Erased {
        pub erased: bool,
        pub subject: String,
        pub suppressed: bool,
    }

    /// `POST /api/v1/admin/sites/{site}/subjects/restrict`: the restriction as it now is.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub struct Restricted {
        pub restricted: bool,
        pub subject: String,
    }

    /// Every error response: `{"error": {"code": "...", "message": "..."}}`.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub struct ErrorBody {
        pub error: ErrorDetail,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub struct ErrorDetail {
        pub code: String,
        pub message: String,
    }

    /// One entry of a site's audit trail (`GET /api/v1/admin/sites/{site}/audit`).
    #[cfg(feature = "ledger")]
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub struct AuditEntry {
        /// Position in the site's trail, from 1.
        pub seq: i64,
        pub at: String,
        /// Who: `person:{id}`, `key:{prefix}`, `admin_key`, `system` or `anonymous`.
        pub actor: String,
        /// `person`, `api_key`, `admin_key`, `system` or `anonymous`.
        pub actor_type: String,
        /// What kind of act (`audience_exported`, `subject_erased`, …).
        pub kind: String,
        /// From where: the client's address truncated to its /24 (IPv4) or /48 (IPv6).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub ip: Option<String>,
        /// What exactly: subject HMAC ids, counts, names — never an address.
        #[cfg_attr(feature = "openapi", schema(schema_with = audit_detail_schema))]
        pub detail: serde_json::Value,
        pub prev_hash: String,
        /// `HMAC(LEDGER_KEY, "audit-link:v2\n{seq}\n{prev_hash}\n{entry_hash}")`.
        pub hash: String,
    }

    /// An entry's `detail`: any small JSON object.
    #[cfg(all(feature = "ledger", feature = "openapi"))]
    fn audit_detail_schema() -> utoipa::openapi::schema::Object {
        use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .additional_properties(Some(AdditionalProperties::<utoipa::openapi::Schema>::FreeForm(true)))
            .description(Some("What exactly: subject HMAC ids, counts, names — never an address."))
            .build()
    }

    /// A page of the audit trail, newest first.
    #[cfg(feature = "ledger")]
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub struct AuditPage {
        pub site: String,
        pub entries: Vec<AuditEntry>,
        /// Pass as `?before=` for the next (older) page; absent on the last page.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub next_before: Option<i64>,
    }

    /// `ledger/verify`: the site's audit trail chain.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub struct AuditChainReport {
        pub valid: bool,
        pub entries_checked: u64,
        pub head_seq: i64,
        pub head_hash: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub first_broken: Option<BrokenLinkReport>,
        /// The trail's latest signed head outside the database; absent when no anchor store is
        /// configured (`cookie_seq` is unused here).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub anchor: Option<AnchorReport>,
        /// The retention purges of old entries; absent when none was made.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub purged: Option<PurgedReport>,
    }

    /// Why an address may or may not be contacted now for a purpose on a channel.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(rename_all = "snake_case")]
    pub enum CheckBasis {
        /// A consent in force (`since`: when it was given).
        Consent,
        /// Never consented (or an address never seen).
        NoConsent,
        /// The consent was withdrawn (`since`: when).
        Withdrawn,
        /// Signed up but has not confirmed the address yet (double opt-in).
        PendingConfirmation,
        /// On the do-not-contact list (asked not to be contacted, or erased).
        Suppressed,
        /// Processing restricted at the person's request.
        Restricted,
        /// On the charitable purpose soft opt-in (`since`: when the details were given).
        CharitySoftOptIn,
        /// Post on legitimate interests: held, and has not objected.
        LegitimateInterests,
        /// Objected to this purpose on this channel (`since`: when).
        Objected,
    }

    /// `GET /api/v1/sites/{site}/subjects/check`: may this address be contacted now? The same
    /// shape whether or not the address is known.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub struct SubjectCheck {
        pub may_contact: bool,
        pub basis: CheckBasis,
        /// When the state behind `basis` began (consent given, withdrawn, …); null if unknown.
        pub since: Option<String>,
        /// A signed one-click unsubscribe link to put in the message, when `may_contact`.
        pub unsubscribe_url: Option<String>,
    }

    /// `POST /api/v1/sites/{site}/subjects/check`: up to 1,000 addresses at once.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(deny_unknown_fields)]
    pub struct SubjectCheckBatch {
        pub purpose: String,
        pub channel: Channel,
        pub emails: Vec<String>,
    }

    /// One address of a batch check, in the order given.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub struct SubjectCheckResult {
        /// The address as it was sent.
        pub email: String,
        /// Absent only when `error` says why the address could not be checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub check: Option<SubjectCheck>,
        /// `invalid_email`: the address does not parse (so nobody may be contacted at it).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub error: Option<String>,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub struct SubjectCheckResults {
        pub results: Vec<SubjectCheckResult>,
    }

    /// The most addresses one batch check takes.
    pub const MAX_CHECK_BATCH: usize = 1000;
}
