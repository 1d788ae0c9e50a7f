//! Anti-forgery values: `check` never panics on any presented value or clock, and a value we
//! issued is accepted exactly while it is fresh.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use consent_shared::csrf::{check, issue, CsrfError, MAX_AGE_SECS};
use libfuzzer_sys::fuzz_target;

const KEY: &[u8] = b"csrf-fuzz-key";

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let (Ok(binding), Ok(presented), Ok(issued), Ok(now)) = (
        String::arbitrary(&mut u),
        String::arbitrary(&mut u),
        i64::arbitrary(&mut u),
        i64::arbitrary(&mut u),
    ) else {
        return;
    };
    // Whatever a form posts.
    let _ = check(KEY, &binding, &presented, now);
    // One of ours, checked at any time.
    let value = issue(KEY, &binding, issued);
    let age = i128::from(now) - i128::from(issued);
    let fresh = age <= i128::from(MAX_AGE_SECS) && age >= -60;
    let want = if fresh { Ok(()) } else { Err(CsrfError::Expired) };
    assert_eq!(check(KEY, &binding, &value, now), want, "value {value} at {now}");
    // Bound to its page.
    let other = format!("{binding}x");
    assert_eq!(check(KEY, &other, &value, now), Err(CsrfError::Forged));
});
