//! The register's daily digest (cron): once a day per site, each person with the `dpo` role
//! (the owners when the site has no DPO) gets one email listing the open entries overdue or due
//! within `DUE_SOON_DAYS` — references, kinds and dates, never a person's details — and only
//! when there is something. The day's `register_digest_sent` entry in the site's audit trail is
//! the marker: it is written before sending, so a later run the same day sends nothing again
//! (a failed send is not retried that day, rather than risking a mail every five minutes).

use std::collections::BTreeMap;

use chrono::{DateTime, Days, NaiveDate, Utc};
use consent_shared::access::{Actor, Role};
use consent_shared::audit::AuditKind;
use consent_shared::register::{Urgency, DUE_SOON_DAYS};
use maud::html;
use serde_json::json;

use super::audit::{record, AuditEntry};
use super::console_register::{day_text, today};
use super::mail::OutgoingMail;
use super::page_text::PageLang;
use super::{log_internal, App};
use crate::store::audit::AuditFilter;
use crate::store::register::RegisterRow;
use crate::store::{Store, StoreError};

/// The mail kind of the digest, for the mail budget's per-kind throttle.
pub const DIGEST_MAIL_KIND: &str = "register_digest";
/// The most due entries one run reads across every site (a backlog past it is mailed as the
/// entries before it are closed).
pub const DIGEST_SCAN_LIMIT: u32 = 5_000;

/// What one run sent for one site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestSent {
    pub site: String,
    pub overdue: usize,
    pub due_soon: usize,
    pub recipients: usize,
}

/// Mails each site's digest for `now`'s day if it was not mailed yet; failures are logged (the
/// next run tries the sites it could not mark).
pub async fn send_register_digests<S: Store + 'static>(app: &App<S>, now: DateTime<Utc>) -> Vec<DigestSent> {
    let Some(mailer) = app.mailer.clone() else { return Vec::new() };
    let today = today(now);
    let rows =
        match app.store.register_due_everywhere(today + Days::new(DUE_SOON_DAYS), DIGEST_SCAN_LIMIT).await {
            Ok(rows) => rows,
            Err(e) => {
                log_internal(&format!("register digest: reading what falls due: {e}"));
                return Vec::new();
            }
        };
    let mut by_site: BTreeMap<String, Vec<RegisterRow>> = BTreeMap::new();
    for row in rows {
        by_site.entry(row.site_id.clone()).or_default().push(row);
    }
    let mut sent = Vec::new();
    for (site, rows) in by_site {
        match digest_of_site(app, &site, &rows, today, now).await {
            Ok(Some((report, mails))) => {
                // Straight to the mailer, not through the per-mailbox budgets: the recipients are
                // the site's own DPOs (or owners), once a day per site by the trail's marker, and
                // a budget shared with the public flows would let an outsider who sent complaints
                // from a DPO's address suppress that day's digest.
                for mail in mails {
                    if let Err(e) = mailer.send(mail).await {
                        log_internal(&format!("{DIGEST_MAIL_KIND} mail of {site} not sent: {e}"));
                    }
                }
                sent.push(report);
            }
            Ok(None) => {}
            Err(e) => log_internal(&format!("register digest of {site}: {e}")),
        }
    }
    sent
}

/// The site's digest mails, once its day's marker is written; `None` when it was mailed today
/// already or nobody is there to receive it.
async fn digest_of_site<S: Store>(
    app: &App<S>,
    site: &str,
    rows: &[RegisterRow],
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Option<(DigestSent, Vec<OutgoingMail>)>, String> {
    let day = day_text(today);
    if sent_on(app, site, &day).await.map_err(|e| e.to_string())? {
        return Ok(None);
    }
    let Some(config) = app.store.site(site).await.map_err(|e| e.to_string())? else { return Ok(None) };
    let members = app.store.members(site).await.map_err(|e| e.to_string())?;
    let dpos: Vec<&str> = members.iter().filter(|m| m.role == Role::Dpo).map(|m| m.email.as_str()).collect();
    let recipients = if dpos.is_empty() {
        members.iter().filter(|m| m.role == Role::Owner).map(|m| m.email.as_str()).collect()
    } else {
        dpos
    };
    if recipients.is_empty() {
        return Ok(None);
    }
    let count = |u: Urgency| rows.iter().filter(|r| r.entry.urgency(today, DUE_SOON_DAYS) == u).count();
    let report = DigestSent {
        site: site.into(),
        overdue: count(Urgency::Overdue),
        due_soon: count(Urgency::DueSoon),
        recipients: recipients.len(),
    };
    let entry = AuditEntry {
        site,
        actor: Actor::System,
        kind: AuditKind::RegisterDigestSent,
        detail: json!({"day": day, "overdue": report.overdue, "due_soon": report.due_soon,
            "recipients": report.recipients}),
        client_ip: None,
    };
    record(app, entry, now).await.map_err(|e| e.cause())?;
    let lang = PageLang::parse(&config.default_lang).unwrap_or(PageLang::En);
    let link = app.config.public_origin.as_deref().map(|o| format!("{o}/admin/sites/{site}/register?open=1"));
    let mails = recipients
        .into_iter()
        .map(|to| digest_mail(to, &config.organisation.name, rows, &report, today, lang, link.as_deref()))
        .collect();
    Ok(Some((report, mails)))
}

/// Whether the site's trail holds a digest marker for `day` (the newest one is enough: markers
/// are written in day order).
async fn sent_on<S: Store>(app: &App<S>, site: &str, day: &str) -> Result<bool, StoreError> {
    let filter =
        AuditFilter { kind: Some(AuditKind::RegisterDigestSent.as_str().into()), ..AuditFilter::default() };
    let newest = app.store.audit_page(site, &filter, 1).await?;
    Ok(newest.first().is_some_and(|e| {
        serde_json::from_str::<serde_json::Value>(&e.record.detail).is_ok_and(|d| d["day"] == day)
    }))
}

fn digest_mail(
    to: &str,
    organisation: &str,
    rows: &[RegisterRow],
    report: &DigestSent,
    today: NaiveDate,
    lang: PageLang,
    link: Option<&str>,
) -> OutgoingMail {
    let t = lang.register();
    let intro = t.digest_intro.replace("{org}", organisation).replace("{days}", &DUE_SOON_DAYS.to_string());
    let line = |r: &RegisterRow| {
        let e = &r.entry;
        let mark = match e.urgency(today, DUE_SOON_DAYS) {
            Urgency::Overdue => t.overdue,
            _ => t.due_soon,
        };
        format!(
            "{} · {} · {} {} · {} {} · {}",
            e.reference,
            t.kind(e.kind),
            t.received,
            day_text(e.received_on),
            t.due,
            e.due_on().map(day_text).unwrap_or_default(),
            mark
        )
    };
    let lines: Vec<String> = rows.iter().map(line).collect();
    let html = html! {
        p { (intro) }
        ul { @for l in &lines { li { (l) } } }
        @if let Some(link) = link { p { a href=(link) { (t.overview_link) } } }
        p { (t.digest_footer) }
    };
    let link_text = link.map(|l| format!("{l}\n\n")).unwrap_or_default();
    OutgoingMail {
        to: to.into(),
        subject: t
            .digest_subject
            .replace("{org}", organisation)
            .replace("{overdue}", &report.overdue.to_string())
            .replace("{soon}", &report.due_soon.to_string()),
        text: format!("{intro}\n\n{}\n\n{link_text}{}\n", lines.join("\n"), t.digest_footer),
        html: html.into_string(),
    }
}
