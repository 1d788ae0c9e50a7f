//! Who may do what: the roles people hold on a site, the scopes of machine keys, and the one
//! table that says which of them may perform each administrative action.
//!
//! Pure data. The worker turns a request into a [`Principal`] (a signed-in person's role, an API
//! key's scopes, or the break-glass `ADMIN_KEY`) and asks [`Principal::may`]; the answer and the
//! [`Actor`] it records in the audit trail both come from here, so the table in the README and the
//! checks in the code cannot drift apart (the table is pinned by an expect-test).

use serde::{Deserialize, Serialize};

/// A person's role on one site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Statistics only.
    Viewer,
    /// Site texts, categories, embed, statistics; never personal data.
    Editor,
    /// Personal data: look-ups, rights requests, exports, suppressions, the audit trail.
    Dpo,
    /// Everything, including people and keys.
    Owner,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Owner, Role::Dpo, Role::Editor, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Dpo => "dpo",
            Role::Editor => "editor",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(raw: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == raw)
    }
}

/// What an API key may be used for. A key belongs to one site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Scope {
    #[serde(rename = "audience:read")]
    AudienceRead,
    #[serde(rename = "consents:write")]
    ConsentsWrite,
    #[serde(rename = "subjects:check")]
    SubjectsCheck,
    #[serde(rename = "subjects:manage")]
    SubjectsManage,
    #[serde(rename = "site:write")]
    SiteWrite,
    #[serde(rename = "audit:read")]
    AuditRead,
}

impl Scope {
    pub const ALL: [Scope; 6] = [
        Scope::AudienceRead,
        Scope::ConsentsWrite,
        Scope::SubjectsCheck,
        Scope::SubjectsManage,
        Scope::SiteWrite,
        Scope::AuditRead,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::AudienceRead => "audience:read",
            Scope::ConsentsWrite => "consents:write",
            Scope::SubjectsCheck => "subjects:check",
            Scope::SubjectsManage => "subjects:manage",
            Scope::SiteWrite => "site:write",
            Scope::AuditRead => "audit:read",
        }
    }

    pub fn parse(raw: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|s| s.as_str() == raw)
    }
}

/// Every administrative action, whoever performs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Read the site's statistics (counts, never people).
    ReadStatistics,
    /// Read the site's definition, texts, categories and embed code.
    ReadSite,
    /// Change the site's definition, wording or categories.
    WriteSite,
    /// Count or export an audience (personal data).
    ReadAudience,
    /// Record consents server-to-server (a CRM, a paper-form import).
    WriteConsents,
    /// Ask whether one or many addresses may be contacted.
    CheckSubjects,
    /// Look up, export, rectify, restrict, erase one person; mint their preference link.
    ManageSubjects,
    /// Read and change suppressions.
    ManageSuppressions,
    /// Verify the ledger chain.
    VerifyLedger,
    /// Read the audit trail.
    ReadAudit,
    /// Invite, change and remove people; create and revoke API keys.
    ManagePeople,
    /// Work the register of rights requests and complaints (it holds contact details).
    ManageRegister,
    /// Hold the periodic data review: its settings, the lists of people it finds, and the
    /// decisions (keep, ask to check, erase in bulk).
    ReviewData,
    /// Read and change how long the site keeps cookie decisions and audit entries.
    ManageRetention,
}

impl Action {
    pub const ALL: [Action; 14] = [
        Action::ReadStatistics,
        Action::ReadSite,
        Action::WriteSite,
        Action::ReadAudience,
        Action::WriteConsents,
        Action::CheckSubjects,
        Action::ManageSubjects,
        Action::ManageSuppressions,
        Action::VerifyLedger,
        Action::ReadAudit,
        Action::ManagePeople,
        Action::ManageRegister,
        Action::ReviewData,
        Action::ManageRetention,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::ReadStatistics => "read_statistics",
            Action::ReadSite => "read_site",
            Action::WriteSite => "write_site",
            Action::ReadAudience => "read_audience",
            Action::WriteConsents => "write_consents",
            Action::CheckSubjects => "check_subjects",
            Action::ManageSubjects => "manage_subjects",
            Action::ManageSuppressions => "manage_suppressions",
            Action::VerifyLedger => "verify_ledger",
            Action::ReadAudit => "read_audit",
            Action::ManagePeople => "manage_people",
            Action::ManageRegister => "manage_register",
            Action::ReviewData => "review_data",
            Action::ManageRetention => "manage_retention",
        }
    }

    /// The one scope that lets an API key perform this action, or `None` when no key may
    /// (people and keys are managed by people only).
    pub fn scope(self) -> Option<Scope> {
        match self {
            Action::ReadStatistics | Action::ReadAudience => Some(Scope::AudienceRead),
            Action::ReadSite | Action::WriteSite => Some(Scope::SiteWrite),
            Action::WriteConsents => Some(Scope::ConsentsWrite),
            Action::CheckSubjects => Some(Scope::SubjectsCheck),
            Action::ManageSubjects | Action::ManageSuppressions => Some(Scope::SubjectsManage),
            Action::VerifyLedger | Action::ReadAudit => Some(Scope::AuditRead),
            // People, the register, the data review (bulk erasure included) and retention are
            // worked by people, in the console: never a key's decision.
            Action::ManagePeople | Action::ManageRegister | Action::ReviewData | Action::ManageRetention => None,
        }
    }

    /// Whether a person holding `role` on the site may perform this action.
    pub fn allowed_for(self, role: Role) -> bool {
        match role {
            Role::Owner => true,
            Role::Dpo => !matches!(self, Action::ManagePeople | Action::WriteSite),
            Role::Editor => {
                matches!(self, Action::ReadStatistics | Action::ReadSite | Action::WriteSite)
            }
            Role::Viewer => matches!(self, Action::ReadStatistics),
        }
    }

    /// Whether this action touches personal data (its every use is written to the audit trail).
    pub fn reads_personal_data(self) -> bool {
        matches!(
            self,
            Action::ReadAudience
                | Action::CheckSubjects
                | Action::ManageSubjects
                | Action::ManageSuppressions
                | Action::ReadAudit
                | Action::ManageRegister
                | Action::ReviewData
        )
    }
}

/// Who performed an action, as the audit trail records it: never an address, only ids.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Actor {
    /// A signed-in person (their person id; the address lives in `people`, not in the trail).
    Person { person_id: String },
    /// A machine key, by its visible prefix.
    ApiKey { prefix: String },
    /// The break-glass `ADMIN_KEY`.
    AdminKey,
    /// The worker itself (cron upkeep, purges).
    System,
    /// Someone not (yet) identified: a failed sign-in, a bad key.
    Anonymous,
}

impl Actor {
    /// A short, stable label for lists and CSV (`person:…`, `key:…`, `admin_key`, `system`).
    pub fn label(&self) -> String {
        match self {
            Actor::Person { person_id } => format!("person:{person_id}"),
            Actor::ApiKey { prefix } => format!("key:{prefix}"),
            Actor::AdminKey => "admin_key".into(),
            Actor::System => "system".into(),
            Actor::Anonymous => "anonymous".into(),
        }
    }
}

/// Whoever a request was authenticated as, for one site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    Person { person_id: String, role: Role },
    ApiKey { prefix: String, scopes: Vec<Scope> },
    AdminKey,
}

/// Why a principal may not perform an action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The person's role does not allow it.
    Role { role: Role, action: Action },
    /// The key lacks the scope (or no key may do this: `scope` is `None`).
    Scope { missing: Option<Scope>, action: Action },
}

impl Principal {
    pub fn may(&self, action: Action) -> Result<(), Refusal> {
        match self {
            Principal::AdminKey => Ok(()),
            Principal::Person { role, .. } => {
                if action.allowed_for(*role) {
                    Ok(())
                } else {
                    Err(Refusal::Role { role: *role, action })
                }
            }
            Principal::ApiKey { scopes, .. } => match action.scope() {
                Some(needed) if scopes.contains(&needed) => Ok(()),
                missing => Err(Refusal::Scope { missing, action }),
            },
        }
    }

    pub fn actor(&self) -> Actor {
        match self {
            Principal::Person { person_id, .. } => Actor::Person { person_id: person_id.clone() },
            Principal::ApiKey { prefix, .. } => Actor::ApiKey { prefix: prefix.clone() },
            Principal::AdminKey => Actor::AdminKey,
        }
    }
}

/// The role × action table as text, one line per action: what the README shows and the test pins.
pub fn permission_table() -> String {
    let mut out = String::from("| action | owner | dpo | editor | viewer | API key scope |\n");
    out.push_str("|---|---|---|---|---|---|\n");
    for action in Action::ALL {
        out.push_str(&format!("| `{}` |", action.as_str()));
        for role in Role::ALL {
            out.push_str(if action.allowed_for(role) { " yes |" } else { " — |" });
        }
        match action.scope() {
            Some(scope) => out.push_str(&format!(" `{}` |\n", scope.as_str())),
            None => out.push_str(" people only |\n"),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::expect;

    #[test]
    fn who_may_do_what() {
        expect![[r#"
            | action | owner | dpo | editor | viewer | API key scope |
            |---|---|---|---|---|---|
            | `read_statistics` | yes | yes | yes | yes | `audience:read` |
            | `read_site` | yes | yes | yes | — | `site:write` |
            | `write_site` | yes | — | yes | — | `site:write` |
            | `read_audience` | yes | yes | — | — | `audience:read` |
            | `write_consents` | yes | yes | — | — | `consents:write` |
            | `check_subjects` | yes | yes | — | — | `subjects:check` |
            | `manage_subjects` | yes | yes | — | — | `subjects:manage` |
            | `manage_suppressions` | yes | yes | — | — | `subjects:manage` |
            | `verify_ledger` | yes | yes | — | — | `audit:read` |
            | `read_audit` | yes | yes | — | — | `audit:read` |
            | `manage_people` | yes | — | — | — | people only |
            | `manage_register` | yes | yes | — | — | people only |
            | `review_data` | yes | yes | — | — | people only |
            | `manage_retention` | yes | yes | — | — | people only |
        "#]]
        .assert_eq(&permission_table());
    }

    #[test]
    fn a_key_is_refused_naming_the_scope_it_lacks() {
        let key = Principal::ApiKey { prefix: "ck_ab12".into(), scopes: vec![Scope::AudienceRead] };
        assert_eq!(key.may(Action::ReadAudience), Ok(()));
        assert_eq!(
            key.may(Action::ManageSubjects),
            Err(Refusal::Scope { missing: Some(Scope::SubjectsManage), action: Action::ManageSubjects })
        );
        assert_eq!(
            key.may(Action::ManagePeople),
            Err(Refusal::Scope { missing: None, action: Action::ManagePeople })
        );
    }

    #[test]
    fn names_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        for scope in Scope::ALL {
            assert_eq!(Scope::parse(scope.as_str()), Some(scope));
            let json = serde_json::to_string(&scope).unwrap();
            assert_eq!(json, format!("\"{}\"", scope.as_str()));
        }
    }
}
