//! People, their roles on sites, their sessions and sign-in links, and API keys: the
//! `AccountStore` half of `Store`, implemented over SQL like the rest. Every method is one
//! statement or one batch; a change that would leave a site without an owner fails whole
//! (`StoreError::LastOwner`, from a trigger of migration 0009).

use consent_shared::access::{Role, Scope};

use super::accounts_sql as sql;
use super::{Executor, Row, SqlStore, SqlValue, Statement, StoreError};

/// A person as the accounts tables know them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: String,
    /// Where sign-in links go.
    pub email: String,
    pub created_at: String,
}

/// A person's role on one site.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Member {
    pub person_id: String,
    pub email: String,
    pub role: Role,
    pub created_at: String,
    pub updated_at: String,
}

/// A person about to be added: a fresh id (kept only if the address is new), the keyed lookup
/// of their address, and the address to send sign-in links to.
#[derive(Debug, Clone)]
pub struct NewPerson<'a> {
    pub id: &'a str,
    pub email_key: &'a str,
    pub email: &'a str,
}

/// A key to store; the secret itself is never given to storage, only its hash.
#[derive(Debug, Clone)]
pub struct NewKey<'a> {
    pub prefix: &'a str,
    pub site: &'a str,
    pub name: &'a str,
    pub secret_hash: &'a str,
    pub scopes: &'a [Scope],
    pub created_by: &'a str,
    pub now: &'a str,
    pub expires_at: Option<&'a str>,
}

/// A stored API key (its secret only as a hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKeyRecord {
    pub prefix: String,
    pub site_id: String,
    pub name: String,
    pub secret_hash: String,
    pub scopes: Vec<Scope>,
    pub created_by: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub expires_at: Option<String>,
    pub revoked_at: Option<String>,
}

/// What opening a sign-in link did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Redeemed {
    /// A session started for this person.
    Session {
        person_id: String,
    },
    /// Used before (a link works once).
    Used {
        person_id: String,
    },
    Expired {
        person_id: String,
    },
    /// The person no longer has a role on any site.
    NoAccess {
        person_id: String,
    },
    /// No such link.
    Unknown,
}

/// When sessions end: seen at or before `idle_since`, or started at or before `absolute_since`.
#[derive(Debug, Clone, Copy)]
pub struct SessionLimits<'a> {
    pub now: &'a str,
    pub idle_since: &'a str,
    pub absolute_since: &'a str,
}

#[allow(async_fn_in_trait)]
pub trait AccountStore {
    /// Adds the person (or finds them by `email_key`) with `role` on `site`, in one batch.
    /// `Conflict` when they already have a role there (nothing written). Their id.
    async fn add_member(
        &self,
        person: &NewPerson<'_>,
        site: &str,
        role: Role,
        now: &str,
    ) -> Result<String, StoreError>;
    /// Adds the person if new and makes them an owner of `site` whatever they were. Their id.
    async fn make_owner(&self, person: &NewPerson<'_>, site: &str, now: &str) -> Result<String, StoreError>;
    async fn person_by_email_key(&self, email_key: &str) -> Result<Option<Person>, StoreError>;
    async fn person(&self, id: &str) -> Result<Option<Person>, StoreError>;
    /// Everyone with a role on `site`, by address.
    async fn members(&self, site: &str) -> Result<Vec<Member>, StoreError>;
    async fn member(&self, site: &str, person_id: &str) -> Result<Option<Member>, StoreError>;
    /// Every site the person has a role on, with the role.
    async fn memberships_of(&self, person_id: &str) -> Result<Vec<(String, Role)>, StoreError>;
    /// Changes a role; with `end_sessions` (a lowered role) every session of the person ends in
    /// the same batch. `LastOwner` when it would leave the site without an owner.
    async fn set_role(
        &self,
        site: &str,
        person_id: &str,
        role: Role,
        end_sessions: bool,
        now: &str,
    ) -> Result<(), StoreError>;
    /// Removes the person's role on `site` and ends all their sessions, in one batch.
    /// `LastOwner` when they are its last owner.
    async fn remove_member(&self, site: &str, person_id: &str, now: &str) -> Result<(), StoreError>;
    async fn create_sign_in_link(
        &self,
        token_hash: &str,
        person_id: &str,
        now: &str,
        expires_at: &str,
    ) -> Result<(), StoreError>;
    /// Uses a sign-in link once: starts the session `session_hash` and marks the link used, in
    /// one batch, or says why not.
    async fn redeem_sign_in_link(
        &self,
        link_hash: &str,
        session_hash: &str,
        now: &str,
    ) -> Result<Redeemed, StoreError>;
    /// The person of a live session, marking it seen now; `None` when it is unknown, revoked,
    /// idle or too old.
    async fn touch_session(
        &self,
        token_hash: &str,
        limits: SessionLimits<'_>,
    ) -> Result<Option<String>, StoreError>;
    /// Ends one session; its person, if it was live.
    async fn end_session(&self, token_hash: &str, now: &str) -> Result<Option<String>, StoreError>;
    /// Ends every session of the person ("sign out everywhere").
    async fn end_sessions_of(&self, person_id: &str, now: &str) -> Result<(), StoreError>;
    async fn create_api_key(&self, key: &NewKey<'_>) -> Result<(), StoreError>;
    async fn api_key(&self, prefix: &str) -> Result<Option<ApiKeyRecord>, StoreError>;
    async fn api_keys(&self, site: &str) -> Result<Vec<ApiKeyRecord>, StoreError>;
    /// Records that the key was used now, unless that was already recorded after `not_since`.
    async fn touch_api_key(&self, prefix: &str, now: &str, not_since: &str) -> Result<(), StoreError>;
    /// Revokes the site's key; `false` when there is no such live key.
    async fn revoke_api_key(&self, site: &str, prefix: &str, now: &str) -> Result<bool, StoreError>;
    /// Deletes up to `limit` sessions started before `before`; how many went.
    async fn purge_sessions(&self, before: &str, limit: u32) -> Result<u32, StoreError>;
    /// Deletes up to `limit` sign-in links that expired before `before`; how many went.
    async fn purge_sign_in_links(&self, before: &str, limit: u32) -> Result<u32, StoreError>;
}

fn person_from_row(r: &Row) -> Result<Person, StoreError> {
    Ok(Person { id: r.text("id")?, email: r.text("email")?, created_at: r.text("created_at")? })
}

fn role_from(r: &Row, col: &str) -> Result<Role, StoreError> {
    let raw = r.text(col)?;
    Role::parse(&raw).ok_or_else(|| StoreError::Decode(format!("{col}: unknown role {raw:?}")))
}

fn member_from_row(r: &Row) -> Result<Member, StoreError> {
    Ok(Member {
        person_id: r.text("person_id")?,
        email: r.text("email")?,
        role: role_from(r, "role")?,
        created_at: r.text("created_at")?,
        updated_at: r.text("updated_at")?,
    })
}

fn key_from_row(r: &Row) -> Result<ApiKeyRecord, StoreError> {
    let names: Vec<String> = r.json("scopes")?;
    let scopes = names
        .iter()
        .map(|n| Scope::parse(n).ok_or_else(|| StoreError::Decode(format!("scopes: unknown scope {n:?}"))))
        .collect::<Result<_, _>>()?;
    Ok(ApiKeyRecord {
        prefix: r.text("prefix")?,
        site_id: r.text("site_id")?,
        name: r.text("name")?,
        secret_hash: r.text("secret_hash")?,
        scopes,
        created_by: r.text("created_by")?,
        created_at: r.text("created_at")?,
        last_used_at: r.opt_text("last_used_at")?,
        expires_at: r.opt_text("expires_at")?,
        revoked_at: r.opt_text("revoked_at")?,
    })
}

fn insert_person(p: &NewPerson<'_>, now: &str) -> Statement {
    Statement::new(sql::INSERT_PERSON, vec![p.id.into(), p.email_key.into(), p.email.into(), now.into()])
}

impl<E: Executor> SqlStore<E> {
    async fn person_id_for(&self, email_key: &str) -> Result<String, StoreError> {
        self.person_by_email_key(email_key)
            .await?
            .map(|p| p.id)
            .ok_or_else(|| StoreError::Decode("the person just written is missing".into()))
    }
}

impl<E: Executor> AccountStore for SqlStore<E> {
    async fn add_member(
        &self,
        person: &NewPerson<'_>,
        site: &str,
        role: Role,
        now: &str,
    ) -> Result<String, StoreError> {
        let membership = Statement::new(
            sql::INSERT_MEMBERSHIP,
            vec![person.email_key.into(), site.into(), role.as_str().into(), now.into()],
        );
        self.exec.batch(vec![insert_person(person, now), membership]).await?;
        self.person_id_for(person.email_key).await
    }

    async fn make_owner(&self, person: &NewPerson<'_>, site: &str, now: &str) -> Result<String, StoreError> {
        let owner = Statement::new(sql::UPSERT_OWNER, vec![person.email_key.into(), site.into(), now.into()]);
        self.exec.batch(vec![insert_person(person, now), owner]).await?;
        self.person_id_for(person.email_key).await
    }

    async fn person_by_email_key(&self, email_key: &str) -> Result<Option<Person>, StoreError> {
        Ok(self
            .rows(sql::PERSON_BY_EMAIL_KEY, vec![email_key.into()], person_from_row)
            .await?
            .into_iter()
            .next())
    }

    async fn person(&self, id: &str) -> Result<Option<Person>, StoreError> {
        Ok(self.rows(sql::PERSON, vec![id.into()], person_from_row).await?.into_iter().next())
    }

    async fn members(&self, site: &str) -> Result<Vec<Member>, StoreError> {
        self.rows(sql::MEMBERS, vec![site.into()], member_from_row).await
    }

    async fn member(&self, site: &str, person_id: &str) -> Result<Option<Member>, StoreError> {
        let rows = self.rows(sql::MEMBER, vec![site.into(), person_id.into()], member_from_row).await?;
        Ok(rows.into_iter().next())
    }

    async fn memberships_of(&self, person_id: &str) -> Result<Vec<(String, Role)>, StoreError> {
        self.rows(sql::MEMBERSHIPS_OF, vec![person_id.into()], |r| {
            Ok((r.text("site_id")?, role_from(r, "role")?))
        })
        .await
    }

    async fn set_role(
        &self,
        site: &str,
        person_id: &str,
        role: Role,
        end_sessions: bool,
        now: &str,
    ) -> Result<(), StoreError> {
        let mut batch = vec![Statement::new(
            sql::SET_ROLE,
            vec![site.into(), person_id.into(), role.as_str().into(), now.into()],
        )];
        if end_sessions {
            batch.push(Statement::new(sql::END_SESSIONS_OF, vec![person_id.into(), now.into()]));
        }
        self.exec.batch(batch).await
    }

    async fn remove_member(&self, site: &str, person_id: &str, now: &str) -> Result<(), StoreError> {
        self.exec
            .batch(vec![
                Statement::new(sql::DELETE_MEMBERSHIP, vec![site.into(), person_id.into()]),
                Statement::new(sql::END_SESSIONS_OF, vec![person_id.into(), now.into()]),
            ])
            .await
    }

    async fn create_sign_in_link(
        &self,
        token_hash: &str,
        person_id: &str,
        now: &str,
        expires_at: &str,
    ) -> Result<(), StoreError> {
        let params = vec![token_hash.into(), person_id.into(), now.into(), expires_at.into()];
        self.exec.batch(vec![Statement::new(sql::INSERT_SIGN_IN_LINK, params)]).await
    }

    async fn redeem_sign_in_link(
        &self,
        link_hash: &str,
        session_hash: &str,
        now: &str,
    ) -> Result<Redeemed, StoreError> {
        let params = || -> Vec<SqlValue> { vec![link_hash.into(), session_hash.into(), now.into()] };
        self.exec
            .batch(vec![
                Statement::new(sql::SESSION_FROM_LINK, params()),
                Statement::new(sql::USE_SIGN_IN_LINK, params()),
            ])
            .await?;
        let rows =
            self.exec.query(sql::SIGN_IN_LINK_OUTCOME, vec![link_hash.into(), session_hash.into()]).await?;
        let Some(r) = rows.first() else { return Ok(Redeemed::Unknown) };
        let person_id = r.text("person_id")?;
        Ok(if r.opt_text("session_person")?.is_some() {
            Redeemed::Session { person_id }
        } else if r.opt_text("used_at")?.is_some() {
            Redeemed::Used { person_id }
        } else if r.text("expires_at")?.as_str() <= now {
            Redeemed::Expired { person_id }
        } else {
            Redeemed::NoAccess { person_id }
        })
    }

    async fn touch_session(
        &self,
        token_hash: &str,
        limits: SessionLimits<'_>,
    ) -> Result<Option<String>, StoreError> {
        let params = vec![
            token_hash.into(),
            limits.now.into(),
            limits.idle_since.into(),
            limits.absolute_since.into(),
        ];
        Ok(self.rows(sql::TOUCH_SESSION, params, |r| r.text("person_id")).await?.into_iter().next())
    }

    async fn end_session(&self, token_hash: &str, now: &str) -> Result<Option<String>, StoreError> {
        let rows =
            self.rows(sql::END_SESSION, vec![token_hash.into(), now.into()], |r| r.text("person_id")).await?;
        Ok(rows.into_iter().next())
    }

    async fn end_sessions_of(&self, person_id: &str, now: &str) -> Result<(), StoreError> {
        self.exec.batch(vec![Statement::new(sql::END_SESSIONS_OF, vec![person_id.into(), now.into()])]).await
    }

    async fn create_api_key(&self, k: &NewKey<'_>) -> Result<(), StoreError> {
        let scopes: Vec<&str> = k.scopes.iter().map(|s| s.as_str()).collect();
        let params = vec![
            k.prefix.into(),
            k.site.into(),
            k.name.into(),
            k.secret_hash.into(),
            serde_json::to_string(&scopes).expect("strings serialise").into(),
            k.created_by.into(),
            k.now.into(),
            k.expires_at.into(),
        ];
        self.exec.batch(vec![Statement::new(sql::INSERT_API_KEY, params)]).await
    }

    async fn api_key(&self, prefix: &str) -> Result<Option<ApiKeyRecord>, StoreError> {
        Ok(self.rows(sql::API_KEY, vec![prefix.into()], key_from_row).await?.into_iter().next())
    }

    async fn api_keys(&self, site: &str) -> Result<Vec<ApiKeyRecord>, StoreError> {
        self.rows(sql::API_KEYS, vec![site.into()], key_from_row).await
    }

    async fn touch_api_key(&self, prefix: &str, now: &str, not_since: &str) -> Result<(), StoreError> {
        let params = vec![prefix.into(), now.into(), not_since.into()];
        self.exec.batch(vec![Statement::new(sql::TOUCH_API_KEY, params)]).await
    }

    async fn revoke_api_key(&self, site: &str, prefix: &str, now: &str) -> Result<bool, StoreError> {
        let rows = self.exec.query(sql::REVOKE_API_KEY, vec![site.into(), prefix.into(), now.into()]).await?;
        Ok(!rows.is_empty())
    }

    async fn purge_sessions(&self, before: &str, limit: u32) -> Result<u32, StoreError> {
        let rows = self.exec.query(sql::PURGE_SESSIONS, vec![before.into(), limit.into()]).await?;
        Ok(rows.len() as u32)
    }

    async fn purge_sign_in_links(&self, before: &str, limit: u32) -> Result<u32, StoreError> {
        let rows = self.exec.query(sql::PURGE_SIGN_IN_LINKS, vec![before.into(), limit.into()]).await?;
        Ok(rows.len() as u32)
    }
}
