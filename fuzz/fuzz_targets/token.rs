//! Link tokens: `verify` never panics on any string; a token we signed verifies to its claims;
//! changing any byte of it never yields different claims.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use consent_shared::site::Channel;
use consent_shared::token::{parse_keys, sign, verify, Claims, Scope};
use libfuzzer_sys::fuzz_target;

const NOW: i64 = 1_800_000_000;

fn claims(u: &mut Unstructured) -> arbitrary::Result<Claims> {
    let scope = match u.int_in_range(0..=3)? {
        0 => Scope::Unsubscribe {
            purpose: Option::<String>::arbitrary(u)?,
            channel: *u.choose(&Channel::ALL)?,
        },
        1 => Scope::Preferences,
        2 => Scope::Confirm,
        _ => Scope::ConfirmEmail { alias: String::arbitrary(u)? },
    };
    Ok(Claims { site: String::arbitrary(u)?, sub: String::arbitrary(u)?, scope, exp: i64::arbitrary(u)? })
}

fuzz_target!(|data: &[u8]| {
    let keys = parse_keys("k2:new-secret-0123456789,k1:old-secret-0123456789").unwrap();
    // Whatever arrives in a link.
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = verify(text, &keys, NOW);
    }
    let mut u = Unstructured::new(data);
    let (Ok(claims), Ok(which), Ok(flip)) =
        (claims(&mut u), u.choose_index(keys.len()), usize::arbitrary(&mut u))
    else {
        return;
    };
    let token = sign(&claims, &keys[which]);
    match verify(&token, &keys, NOW) {
        Ok(back) => assert_eq!(back, claims),
        Err(e) => assert!(claims.exp <= NOW, "a fresh token we signed was refused: {e}"),
    }
    // One altered character: refused, or (never) accepted with other claims.
    let mut altered = token.clone().into_bytes();
    let at = flip % altered.len();
    altered[at] = if altered[at] == b'A' { b'B' } else { b'A' };
    let altered = String::from_utf8(altered).expect("tokens are ASCII");
    if let Ok(back) = verify(&altered, &keys, NOW) {
        assert_eq!(back, claims, "an altered token {altered} verified with other claims");
    }
});
