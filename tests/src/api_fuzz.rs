//! API fuzzing: schemathesis (installed by `cargo xtask setup` into `.venv/`) generates requests
//! from the document the worker under test serves at `/openapi.json` and checks every answer
//! against it: no 5xx, only documented statuses and content types, bodies that match their
//! schemas. The worker is the release build in `wrangler dev` on a fresh local D1, run with the
//! bench config (rate limits on, raised: schemathesis sends every request from one address).
//!
//! Before the run, the runner seeds a member and asks the admin links endpoint for their
//! unsubscribe and preference links, so the link pages open for real; the confirmation link is
//! signed here with the test key, as the worker would mail it. tests/schemathesis/ holds the
//! config (real site, admin key, tokens, Origin) and the hooks (fresh Idempotency-Keys, valid
//! bodies part of the time). `cargo xtask bench fuzz-api` runs the long version, the `apifuzz`
//! test binary a short one.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::sleep;
use std::time::{Duration, Instant};

use consent_shared::access::Scope as KeyScope;
use consent_shared::email::Email;
use consent_shared::subject::subject_id;
use consent_shared::token::{parse_keys, sign, Claims, Scope};

use crate::bench_config::bench_d1;
use crate::mail_capture::MailCapture;
use crate::secrets::{worker_secrets, ADMIN_BEARER, ADMIN_KEY, SUBJECT_KEY, TOKEN_KEYS};
use crate::wrangler::{stop_group, WorkerBuild, WranglerDev};
use crate::{free_port, repo_root};

/// The demo site (worker/seed/demo.sql) and the page origin it registers.
const SITE: &str = "demo";
const PAGE_ORIGIN: &str = "http://127.0.0.1:8788";
/// Where `PUT /api/v1/admin/sites/{site}` writes, so the demo site stays as seeded.
const SCRATCH_SITE: &str = "fuzz-scratch";
/// The member whose links the link pages are fuzzed with.
const MEMBER: &str = "fuzz-member@example.org";

/// The exact schemathesis release `cargo xtask setup` installs (a new release may generate
/// differently; bump it on purpose).
pub const SCHEMATHESIS_VERSION: &str = "4.32.5";

/// The project-local virtualenv schemathesis lives in (git-ignored).
pub fn venv_dir() -> PathBuf {
    repo_root().join(".venv")
}

pub fn schemathesis_bin() -> PathBuf {
    venv_dir().join("bin/schemathesis")
}

#[derive(Debug, Clone)]
pub struct Plan {
    /// Cases per operation and generation phase (schemathesis `--max-examples`).
    pub max_examples: u32,
    /// The run fails (schemathesis is stopped) when it takes longer than this. Not schemathesis's
    /// `--max-time`: in 4.x that is a budget it spends in full, repeating the fuzzing.
    pub timeout: Duration,
    /// Makes a run repeatable (schemathesis `--seed`).
    pub seed: Option<u64>,
    /// Extra `NAME: value` headers on every request (e.g. an API key header for endpoints that
    /// take one), from `CONSENT_FUZZ_HEADERS` when set (`;`-separated).
    pub extra_headers: Vec<String>,
}

impl Plan {
    /// `CONSENT_FUZZ_HEADERS="X-Api-Key: …;Other: …"` adds headers to every request.
    pub fn headers_from_env() -> Vec<String> {
        std::env::var("CONSENT_FUZZ_HEADERS")
            .map(|v| v.split(';').map(str::trim).filter(|h| !h.is_empty()).map(String::from).collect())
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone)]
pub struct Report {
    /// Requests schemathesis sent and checked.
    pub cases: u64,
    /// Operations it tested, of those the document lists.
    pub operations_tested: u64,
    pub operations_listed: u64,
    /// Distinct failures (check + operation), as schemathesis groups them.
    pub failures: u64,
    /// Each failure as `operation: check: title`.
    pub failure_list: Vec<String>,
    /// Errors that stopped an operation's tests (schema or network problems).
    pub errors: u64,
    /// Checks that ran, with the count of responses each looked at.
    pub checks: Vec<(String, u64)>,
    pub time: Duration,
    /// schemathesis's own output (the failures with their reproduction commands).
    pub output: String,
    /// Where the reports, D1 state and logs are kept when the run failed.
    pub kept_dir: Option<PathBuf>,
}

impl Report {
    pub fn holds(&self) -> Result<(), String> {
        let mut problems = Vec::new();
        if self.failures > 0 || self.errors > 0 {
            problems.push(format!("{} failures, {} errors", self.failures, self.errors));
            problems.extend(self.failure_list.iter().map(|f| format!("  {f}")));
        }
        if self.operations_tested < self.operations_listed {
            problems.push(format!(
                "only {} of {} operations were tested",
                self.operations_tested, self.operations_listed
            ));
        }
        if self.cases == 0 {
            problems.push("no case ran".into());
        }
        if problems.is_empty() {
            return Ok(());
        }
        let kept =
            self.kept_dir.as_ref().map(|d| format!("\n(reports, state and logs kept in {})", d.display()));
        // The end of schemathesis's output: each failure with the curl command that reproduces it.
        let lines: Vec<&str> = self.output.lines().collect();
        let tail = lines[lines.len().saturating_sub(200)..].join("\n");
        Err(format!("{}\n{tail}{}", problems.join("\n"), kept.unwrap_or_default()))
    }

    pub fn text(&self) -> String {
        let checks: Vec<String> = self.checks.iter().map(|(name, n)| format!("{name} {n}")).collect();
        format!(
            "fuzz-api: schemathesis {SCHEMATHESIS_VERSION} against /openapi.json of the worker under test\n  \
             cases {} | operations {} of {} | failures {} | errors {} | {:.1} s\n  checks (responses): {}",
            self.cases,
            self.operations_tested,
            self.operations_listed,
            self.failures,
            self.errors,
            self.time.as_secs_f64(),
            checks.join(", ")
        )
    }
}

/// Runs the plan against a fresh local D1 (migrated and seeded) in a temporary directory. A
/// SIGTERM, SIGINT or SIGHUP while it runs stops schemathesis and the worker, then ends the
/// process (a test binary or xtask killed mid-run leaves no server behind).
pub fn run(plan: &Plan) -> Result<Report, String> {
    let stop = stop_on_signals();
    let result = run_until(plan, stop);
    if stop.load(Ordering::SeqCst) {
        eprintln!("fuzz-api: stopped by a signal; the worker is stopped");
        std::process::exit(143);
    }
    result
}

fn run_until(plan: &Plan, stop: &AtomicBool) -> Result<Report, String> {
    let bin = schemathesis_bin();
    if !bin.exists() {
        return Err(format!("{} is missing: run `cargo xtask setup`", bin.display()));
    }
    let dir = std::env::temp_dir().join(format!("consent-fuzz-api-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    let d1 = bench_d1(&dir)?;
    d1.migrate()?;
    d1.execute_file(&repo_root().join("worker/seed/demo.sql"))?;
    let port = free_port();
    let origin = format!("http://127.0.0.1:{port}");
    // Mail goes to the capture, so the pages that send it (lost link) run their real path.
    let mail = MailCapture::start()?;
    let mail_url = mail.url();
    let mut vars = worker_secrets();
    vars.extend([
        ("PUBLIC_ORIGIN", origin.as_str()),
        ("MAIL_API_URL", mail_url.as_str()),
        ("MAIL_API_KEY", "capture-key"),
        ("MAIL_FROM", "Demo Alumni <alumni@example.org>"),
    ]);
    let dev = WranglerDev::start_build(&d1, port, &vars, WorkerBuild::Release)?;
    let fixture = Fixture::prepare(&origin)?;
    let (document, operations) = served_document(&origin)?;
    let served = dir.join("openapi.json");
    fs::write(&served, document).map_err(|e| format!("{}: {e}", served.display()))?;

    let reports = dir.join("reports");
    let start = Instant::now();
    let mut cmd = Command::new(&bin);
    cmd.arg("--config-file")
        .arg(repo_root().join("tests/schemathesis/schemathesis.toml"))
        .args(["--no-color", "run", "--url", &origin])
        .args(["--max-examples", &plan.max_examples.to_string()])
        // One worker: with two, CPython 3.11's `ast.parse` (hypothesis describing a filter)
        // failed now and then with "AST constructor recursion depth mismatch".
        .args(["--workers", "1", "--request-timeout", "30", "--report", "ndjson"])
        .arg("--report-dir")
        .arg(&reports)
        .args(["--generation-database", "none"]);
    if let Some(seed) = plan.seed {
        cmd.args(["--seed", &seed.to_string()]).env("CONSENT_FUZZ_SEED", seed.to_string());
    }
    for header in &plan.extra_headers {
        cmd.args(["--header", header]);
    }
    // The served document, as fetched, from a file: loaded from its URL, schemathesis leaves out
    // the operation that serves it (`GET /openapi.json`). `CONSENT_FUZZ_SCHEMA` names another
    // file: a changed docs/openapi.json can be tried before the worker is rebuilt.
    let schema = match std::env::var_os("CONSENT_FUZZ_SCHEMA") {
        Some(file) => std::path::absolute(&file).map_err(|e| format!("CONSENT_FUZZ_SCHEMA: {e}"))?,
        None => served,
    };
    cmd.arg(schema)
        // Its caches (.schemathesis/, .hypothesis/) go to the run's directory, not the repository.
        .current_dir(&dir)
        .envs(fixture.env())
        .env("SCHEMATHESIS_HOOKS", repo_root().join("tests/schemathesis/hooks.py"))
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(Stdio::null())
        .stdout(fs::File::create(dir.join("schemathesis.out")).map_err(|e| e.to_string())?)
        .stderr(fs::File::create(dir.join("schemathesis.err")).map_err(|e| e.to_string())?);
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    let mut child = cmd.spawn().map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
    let status = loop {
        if stop.load(Ordering::SeqCst) {
            stop_group(&mut child);
            drop(dev);
            let _ = fs::remove_dir_all(&dir);
            return Err("stopped by a signal".into());
        }
        if start.elapsed() > plan.timeout {
            stop_group(&mut child);
            let out = fs::read_to_string(dir.join("schemathesis.out")).unwrap_or_default();
            return Err(format!(
                "schemathesis did not finish within {:?} (stopped; state kept in {}):\n{out}",
                plan.timeout,
                dir.display()
            ));
        }
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) => sleep(Duration::from_millis(200)),
            Err(e) => return Err(format!("waiting for schemathesis: {e}")),
        }
    };
    let time = start.elapsed();
    drop(dev);
    drop(mail);
    let output = fs::read_to_string(dir.join("schemathesis.out")).unwrap_or_default()
        + &fs::read_to_string(dir.join("schemathesis.err")).unwrap_or_default();
    let mut report = summarise(&reports, &output, time, &operations)?;
    if !status.success() && report.failures == 0 && report.errors == 0 {
        report.errors = 1;
        report.output = format!("schemathesis ended with {status}:\n{output}");
    }
    // `CONSENT_FUZZ_KEEP=1` keeps them after a passing run too (to see what was sent).
    if report.holds().is_ok() && std::env::var_os("CONSENT_FUZZ_KEEP").is_none() {
        let _ = fs::remove_dir_all(&dir);
    } else {
        report.kept_dir = Some(dir);
    }
    Ok(report)
}

/// What the config and hooks read from the environment: the real site, key, member and links.
struct Fixture {
    /// A key of the demo site with every scope (`ck_<prefix>_<secret>`), for the `apiKey` scheme.
    api_key: String,
    u_token: String,
    p_token: String,
    c_token: String,
    /// Anti-forgery values from the pages' own forms (valid for hours: longer than any run).
    p_csrf: String,
    c_csrf: String,
    lost_link_csrf: String,
    policy_version: u64,
    banner_sha256: String,
}

impl Fixture {
    fn prepare(origin: &str) -> Result<Fixture, String> {
        let admin = |path: &str, body: serde_json::Value| -> Result<serde_json::Value, String> {
            let url = format!("{origin}{path}");
            ureq::post(&url)
                .set("Authorization", ADMIN_BEARER)
                .send_json(body)
                .map_err(|e| format!("POST {url}: {}", describe(e)))?
                .into_json()
                .map_err(|e| format!("POST {url}: {e}"))
        };
        admin(
            &format!("/api/v1/admin/sites/{SITE}/consents"),
            serde_json::json!({"email": MEMBER, "method": "paper_form",
                "changes": [{"purpose": "news", "channel": "email", "action": "granted", "wording_version": 1}]}),
        )?;
        let links =
            admin(&format!("/api/v1/admin/sites/{SITE}/links"), serde_json::json!({"email": MEMBER}))?;
        let token_of = |field: &str, prefix: &str| -> Result<String, String> {
            let url = links[field].as_str().ok_or_else(|| format!("links: no {field} in {links}"))?;
            let path = url.strip_prefix(origin).unwrap_or(url);
            let token = path.strip_prefix(prefix).ok_or_else(|| format!("links: {field} {url}"))?;
            Ok(token.split(['?', '#']).next().unwrap_or_default().to_string())
        };
        // An API key with every scope: the run authenticates as a machine client would; the
        // admin key stays for what only it (or an owner) may do (see hooks.py).
        let scopes: Vec<&str> = KeyScope::ALL.iter().map(|s| s.as_str()).collect();
        let created = admin(
            &format!("/api/v1/admin/sites/{SITE}/keys"),
            serde_json::json!({"name": "schemathesis", "scopes": scopes}),
        )?;
        let api_key =
            created["secret"].as_str().ok_or_else(|| format!("keys: no secret in {created}"))?.to_string();
        let config_url = format!("{origin}/api/v1/sites/{SITE}/config");
        let config: serde_json::Value = ureq::get(&config_url)
            .call()
            .map_err(|e| format!("GET {config_url}: {}", describe(e)))?
            .into_json()
            .map_err(|e| format!("GET {config_url}: {e}"))?;
        let (u_token, p_token, c_token) =
            (token_of("unsubscribe_url", "/u/")?, token_of("preferences_url", "/p/")?, confirm_token()?);
        Ok(Fixture {
            api_key,
            p_csrf: csrf_of(&format!("{origin}/p/{p_token}"))?,
            c_csrf: csrf_of(&format!("{origin}/c/{c_token}"))?,
            lost_link_csrf: csrf_of(&format!("{origin}/preferences/{SITE}"))?,
            u_token,
            p_token,
            c_token,
            policy_version: config["policy_version"].as_u64().ok_or("config: no policy_version")?,
            banner_sha256: config["banner"]["sha256"].as_str().unwrap_or_default().to_string(),
        })
    }

    fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("CONSENT_FUZZ_SITE", SITE.into()),
            ("CONSENT_FUZZ_SCRATCH_SITE", SCRATCH_SITE.into()),
            ("CONSENT_FUZZ_ADMIN_KEY", ADMIN_KEY.into()),
            ("CONSENT_FUZZ_API_KEY", self.api_key.clone()),
            ("CONSENT_FUZZ_PAGE_ORIGIN", PAGE_ORIGIN.into()),
            ("CONSENT_FUZZ_MEMBER", MEMBER.into()),
            ("CONSENT_FUZZ_U_TOKEN", self.u_token.clone()),
            ("CONSENT_FUZZ_P_TOKEN", self.p_token.clone()),
            ("CONSENT_FUZZ_C_TOKEN", self.c_token.clone()),
            ("CONSENT_FUZZ_P_CSRF", self.p_csrf.clone()),
            ("CONSENT_FUZZ_C_CSRF", self.c_csrf.clone()),
            ("CONSENT_FUZZ_LOST_LINK_CSRF", self.lost_link_csrf.clone()),
            ("CONSENT_FUZZ_POLICY_VERSION", self.policy_version.to_string()),
            ("CONSENT_FUZZ_BANNER_SHA256", self.banner_sha256.clone()),
        ]
    }
}

/// A confirmation link for the member, signed with the test link key as the worker signs the
/// ones it mails (the demo site has no double opt-in, so no such mail is sent in this run).
fn confirm_token() -> Result<String, String> {
    let keys = parse_keys(TOKEN_KEYS).map_err(|e| format!("TOKEN_KEYS: {e}"))?;
    let email = Email::parse(MEMBER).map_err(|e| format!("{MEMBER}: {e:?}"))?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|e| e.to_string())?
        .as_secs() as i64;
    let claims = Claims {
        site: SITE.into(),
        sub: subject_id(SUBJECT_KEY.as_bytes(), SITE, &email),
        scope: Scope::Confirm,
        exp: now + 7 * 24 * 3600,
    };
    Ok(sign(&claims, &keys[0]))
}

/// The anti-forgery value in the form of the page at `url`; empty when the page has no form
/// (a confirmation page with nothing to confirm).
fn csrf_of(url: &str) -> Result<String, String> {
    let page = ureq::get(url)
        .call()
        .map_err(|e| format!("GET {url}: {}", describe(e)))?
        .into_string()
        .map_err(|e| format!("GET {url}: {e}"))?;
    let marker = "name=\"csrf\" value=\"";
    let Some(at) = page.find(marker) else { return Ok(String::new()) };
    let start = at + marker.len();
    let len = page[start..].find('"').ok_or_else(|| format!("GET {url}: unterminated csrf value"))?;
    Ok(page[start..start + len].to_string())
}

/// The document the worker serves, and its operations as schemathesis labels them
/// (`GET /healthz`).
fn served_document(origin: &str) -> Result<(String, BTreeSet<String>), String> {
    let url = format!("{origin}/openapi.json");
    let text = ureq::get(&url)
        .call()
        .map_err(|e| format!("GET {url}: {}", describe(e)))?
        .into_string()
        .map_err(|e| format!("GET {url}: {e}"))?;
    let doc: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("{url}: {e}"))?;
    let paths = doc["paths"].as_object().ok_or("openapi.json: no paths")?;
    let methods = ["get", "put", "post", "delete", "patch"];
    let operations = paths
        .iter()
        .flat_map(|(path, item)| {
            let item = item.as_object().cloned().unwrap_or_default();
            methods
                .iter()
                .filter(move |m| item.contains_key(**m))
                .map(move |m| format!("{} {path}", m.to_uppercase()))
        })
        .collect();
    Ok((text, operations))
}

fn describe(e: ureq::Error) -> String {
    match e {
        ureq::Error::Status(status, r) => format!("{status} {}", r.into_string().unwrap_or_default()),
        other => other.to_string(),
    }
}

/// Counts from schemathesis's ndjson event stream: every `ScenarioFinished` event carries the
/// requests of its scenario (`recorder.interactions`) and each one's check results.
fn summarise(
    reports: &Path,
    output: &str,
    time: Duration,
    listed: &BTreeSet<String>,
) -> Result<Report, String> {
    let said = || format!("\nschemathesis said:\n{output}");
    let file = fs::read_dir(reports)
        .map_err(|e| format!("{}: {e}{}", reports.display(), said()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "ndjson"))
        .ok_or_else(|| format!("no ndjson report in {}{}", reports.display(), said()))?;
    let text = fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
    let mut cases = 0u64;
    let mut operations = BTreeSet::new();
    let mut failures = BTreeSet::new();
    let mut errors = 0u64;
    let mut checks: BTreeMap<String, u64> = BTreeMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let event: serde_json::Value =
            serde_json::from_str(line).map_err(|e| format!("{}: {e}", file.display()))?;
        if let Some(err) = event.get("NonFatalError").or_else(|| event.get("FatalError")) {
            errors += 1;
            eprintln!("schemathesis error: {err}");
        }
        let Some(finished) = event.get("ScenarioFinished") else { continue };
        let recorder = &finished["recorder"];
        let label = recorder["label"].as_str().unwrap_or_default().to_string();
        let interactions = recorder["interactions"].as_object().map_or(0, |i| i.len() as u64);
        cases += interactions;
        // Stateful scenarios are labelled "Stateful tests": their requests count as cases.
        if interactions > 0 && listed.contains(&label) {
            operations.insert(label.clone());
        }
        for results in recorder["checks"].as_object().into_iter().flat_map(|c| c.values()) {
            for check in results.as_array().into_iter().flatten() {
                let name = check["name"].as_str().unwrap_or_default().to_string();
                *checks.entry(name.clone()).or_default() += 1;
                if check["status"] == "failure" {
                    let code = check["failure_info"]["failure"]["title"].as_str().unwrap_or_default();
                    failures.insert(format!("{label}: {name}: {code}"));
                }
            }
        }
    }
    Ok(Report {
        cases,
        operations_tested: operations.len() as u64,
        operations_listed: listed.len() as u64,
        failures: failures.len() as u64,
        failure_list: failures.into_iter().collect(),
        errors,
        checks: checks.into_iter().collect(),
        time,
        output: output.to_string(),
        kept_dir: None,
    })
}

static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    STOP.store(true, Ordering::SeqCst);
}

/// Turns SIGTERM, SIGINT and SIGHUP into a flag the run polls, so it can stop what it started.
fn stop_on_signals() -> &'static AtomicBool {
    for signal in [libc::SIGTERM, libc::SIGINT, libc::SIGHUP] {
        // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
        unsafe { libc::signal(signal, on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t) };
    }
    &STOP
}
