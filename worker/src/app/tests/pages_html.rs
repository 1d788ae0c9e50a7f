//! Every server-rendered page as data: the markup inside `<main>` of each person-facing page
//! (preferences, unsubscribe, confirmations, lost link, broken links, 429, 503) and the mail
//! HTML, pinned with expect-test; and values with HTML metacharacters coming out escaped.

use super::*;

fn get(app: &App<SqlStore<SqliteExecutor>>, path: &str) -> HttpResponse {
    send(app, &HttpRequest::new("GET", path))
}

fn form(path: &str, fields: &[(&str, &str)]) -> HttpRequest {
    let body: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
    HttpRequest::new("POST", path)
        .with_header("content-type", "application/x-www-form-urlencoded")
        .with_header("origin", "http://localhost")
        .with_header("sec-fetch-site", "same-origin")
        .with_body(body)
}

fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a form with an anti-forgery value") + 19;
    html[at..at + html[at..].find('"').unwrap()].to_string()
}

fn post_on_page(app: &App<SqlStore<SqliteExecutor>>, path: &str, fields: &[(&str, &str)]) -> HttpResponse {
    let (_, page) = body_of(get(app, path));
    let csrf = csrf_of(&page);
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    send(app, &form(path, &all))
}

/// The path of `url` on this test's origin, with its token (long, and pinned elsewhere) named.
fn local(url: &str) -> String {
    url.strip_prefix("http://localhost").unwrap().to_string()
}

/// A page as `status` and the markup inside `<main>`, one element per line, with link tokens
/// and anti-forgery values replaced by names so the snapshot reads as the page.
fn shown(r: HttpResponse, tokens: &[(&str, &str)]) -> String {
    let (status, html) = body_of(r);
    let mut main = html
        .split("<main>")
        .nth(1)
        .unwrap_or(&html)
        .replace("</main></body></html>", "")
        .replace("><", ">\n<");
    for (token, name) in tokens {
        main = main.replace(token, name);
    }
    if let Some(at) = main.find("name=\"csrf\" value=\"") {
        main = main.replace(&csrf_of(&main[at..]), "CSRF");
    }
    format!("{status}\n{main}\n")
}

fn token_of(path: &str) -> &str {
    path.rsplit('/').next().unwrap().split('?').next().unwrap()
}

fn preferences_path(app: &App<SqlStore<SqliteExecutor>>, email: &str) -> String {
    let body = format!(r#"{{"email":"{email}"}}"#);
    let (status, body) = body_of(send(app, &admin("POST", "/api/v1/admin/sites/demo/links", Some(&body))));
    assert_eq!(status, 200, "{body}");
    let links: serde_json::Value = serde_json::from_str(&body).unwrap();
    local(links["preferences_url"].as_str().unwrap())
}

#[test]
fn the_document_around_every_page() {
    let app = app();
    let (status, html) = body_of(get(&app, "/preferences/demo"));
    assert_eq!(status, 200);
    let style_start = html.find("<style>").unwrap() + 7;
    let style_end = html.find("</style>").unwrap();
    let skeleton = format!("{}STYLE{}", &html[..style_start], &html[style_end..]);
    let head = skeleton.split("<main>").next().unwrap();
    expect![[r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="no-referrer"><meta name="robots" content="noindex"><title>Get a new link to your preferences</title><style>STYLE</style></head><body>"#]].assert_eq(head);
    assert!(html.ends_with("</main></body></html>"));
    let r = get(&app, "/preferences/demo");
    let headers: String = r.headers.iter().map(|(n, v)| format!("{n}: {v}\n")).collect();
    expect![[r#"
        content-type: text/html; charset=utf-8
        content-security-policy: default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'
        cache-control: no-store
        referrer-policy: no-referrer
        x-frame-options: DENY
        x-content-type-options: nosniff
    "#]]
    .assert_eq(&headers);
}

#[test]
fn the_preference_page() {
    let app = app();
    assert_eq!(send(&app, &post(GOOD)).status, 201);
    let path = preferences_path(&app, "ada@example.org");
    let names = [(token_of(&path), "TOKEN")];
    expect![[r#"
        200
        <h1>Your preferences</h1>
        <nav aria-label="Language">
        <a href="/p/TOKEN?lang=cy" lang="cy" hreflang="cy">Cymraeg</a>
        </nav>
        <p>What Demo Alumni Association may send to Ada@example.org, what you have told us, and your data.</p>
        <section aria-labelledby="choices">
        <h2 id="choices">What we may send you</h2>
        <form method="post" action="/p/TOKEN">
        <input type="hidden" name="csrf" value="CSRF">
        <input type="hidden" name="lang" value="en">
        <input type="hidden" name="action" value="choices">
        <p class="muted">Tick what you would like. Untick anything you no longer want: it stops at once.</p>
        <div class="option">
        <input type="checkbox" id="c-news-email" name="c:news:email" value="yes" checked aria-describedby="w-news-email s-news-email">
        <div>
        <label for="c-news-email">News and events (by email)</label>
        <p id="w-news-email">I am happy to hear from the Demo Alumni Association about relevant news, events, offers and opportunities for alumni by email.</p>
        <p class="muted" id="s-news-email">You agreed on 2026-11-24 12:00.</p>
        </div>
        </div>
        <input type="hidden" name="v:news:email" value="1">
        <button type="submit">Save my choices</button>
        </form>
        <h3>Stop everything</h3>
        <form method="post" action="/p/TOKEN">
        <input type="hidden" name="csrf" value="CSRF">
        <input type="hidden" name="lang" value="en">
        <input type="hidden" name="action" value="withdraw_all">
        <p>Withdraw from every kind of message above in one step.</p>
        <button type="submit" class="secondary">Withdraw from everything</button>
        </form>
        </section>
        <section aria-labelledby="details">
        <h2 id="details">Your details</h2>
        <form method="post" action="/p/TOKEN">
        <input type="hidden" name="csrf" value="CSRF">
        <input type="hidden" name="lang" value="en">
        <input type="hidden" name="action" value="details">
        <p>
        <label for="name">Name</label>
        <input type="text" id="name" name="name" autocomplete="name" maxlength="200" value="">
        </p>
        <p>
        <label for="email">Email address</label>
        <input type="email" id="email" name="email" autocomplete="email" aria-describedby="email-help" value="Ada@example.org">
        </p>
        <p class="muted" id="email-help">If you change it, we send a link to the new address to confirm it is yours.</p>
        <button type="submit">Save my details</button>
        </form>
        </section>
        <section aria-labelledby="history">
        <h2 id="history">Your history</h2>
        <table>
        <thead>
        <tr>
        <th scope="col">When (UTC)</th>
        <th scope="col">What</th>
        <th scope="col">Choice</th>
        <th scope="col">How</th>
        </tr>
        </thead>
        <tbody>
        <tr>
        <td>2026-11-24 12:00</td>
        <td>News and events (by email)<details>
        <summary>Wording shown (version 1)</summary>
        <blockquote>I am happy to hear from the Demo Alumni Association about relevant news, events, offers and opportunities for alumni by email.</blockquote>
        </details>
        </td>
        <td>Agreed</td>
        <td>A form on our website</td>
        </tr>
        </tbody>
        </table>
        </section>
        <section aria-labelledby="data">
        <h2 id="data">Your data</h2>
        <form method="post" action="/p/TOKEN">
        <input type="hidden" name="csrf" value="CSRF">
        <input type="hidden" name="lang" value="en">
        <input type="hidden" name="action" value="download">
        <p>A file (JSON) of everything we hold about you: details, choices and history.</p>
        <button type="submit" class="secondary">Download my data</button>
        </form>
        <h3>Pause the use of your data</h3>
        <form method="post" action="/p/TOKEN">
        <input type="hidden" name="csrf" value="CSRF">
        <input type="hidden" name="lang" value="en">
        <input type="hidden" name="action" value="restrict">
        <p>We keep your data but use it for nothing — you get no messages — until you lift the pause.</p>
        <button type="submit" class="secondary">Pause the use of my data</button>
        </form>
        <h3>Delete your data</h3>
        <form method="post" action="/p/TOKEN">
        <input type="hidden" name="csrf" value="CSRF">
        <input type="hidden" name="lang" value="en">
        <input type="hidden" name="action" value="erase">
        <p>We delete your name and email address. We keep an anonymous code so we never add you again by mistake, and our record of your choices under that code only.</p>
        <p>
        <input type="checkbox" id="erase-confirm" name="confirm" value="yes" required> <label for="erase-confirm">I understand this cannot be undone</label>
        </p>
        <button type="submit" class="secondary">Delete my data</button>
        </form>
        </section>
        <section aria-labelledby="complain">
        <h2 id="complain">Complain about how we use your data</h2>
        <form method="post" action="/p/TOKEN">
        <input type="hidden" name="csrf" value="CSRF">
        <input type="hidden" name="lang" value="en">
        <input type="hidden" name="action" value="complain">
        <p>If you are unhappy with how Demo Alumni Association uses your personal data, tell us here. We acknowledge every complaint within 30 days and reply to Ada@example.org.</p>
        <p>
        <label for="complaint">Your complaint</label>
        <textarea id="complaint" name="complaint" rows="8" aria-describedby="complaint-help">
        </textarea>
        </p>
        <p class="muted" id="complaint-help">What happened, and what you would like us to do. Up to 5000 characters.</p>
        <button type="submit" class="secondary">Send complaint</button>
        </form>
        <p>What happens next: we acknowledge your complaint within 30 days of receiving it, look into it, and tell you the outcome. If you are not satisfied with our answer, you can complain to the Information Commissioner's Office (ICO).</p>
        <p>
        <a href="https://ico.org.uk/make-a-complaint/">How to complain to the ICO</a>
        </p>
        </section>
        <section aria-labelledby="who">
        <h2 id="who">Who we are</h2>
        <p>
        <strong>Demo Alumni Association</strong>
        </p>
        <p>Contact: <a href="mailto:alumni@example.org">alumni@example.org</a>
        </p>
        <p>Address: Alumni Office, 1 College Road, Oxbridge OX1 1AA</p>
        <p>
        <a href="https://example.org/privacy">Our privacy notice</a>
        </p>
        </section>
    "#]].assert_eq(&shown(get(&app, &path), &names));
    expect![[r#"
        200
        <h1>Eich dewisiadau</h1>
        <nav aria-label="Iaith">
        <a href="/p/TOKEN?lang=en" lang="en" hreflang="en">English</a>
        </nav>
        <p>Beth y caiff Demo Alumni Association ei anfon at Ada@example.org, beth rydych wedi'i ddweud wrthym, a'ch data.</p>
        <div class="status" role="status">
        <p>Mae eich dewisiadau wedi'u cadw. Daeth y newidiadau i rym ar unwaith.</p>
        </div>
        <section aria-labelledby="choices">
        <h2 id="choices">Beth y cawn ei anfon atoch</h2>
        <form method="post" action="/p/TOKEN">
        <input type="hidden" name="csrf" value="CSRF">
        <input type="hidden" name="lang" value="cy">
        <input type="hidden" name="action" value="choices">
        <p class="muted">Ticiwch yr hyn yr hoffech ei gael. Dad-diciwch unrhyw beth nad ydych ei eisiau mwyach: mae'n dod i ben ar unwaith.</p>
        <div class="option">
        <input type="checkbox" id="c-news-email" name="c:news:email" value="yes" checked aria-describedby="w-news-email s-news-email">
        <div>
        <label for="c-news-email">News and events (drwy e-bost)</label>
        <p id="w-news-email">I am happy to hear from the Demo Alumni Association about relevant news, events, offers and opportunities for alumni by email.</p>
        <p class="muted" id="s-news-email">Fe wnaethoch gytuno ar 2026-11-24 12:00.</p>
        </div>
        </div>
        <input type="hidden" name="v:news:email" value="1">
        <button type="submit">Cadw fy newisiadau</button>
        </form>
        <h3>Atal popeth</h3>
        <form method="post" action="/p/TOKEN">
        <input type="hidden" name="csrf" value="CSRF">
        <input type="hidden" name="lang" value="cy">
        <input type="hidden" name="action" value="withdraw_all">
        <p>Tynnu'n ôl o bob math o neges uchod mewn un cam.</p>
        <button type="submit" class="secondary">Tynnu'n ôl o bopeth</button>
        </form>
        </section>
        <section aria-labelledby="details">
        <h2 id="details">Eich manylion</h2>
        <form method="post" action="/p/TOKEN">
        <input type="hidden" name="csrf" value="CSRF">
        <input type="hidden" name="lang" value="cy">
        <input type="hidden" name="action" value="details">
        <p>
        <label for="name">Enw</label>
        <input type="text" id="name" name="name" autocomplete="name" maxlength="200" value="">
        </p>
        <p>
        <label for="email">Cyfeiriad e-bost</label>
        <input type="email" id="email" name="email" autocomplete="email" aria-describedby="email-help" value="Ada@example.org">
        </p>
        <p class="muted" id="email-help">Os byddwch yn ei newid, byddwn yn anfon dolen i'r cyfeiriad newydd i gadarnhau mai chi biau.</p>
        <button type="submit">Cadw fy manylion</button>
        </form>
        </section>
        <section aria-labelledby="history">
        <h2 id="history">Eich hanes</h2>
        <table>
        <thead>
        <tr>
        <th scope="col">Pryd (UTC)</th>
        <th scope="col">Beth</th>
        <th scope="col">Dewis</th>
        <th scope="col">Sut</th>
        </tr>
        </thead>
        <tbody>
        <tr>
        <td>2026-11-24 12:00</td>
        <td>News and events (drwy e-bost)<details>
        <summary>Y geiriad a ddangoswyd (fersiwn 1)</summary>
        <blockquote>I am happy to hear from the Demo Alumni Association about relevant news, events, offers and opportunities for alumni by email.</blockquote>
        </details>
        </td>
        <td>Cytuno</td>
        <td>Ffurflen ar ein gwefan</td>
        </tr>
        </tbody>
        </table>
        </section>
        <section aria-labelledby="data">
        <h2 id="data">Eich data</h2>
        <form method="post" action="/p/TOKEN">
        <input type="hidden" name="csrf" value="CSRF">
        <input type="hidden" name="lang" value="cy">
        <input type="hidden" name="action" value="download">
        <p>Ffeil (JSON) o bopeth sydd gennym amdanoch: manylion, dewisiadau a hanes.</p>
        <button type="submit" class="secondary">Lawrlwytho fy nata</button>
        </form>
        <h3>Oedi'r defnydd o'ch data</h3>
        <form method="post" action="/p/TOKEN">
        <input type="hidden" name="csrf" value="CSRF">
        <input type="hidden" name="lang" value="cy">
        <input type="hidden" name="action" value="restrict">
        <p>Rydym yn cadw eich data ond yn ei ddefnyddio i ddim — ni chewch unrhyw negeseuon — nes i chi godi'r saib.</p>
        <button type="submit" class="secondary">Oedi'r defnydd o fy nata</button>
        </form>
        <h3>Dileu eich data</h3>
        <form method="post" action="/p/TOKEN">
        <input type="hidden" name="csrf" value="CSRF">
        <input type="hidden" name="lang" value="cy">
        <input type="hidden" name="action" value="erase">
        <p>Rydym yn dileu eich enw a'ch cyfeiriad e-bost. Rydym yn cadw cod dienw fel na fyddwn byth yn eich ychwanegu eto drwy gamgymeriad, a'n cofnod o'ch dewisiadau o dan y cod hwnnw yn unig.</p>
        <p>
        <input type="checkbox" id="erase-confirm" name="confirm" value="yes" required> <label for="erase-confirm">Rwy'n deall na ellir dadwneud hyn</label>
        </p>
        <button type="submit" class="secondary">Dileu fy nata</button>
        </form>
        </section>
        <section aria-labelledby="complain">
        <h2 id="complain">Cwyno am sut rydym yn defnyddio eich data</h2>
        <form method="post" action="/p/TOKEN">
        <input type="hidden" name="csrf" value="CSRF">
        <input type="hidden" name="lang" value="cy">
        <input type="hidden" name="action" value="complain">
        <p>Os ydych yn anhapus â sut mae Demo Alumni Association yn defnyddio eich data personol, dywedwch wrthym yma. Rydym yn cydnabod pob cwyn o fewn 30 diwrnod ac yn ateb i Ada@example.org.</p>
        <p>
        <label for="complaint">Eich cwyn</label>
        <textarea id="complaint" name="complaint" rows="8" aria-describedby="complaint-help">
        </textarea>
        </p>
        <p class="muted" id="complaint-help">Beth ddigwyddodd, a beth yr hoffech i ni ei wneud. Hyd at 5000 nod.</p>
        <button type="submit" class="secondary">Anfon y gŵyn</button>
        </form>
        <p>Beth sy'n digwydd nesaf: rydym yn cydnabod eich cwyn o fewn 30 diwrnod o'i chael, yn ymchwilio iddi, ac yn rhoi gwybod i chi am y canlyniad. Os nad ydych yn fodlon â'n hateb, gallwch gwyno i Swyddfa'r Comisiynydd Gwybodaeth (ICO).</p>
        <p>
        <a href="https://ico.org.uk/make-a-complaint/">Sut i gwyno i'r ICO</a>
        </p>
        </section>
        <section aria-labelledby="who">
        <h2 id="who">Pwy ydym ni</h2>
        <p>
        <strong>Demo Alumni Association</strong>
        </p>
        <p>Cysylltu: <a href="mailto:alumni@example.org">alumni@example.org</a>
        </p>
        <p>Cyfeiriad: Alumni Office, 1 College Road, Oxbridge OX1 1AA</p>
        <p>
        <a href="https://example.org/privacy">Ein hysbysiad preifatrwydd</a>
        </p>
        </section>
    "#]].assert_eq(&shown(get(&app, &format!("{path}?lang=cy&done=saved")), &names));
    let erase_unconfirmed = shown(post_on_page(&app, &path, &[("action", "erase")]), &names);
    let above_the_choices: Vec<&str> = erase_unconfirmed.lines().take(10).collect();
    expect![[r#"
        422
        <h1>Your preferences</h1>
        <nav aria-label="Language">
        <a href="/p/TOKEN?lang=cy" lang="cy" hreflang="cy">Cymraeg</a>
        </nav>
        <p>What Demo Alumni Association may send to Ada@example.org, what you have told us, and your data.</p>
        <div class="error" role="alert">
        <p>Tick the box to confirm, then press the button again.</p>
        </div>
        <section aria-labelledby="choices">"#]]
    .assert_eq(&above_the_choices.join("\n"));
    assert_eq!(post_on_page(&app, &path, &[("action", "restrict")]).status, 303);
    let restricted = shown(get(&app, &path), &names);
    assert!(restricted.contains("Lift the pause"), "{restricted}");
    let erased = post_on_page(&app, &path, &[("action", "erase"), ("confirm", "yes")]);
    expect![[r#"
        200
        <h1>Your data is deleted</h1>
        <p>Demo Alumni Association has deleted your name and email address. An anonymous code stays on our do-not-contact list, so you will not be added again.</p>
    "#]].assert_eq(&shown(erased, &names));
    expect![[r#"
        200
        <h1>Your data is deleted</h1>
        <p>Demo Alumni Association has deleted your name and email address. An anonymous code stays on our do-not-contact list, so you will not be added again.</p>
        <section aria-labelledby="who">
        <h2 id="who">Who we are</h2>
        <p>
        <strong>Demo Alumni Association</strong>
        </p>
        <p>Contact: <a href="mailto:alumni@example.org">alumni@example.org</a>
        </p>
        <p>Address: Alumni Office, 1 College Road, Oxbridge OX1 1AA</p>
        <p>
        <a href="https://example.org/privacy">Our privacy notice</a>
        </p>
        </section>
    "#]].assert_eq(&shown(get(&app, &path), &names));
}

#[test]
fn the_unsubscribe_pages() {
    let app = app();
    assert_eq!(send(&app, &post(GOOD)).status, 201);
    let body = r#"{"email":"ada@example.org","purpose":"news"}"#;
    let (_, links) = body_of(send(&app, &admin("POST", "/api/v1/admin/sites/demo/links", Some(body))));
    let links: serde_json::Value = serde_json::from_str(&links).unwrap();
    let path = local(links["unsubscribe_url"].as_str().unwrap());
    let names = [(token_of(&path), "TOKEN")];
    expect![[r#"
        200
        <h1>Dad-danysgrifio</h1>
        <nav aria-label="Iaith">
        <a href="/u/TOKEN?lang=en" lang="en" hreflang="en">English</a>
        </nav>
        <p>Rhoi'r gorau i gael News and events (drwy e-bost) gan Demo Alumni Association?</p>
        <form method="post" action="/u/TOKEN">
        <input type="hidden" name="lang" value="cy">
        <button type="submit" name="confirm" value="1">Dad-danysgrifio</button>
        </form>
        <p>Cwestiynau: <a href="mailto:alumni@example.org">alumni@example.org</a>
        </p>
    "#]]
    .assert_eq(&shown(get(&app, &format!("{path}?lang=cy")), &names));
    expect![[r#"
        405
        <h1>Unsubscribe</h1>
        <p>Use the button on the unsubscribe page.</p>
    "#]]
    .assert_eq(&shown(send(&app, &HttpRequest::new("PUT", &path)), &names));
    let one_click = HttpRequest::new("POST", &path)
        .with_header("content-type", "application/x-www-form-urlencoded")
        .with_body("List-Unsubscribe=One-Click");
    expect![[r#"
        200
        <h1>You are unsubscribed</h1>
        <p>Demo Alumni Association will not send you News and events (by email) any more. This took effect straight away.</p>
    "#]].assert_eq(&shown(send(&app, &one_click), &names));
}

#[test]
fn the_confirmation_pages() {
    let app = app();
    let mut site = crate::store::contract::sample_site("demo");
    site.double_opt_in = true;
    pollster::block_on(app.store.put_site(&site, "2026-11-24T00:00:00.000Z")).unwrap();
    assert_eq!(send(&app, &post(GOOD)).status, 201);
    let mail = take_outbox();
    let link = mail[0].text.lines().find(|l| l.starts_with("http://localhost/c/")).unwrap();
    let path = local(link);
    let names = [(token_of(&path), "TOKEN")];
    expect![[r#"<p>Please confirm that you want Demo Alumni Association to send you: News and events (by email). Nothing is sent until you do:</p><p><a href="http://localhost/c/TOKEN">http://localhost/c/TOKEN</a></p><p>If this was not you, ignore this message: nothing changes.</p>"#]].assert_eq(&mail[0].html.replace(token_of(&path), "TOKEN"));
    expect![[r#"
        200
        <h1>Confirm your sign-up</h1>
        <p>Please confirm that you want Demo Alumni Association to send you: News and events (by email).</p>
        <form method="post" action="/c/TOKEN">
        <input type="hidden" name="csrf" value="CSRF">
        <input type="hidden" name="lang" value="en">
        <button type="submit">Confirm</button>
        </form>
    "#]]
    .assert_eq(&shown(get(&app, &path), &names));
    expect![[r#"
        403
        <h1>Confirm your sign-up</h1>
        <div class="error" role="alert">
        <p>This form had expired, so nothing was changed. Please try again.</p>
        </div>
        <p>Please confirm that you want Demo Alumni Association to send you: News and events (by email).</p>
        <form method="post" action="/c/TOKEN">
        <input type="hidden" name="csrf" value="CSRF">
        <input type="hidden" name="lang" value="en">
        <button type="submit">Confirm</button>
        </form>
    "#]]
    .assert_eq(&shown(send(&app, &form(&path, &[("csrf", "forged")])), &names));
    expect![[r#"
        200
        <h1>Confirm your sign-up</h1>
        <div class="status" role="status">
        <p>Thank you — you are signed up. You can change this at any time from the link in our emails.</p>
        </div>
    "#]]
    .assert_eq(&shown(post_on_page(&app, &path, &[]), &names));
    expect![[r#"
        200
        <h1>Confirm your sign-up</h1>
        <p>There is nothing waiting for confirmation: it is already confirmed or was withdrawn.</p>
    "#]]
    .assert_eq(&shown(get(&app, &path), &names));
}

#[test]
fn the_new_address_pages_and_mails() {
    let app = app();
    assert_eq!(send(&app, &post(GOOD)).status, 201);
    let bob = GOOD.replace("Ada@Example.org", "bob@example.org");
    assert_eq!(send(&app, &post(&bob)).status, 201);
    let path = preferences_path(&app, "ada@example.org");
    take_outbox();
    let r = post_on_page(&app, &path, &[("action", "details"), ("name", ""), ("email", "bob@example.org")]);
    assert_eq!(r.status, 303);
    let taken = take_outbox();
    expect!["<p>Someone asked Demo Alumni Association to move a record to this address, but it already has its own record, so nothing was changed.</p><p>If this was not you, ignore this message: nothing changes.</p>"].assert_eq(&taken[0].html);
    let r = post_on_page(&app, &path, &[("action", "details"), ("name", ""), ("email", "ada.l@example.net")]);
    assert_eq!(r.status, 303);
    let mail = take_outbox();
    let link = mail[0].text.lines().find(|l| l.starts_with("http://localhost/c/")).unwrap();
    let confirm = local(link);
    let names = [(token_of(&confirm), "TOKEN")];
    expect![[r#"<p>You asked Demo Alumni Association to use this address from now on. Confirm it here:</p><p><a href="http://localhost/c/TOKEN">http://localhost/c/TOKEN</a></p><p>If this was not you, ignore this message: nothing changes.</p>"#]].assert_eq(&mail[0].html.replace(token_of(&confirm), "TOKEN"));
    expect![[r#"
        200
        <h1>Cadarnhewch eich cyfeiriad e-bost newydd</h1>
        <p>Defnyddio'r cyfeiriad hwn ar gyfer popeth y mae Demo Alumni Association yn ei anfon atoch?</p>
        <form method="post" action="/c/TOKEN">
        <input type="hidden" name="csrf" value="CSRF">
        <input type="hidden" name="lang" value="cy">
        <button type="submit">Cadarnhau</button>
        </form>
    "#]]
    .assert_eq(&shown(get(&app, &format!("{confirm}?lang=cy")), &names));
    expect![[r#"
        200
        <h1>Confirm your new email address</h1>
        <div class="status" role="status">
        <p>Your email address is now ada.l@example.net.</p>
        </div>
    "#]]
    .assert_eq(&shown(post_on_page(&app, &confirm, &[]), &names));
}

#[test]
fn the_lost_link_pages() {
    let app = app();
    expect![[r#"
        200
        <h1>Cael dolen newydd i'ch dewisiadau</h1>
        <p>Rhowch y cyfeiriad e-bost a roesoch i Demo Alumni Association. Os yw gennym, byddwn yn anfon dolen newydd atoch i weld a newid yr hyn a anfonwn atoch.</p>
        <form method="post" action="/preferences/demo">
        <input type="hidden" name="csrf" value="CSRF">
        <input type="hidden" name="lang" value="cy">
        <p>
        <label for="email">Cyfeiriad e-bost</label>
        <input type="email" id="email" name="email" autocomplete="email" required value="">
        </p>
        <button type="submit">Anfon dolen ataf</button>
        </form>
    "#]].assert_eq(&shown(get(&app, "/preferences/demo?lang=cy"), &[]));
    let bad = post_on_page(&app, "/preferences/demo", &[("email", "not \"an\" <address>")]);
    expect![[r#"
        422
        <h1>Get a new link to your preferences</h1>
        <div class="error" role="alert">
        <p>That email address does not look right. Please check it.</p>
        </div>
        <p>Enter the email address you gave Demo Alumni Association. If we have it, we will email you a new link to see and change what we send you.</p>
        <form method="post" action="/preferences/demo">
        <input type="hidden" name="csrf" value="CSRF">
        <input type="hidden" name="lang" value="en">
        <p>
        <label for="email">Email address</label>
        <input type="email" id="email" name="email" autocomplete="email" required value="not &quot;an&quot; &lt;address&gt;">
        </p>
        <button type="submit">Email me a link</button>
        </form>
    "#]].assert_eq(&shown(bad, &[]));
    let sent = post_on_page(&app, "/preferences/demo", &[("email", "o'neil@example.org")]);
    expect![[r#"
        200
        <h1>Get a new link to your preferences</h1>
        <div class="status" role="status">
        <p>If o'neil@example.org is on our list, we have sent a new link to it. It works for 7 days. If nothing arrives, check your spam folder or contact Demo Alumni Association.</p>
        </div>
    "#]].assert_eq(&shown(sent, &[]));
    expect![[r#"
        403
        <h1>Get a new link to your preferences</h1>
        <div class="error" role="alert">
        <p>This form had expired, so nothing was changed. Please try again.</p>
        </div>
        <p>Enter the email address you gave Demo Alumni Association. If we have it, we will email you a new link to see and change what we send you.</p>
        <form method="post" action="/preferences/demo">
        <input type="hidden" name="csrf" value="CSRF">
        <input type="hidden" name="lang" value="en">
        <p>
        <label for="email">Email address</label>
        <input type="email" id="email" name="email" autocomplete="email" required value="">
        </p>
        <button type="submit">Email me a link</button>
        </form>
    "#]].assert_eq(&shown(send(&app, &form("/preferences/demo", &[])), &[]));
    expect![[r#"
        404
        <h1>This link does not work</h1>
        <p>There is no such list.</p>
        <p>Use the link in a more recent email, or contact the organisation that sent it.</p>
    "#]]
    .assert_eq(&shown(get(&app, "/preferences/nope"), &[]));
    let mut no_mail = app;
    no_mail.mailer = None;
    expect![[r#"
        503
        <h1>Get a new link to your preferences</h1>
        <div class="error" role="alert">
        <p>We cannot send emails just now. Please contact Demo Alumni Association.</p>
        </div>
    "#]]
    .assert_eq(&shown(get(&no_mail, "/preferences/demo"), &[]));
}

#[test]
fn the_rate_limit_and_unavailable_pages() {
    let r = pages::too_many_requests(page_text::PageLang::Cy, 60);
    assert_eq!(r.header("retry-after"), Some("60"));
    expect![[r#"
        429
        <h1>Gormod o geisiadau</h1>
        <p>Daeth gormod o geisiadau o'ch cysylltiad mewn amser byr. Arhoswch 60 eiliad a rhowch gynnig arall arni.</p>
    "#]].assert_eq(&shown(r, &[]));
    expect![[r#"
        503
        <h1>Please try again</h1>
        <p>We could not do that just now. Please try again in a minute.</p>
    "#]]
    .assert_eq(&shown(pages::unavailable(page_text::PageLang::En, &"a cause"), &[]));
}

/// A value with HTML metacharacters, wherever a page shows one (the person's name, the
/// organisation's name, address, contact, notice URL and consent wording), is text, not markup.
#[test]
fn values_with_html_metacharacters_come_out_escaped() {
    let app = app();
    let hostile = r#"<script>"'&"#;
    let mut site = crate::store::contract::sample_site("demo");
    site.organisation.name = format!("Org {hostile}");
    site.organisation.postal_address = format!("Address {hostile}");
    site.organisation.privacy_notice_url = format!("https://example.org/?q={hostile}");
    site.organisation.contact_email = "a&b@example.org".into();
    // Wordings never change in place: the hostile one is a new version.
    let mut wording = site.purposes[0].wordings[0].clone();
    wording.version = 2;
    wording.label = format!("Label {hostile}");
    wording.text = format!("Text {hostile}");
    wording.sha256 = consent_shared::digest::sha256_hex(wording.text.as_bytes());
    site.purposes[0].wordings.push(wording);
    site.purposes[0].current_version = 2;
    pollster::block_on(app.store.put_site(&site, "2026-11-24T00:00:00.000Z")).unwrap();
    let r = send(&app, &post(&GOOD.replace(r#""wording_version":1"#, r#""wording_version":2"#)));
    assert_eq!(r.status, 201, "{}", summary(&r));
    let path = preferences_path(&app, "ada@example.org");
    let r = post_on_page(&app, &path, &[("action", "details"), ("name", hostile), ("email", "")]);
    assert_eq!(r.status, 303);
    let names = [(token_of(&path), "TOKEN")];
    let page = shown(get(&app, &path), &names);
    assert!(!page.contains("<script"), "{page}");
    // The unsubscribe and lost-link pages show the organisation and the list too.
    let body = r#"{"email":"ada@example.org","purpose":"news"}"#;
    let (_, links) = body_of(send(&app, &admin("POST", "/api/v1/admin/sites/demo/links", Some(body))));
    let links: serde_json::Value = serde_json::from_str(&links).unwrap();
    for other in [local(links["unsubscribe_url"].as_str().unwrap()), "/preferences/demo".into()] {
        let (status, html) = body_of(get(&app, &other));
        assert_eq!(status, 200, "{html}");
        assert!(html.contains("Org &lt;script&gt;&quot;'&amp;") && !html.contains("<script"), "{html}");
    }
    let escaped: Vec<&str> =
        page.lines().filter(|l| l.contains("&lt;script&gt;") || l.contains("&amp;b@")).collect();
    expect![[r#"
        <p>What Org &lt;script&gt;&quot;'&amp; may send to Ada@example.org, what you have told us, and your data.</p>
        <label for="c-news-email">Label &lt;script&gt;&quot;'&amp; (by email)</label>
        <p id="w-news-email">Text &lt;script&gt;&quot;'&amp;</p>
        <input type="text" id="name" name="name" autocomplete="name" maxlength="200" value="&lt;script&gt;&quot;'&amp;">
        <td>Label &lt;script&gt;&quot;'&amp; (by email)<details>
        <blockquote>Text &lt;script&gt;&quot;'&amp;</blockquote>
        <p>If you are unhappy with how Org &lt;script&gt;&quot;'&amp; uses your personal data, tell us here. We acknowledge every complaint within 30 days and reply to Ada@example.org.</p>
        <strong>Org &lt;script&gt;&quot;'&amp;</strong>
        <p>Contact: <a href="mailto:a&amp;b@example.org">a&amp;b@example.org</a>
        <p>Address: Address &lt;script&gt;&quot;'&amp;</p>
        <a href="https://example.org/?q=&lt;script&gt;&quot;'&amp;">Our privacy notice</a>"#]].assert_eq(&escaped.join("\n"));
}
