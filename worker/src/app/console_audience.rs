//! `/admin/sites/{site}/audience`: choose a purpose × channel and a lawful basis, count who may
//! be contacted, download the list as CSV or JSON. Counting and exporting go through the API's
//! own code (`admin::export_audience`) with the signed-in person as the actor, so each is in the
//! audit trail with its row count exactly as an API export is. Everything posts (with the
//! page's anti-forgery value): a download is a recorded act, not a link to follow.

use consent_shared::access::Actor;
use consent_shared::api::v1::AudienceCount;
use consent_shared::basis::LawfulBasis;
use consent_shared::site::Channel;
use maud::html;

use super::admin::export_audience;
use super::console_site::Console;
use super::{log_internal, App, RequestFacts};
use crate::error::AppError;
use crate::http::{HttpRequest, HttpResponse};
use crate::store::Store;

/// What the form asked for.
struct Ask {
    purpose: String,
    channel: String,
    /// `all` or a `LawfulBasis::as_str`.
    basis: String,
    action: String,
}

impl Ask {
    fn query(&self, count: bool) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        q.append_pair("purpose", &self.purpose).append_pair("channel", &self.channel);
        if self.basis != "all" {
            q.append_pair("basis", &self.basis);
        }
        if count {
            q.append_pair("count", "true");
        }
        q.finish()
    }
}

pub async fn page<S: Store + 'static>(
    app: &App<S>,
    c: &Console,
    req: &HttpRequest,
    facts: &RequestFacts<'_>,
) -> HttpResponse {
    let Some(form) = &c.form else { return render(c, None, None, None) };
    let (purpose, channel) = form.get("list").and_then(|l| l.split_once(':')).unwrap_or(("", ""));
    let ask = Ask {
        purpose: purpose.into(),
        channel: channel.into(),
        basis: form.get("basis").unwrap_or("all").into(),
        action: form.get("do").unwrap_or("count").into(),
    };
    let offered = Channel::parse(&ask.channel).is_some_and(|ch| c.site.purpose(&ask.purpose, ch).is_some());
    if !offered {
        return render(c, Some(&ask), None, Some(c.lang.data().not_offered.to_string()));
    }
    let count = ask.action == "count";
    // The API's request, as the API would have received it, from this person.
    let api_req = HttpRequest {
        method: "GET".into(),
        origin: req.origin.clone(),
        path: format!("/api/v1/sites/{}/audience", c.site.id),
        query: ask.query(count),
        headers: req.headers.iter().filter(|(n, _)| n == "cf-connecting-ip").cloned().collect(),
        body: Vec::new(),
    };
    let actor = Actor::Person { person_id: c.person_id.clone() };
    let csv = ask.action == "csv";
    let answer = export_audience(app, &c.site, actor, csv, &api_req, facts).await;
    match answer {
        Ok(r) if count => match serde_json::from_slice::<AudienceCount>(&r.body) {
            Ok(n) => render(c, Some(&ask), Some(n.count), None),
            Err(e) => {
                log_internal(&format!("console audience count of {}: {e}", c.site.id));
                render(c, Some(&ask), None, Some(e.to_string()))
            }
        },
        Ok(r) => {
            let ext = if csv { "csv" } else { "json" };
            let name = format!("{}-{}-{}.{ext}", c.site.id, ask.purpose, ask.channel);
            r.with_header("content-disposition", &format!("attachment; filename=\"{name}\""))
        }
        Err(e) => {
            if matches!(e, AppError::Internal(_)) {
                log_internal(&format!("console audience of {}: {}", c.site.id, e.cause()));
            }
            render(c, Some(&ask), None, Some(e.to_string()))
        }
    }
}

fn render(c: &Console, ask: Option<&Ask>, count: Option<u64>, error: Option<String>) -> HttpResponse {
    let d = c.lang.data();
    let chosen_list = ask.map(|a| format!("{}:{}", a.purpose, a.channel));
    let chosen_basis = ask.map_or("all", |a| a.basis.as_str());
    let bases = [
        ("all", d.basis_all),
        (LawfulBasis::Consent.as_str(), d.basis_consent),
        (LawfulBasis::CharitySoftOptIn.as_str(), d.basis_soft),
        (LawfulBasis::LegitimateInterests.as_str(), d.basis_held),
    ];
    let status = if error.is_some() { 422 } else { 200 };
    let body = html! {
        p { (d.audience_intro) }
        @if let Some(e) = &error {
            div class="error" role="alert" id="audience-error" { p { (d.problem) ": " (e) } }
        }
        @if let Some(n) = count {
            p role="status" { strong { (d.count_is.replace("{days}", &n.to_string())) } }
        }
        form method="post" {
            (c.form_fields())
            p {
                label for="list" { (d.purpose_channel) }
                br;
                select id="list" name="list" aria-describedby=[error.as_ref().map(|_| "audience-error")] {
                    @for pc in &c.site.purposes {
                        @let value = format!("{}:{}", pc.purpose, pc.channel.as_str());
                        option value=(value) selected[chosen_list.as_deref() == Some(value.as_str())] {
                            (pc.purpose) " · " (pc.channel.as_str())
                        }
                    }
                }
            }
            p {
                label for="basis" { (d.basis) }
                br;
                select id="basis" name="basis" {
                    @for (value, label) in bases {
                        option value=(value) selected[chosen_basis == value] { (label) }
                    }
                }
            }
            p {
                button type="submit" name="do" value="count" { (d.show_count) }
                " "
                button type="submit" name="do" value="csv" { (d.download_csv) }
                " "
                button type="submit" name="do" value="json" { (d.download_json) }
            }
        }
        p { (d.downloads_recorded) }
    };
    c.page(status, d.audience, body)
}
