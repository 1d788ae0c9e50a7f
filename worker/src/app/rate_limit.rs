//! Rate limits on the public POSTs: per client IP and per site. The worker counts with
//! Cloudflare's Workers Rate Limiting binding (`[[ratelimits]]` in wrangler.toml); native tests
//! count in memory. A request over a limit is answered 429 with `Retry-After` before its body
//! is looked at: JSON on the API, a readable page on the person-facing pages.
//!
//! `/u/{token}` is not limited: RFC 8058 one-click unsubscribes come from mail providers'
//! servers (many people behind few IPs), and a withdrawal must never be refused.

use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;

/// One counter. Each is a `[[ratelimits]]` binding in wrangler.toml with exactly this
/// `name`, `limit` and `period` (a test reads wrangler.toml to keep them in step).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Limit {
    /// Every public POST from one client IP (`CF-Connecting-IP`), whatever the site.
    Client,
    /// Sign-ups and person-facing form posts to one site (consents, `/p`, `/c`,
    /// `/preferences/{site}`): what could make the site's mail account send.
    SiteForms,
    /// Cookie-banner decisions to one site: one per visitor who decides, so far more.
    SiteCookies,
}

impl Limit {
    pub const ALL: [Limit; 3] = [Limit::Client, Limit::SiteForms, Limit::SiteCookies];

    pub const fn binding(self) -> &'static str {
        match self {
            Limit::Client => "CLIENT_LIMITER",
            Limit::SiteForms => "SITE_FORMS_LIMITER",
            Limit::SiteCookies => "SITE_COOKIES_LIMITER",
        }
    }

    /// Requests allowed per period and key.
    pub const fn limit(self) -> u32 {
        match self {
            Limit::Client => 60,
            Limit::SiteForms => 300,
            Limit::SiteCookies => 3000,
        }
    }

    /// Seconds (Cloudflare allows 10 or 60); also the `Retry-After` a refusal carries.
    pub const fn period_secs(self) -> u32 {
        60
    }
}

pub type AllowFuture = Pin<Box<dyn Future<Output = Result<bool, String>>>>;

/// Counts one request against `limit` for `key`; `Ok(false)` when it is over.
pub trait RateLimiter {
    fn allow(&self, limit: Limit, key: &str) -> AllowFuture;
}

/// Counts in memory, never forgetting (a test's whole run is one period). For native tests.
#[derive(Default)]
pub struct MemoryRateLimiter {
    counts: RefCell<HashMap<(Limit, String), u32>>,
}

impl RateLimiter for MemoryRateLimiter {
    fn allow(&self, limit: Limit, key: &str) -> AllowFuture {
        let mut counts = self.counts.borrow_mut();
        let n = counts.entry((limit, key.to_string())).or_default();
        *n += 1;
        let allowed = *n <= limit.limit();
        Box::pin(async move { Ok(allowed) })
    }
}

/// The counters a public POST to a route counts against, with their keys: the client's IP
/// always, the site when the request names one (`site`). `None`: the route is not limited.
pub fn counters(kind: Limited, client_ip: &str, site: Option<&str>) -> Vec<(Limit, String)> {
    let mut out = vec![(Limit::Client, client_key(client_ip))];
    let per_site = match kind {
        Limited::Form => Limit::SiteForms,
        Limited::Cookie => Limit::SiteCookies,
    };
    if let Some(site) = site {
        out.push((per_site, site.to_string()));
    }
    out
}

/// What one client is, for the per-client limit: an IPv4 address, or an IPv6 address's /64
/// (one subscriber line or host usually gets a whole /64, so counting each address would let
/// anyone rotate through 2^64 of them).
pub fn client_key(client_ip: &str) -> String {
    match client_ip.trim().parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Ok(ip) => ip.to_canonical().to_string(),
        Err(_) => client_ip.to_string(),
    }
}

/// Which kind of public POST a request is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limited {
    Form,
    Cookie,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// wrangler.toml declares each counter exactly as the code counts it.
    #[test]
    fn wrangler_toml_declares_every_limit() {
        let toml = include_str!("../../../wrangler.toml");
        for limit in Limit::ALL {
            let block = format!("[[ratelimits]]\nname = \"{}\"\nnamespace_id = \"", limit.binding());
            let at = toml.find(&block).unwrap_or_else(|| panic!("wrangler.toml lacks {block}"));
            let line = toml[at..].lines().nth(3).unwrap_or("");
            assert_eq!(
                line,
                format!("simple = {{ limit = {}, period = {} }}", limit.limit(), limit.period_secs()),
                "{}",
                limit.binding()
            );
        }
    }

    #[test]
    fn clients_are_counted_per_ipv4_address_and_per_ipv6_64() {
        let keys: Vec<String> = [
            "203.0.113.7",
            "2001:db8:1:2::1",
            "2001:db8:1:2:ffff:ffff:ffff:fffe",
            "2001:DB8:1:3::1",
            "::ffff:203.0.113.7",
            "unknown",
        ]
        .iter()
        .map(|ip| format!("{ip} -> {}", client_key(ip)))
        .collect();
        expect_test::expect![[r#"
            [
                "203.0.113.7 -> 203.0.113.7",
                "2001:db8:1:2::1 -> 2001:db8:1:2::/64",
                "2001:db8:1:2:ffff:ffff:ffff:fffe -> 2001:db8:1:2::/64",
                "2001:DB8:1:3::1 -> 2001:db8:1:3::/64",
                "::ffff:203.0.113.7 -> 203.0.113.7",
                "unknown -> unknown",
            ]
        "#]]
        .assert_debug_eq(&keys);
    }

    #[test]
    fn memory_limiter_refuses_after_the_limit_per_key() {
        let l = MemoryRateLimiter::default();
        let allow = |key: &str| pollster::block_on(l.allow(Limit::Client, key)).unwrap();
        let first: Vec<bool> = (0..61).map(|_| allow("a")).collect();
        assert!(first[..60].iter().all(|&ok| ok) && !first[60]);
        assert!(allow("b"));
    }
}
