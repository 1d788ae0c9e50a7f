//! Email addresses: `parse` never panics; the identity and the address for sending are fixed
//! points (they parse back to themselves); the mailbox key is the same whichever form is parsed.
#![no_main]

use consent_shared::email::Email;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = std::str::from_utf8(data) else { return };
    let Ok(email) = Email::parse(raw) else { return };
    let again = Email::parse(email.identity())
        .unwrap_or_else(|e| panic!("identity {:?} of {raw:?} does not parse: {e}", email.identity()));
    assert_eq!(again.identity(), email.identity(), "identity of {raw:?}");
    assert_eq!(again.mailbox_key(), email.mailbox_key(), "mailbox key of {raw:?}");
    let sent = Email::parse(email.address_for_sending()).unwrap_or_else(|e| {
        panic!("address for sending {:?} of {raw:?} does not parse: {e}", email.address_for_sending())
    });
    assert_eq!(sent.identity(), email.identity(), "identity via sending form of {raw:?}");
    assert_eq!(sent.address_for_sending(), email.address_for_sending(), "sending form of {raw:?}");
    assert_eq!(sent.mailbox_key(), email.mailbox_key(), "mailbox key via sending form of {raw:?}");
    assert!(email.identity().ends_with(email.domain()));
});
