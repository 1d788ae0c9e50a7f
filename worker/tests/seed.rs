//! The demo seed is data the tests and `cargo xtask dev` rely on: it must load into the real
//! schema and every stored SHA-256 must be the hash of its text.

use consent_shared::digest::sha256_hex;
use consent_worker::store::sqlite::SqliteExecutor;
use consent_worker::store::{SqlStore, Store};

#[test]
fn demo_seed_loads_and_its_hashes_match_its_texts() {
    let exec = SqliteExecutor::open_in_memory().unwrap();
    exec.execute_raw(include_str!("../seed/demo.sql")).unwrap();
    let store = SqlStore::new(exec);
    let site = pollster::block_on(store.site("demo")).unwrap().expect("demo site");
    assert_eq!(site.organisation.name, "Demo Alumni Association");
    assert!(site.allowed_origins.contains(&"http://127.0.0.1:8788".to_string()));
    let wordings = site.purposes.iter().flat_map(|p| &p.wordings).map(|w| (&w.text, &w.sha256));
    let banners = site.banner.iter().map(|b| (&b.text, &b.sha256));
    let mut checked = 0;
    for (text, sha) in wordings.chain(banners) {
        assert_eq!(&sha256_hex(text.as_bytes()), sha, "hash of {text:?}");
        checked += 1;
    }
    assert!(checked >= 2);
    assert_eq!(site.cookie_categories.iter().filter(|c| c.required).count(), 1);
    // Issue 13: a charity, with a purpose on the soft opt-in and a statistics category.
    assert!(site.organisation.is_charity());
    let soft = site.purposes.iter().find(|p| p.basis == consent_shared::basis::LawfulBasis::CharitySoftOptIn);
    assert!(soft
        .is_some_and(|p| p.furthers_charitable_purposes && p.wordings.iter().all(|w| w.refusal.is_some())));
    assert!(site.cookie_categories.iter().any(|c| c.basis == consent_shared::basis::CookieBasis::Statistics));
    assert_eq!(site.region_rules, consent_shared::basis::RegionRules::default());
    assert!(
        site.cookie_categories.iter().all(|c| c.texts.len() == 2),
        "every category shows its English and Welsh text: {:?}",
        site.cookie_categories
    );
}
