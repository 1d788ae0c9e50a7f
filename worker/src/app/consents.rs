//! The public site endpoints the widget uses: configuration, consent submissions and cookie
//! banner decisions. CORS limits browsers to the site's registered origins, and the two POSTs
//! take browsers only: they need an `Origin` the site registered.

use chrono::{DateTime, Utc};
use consent_shared::api::v1::{
    self, BannerText, ConsentSubmission, CookieCategoryOption, CookieDecision, CookieReceipt, PurposeOption,
};
use consent_shared::basis::{banner_kind, treatment, CookieBasis, LawfulBasis, RuleSet};
use consent_shared::chain::cookie_mark;
use consent_shared::consent::CookieConsentRecord;
use consent_shared::cookies::{cookie_record, validate_cookie_decision};
use consent_shared::ledger::{
    check_bases, hold_for_confirmation, notice_flags, submission_choices, submission_provenance,
    validate_submission, web_collection, RequestContext,
};
use consent_shared::site::SiteConfig;

use super::confirm::double_opt_in_mail;
use super::cors::{allowed_origin, preflight, with_cors};
use super::embed_preview;
use super::ledger::{append, append_for_subject, request_context, seal_later_if_due, Answering, Appended};
use super::links::LinkSigner;
use super::page_text::PageLang;
use super::{error_response, json_body, require_method, App, RequestFacts};
use crate::error::AppError;
use crate::http::{HttpRequest, HttpResponse};
use crate::store::{Store, StoreError};

/// Whether a request is the console's live preview (`embed_preview`): checked, never recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Preview {
    No,
    DryRun,
}

/// Resolves the site and the caller's origin, runs `handler`, and puts CORS headers on whatever
/// comes back — errors included, so the widget can show the message.
async fn with_site<S: Store + 'static, F, Fut>(
    app: &App<S>,
    site_id: &str,
    req: &HttpRequest,
    now: DateTime<Utc>,
    handler: F,
) -> HttpResponse
where
    F: FnOnce(SiteConfig, Preview) -> Fut,
    Fut: std::future::Future<Output = Result<HttpResponse, AppError>>,
{
    let site = match app.site(site_id, now).await {
        Ok(Some(site)) => site,
        Ok(None) => return error_response(&AppError::NotFound(format!("unknown site '{site_id}'"))),
        Err(e) => return error_response(&e),
    };
    // The console's live preview: the site with the worker's own origin, for this request only.
    let (site, preview) = match embed_preview::admit(app, &site, req, now).await {
        Ok(Some(previewed)) => (previewed, Preview::DryRun),
        Ok(None) => (site, Preview::No),
        Err(e) => return error_response(&e),
    };
    let origin = match allowed_origin(&site, req) {
        Ok(origin) => origin,
        Err(e) => return error_response(&e),
    };
    // Browsers always send `Origin` on a cross-origin POST; a request without one is a script
    // or a server, whose claims about a person are not evidence of that person's choice.
    if req.method == "POST" && origin.is_none() {
        return error_response(&AppError::BrowserOnly(site.id.clone()));
    }
    if req.method == "OPTIONS" {
        return preflight(origin.as_deref());
    }
    let response = handler(site, preview).await.unwrap_or_else(|e| error_response(&e));
    with_cors(response, origin.as_deref())
}

pub async fn site_config<S: Store + 'static>(
    app: &App<S>,
    site_id: &str,
    req: &HttpRequest,
    facts: &RequestFacts<'_>,
) -> HttpResponse {
    with_site(app, site_id, req, facts.now, |site, _| async move {
        require_method(req, &["GET", "HEAD"])?;
        let lang = req.query_param("lang").unwrap_or_else(|| site.default_lang.clone());
        Ok(HttpResponse::json(200, &public_config(&site, &lang)).with_header("cache-control", "no-store"))
    })
    .await
}

/// What the loader needs on every page view, kept tiny and cacheable: the policy version (a
/// different one in the visitor's cookie means asking again), the current banner text's hash
/// (for recording a Global Privacy Control refusal without loading the UI), the cookie
/// policy link (offered when the page cannot run WebAssembly) and the optional categories with
/// their Consent Mode signals (a cookie naming any other category is no decision; the update
/// is sent from these without the UI).
pub async fn policy<S: Store + 'static>(
    app: &App<S>,
    site_id: &str,
    req: &HttpRequest,
    facts: &RequestFacts<'_>,
) -> HttpResponse {
    with_site(app, site_id, req, facts.now, |site, _| async move {
        require_method(req, &["GET", "HEAD"])?;
        let lang = req.query_param("lang").unwrap_or_else(|| site.default_lang.clone());
        let rules = visitor_rules(&site, req);
        let optional = site.cookie_categories.iter().filter(|c| !c.required);
        let body = v1::PolicySummary {
            policy_version: site.policy_version,
            banner_sha256: site.current_banner(&lang).map(|b| b.sha256.clone()),
            cookie_policy_url: site.organisation.cookie_policy_url.clone(),
            categories: optional.clone().map(|c| (c.key.clone(), c.consent_mode.clone())).collect(),
            rule_set: Some(rules),
            treatments: optional.map(|c| (c.key.clone(), treatment(c.basis, rules))).collect(),
            banner_kind: Some(banner_kind(site.cookie_categories.iter().map(|c| c.basis), rules)),
        };
        // The answer depends on the visitor's country: a browser may keep it, a shared cache not.
        Ok(HttpResponse::json(200, &body)
            .with_header("cache-control", "private, max-age=60")
            .with_header("vary", "CF-IPCountry"))
    })
    .await
}

/// The visitor's country: `CF-IPCountry` as the shell leaves it (from `request.cf.country` on
/// Cloudflare; the request's own header on a local worker and in tests).
pub fn visitor_country(req: &HttpRequest) -> Option<String> {
    req.header("cf-ipcountry").map(str::to_string)
}

/// The cookie rules that apply to this visitor under the site's region rules.
pub fn visitor_rules(site: &SiteConfig, req: &HttpRequest) -> RuleSet {
    site.region_rules.for_country(visitor_country(req).as_deref())
}

/// The site as a form or banner shows it: current wording in `lang`, else the default language.
pub fn public_config(site: &SiteConfig, lang: &str) -> v1::SiteConfig {
    let purposes = site
        .purposes
        .iter()
        .filter_map(|pc| {
            let w = site.current_wording(pc, lang)?;
            Some(PurposeOption {
                purpose: pc.purpose.clone(),
                channel: pc.channel,
                wording_version: w.version,
                lang: w.lang.clone(),
                label: w.label.clone(),
                text: w.text.clone(),
                sha256: w.sha256.clone(),
                basis: (pc.basis != LawfulBasis::Consent).then_some(pc.basis),
                refusal: w.refusal.clone(),
            })
        })
        .collect::<Vec<_>>();
    let served_lang = if site.offers_lang(lang) { lang.to_string() } else { site.default_lang.clone() };
    let cookie_categories = site
        .cookie_categories
        .iter()
        .filter_map(|c| {
            let t = c
                .texts
                .iter()
                .find(|t| t.lang == served_lang)
                .or_else(|| c.texts.iter().find(|t| t.lang == site.default_lang))?;
            Some(CookieCategoryOption {
                key: c.key.clone(),
                required: c.required,
                label: t.label.clone(),
                description: t.description.clone(),
                consent_mode: c.consent_mode.clone(),
                // Only the exception bases are news to a client that knows `required`.
                basis: matches!(c.basis, CookieBasis::Statistics | CookieBasis::Appearance)
                    .then_some(c.basis),
            })
        })
        .collect();
    let banner = site.current_banner(&served_lang).map(|b| BannerText {
        version: b.version,
        lang: b.lang.clone(),
        text: b.text.clone(),
        sha256: b.sha256.clone(),
    });
    v1::SiteConfig {
        site: site.id.clone(),
        lang: served_lang,
        policy_version: site.policy_version,
        organisation: site.organisation.clone(),
        purposes,
        cookie_categories,
        banner,
    }
}

pub async fn submit<S: Store + 'static>(
    app: &App<S>,
    site_id: &str,
    req: &HttpRequest,
    facts: &mut RequestFacts<'_>,
) -> HttpResponse {
    let now = facts.now;
    with_site(app, site_id, req, now, |site, preview| async move {
        require_method(req, &["POST"])?;
        let submission: ConsentSubmission = json_body(req)?;
        let ctx = browser_context(req, facts)?;
        let email = validate_submission(&site, &submission)?;
        let mut choices = submission_choices(&submission);
        check_bases(&site, &choices, &web_collection(&submission, now), Some(&notice_flags(&submission)))?;
        let provenance = submission_provenance(&site, &submission);
        // Double opt-in: every email grant from a form waits for the person to confirm from
        // their inbox — the same for a new address, a current subscriber and a suppressed one.
        let held = if site.double_opt_in {
            confirmation_possible(app)?;
            hold_for_confirmation(&mut choices)
        } else {
            Vec::new()
        };
        if preview == Preview::DryRun {
            let answer =
                embed_preview::submission_answer(app, &site, email, &choices, &provenance, &ctx, facts);
            return Ok(answer);
        }
        if !site.double_opt_in {
            let appended =
                append(app, &site, email, &choices, &provenance, &ctx, Answering::Public, req, facts);
            return Ok(appended.await?.into_public_response());
        }
        let subject = app.subject_for(&site.id, &email).await?;
        let to = email.address_for_sending().to_string();
        // The subject is already resolved: append under it rather than hashing the address again.
        let appended = append_for_subject(
            app,
            &site,
            subject.clone(),
            Some(email),
            &choices,
            &provenance,
            &ctx,
            Answering::Public,
            req,
            facts,
        )
        .await?;
        // Only a recorded request asks for confirmation: a suppressed or erased address gets no
        // mail, and a retry none again. The throttle decides after the response.
        if matches!(appended, Appended::Recorded(_)) && !held.is_empty() {
            let url = LinkSigner::for_request(app, req, facts).confirm_url(&site.id, &subject);
            let lang = PageLang::parse(&provenance.lang).unwrap_or(PageLang::En);
            let mail = double_opt_in_mail(&site, lang, &to, &url, &held);
            app.mail_later(facts, &site.id, "confirmation", mail);
        }
        Ok(appended.into_public_response())
    })
    .await
}

/// Whether this worker can ask people to confirm by email (a double opt-in site needs both
/// confirmation links and a mailer); nothing is recorded when it cannot.
fn confirmation_possible<S>(app: &App<S>) -> Result<(), AppError> {
    if let Some(reason) = app.config.links_off() {
        super::log_internal(reason);
        return Err(AppError::Unavailable(
            "this site asks people to confirm by email, and confirmation links are off here; \
             nothing was recorded"
                .into(),
        ));
    }
    if app.mailer.is_none() {
        return Err(AppError::Unavailable(
            "this site asks people to confirm by email, and sending email is not set up here; \
             nothing was recorded"
                .into(),
        ));
    }
    Ok(())
}

/// The request context of a browser endpoint: `with_site` has checked that the `Origin` is
/// one the site registered, so it is evidence of where the request came from.
fn browser_context(req: &HttpRequest, facts: &RequestFacts<'_>) -> Result<RequestContext, AppError> {
    let mut ctx = request_context(req, facts)?;
    ctx.request_origin = req.header("origin").map(str::to_string);
    Ok(ctx)
}

pub async fn cookie_decision<S: Store + 'static>(
    app: &App<S>,
    site_id: &str,
    req: &HttpRequest,
    facts: &mut RequestFacts<'_>,
) -> HttpResponse {
    let now = facts.now;
    with_site(app, site_id, req, now, |site, preview| async move {
        require_method(req, &["POST"])?;
        let decision: CookieDecision = json_body(req)?;
        validate_cookie_decision(&site, &decision)?;
        let ctx = browser_context(req, facts)?;
        let record = cookie_record(&site, &decision, &ctx, (facts.new_id)(), Some(visitor_rules(&site, req)));
        if preview == Preview::DryRun {
            return Ok(embed_preview::cookie_answer(&record));
        }
        let mark = cookie_mark(&app.config.ledger_key, &record);
        let key = ctx.idempotency_key.as_deref();
        match app.store.record_cookie_consent(&record, Some(&mark), key).await {
            Ok(()) => {}
            // A retry of a decision already stored under this key: answer with the first receipt.
            Err(StoreError::Conflict) if key.is_some() => {
                let first = app.store.cookie_consent_by_key(&site.id, key.unwrap_or_default()).await?;
                let first =
                    first.ok_or_else(|| AppError::Internal("cookie key taken, no decision".into()))?;
                if !same_decision(&first, &record) {
                    return Err(AppError::IdempotencyKeyReused);
                }
                let receipt =
                    CookieReceipt { record_id: first.id, recorded_at: first.server_time, preview: None };
                return Ok(HttpResponse::json(201, &receipt).with_header("idempotent-replayed", "true"));
            }
            Err(e) => return Err(e.into()),
        }
        seal_later_if_due(app, &site.id, facts);
        let receipt = CookieReceipt { record_id: record.id, recorded_at: record.server_time, preview: None };
        Ok(HttpResponse::json(201, &receipt))
    })
    .await
}

/// Whether a retried decision is the one stored under its Idempotency-Key (what the person
/// chose, not when the request arrived).
fn same_decision(a: &CookieConsentRecord, b: &CookieConsentRecord) -> bool {
    (
        &a.consent_id,
        &a.categories,
        a.choice,
        a.policy_version,
        &a.wording_sha256,
        a.reject_on_first_layer,
        a.gpc,
    ) == (
        &b.consent_id,
        &b.categories,
        b.choice,
        b.policy_version,
        &b.wording_sha256,
        b.reject_on_first_layer,
        b.gpc,
    )
}
