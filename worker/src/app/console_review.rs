//! Console → Review (`/admin/sites/{site}/review[/{job}]`, dpo and owner): the periodic data
//! review of seed policy 001 §8.1. The page shows the cycle, the last review and when the next
//! is due (the rules are `shared::review`); a settings form; the groups a review looks at,
//! counted with the periods chosen for this review, each downloadable (`console_review_lists`);
//! and the decision per group. Completing the review records who decided what and when (a row
//! in `reviews` and an audit entry) and starts the bulk erasures decided, which run batch by
//! batch through the one erasure path (`console_review_erasure`). Nothing is written until every
//! field is valid.

use chrono::NaiveDate;
use consent_shared::audit::AuditKind;
use consent_shared::review::{
    add_months, cutoffs, decide, due_state, next_due, parse_bounded, parse_cycle, parse_past_date, Cutoffs,
    DecisionKind, DueState, GroupDecision, ReviewError, ReviewGroup, ReviewParams, ReviewSettings,
    MONTHS_RANGE, YEARS_RANGE,
};
use consent_shared::time::format_utc;
use maud::{html, Markup};
use serde_json::json;

use super::audit::{client_ip, record, AuditEntry};
use super::console_site::Console;
use super::page_text::console_review::ReviewText;
use super::pages::{see_other, unavailable};
use super::{App, RequestFacts};
use crate::error::AppError;
use crate::http::{HttpRequest, HttpResponse};
use crate::store::review::{CompletedReview, ErasureStart, SiteReview};
use crate::store::Store;

/// Past reviews and erasures listed on the page.
const RECENT: u32 = 5;

pub(super) fn fill(template: &str, pairs: &[(&str, String)]) -> String {
    pairs.iter().fold(template.to_string(), |s, (k, v)| s.replace(&format!("{{{k}}}"), v))
}

pub(super) fn review_href(c: &Console) -> String {
    format!("/admin/sites/{}/review?lang={}", c.site.id, c.lang.code())
}

pub async fn page<S: Store + 'static>(
    app: &App<S>,
    c: &Console,
    item: Option<&str>,
    req: &HttpRequest,
    facts: &mut RequestFacts<'_>,
) -> HttpResponse {
    if let Some(job) = item {
        return super::console_review_erasure::page(app, c, job, req, facts).await;
    }
    let result = match c.form.as_ref().map(|f| f.get("op").unwrap_or("")) {
        None => show(app, c, req, facts).await,
        Some("settings") => save_settings(app, c, req, facts).await,
        Some("list") | Some("links") => super::console_review_lists::download(app, c, req, facts).await,
        Some(_) => complete(app, c, req, facts).await,
    };
    let t = c.lang.review();
    let back = html! { p { a href=(review_href(c)) { (t.title) } } };
    match result {
        Ok(answer) => answer,
        Err(AppError::BadRequest(why)) => {
            super::log_internal(&format!("review of {}: refused: {why}", c.site.id));
            c.page(400, t.title, html! { div class="error" role="alert" { p { (t.bad_request) } } (back) })
        }
        Err(AppError::Unavailable(why)) => {
            super::log_internal(&format!("review of {}: {why}", c.site.id));
            c.page(503, t.title, html! { div class="error" role="alert" { p { (t.links_off) } } (back) })
        }
        Err(e) => unavailable(c.lang, &e),
    }
}

/// What the page shows besides the stored state: values as typed and errors beside fields.
#[derive(Default)]
pub(super) struct View {
    pub errors: Vec<(String, String)>,
    pub values: Vec<(String, String)>,
    pub notice: Option<String>,
}

impl View {
    pub fn error(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }
    fn value(&self, field: &str) -> Option<&str> {
        self.values.iter().find(|(f, _)| f == field).map(|(_, v)| v.as_str())
    }
    fn fail(&mut self, field: &str, message: String) {
        self.errors.push((field.to_string(), message));
    }
}

/// The words for a refused value.
pub(super) fn message(t: &ReviewText, e: &ReviewError, range: (u32, u32)) -> String {
    match e {
        ReviewError::CycleOutOfRange => t.e_cycle.into(),
        ReviewError::NotANumber => t.e_number.into(),
        ReviewError::BadDate => t.e_date.into(),
        ReviewError::DateInFuture => t.e_future.into(),
        ReviewError::OutOfRange(..) => {
            fill(t.e_range, &[("min", range.0.to_string()), ("max", range.1.to_string())])
        }
        ReviewError::ReasonMissing => t.e_reason.into(),
        ReviewError::ReasonTooLong => t.e_reason_long.into(),
        ReviewError::DecisionNotAllowed => t.e_not_allowed.into(),
    }
}

pub(super) const PARAM_FIELDS: [&str; 3] = ["inactive_months", "consent_months", "restricted_months"];

/// The review's periods from the form (POST) or the query (GET); defaults where absent.
pub(super) fn read_params(c: &Console, req: &HttpRequest, view: &mut View) -> Option<ReviewParams> {
    let t = c.lang.review();
    let defaults = ReviewParams::default();
    let mut got = [defaults.inactive_months, defaults.consent_months, defaults.restricted_months];
    for (i, field) in PARAM_FIELDS.iter().enumerate() {
        let raw = match c.form.as_ref() {
            Some(f) => f.get(field).map(str::to_string),
            None => req.query_param(field),
        };
        let Some(raw) = raw else { continue };
        view.values.push((field.to_string(), raw.clone()));
        match parse_bounded(&raw, MONTHS_RANGE) {
            Ok(n) => got[i] = n,
            Err(e) => view.fail(field, message(t, &e, MONTHS_RANGE)),
        }
    }
    PARAM_FIELDS.iter().all(|f| view.error(f).is_none()).then_some(ReviewParams {
        inactive_months: got[0],
        consent_months: got[1],
        restricted_months: got[2],
    })
}

pub(super) fn cutoff_of(c: &Cutoffs, group: ReviewGroup) -> &str {
    match group {
        ReviewGroup::Inactive => &c.inactive_before,
        ReviewGroup::OldConsent => &c.consent_before,
        ReviewGroup::Restricted => &c.restricted_before,
        ReviewGroup::ErasedHistory => &c.erased_before,
    }
}

pub(super) async fn site_review<S: Store>(app: &App<S>, c: &Console) -> Result<SiteReview, AppError> {
    app.store
        .site_review(&c.site.id)
        .await?
        .ok_or_else(|| AppError::Internal(format!("site {} has no row in sites", c.site.id)))
}

/// The day a site was created, from its stored timestamp.
pub(super) fn created_on(review: &SiteReview) -> NaiveDate {
    review
        .site_created
        .get(..10)
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .unwrap_or_default()
}

/// When the site's next review is due and where that leaves it today.
pub async fn due_on<S: Store>(
    app: &App<S>,
    c: &Console,
    today: NaiveDate,
) -> Result<(NaiveDate, DueState), AppError> {
    let review = site_review(app, c).await?;
    let due = next_due(&review.settings, created_on(&review));
    Ok((due, due_state(due, today)))
}

/// The due-date line and the nag (from 30 days before, and when overdue), for this page and the
/// console's front page.
pub fn due_notice(t: &ReviewText, due: NaiveDate, state: DueState) -> Markup {
    html! {
        @match state {
            DueState::NotYet { days_left } => p { (fill(t.overview_next, &[("date", due.to_string())])) " " (fill(t.not_yet, &[("n", days_left.to_string())])) },
            DueState::DueSoon { days_left } => div class="notice" role="status" id="review-due" {
                p { strong { (fill(t.due_soon, &[("date", due.to_string()), ("n", days_left.to_string())])) } }
            },
            DueState::Overdue { days_over } => div class="error" role="alert" id="review-due" {
                p { strong { (fill(t.overdue, &[("date", due.to_string()), ("n", days_over.to_string())])) } }
            },
        }
    }
}

async fn show<S: Store + 'static>(
    app: &App<S>,
    c: &Console,
    req: &HttpRequest,
    facts: &RequestFacts<'_>,
) -> Result<HttpResponse, AppError> {
    let mut view = View::default();
    let t = c.lang.review();
    if req.query_param("saved").is_some() {
        view.notice = Some(t.saved.into());
    }
    if let Some(date) = req.query_param("completed") {
        if NaiveDate::parse_from_str(&date, "%Y-%m-%d").is_ok() {
            view.notice = Some(fill(t.completed, &[("date", date)]));
        }
    }
    let params = read_params(c, req, &mut view);
    let status = if view.errors.is_empty() { 200 } else { 422 };
    render(app, c, status, params, &view, facts).await
}

async fn save_settings<S: Store + 'static>(
    app: &App<S>,
    c: &Console,
    req: &HttpRequest,
    facts: &RequestFacts<'_>,
) -> Result<HttpResponse, AppError> {
    let form = c.form.as_ref().expect("a post");
    let t = c.lang.review();
    let mut view = View::default();
    let today = facts.now.date_naive();
    let raw = |f: &str| form.get(f).unwrap_or("").to_string();
    for f in ["cycle", "last", "years"] {
        view.values.push((f.into(), raw(f)));
    }
    let cycle = parse_cycle(&raw("cycle")).map_err(|e| view.fail("cycle", message(t, &e, (1, 27))));
    let last = parse_past_date(&raw("last"), today).map_err(|e| view.fail("last", message(t, &e, (0, 0))));
    let years = parse_bounded(&raw("years"), YEARS_RANGE)
        .map_err(|e| view.fail("years", message(t, &e, YEARS_RANGE)));
    let (Ok(cycle_months), Ok(last_review_on), Ok(erased_history_years)) = (cycle, last, years) else {
        super::log_internal(&format!("review settings of {} refused: {:?}", c.site.id, view.errors));
        return render(app, c, 422, Some(ReviewParams::default()), &view, facts).await;
    };
    let settings = ReviewSettings { cycle_months, last_review_on, erased_history_years };
    app.store.save_review_settings(&c.site.id, &settings, &c.person_id, &format_utc(facts.now)).await?;
    let entry = AuditEntry {
        site: &c.site.id,
        actor: actor(c),
        kind: AuditKind::ReviewSettingsChanged,
        detail: json!({
            "cycle_months": cycle_months,
            "last_review_on": last_review_on.map(|d| d.to_string()),
            "erased_history_years": erased_history_years,
        }),
        client_ip: client_ip(req),
    };
    record(app, entry, facts.now).await?;
    Ok(see_other(&format!("{}&saved=1", review_href(c))))
}

pub(super) fn actor(c: &Console) -> consent_shared::access::Actor {
    consent_shared::access::Actor::Person { person_id: c.person_id.clone() }
}

/// Counts every group with the review's cut-offs.
async fn counts<S: Store>(
    app: &App<S>,
    c: &Console,
    cut: &Cutoffs,
) -> Result<Vec<(ReviewGroup, u64)>, AppError> {
    let mut out = Vec::new();
    for group in ReviewGroup::ALL {
        out.push((group, app.store.review_group_count(&c.site.id, group, cutoff_of(cut, group)).await?));
    }
    Ok(out)
}

async fn complete<S: Store + 'static>(
    app: &App<S>,
    c: &Console,
    req: &HttpRequest,
    facts: &mut RequestFacts<'_>,
) -> Result<HttpResponse, AppError> {
    let form = c.form.as_ref().expect("a post");
    let t = c.lang.review();
    let mut view = View::default();
    let params = read_params(c, req, &mut view);
    let review = site_review(app, c).await?;
    let today = facts.now.date_naive();
    let mut decisions: Vec<GroupDecision> = Vec::new();
    let mut erase: Vec<ReviewGroup> = Vec::new();
    if let Some(params) = params {
        let cut = cutoffs(&params, review.settings.erased_history_years, today);
        for (group, count) in counts(app, c, &cut).await? {
            let g = group.as_str();
            let (dfield, rfield, cfield) =
                (format!("decision-{g}"), format!("reason-{g}"), format!("confirm-{g}"));
            let reason = form.get(&rfield).unwrap_or("");
            view.values.push((rfield.clone(), reason.to_string()));
            let raw_decision = form.get(&dfield).unwrap_or("");
            view.values.push((dfield.clone(), raw_decision.to_string()));
            let Some(decision) = DecisionKind::parse(raw_decision) else {
                view.fail(&dfield, t.e_decision.into());
                continue;
            };
            match decide(group, decision, reason, count) {
                Ok(d) => {
                    if decision == DecisionKind::Erase {
                        let typed = form.get(&cfield).unwrap_or("").trim();
                        if typed != format!("ERASE {count}") {
                            view.fail(&cfield, fill(t.e_confirm, &[("n", count.to_string())]));
                            continue;
                        }
                        if count > 0 {
                            erase.push(group);
                        }
                    }
                    decisions.push(d);
                }
                Err(e @ ReviewError::DecisionNotAllowed) => view.fail(&dfield, message(t, &e, (0, 0))),
                Err(e) => view.fail(&rfield, message(t, &e, (0, 0))),
            }
        }
    }
    let (Some(params), true) = (params, view.errors.is_empty()) else {
        super::log_internal(&format!("review of {} not completed: {:?}", c.site.id, view.errors));
        return render(app, c, 422, params, &view, facts).await;
    };
    let cut = cutoffs(&params, review.settings.erased_history_years, today);
    let next = add_months(today, review.settings.cycle_months);
    let erasures: Vec<ErasureStart> = erase
        .iter()
        .map(|g| ErasureStart { id: (facts.new_id)(), group: *g, before: cutoff_of(&cut, *g).to_string() })
        .collect();
    let completed = CompletedReview {
        id: (facts.new_id)(),
        site_id: c.site.id.clone(),
        completed_by: c.person_id.clone(),
        completed_at: format_utc(facts.now),
        params: serde_json::to_string(&params).expect("params serialise"),
        decisions: serde_json::to_string(&decisions).expect("decisions serialise"),
        next_due_on: next.to_string(),
    };
    app.store.complete_review(&completed, today, &erasures).await?;
    let entry = AuditEntry {
        site: &c.site.id,
        actor: actor(c),
        kind: AuditKind::ReviewCompleted,
        detail: json!({
            "review": completed.id,
            "params": params,
            "decisions": decisions,
            "erasures": erasures.iter().map(|e| json!({"job": e.id, "group": e.group.as_str()})).collect::<Vec<_>>(),
            "next_due_on": completed.next_due_on,
        }),
        client_ip: client_ip(req),
    };
    record(app, entry, facts.now).await?;
    Ok(match erasures.first() {
        Some(job) => see_other(&super::console_review_erasure::job_href(c, &job.id)),
        None => see_other(&format!("{}&completed={next}", review_href(c))),
    })
}

pub(super) fn group_name(t: &ReviewText, g: ReviewGroup) -> &'static str {
    match g {
        ReviewGroup::Inactive => t.inactive,
        ReviewGroup::OldConsent => t.old_consent,
        ReviewGroup::Restricted => t.restricted,
        ReviewGroup::ErasedHistory => t.erased_history,
    }
}

fn group_about(t: &ReviewText, g: ReviewGroup, p: &ReviewParams, years: u32) -> String {
    let (template, n) = match g {
        ReviewGroup::Inactive => (t.inactive_about, p.inactive_months),
        ReviewGroup::OldConsent => (t.old_consent_about, p.consent_months),
        ReviewGroup::Restricted => (t.restricted_about, p.restricted_months),
        ReviewGroup::ErasedHistory => (t.erased_history_about, years),
    };
    fill(template, &[("n", n.to_string())])
}

/// `aria-describedby` for a field: its help (if any) and its error (if any).
fn described(view: &View, field: &str, help: Option<&str>) -> Option<String> {
    let mut ids: Vec<String> = help.map(str::to_string).into_iter().collect();
    if view.error(field).is_some() {
        ids.push(format!("{field}-error"));
    }
    (!ids.is_empty()).then(|| ids.join(" "))
}

fn error_of(view: &View, field: &str) -> Markup {
    html! { @if let Some(e) = view.error(field) { p class="error" id={ (field) "-error" } { (e) } } }
}

fn number_field(view: &View, field: &str, label: &str, value: String, help: Option<(&str, &str)>) -> Markup {
    let value = view.value(field).map_or(value, str::to_string);
    html! {
        div class="field" {
            label for=(field) { (label) }
            @if let Some((id, text)) = help { p class="help" id=(id) { (text) } }
            (error_of(view, field))
            input id=(field) name=(field) type="text" inputmode="numeric" value=(value) required
                aria-invalid=[view.error(field).map(|_| "true")]
                aria-describedby=[described(view, field, help.map(|h| h.0))];
        }
    }
}

async fn render<S: Store + 'static>(
    app: &App<S>,
    c: &Console,
    status: u16,
    params: Option<ReviewParams>,
    view: &View,
    facts: &RequestFacts<'_>,
) -> Result<HttpResponse, AppError> {
    let t = c.lang.review();
    let review = site_review(app, c).await?;
    let s = &review.settings;
    let today = facts.now.date_naive();
    let due = next_due(s, created_on(&review));
    let state = due_state(due, today);
    let shown = params.unwrap_or_default();
    let cut = cutoffs(&shown, s.erased_history_years, today);
    let counted = if params.is_some() { counts(app, c, &cut).await? } else { Vec::new() };
    let past = app.store.recent_reviews(&c.site.id, RECENT).await?;
    let jobs = app.store.recent_review_erasures(&c.site.id, RECENT).await?;
    let action = format!("/admin/sites/{}/review", c.site.id);
    let params_hidden = html! {
        input type="hidden" name="inactive_months" value=(shown.inactive_months);
        input type="hidden" name="consent_months" value=(shown.consent_months);
        input type="hidden" name="restricted_months" value=(shown.restricted_months);
    };
    let body = html! {
        p { (t.intro) }
        @if !view.errors.is_empty() {
            div class="error" role="alert" {
                p { (t.errors_title) }
                ul { @for (field, m) in &view.errors { li { a href={ "#" (field) } { (m) } } } }
            }
        }
        @if let Some(notice) = &view.notice { div class="notice" role="status" { p { (notice) } } }
        section aria-labelledby="due-title" {
            h2 id="due-title" { (t.due_title) }
            dl {
                dt { (t.cycle) } dd { (fill(t.cycle_value, &[("n", s.cycle_months.to_string())])) }
                dt { (t.last_review) } dd { @match s.last_review_on { Some(d) => (d), None => (t.none_yet) } }
                dt { (t.next_due) } dd id="review-next-due" { (due) }
            }
            (due_notice(t, due, state))
        }
        section aria-labelledby="settings-title" {
            h2 id="settings-title" { (t.settings_title) }
            form method="post" action=(action) novalidate {
                (c.form_fields())
                input type="hidden" name="op" value="settings";
                (number_field(view, "cycle", t.cycle_label, s.cycle_months.to_string(), None))
                div class="field" {
                    label for="last" { (t.last_label) }
                    p class="help" id="last-help" { (t.last_help) }
                    (error_of(view, "last"))
                    input id="last" name="last" type="text" inputmode="numeric" placeholder="YYYY-MM-DD"
                        value=(view.value("last").map_or(s.last_review_on.map(|d| d.to_string()).unwrap_or_default(), str::to_string))
                        aria-invalid=[view.error("last").map(|_| "true")]
                        aria-describedby=[described(view, "last", Some("last-help"))];
                }
                (number_field(view, "years", t.years_label, s.erased_history_years.to_string(), Some(("years-help", t.years_help))))
                button type="submit" { (t.save) }
            }
        }
        section aria-labelledby="params-title" {
            h2 id="params-title" { (t.params_title) }
            p { (t.params_intro) }
            form method="get" action=(action) novalidate {
                input type="hidden" name="lang" value=(c.lang.code());
                (number_field(view, "inactive_months", t.inactive_label, shown.inactive_months.to_string(), None))
                (number_field(view, "consent_months", t.consent_label, shown.consent_months.to_string(), None))
                (number_field(view, "restricted_months", t.restricted_label, shown.restricted_months.to_string(), None))
                button type="submit" { (t.list_button) }
            }
        }
        @if !counted.is_empty() {
            section aria-labelledby="groups-title" {
                h2 id="groups-title" { (t.groups_title) }
                table {
                    thead { tr { th scope="col" { (t.col_group) } th scope="col" { (t.col_count) } th scope="col" { (t.col_download) } } }
                    tbody {
                        @for (group, count) in &counted {
                            tr {
                                th scope="row" {
                                    (group_name(t, *group))
                                    br;
                                    small { (group_about(t, *group, &shown, s.erased_history_years)) }
                                }
                                td id={ "count-" (group.as_str()) } { (count) }
                                td {
                                    form method="post" action=(action) {
                                        (c.form_fields()) (params_hidden)
                                        input type="hidden" name="group" value=(group.as_str());
                                        button type="submit" name="op" value="list" { (t.download_list) }
                                        @if group.allows(DecisionKind::AskToCheck) {
                                            " "
                                            button type="submit" name="op" value="links" { (t.download_links) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                p { (t.links_note) }
            }
            section aria-labelledby="decide-title" {
                h2 id="decide-title" { (t.decide_title) }
                p { (t.decide_intro) }
                form method="post" action=(action) novalidate {
                    (c.form_fields()) (params_hidden)
                    input type="hidden" name="op" value="complete";
                    @for (group, count) in &counted {
                        (decision_fieldset(t, view, *group, *count))
                    }
                    button type="submit" { (t.complete) }
                }
            }
        }
        @if !past.is_empty() {
            section aria-labelledby="history-title" {
                h2 id="history-title" { (t.history_title) }
                table {
                    thead { tr { th scope="col" { (t.col_date) } th scope="col" { (t.col_by) } th scope="col" { (t.col_decisions) } th scope="col" { (t.col_next) } } }
                    tbody {
                        @for r in &past {
                            tr {
                                td { (r.completed_at.get(..10).unwrap_or(&r.completed_at)) }
                                td { code { (r.completed_by) } }
                                td { (decisions_summary(t, &r.decisions)) }
                                td { (r.next_due_on) }
                            }
                        }
                    }
                }
            }
        }
        @if !jobs.is_empty() {
            section aria-labelledby="erasures-title" {
                h2 id="erasures-title" { (t.erasures_title) }
                ul {
                    @for j in &jobs {
                        li {
                            a href=(super::console_review_erasure::job_href(c, &j.id)) {
                                (j.created_at.get(..10).unwrap_or(&j.created_at)) " — "
                                (ReviewGroup::parse(&j.group).map_or(j.group.as_str(), |g| group_name(t, g))) ": "
                                (fill(t.progress, &[("done", j.erased.to_string()), ("total", j.total.to_string())]))
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(c.page(status, t.title, body))
}

fn decision_fieldset(t: &ReviewText, view: &View, group: ReviewGroup, count: u64) -> Markup {
    let g = group.as_str();
    let (dfield, rfield, cfield) = (format!("decision-{g}"), format!("reason-{g}"), format!("confirm-{g}"));
    let chosen = view.value(&dfield).unwrap_or("");
    html! {
        fieldset id=(dfield) aria-describedby=[view.error(&dfield).map(|_| format!("{dfield}-error"))] {
            legend { (group_name(t, group)) " (" (count) ")" }
            (error_of(view, &dfield))
            @for d in DecisionKind::ALL {
                @if group.allows(d) {
                    @let id = format!("{dfield}-{}", d.as_str());
                    div {
                        input type="radio" id=(id) name=(dfield) value=(d.as_str()) checked[chosen == d.as_str()];
                        " "
                        label for=(id) { (match d { DecisionKind::Keep => t.keep, DecisionKind::AskToCheck => t.ask, DecisionKind::Erase => t.erase }) }
                    }
                }
            }
            div class="field" {
                label for=(rfield) { (t.reason_label) }
                (error_of(view, &rfield))
                textarea id=(rfield) name=(rfield) rows="2"
                    aria-invalid=[view.error(&rfield).map(|_| "true")]
                    aria-describedby=[described(view, &rfield, None)] { (view.value(&rfield).unwrap_or("")) }
            }
            @if group.allows(DecisionKind::Erase) {
                div class="field" {
                    label for=(cfield) { (fill(t.confirm_label, &[("n", count.to_string())])) }
                    (error_of(view, &cfield))
                    input id=(cfield) name=(cfield) type="text" autocomplete="off"
                        aria-invalid=[view.error(&cfield).map(|_| "true")]
                        aria-describedby=[described(view, &cfield, None)];
                }
            }
        }
    }
}

fn decisions_summary(t: &ReviewText, stored: &str) -> String {
    let decisions: Vec<GroupDecision> = serde_json::from_str(stored).unwrap_or_default();
    decisions
        .iter()
        .map(|d| {
            let what = match d.decision {
                DecisionKind::Keep => t.keep,
                DecisionKind::AskToCheck => t.ask,
                DecisionKind::Erase => t.erase,
            };
            let what = what.split(" (").next().unwrap_or(what);
            format!("{} ({}): {what}", group_name(t, d.group), d.count)
        })
        .collect::<Vec<_>>()
        .join("; ")
}
