//! Cookie category texts kept as versions (`cookie_category_texts`): what `put_site` adds to its
//! batch, and the history a cookie decision is traced against.

use consent_shared::site::CookieCategory;

use super::{sql, Executor, SqlStore, Statement, StoreError};

/// One text a cookie category showed in one language, from `created_at` until a higher version.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CategoryTextVersion {
    pub key: String,
    pub lang: String,
    pub version: u32,
    pub label: String,
    pub description: String,
    pub created_at: String,
}

/// The statements that add a new version for each text of `category` that changed.
pub(super) fn category_text_versions(site: &str, category: &CookieCategory, now: &str) -> Vec<Statement> {
    category
        .texts
        .iter()
        .map(|t| {
            Statement::new(
                sql::INSERT_COOKIE_CATEGORY_TEXT,
                vec![
                    site.into(),
                    (&category.key).into(),
                    (&t.lang).into(),
                    (&t.label).into(),
                    (&t.description).into(),
                    now.into(),
                ],
            )
        })
        .collect()
}

impl<E: Executor> SqlStore<E> {
    pub(super) async fn category_text_history(
        &self,
        site: &str,
    ) -> Result<Vec<CategoryTextVersion>, StoreError> {
        self.rows(sql::COOKIE_CATEGORY_TEXTS, vec![site.into()], |r| {
            Ok(CategoryTextVersion {
                key: r.text("key")?,
                lang: r.text("lang")?,
                version: r.u32("version")?,
                label: r.text("label")?,
                description: r.text("description")?,
                created_at: r.text("created_at")?,
            })
        })
        .await
    }
}
