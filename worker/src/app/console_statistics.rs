//! `/admin/sites/{site}/statistics`: grants, withdrawals, soft opt-ins, objections and the net
//! audience per ISO week for each purpose × channel (an SVG chart drawn on the server with
//! `plotters`, the same numbers in a table beneath it), sign-ups by method, and cookie banner
//! decisions per week and as shares — all from the daily counters (migration 0012), never from
//! the ledger, so the page reads a few rows per day whatever the ledger's size.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use consent_shared::consent::Method;
use maud::{html, Markup, PreEscaped};
use plotters::prelude::*;

use super::console_site::Console;
use super::page_text::console_data::DataText;
use super::pages::unavailable;
use super::App;
use crate::http::HttpResponse;
use crate::store::statistics::{DailyCookieCount, DailyEventCount};
use crate::store::Store;

/// Weeks the chart and tables show (the newest with any event).
pub const WEEKS_SHOWN: usize = 26;

/// One ISO week's counts for a purpose on a channel.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WeekRow {
    /// `2026-W45`.
    pub week: String,
    pub grants: i64,
    pub withdrawals: i64,
    pub soft_opt_ins: i64,
    pub objections: i64,
    /// Everything in force since the first event: grants and soft opt-ins less withdrawals and
    /// objections (a repeated grant counts again: the ledger records each).
    pub net_audience: i64,
}

impl WeekRow {
    pub fn net_change(&self) -> i64 {
        self.grants + self.soft_opt_ins - self.withdrawals - self.objections
    }
}

/// The cookie choices in the order the page shows them (`CookieChoice::as_str`).
pub const CHOICES: [&str; 5] = ["accept_all", "reject_all", "custom", "gpc_signal", "object"];

/// Everything the page shows, computed from the counters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Statistics {
    /// `(purpose, channel)` → its weeks, oldest first.
    pub series: BTreeMap<(String, String), Vec<WeekRow>>,
    /// Method → grants and soft opt-ins recorded by it.
    pub signups: BTreeMap<String, i64>,
    /// Week → counts per choice in `CHOICES` order.
    pub cookie_weeks: BTreeMap<String, [i64; 5]>,
}

fn iso_week(day: &str) -> Option<String> {
    let date = NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?;
    let week = date.iso_week();
    Some(format!("{}-W{:02}", week.year(), week.week()))
}

/// Folds the daily counters into weeks (UTC, ISO), keeping every week of the running total.
pub fn statistics(events: &[DailyEventCount], cookies: &[DailyCookieCount]) -> Statistics {
    let mut stats = Statistics::default();
    let mut weeks: BTreeMap<(String, String), BTreeMap<String, WeekRow>> = BTreeMap::new();
    for c in events {
        let Some(week) = iso_week(&c.day) else { continue };
        let row = weeks
            .entry((c.purpose.clone(), c.channel.clone()))
            .or_default()
            .entry(week.clone())
            .or_insert_with(|| WeekRow { week, ..WeekRow::default() });
        match c.action.as_str() {
            "granted" => row.grants += c.n,
            "withdrawn" => row.withdrawals += c.n,
            "soft_opt_in" => row.soft_opt_ins += c.n,
            "objected" => row.objections += c.n,
            _ => continue,
        }
        if matches!(c.action.as_str(), "granted" | "soft_opt_in") {
            *stats.signups.entry(c.method.clone()).or_default() += c.n;
        }
    }
    for (key, rows) in weeks {
        let mut running = 0;
        let rows = rows
            .into_values()
            .map(|mut row| {
                running += row.net_change();
                row.net_audience = running;
                row
            })
            .collect();
        stats.series.insert(key, rows);
    }
    for c in cookies {
        let (Some(week), Some(i)) = (iso_week(&c.day), CHOICES.iter().position(|x| *x == c.choice)) else {
            continue;
        };
        stats.cookie_weeks.entry(week).or_default()[i] += c.n;
    }
    stats
}

/// The chart of one series as an SVG document: grants and soft opt-ins (solid blue), withdrawals
/// and objections (dashed red), the net audience (shaded green, on its own scale is not needed:
/// one scale for all, so the lines read against each other). No text is drawn: plotters would
/// measure text through the browser DOM on wasm, which a Worker has not; the table says it all.
pub fn chart_svg(rows: &[WeekRow]) -> Result<String, String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (640, 240)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        // f64 coordinates: plotters' integer axes compute key points that can overflow.
        let n = (rows.len().max(2) - 1) as f64;
        // Room either side of the first and last week for their markers.
        const PAD: f64 = 0.15;
        let high = rows
            .iter()
            .map(|r| (r.grants + r.soft_opt_ins).max(r.withdrawals + r.objections).max(r.net_audience))
            .max()
            .unwrap_or(0)
            .max(1) as f64;
        let low = rows.iter().map(|r| r.net_audience).min().unwrap_or(0).min(0) as f64;
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .build_cartesian_2d(-PAD..n + PAD, low..high)
            .map_err(|e| e.to_string())?;
        // Grid lines drawn as series, not with `configure_mesh`: the mesh lays out labels by
        // measuring text, which plotters does through the browser DOM on wasm.
        let grey = RGBColor(210, 210, 210);
        for step in 0..=4 {
            let y = low + (high - low) * f64::from(step) / 4.0;
            chart
                .draw_series(LineSeries::new([(-PAD, y), (n + PAD, y)], grey.stroke_width(1)))
                .map_err(|e| e.to_string())?;
        }
        let x = |i: usize| i as f64;
        let green = RGBColor(0, 110, 60);
        chart
            .draw_series(
                AreaSeries::new(
                    rows.iter().enumerate().map(|(i, r)| (x(i), r.net_audience as f64)),
                    0.0,
                    green.mix(0.25),
                )
                .border_style(green.stroke_width(2)),
            )
            .map_err(|e| e.to_string())?;
        let blue = RGBColor(0, 80, 180);
        chart
            .draw_series(LineSeries::new(
                rows.iter().enumerate().map(|(i, r)| (x(i), (r.grants + r.soft_opt_ins) as f64)),
                blue.stroke_width(3),
            ))
            .map_err(|e| e.to_string())?;
        let red = RGBColor(180, 30, 30);
        chart
            .draw_series(DashedLineSeries::new(
                rows.iter().enumerate().map(|(i, r)| (x(i), (r.withdrawals + r.objections) as f64)),
                8,
                5,
                red.stroke_width(3),
            ))
            .map_err(|e| e.to_string())?;
        // A marker on every week, so a single week (which makes no line) is seen too; three
        // shapes, so the series differ by more than colour.
        chart
            .draw_series(
                rows.iter()
                    .enumerate()
                    .map(|(i, r)| Circle::new((x(i), r.net_audience as f64), 5, green.filled())),
            )
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(rows.iter().enumerate().map(|(i, r)| {
                TriangleMarker::new((x(i), (r.grants + r.soft_opt_ins) as f64), 7, blue.filled())
            }))
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(rows.iter().enumerate().map(|(i, r)| {
                Cross::new((x(i), (r.withdrawals + r.objections) as f64), 6, red.stroke_width(3))
            }))
            .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

fn share(part: i64, whole: i64) -> String {
    if whole == 0 {
        return "–".into();
    }
    format!("{:.1}%", part as f64 * 100.0 / whole as f64)
}

fn method_label(c: &Console, raw: &str) -> String {
    serde_json::from_value::<Method>(serde_json::Value::String(raw.into()))
        .map(|m| c.lang.text().method(m).to_string())
        .unwrap_or_else(|_| raw.to_string())
}

/// GET: the page (the section takes no POST: it only reads counts).
pub async fn page<S: Store + 'static>(app: &App<S>, c: &Console) -> HttpResponse {
    let counts = async {
        let events = app.store.daily_event_counts(&c.site.id).await?;
        let cookies = app.store.daily_cookie_counts(&c.site.id).await?;
        Ok::<_, crate::store::StoreError>(statistics(&events, &cookies))
    };
    let stats = match counts.await {
        Ok(stats) => stats,
        Err(e) => return unavailable(c.lang, &e),
    };
    render(c, &stats)
}

/// The page for `stats` (separate from reading, so the bench times both and tests render data).
pub fn render(c: &Console, stats: &Statistics) -> HttpResponse {
    let d = c.lang.data();
    let mut sections = Vec::new();
    for pc in &c.site.purposes {
        let key = (pc.purpose.clone(), pc.channel.as_str().to_string());
        let rows = stats.series.get(&key).map(Vec::as_slice).unwrap_or(&[]);
        let shown = &rows[rows.len().saturating_sub(WEEKS_SHOWN)..];
        sections.push(series_section(c, d, &format!("{} · {}", pc.purpose, pc.channel.as_str()), shown));
    }
    let signups_total: i64 = stats.signups.values().sum();
    let cookie_weeks: Vec<_> = stats.cookie_weeks.iter().collect();
    let cookie_weeks = &cookie_weeks[cookie_weeks.len().saturating_sub(WEEKS_SHOWN)..];
    let mut cookie_totals = [0i64; 5];
    for counts in stats.cookie_weeks.values() {
        for (t, n) in cookie_totals.iter_mut().zip(counts) {
            *t += n;
        }
    }
    let cookie_total: i64 = cookie_totals.iter().sum();
    let choice_labels = [d.accept_all, d.reject_all, d.custom, d.gpc, d.object];
    let body = html! {
        p { (d.stats_intro) " " (d.weeks_shown) }
        @for s in &sections { (s) }
        section aria-labelledby="signups" {
            h2 id="signups" { (d.signups_heading) }
            @if stats.signups.is_empty() {
                p { (d.nothing_yet) }
            } @else {
                table {
                    thead { tr { th scope="col" { (d.method) } th scope="col" { (d.count) } th scope="col" { (d.share) } } }
                    tbody {
                        @for (method, n) in &stats.signups {
                            tr { th scope="row" { (method_label(c, method)) } td { (n) } td { (share(*n, signups_total)) } }
                        }
                    }
                }
            }
        }
        section aria-labelledby="cookies" {
            h2 id="cookies" { (d.cookies_heading) }
            @if cookie_total == 0 {
                p { (d.nothing_yet) }
            } @else {
                table {
                    caption { (d.cookies_shares) }
                    thead { tr { @for l in choice_labels { th scope="col" { (l) } } th scope="col" { (d.total) } } }
                    tbody { tr {
                        @for n in cookie_totals { td { (n) " (" (share(n, cookie_total)) ")" } }
                        td { (cookie_total) }
                    } }
                }
                table {
                    caption { (d.week) }
                    thead { tr { th scope="col" { (d.week) } @for l in choice_labels { th scope="col" { (l) } } } }
                    tbody {
                        @for (week, counts) in cookie_weeks {
                            tr { th scope="row" { (week) } @for n in counts.iter() { td { (n) } } }
                        }
                    }
                }
            }
        }
    };
    c.page(200, d.statistics, body)
}

fn series_section(c: &Console, d: &DataText, name: &str, rows: &[WeekRow]) -> Markup {
    let id = format!("pc-{}", name.replace(|ch: char| !ch.is_ascii_alphanumeric(), "-"));
    let chart = if rows.is_empty() {
        None
    } else {
        match chart_svg(rows) {
            Ok(svg) => Some(svg),
            Err(e) => {
                super::log_internal(&format!("statistics chart of {}: {e}", c.site.id));
                None
            }
        }
    };
    html! {
        section aria-labelledby=(id) {
            h2 id=(id) { (name) }
            @if rows.is_empty() {
                p { (d.nothing_yet) }
            } @else {
                @if let Some(svg) = chart {
                    figure class="chart" {
                        div role="img" aria-label=(d.chart_label.replace("{list}", name)) {
                            // plotters' own output: numbers and shapes only, no text of ours.
                            (PreEscaped(svg.trim_start_matches(|ch| ch != '<').to_string()))
                        }
                        figcaption {
                            ul {
                                li { (d.legend_grants) }
                                li { (d.legend_withdrawals) }
                                li { (d.legend_audience) }
                            }
                        }
                    }
                }
                table {
                    caption { (d.table_caption.replace("{list}", name)) }
                    thead { tr {
                        th scope="col" { (d.week) }
                        th scope="col" { (d.grants) }
                        th scope="col" { (d.soft_opt_ins) }
                        th scope="col" { (d.withdrawals) }
                        th scope="col" { (d.objections) }
                        th scope="col" { (d.net_change) }
                        th scope="col" { (d.net_audience) }
                    } }
                    tbody {
                        @for r in rows {
                            tr {
                                th scope="row" { (r.week) }
                                td { (r.grants) } td { (r.soft_opt_ins) } td { (r.withdrawals) }
                                td { (r.objections) } td { (r.net_change()) } td { (r.net_audience) }
                            }
                        }
                    }
                }
            }
        }
    }
}
