//! State one isolate keeps between requests: plain data only (never a handle to I/O, which
//! workerd ties to the request that made it). Natively, each `App` gets its own.

use std::cell::RefCell;
use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};
use consent_shared::site::SiteConfig;

/// How long a site's configuration is reused before it is read again. A form that was loaded
/// just before a wording change still records exactly the wording it showed.
pub const SITE_CACHE_SECS: i64 = 10;

#[derive(Default)]
pub struct IsolateState {
    sites: RefCell<HashMap<String, (SiteConfig, DateTime<Utc>)>>,
    last_sealed: RefCell<HashMap<String, DateTime<Utc>>>,
}

impl IsolateState {
    pub fn cached_site(&self, id: &str, now: DateTime<Utc>) -> Option<SiteConfig> {
        let sites = self.sites.borrow();
        let (site, read_at) = sites.get(id)?;
        (now - *read_at < TimeDelta::seconds(SITE_CACHE_SECS) && now >= *read_at).then(|| site.clone())
    }

    pub fn remember_site(&self, site: &SiteConfig, now: DateTime<Utc>) {
        self.sites.borrow_mut().insert(site.id.clone(), (site.clone(), now));
    }

    pub fn forget_site(&self, id: &str) {
        self.sites.borrow_mut().remove(id);
    }

    /// Whether this isolate should seal `site` now; if so, records that it is doing it.
    pub fn seal_due(&self, site: &str, now: DateTime<Utc>) -> bool {
        let mut last = self.last_sealed.borrow_mut();
        let due =
            last.get(site).is_none_or(|t| now - *t >= TimeDelta::seconds(super::ledger::SEAL_EVERY_SECS));
        if due {
            last.insert(site.to_string(), now);
        }
        due
    }
}
