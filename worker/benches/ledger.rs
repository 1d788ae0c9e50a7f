//! Ledger benchmarks on the native SQLite backend (run by `cargo xtask bench`, not by tests):
//!
//! - `ledger generate DB N` builds a site with a real hash chain of N consent events.
//! - `ledger measure DB` times the audience query (first page and full streamed export) and full
//!   chain verification, the statistics page's counter queries and the page itself, through the
//!   same `Store` and `App` the worker uses, then reports peak RSS.
//!
//! Generation and measurement are separate processes so the peak RSS belongs to the queries.

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use chrono::DateTime;
use consent_shared::consent::Action;
use consent_shared::email::Email;
use consent_shared::ledger::{
    plan_events, seal, ChainHead, ChainVerifier, Choice, Provenance, RequestContext,
};
use consent_shared::site::Channel;
use consent_shared::subject::subject_id;
use consent_worker::store::contract::sample_site;
use consent_worker::store::sqlite::SqliteExecutor;
use consent_worker::store::{sql, SqlStore, SqlValue, Store};

const PURPOSES: [&str; 4] = ["news", "events", "fundraising", "volunteering"];
const PAGE: u32 = 1000;
const TWO_YEARS_S: i64 = 2 * 365 * 24 * 3600;
const METHODS: [consent_shared::consent::Method; 3] = [
    consent_shared::consent::Method::WebForm,
    consent_shared::consent::Method::PaperForm,
    consent_shared::consent::Method::AdminImport,
];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["generate", db, n] => generate(Path::new(db), n.parse().expect("N")),
        ["measure", db] => measure(Path::new(db)),
        _ => eprintln!("usage: ledger generate DB N | ledger measure DB"),
    }
}

fn bench_site() -> consent_shared::site::SiteConfig {
    let mut site = sample_site("bench");
    let template = site.purposes[0].clone();
    site.purposes = PURPOSES
        .iter()
        .map(|p| {
            let mut pc = template.clone();
            pc.purpose = (*p).to_string();
            pc
        })
        .collect();
    site
}

/// N events over N/5 people: each person grants some purposes; one event in seven is a
/// withdrawal, so the audience is a real subset of the ledger.
fn generate(db: &Path, n: u64) {
    let _ = std::fs::remove_file(db);
    let exec = SqliteExecutor::open(db).expect("open");
    let site = bench_site();
    let store = SqlStore::new(exec);
    pollster::block_on(store.put_site(&site, "2026-11-24T00:00:00.000Z")).unwrap();
    let people = (n / 5).max(1);
    let started = Instant::now();
    let mut head = ChainHead::genesis();
    let mut next_id = 0u64;
    store
        .exec
        .with_connection(|conn| {
            let tx = conn.transaction()?;
            {
                let mut insert_event = tx.prepare(sql::INSERT_EVENT)?;
                let mut upsert_state = tx.prepare(sql::UPSERT_STATE)?;
                let mut upsert_subject = tx.prepare(sql::UPSERT_SUBJECT)?;
                let mut insert_link = tx.prepare(sql::INSERT_LINKS)?;
                for i in 0..n {
                    let person = i % people;
                    let email = Email::parse(&format!("person{person}@example.org")).unwrap();
                    let subject = subject_id(b"bench-key", "bench", &email);
                    let action = if i % 7 == 6 { Action::Withdrawn } else { Action::Granted };
                    let purpose = PURPOSES[((i / people) % PURPOSES.len() as u64) as usize];
                    let choice = Choice {
                        purpose: purpose.into(),
                        channel: Channel::Email,
                        action,
                        wording_version: None,
                    };
                    let provenance = Provenance {
                        method: METHODS[(i % METHODS.len() as u64) as usize],
                        source_url: Some("bench".into()),
                        lang: "en".into(),
                        client_time: None,
                        direct_from_person: None,
                        support_context: None,
                    };
                    let ctx = RequestContext {
                        // Any N spans two years, so the statistics page has two years of
                        // daily counters to read whatever the ledger's size.
                        now: DateTime::from_timestamp(1_790_000_000 + (TWO_YEARS_S / n.max(1) as i64).max(1) * i as i64, 0)
                            .unwrap(),
                        user_agent: Some("bench".into()),
                        ip: None,
                        gpc: false,
                        idempotency_key: None,
                        request_origin: None,
                        fetch_site: None,
                    };
                    let mut ids = std::iter::from_fn(|| {
                        next_id += 1;
                        Some(format!("evt-{next_id:012}"))
                    });
                    let plan =
                        plan_events(&site, Some(email), subject, &[choice], &provenance, &ctx, &mut ids);
                    let e = &plan.events[0];
                    let values = event_values(e, &consent_shared::chain::event_mark(BENCH_LEDGER_KEY, e));
                    insert_event.execute(rusqlite::params_from_iter(values.iter()))?;
                    let link = seal(BENCH_LEDGER_KEY, &head, std::slice::from_ref(e)).remove(0);
                    let one = serde_json::json!([[
                        link.site_id,
                        link.seq,
                        link.event_id,
                        link.event_hash,
                        link.prev_hash,
                        link.hash,
                        link.version
                    ]]);
                    insert_link.execute(rusqlite::params![one.to_string(), e.server_time])?;
                    head = ChainHead { seq: link.seq, hash: link.hash };
                    upsert_state.execute(rusqlite::params![
                        e.site_id,
                        e.subject,
                        e.purpose,
                        e.channel.as_str(),
                        e.action.as_str(),
                        e.id,
                        e.server_time
                    ])?;
                    upsert_subject.execute(rusqlite::params![
                        e.site_id,
                        e.subject,
                        plan.email.as_ref().map(|e| e.address_for_sending()),
                        e.server_time
                    ])?;
                }
                // The events' daily counters were kept by the trigger as they went in; cookie
                // decisions get counters of their own for every day the events span (a decision
                // row is not needed for the statistics page, which reads counters only).
                tx.execute(
                    "INSERT INTO daily_cookie_counts (site_id, day, choice, n) \
                     SELECT 'bench', d.day, c.choice, 100 + length(d.day) * c.k \
                     FROM (SELECT DISTINCT day FROM daily_event_counts WHERE site_id = 'bench') d, \
                     (SELECT 'accept_all' AS choice, 7 AS k UNION ALL SELECT 'reject_all', 5 \
                      UNION ALL SELECT 'custom', 2 UNION ALL SELECT 'gpc_signal', 1 UNION ALL SELECT 'object', 1) c",
                    [],
                )?;
            }
            tx.commit()
        })
        .unwrap();
    println!("generated {n} events over {people} people in {:.1} s", started.elapsed().as_secs_f64());
}

/// The ledger key the generated chain is sealed and marked with.
const BENCH_LEDGER_KEY: &[u8] = b"bench-ledger-key-0123456789abcdef";

fn event_values(e: &consent_shared::consent::ConsentEvent, mark: &str) -> Vec<rusqlite::types::Value> {
    use rusqlite::types::Value as V;
    let text = |s: &str| V::Text(s.to_string());
    let opt = |s: &Option<String>| s.as_ref().map_or(V::Null, |s| V::Text(s.clone()));
    vec![
        text(&e.id),
        text(&e.site_id),
        text(&e.subject),
        text(&e.purpose),
        text(e.channel.as_str()),
        text(e.action.as_str()),
        V::Integer(e.wording_version.into()),
        text(&e.wording_sha256),
        text(&e.lang),
        text(e.method.as_str()),
        opt(&e.source_url),
        text(&e.server_time),
        opt(&e.client_time),
        opt(&e.user_agent),
        opt(&e.ip_truncated),
        V::Integer(e.gpc.into()),
        opt(&e.idempotency_key),
        opt(&e.request_origin),
        opt(&e.fetch_site),
        text(mark),
        // support_context, direct_from_person (migration 0011): not a soft opt-in.
        V::Null,
        V::Null,
    ]
}

fn measure(db: &Path) {
    let store = SqlStore::new(SqliteExecutor::open(db).expect("open"));
    let events: i64 = {
        let rows = pollster::block_on(consent_worker::store::Executor::query(
            &store.exec,
            "SELECT COUNT(*) AS n FROM consent_events",
            Vec::<SqlValue>::new(),
        ))
        .unwrap();
        rows[0].int("n").unwrap()
    };
    // Warm the page cache once, as a running worker would be.
    pollster::block_on(store.audience_page(
        "bench",
        "news",
        Channel::Email,
        consent_worker::store::AudienceFilter::ConsentOrSoftOptIn,
        "",
        PAGE,
    ))
    .unwrap();
    let mut first_page = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        let page = pollster::block_on(store.audience_page(
            "bench",
            "news",
            Channel::Email,
            consent_worker::store::AudienceFilter::ConsentOrSoftOptIn,
            "",
            PAGE,
        ))
        .unwrap();
        first_page.push(t.elapsed());
        assert!(!page.is_empty());
    }
    first_page.sort();

    let t = Instant::now();
    let mut members = 0usize;
    let mut after = String::new();
    let mut sink = std::io::sink();
    loop {
        let page = pollster::block_on(store.audience_page(
            "bench",
            "news",
            Channel::Email,
            consent_worker::store::AudienceFilter::ConsentOrSoftOptIn,
            &after,
            PAGE,
        ))
        .unwrap();
        for m in &page {
            writeln!(sink, "{},{},{},{}", m.email, m.subject, m.granted_at, m.event_id).unwrap();
        }
        members += page.len();
        match page.last() {
            Some(last) if page.len() == PAGE as usize => after = last.subject.clone(),
            _ => break,
        }
    }
    let export = t.elapsed();

    let t = Instant::now();
    let mut verifier = ChainVerifier::new(BENCH_LEDGER_KEY, consent_shared::chain::ChainKind::Events);
    let mut after_seq = 0;
    loop {
        let page = pollster::block_on(store.chained_after("bench", after_seq, PAGE)).unwrap();
        for c in &page {
            let item = c.event.as_ref().map(|e| consent_shared::chain::SealedItem::event(e, c.marked));
            verifier.check(&c.link, item.as_ref()).expect("generated chain is valid");
        }
        match page.last() {
            Some(last) if page.len() == PAGE as usize => after_seq = last.link.seq,
            _ => break,
        }
    }
    let verify = t.elapsed();

    // The state audit `ledger/verify` also runs: every event in state-key order, marks checked.
    let t = Instant::now();
    let mut cursor = consent_worker::store::chain::AuditCursor::start();
    let mut audited = 0usize;
    loop {
        let page = pollster::block_on(consent_worker::store::chain::ChainStore::audit_events(
            &store, "bench", &cursor, PAGE,
        ))
        .unwrap();
        for row in &page {
            assert!(row.marked.problem(BENCH_LEDGER_KEY).is_none(), "generated events are marked");
        }
        audited += page.len();
        match page.last() {
            Some(last) if page.len() == PAGE as usize => {
                cursor = consent_worker::store::chain::AuditCursor::after(&last.marked)
            }
            _ => break,
        }
    }
    let audit = t.elapsed();
    let counters = statistics_counters(&store);
    let statistics = statistics_page(store);
    println!(
        "events={events} audience_first_page_p50_ms={:.2} audience_first_page_max_ms={:.2} \
         export_members={members} export_ms={:.0} verify_events={} verify_ms={:.0} \
         audit_events={audited} audit_ms={:.0} {counters} {statistics} peak_rss_mb={:.1}",
        ms(first_page[first_page.len() / 2]),
        ms(*first_page.last().unwrap()),
        ms(export),
        verifier.checked,
        ms(verify),
        ms(audit),
        peak_rss_mb()
    );
}

/// The console's statistics page through the whole handler (`App::handle`: session, role, the
/// counters read, folded into weeks, the charts drawn, the page rendered), as a viewer would ask
/// for it: one request to warm the cache, then `STATISTICS_RUNS`; p50, p95 and max.
fn statistics_page(store: SqlStore<SqliteExecutor>) -> String {
    use consent_worker::app::{App, AppConfig, RequestFacts};
    use consent_worker::http::HttpRequest;
    use consent_worker::store::accounts::{AccountStore, Redeemed};
    let counter_rows = pollster::block_on(consent_worker::store::Executor::query(
        &store.exec,
        "SELECT COUNT(*) AS n FROM daily_event_counts WHERE site_id = 'bench'",
        Vec::<SqlValue>::new(),
    ))
    .unwrap()[0]
        .int("n")
        .unwrap();
    let app = App::new(
        store,
        AppConfig {
            admin_key: Some("bench-admin".into()),
            subject_key: b"bench-key".to_vec(),
            ledger_key: BENCH_LEDGER_KEY.to_vec(),
            token_keys: consent_shared::token::parse_keys("t1:bench-token-key-0123456789").unwrap(),
            public_origin: Some("http://localhost".into()),
        },
    );
    let unix = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let now = DateTime::from_timestamp(unix as i64, 0).unwrap();
    let mut n = 0u64;
    let mut new_id = || {
        n += 1;
        format!("bench-id-{n}")
    };
    let mut send = |req: &HttpRequest| {
        let mut facts = RequestFacts { now, new_id: &mut new_id, later: Vec::new() };
        let r = pollster::block_on(app.handle(req, &mut facts));
        for work in facts.later {
            pollster::block_on(work);
        }
        r
    };
    // A viewer (the least role that sees statistics), signed in.
    let email = format!("viewer{}@example.org", now.timestamp());
    let r = send(
        &HttpRequest::new("POST", "/api/v1/admin/sites/bench/people")
            .with_header("authorization", "Bearer bench-admin")
            .with_header("content-type", "application/json")
            .with_body(format!(r#"{{"email":"{email}","role":"viewer"}}"#)),
    );
    assert_eq!(r.status, 201, "{:?}", String::from_utf8_lossy(&r.body));
    let person: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    let person = person["person_id"].as_str().unwrap().to_string();
    let hash = |v: &str| consent_shared::digest::sha256_hex(v.as_bytes());
    let at = consent_shared::time::format_utc(now);
    let until = consent_shared::time::format_utc(now + chrono::TimeDelta::minutes(15));
    pollster::block_on(app.store.create_sign_in_link(&hash("bench-link"), &person, &at, &until)).unwrap();
    let redeemed =
        pollster::block_on(app.store.redeem_sign_in_link(&hash("bench-link"), &hash("bench-session"), &at))
            .unwrap();
    assert!(matches!(redeemed, Redeemed::Session { .. }));
    let page = HttpRequest::new("GET", "/admin/sites/bench/statistics")
        .with_header("cookie", "consent_session=bench-session");
    let first = send(&page);
    assert_eq!(first.status, 200, "{:?}", String::from_utf8_lossy(&first.body));
    let bytes = first.body.len();
    let times = timed(STATISTICS_RUNS, || {
        let r = send(&page);
        assert_eq!(r.status, 200);
    });
    format!(
        "statistics_counter_rows={counter_rows} statistics_page_ms={} statistics_page_kb={:.0}",
        spread(times),
        bytes as f64 / 1024.0
    )
}

/// How many times the statistics page and its queries are asked for after one warm-up (enough
/// for a p95 that is not simply the maximum).
const STATISTICS_RUNS: usize = 100;

/// The two queries the statistics page makes (every daily event counter and every daily cookie
/// counter of the site, by primary key), without the folding and drawing around them.
fn statistics_counters(store: &SqlStore<SqliteExecutor>) -> String {
    use consent_worker::store::statistics::StatisticsStore;
    let read = || {
        let events = pollster::block_on(store.daily_event_counts("bench")).unwrap();
        let cookies = pollster::block_on(store.daily_cookie_counts("bench")).unwrap();
        assert!(!events.is_empty() && !cookies.is_empty());
    };
    read();
    format!("statistics_queries_ms={}", spread(timed(STATISTICS_RUNS, read)))
}

/// `runs` timings of `f`.
fn timed(runs: usize, mut f: impl FnMut()) -> Vec<Duration> {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect()
}

/// `p50/p95/max` in milliseconds.
fn spread(mut times: Vec<Duration>) -> String {
    times.sort();
    let at = |q: f64| times[((times.len() as f64 * q).ceil() as usize).clamp(1, times.len()) - 1];
    format!("{:.2}/{:.2}/{:.2}", ms(at(0.5)), ms(at(0.95)), ms(*times.last().unwrap()))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}
