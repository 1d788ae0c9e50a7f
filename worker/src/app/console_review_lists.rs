//! The review's downloads (POST, so each carries the page's anti-forgery value and is audited):
//! a group's list as CSV, and — for the groups the DPO may ask to check their details — the
//! people's preference-centre links for the organisation's own mailer. Those links are listed
//! only for people the organisation may already email: each is checked per email list of the
//! site exactly as the consent check does (`subject_check::standing_answer`). Consent sends
//! nothing itself (seed 000: never email to ask for consent).

use consent_shared::audit::AuditKind;
use consent_shared::review::{cutoffs, DecisionKind, ReviewGroup};
use consent_shared::site::Channel;
use serde_json::json;

use super::admin::csv_field;
use super::audit::{client_ip, record, AuditEntry};
use super::console_review::{actor, cutoff_of, read_params, site_review, View};
use super::console_site::Console;
use super::links::LinkSigner;
use super::subject_check::{standing_answer, STANDINGS_PER_QUERY};
use super::{App, RequestFacts};
use crate::error::AppError;
use crate::http::{HttpRequest, HttpResponse};
use crate::store::review::ReviewMember;
use crate::store::Store;

/// People read per query while a list is written.
const PAGE: u32 = 1000;

pub async fn download<S: Store + 'static>(
    app: &App<S>,
    c: &Console,
    req: &HttpRequest,
    facts: &RequestFacts<'_>,
) -> Result<HttpResponse, AppError> {
    let form = c.form.as_ref().expect("a post");
    let links = form.get("op") == Some("links");
    let mut view = View::default();
    let Some(params) = read_params(c, req, &mut view) else {
        return Err(AppError::BadRequest(format!("review periods refused: {:?}", view.errors)));
    };
    let Some(group) = form.get("group").and_then(ReviewGroup::parse) else {
        return Err(AppError::BadRequest("no such review group".into()));
    };
    if links && !group.allows(DecisionKind::AskToCheck) {
        return Err(AppError::BadRequest(format!("no preference links for group {}", group.as_str())));
    }
    if links {
        if let Some(why) = app.config.links_off() {
            return Err(AppError::Unavailable(why.into()));
        }
    }
    let review = site_review(app, c).await?;
    let cut = cutoffs(&params, review.settings.erased_history_years, facts.now.date_naive());
    let before = cutoff_of(&cut, group);
    let mut out =
        String::from(if links { "email,name,preferences_url\r\n" } else { "subject,email,name,since\r\n" });
    let signer = LinkSigner::for_request(app, req, facts);
    let mut after = String::new();
    let mut rows = 0u64;
    loop {
        let page = app.store.review_group_page(&c.site.id, group, before, &after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.subject.clone();
        let members: Vec<&ReviewMember> =
            if links { emailable(app, c, &page).await? } else { page.iter().collect() };
        for m in members {
            let (email, name) = (m.email.as_deref().unwrap_or(""), m.name.as_deref().unwrap_or(""));
            let line = if links {
                let url = signer.preferences_url(&c.site.id, &m.subject);
                [csv_field(email), csv_field(name), csv_field(&url)].join(",")
            } else {
                [csv_field(&m.subject), csv_field(email), csv_field(name), csv_field(&m.since)].join(",")
            };
            out.push_str(&line);
            out.push_str("\r\n");
            rows += 1;
        }
        if page.len() < PAGE as usize {
            break;
        }
    }
    let entry = AuditEntry {
        site: &c.site.id,
        actor: actor(c),
        kind: AuditKind::ReviewListExported,
        detail: json!({"group": group.as_str(), "preference_links": links, "rows": rows, "params": params}),
        client_ip: client_ip(req),
    };
    record(app, entry, facts.now).await?;
    let file = format!("{}-review-{}{}.csv", c.site.id, group.as_str(), if links { "-links" } else { "" });
    Ok(HttpResponse {
        status: 200,
        headers: vec![
            ("content-type".into(), "text/csv; charset=utf-8".into()),
            ("content-disposition".into(), format!("attachment; filename=\"{file}\"")),
            ("cache-control".into(), "no-store".into()),
            ("x-content-type-options".into(), "nosniff".into()),
        ],
        body: out.into_bytes(),
        stream: None,
    })
}

/// The members of `page` the organisation may email now on at least one of the site's email
/// lists (suppressed, restricted and erased people never; otherwise consent, soft opt-in, or
/// legitimate interests where the list rests on it) — the consent check's own rule.
async fn emailable<'a, S: Store + 'static>(
    app: &App<S>,
    c: &Console,
    page: &'a [ReviewMember],
) -> Result<Vec<&'a ReviewMember>, AppError> {
    let mut may = vec![false; page.len()];
    let subjects: Vec<String> = page.iter().map(|m| m.subject.clone()).collect();
    for pc in c.site.purposes.iter().filter(|pc| pc.channel == Channel::Email) {
        for (chunk_no, chunk) in subjects.chunks(STANDINGS_PER_QUERY).enumerate() {
            let standings =
                app.store.subject_standings(&c.site.id, &pc.purpose, Channel::Email, chunk).await?;
            for (i, s) in standings.iter().enumerate() {
                let answer = standing_answer(s, pc.basis, None, &c.site.id, &pc.purpose, Channel::Email);
                if answer.may_contact {
                    may[chunk_no * STANDINGS_PER_QUERY + i] = true;
                }
            }
        }
    }
    Ok(page.iter().zip(may).filter(|(_, ok)| *ok).map(|(m, _)| m).collect())
}
