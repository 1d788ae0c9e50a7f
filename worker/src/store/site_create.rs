//! Creating a site from the console: the site and its creator's owner membership in one batch,
//! so there is never a site without its owner, and a taken id changes nothing.

use super::accounts::NewPerson;
use super::{accounts_sql, site_statements, sql, Executor, SqlStore, Statement, StoreError};
use consent_shared::site::SiteConfig;

#[allow(async_fn_in_trait)]
pub trait SiteCreateStore {
    /// Stores the new `site` and makes `owner` (added if new) its owner, together. `Conflict`
    /// when a site with that id exists: nothing written.
    async fn create_site(
        &self,
        site: &SiteConfig,
        owner: &NewPerson<'_>,
        now: &str,
    ) -> Result<(), StoreError>;
}

impl<E: Executor> SiteCreateStore for SqlStore<E> {
    async fn create_site(
        &self,
        site: &SiteConfig,
        owner: &NewPerson<'_>,
        now: &str,
    ) -> Result<(), StoreError> {
        let mut batch = site_statements(site, now, sql::INSERT_NEW_SITE);
        batch.push(Statement::new(
            accounts_sql::INSERT_PERSON,
            vec![owner.id.into(), owner.email_key.into(), owner.email.into(), now.into()],
        ));
        batch.push(Statement::new(
            accounts_sql::UPSERT_OWNER,
            vec![owner.email_key.into(), (&site.id).into(), now.into()],
        ));
        self.exec.batch(batch).await
    }
}
