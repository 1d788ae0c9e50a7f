//! Why an address is on a site's do-not-contact list: a fixed set, so a list can be read and
//! acted on. Rows written before the set existed keep their free-text reason ([`Reason::parse`]
//! answers `None` for them and they are shown as written).

/// A suppression's reason, as stored (`suppressions.reason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    /// The person objected to direct marketing (UK GDPR art. 21(3)): absolute.
    Objection,
    /// The person's data was erased; written by the erasure itself, never by hand.
    Erasure,
    /// The Fundraising Preference Service asked the charity to stop contacting the person.
    FundraisingPreferenceService,
    /// The person has died.
    Deceased,
    /// Mail to the address bounced permanently.
    Bounced,
    /// The person complained (a spam report, a complaint by letter or phone).
    Complaint,
}

impl Reason {
    pub const ALL: [Reason; 6] = [
        Reason::Objection,
        Reason::Erasure,
        Reason::FundraisingPreferenceService,
        Reason::Deceased,
        Reason::Bounced,
        Reason::Complaint,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Objection => "objection",
            Reason::Erasure => "erasure",
            Reason::FundraisingPreferenceService => "fundraising_preference_service",
            Reason::Deceased => "deceased",
            Reason::Bounced => "bounced",
            Reason::Complaint => "complaint",
        }
    }

    pub fn parse(raw: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.as_str() == raw)
    }

    /// Whether staff may add a suppression with this reason by hand. `erasure` is what an
    /// erasure writes after removing the address; a hand-made one would claim an erasure that
    /// did not happen.
    pub fn addable(self) -> bool {
        self != Reason::Erasure
    }

    /// Whether a suppression with this reason may be lifted. Only a bounce can stop being true
    /// (the mailbox works again); an objection or an erasure is the person's own decision.
    pub fn removable(self) -> bool {
        self == Reason::Bounced
    }
}

#[cfg(test)]
mod tests {
    use super::Reason;

    #[test]
    fn reasons_round_trip_and_only_a_bounce_is_lifted() {
        for r in Reason::ALL {
            assert_eq!(Reason::parse(r.as_str()), Some(r));
        }
        assert_eq!(Reason::parse("admin"), None);
        let removable: Vec<_> = Reason::ALL.into_iter().filter(|r| r.removable()).collect();
        assert_eq!(removable, [Reason::Bounced]);
        assert!(!Reason::Erasure.addable() && Reason::Objection.addable());
    }
}
