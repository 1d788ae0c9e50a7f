//! The native SQLite executor (rusqlite): the fast backend for `cargo test` and benchmarks. It
//! applies the same migration files wrangler applies to D1.

use std::cell::RefCell;
use std::path::Path;

use rusqlite::types::ValueRef;
use rusqlite::{ffi, params_from_iter, Connection};
use serde_json::{Map, Value};

use super::{Executor, Row, SqlValue, Statement, StoreError};

/// The migrations, in order, exactly as wrangler applies them to D1.
pub const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_ledger.sql", include_str!("../../migrations/0001_ledger.sql")),
    ("0002_preferences.sql", include_str!("../../migrations/0002_preferences.sql")),
    ("0003_mail_sends.sql", include_str!("../../migrations/0003_mail_sends.sql")),
    ("0004_erasure_and_identity.sql", include_str!("../../migrations/0004_erasure_and_identity.sql")),
    ("0005_evidence_chain.sql", include_str!("../../migrations/0005_evidence_chain.sql")),
    ("0007_request_proof.sql", include_str!("../../migrations/0007_request_proof.sql")),
    ("0008_consent_mode.sql", include_str!("../../migrations/0008_consent_mode.sql")),
    ("0009_accounts.sql", include_str!("../../migrations/0009_accounts.sql")),
    ("0010_audit.sql", include_str!("../../migrations/0010_audit.sql")),
    ("0011_lawful_basis.sql", include_str!("../../migrations/0011_lawful_basis.sql")),
    ("0012_daily_counters.sql", include_str!("../../migrations/0012_daily_counters.sql")),
    ("0013_suppression_reasons.sql", include_str!("../../migrations/0013_suppression_reasons.sql")),
    ("0014_imports.sql", include_str!("../../migrations/0014_imports.sql")),
    ("0015_register.sql", include_str!("../../migrations/0015_register.sql")),
    ("0016_retention.sql", include_str!("../../migrations/0016_retention.sql")),
    ("0017_data_review.sql", include_str!("../../migrations/0017_data_review.sql")),
];

pub struct SqliteExecutor {
    conn: RefCell<Connection>,
}

impl SqliteExecutor {
    pub fn open_in_memory() -> Result<Self, StoreError> {
        Self::migrated(Connection::open_in_memory().map_err(backend)?)
    }

    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let conn = Connection::open(path).map_err(backend)?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(backend)?;
        Self::migrated(conn)
    }

    fn migrated(conn: Connection) -> Result<Self, StoreError> {
        // D1 enforces foreign keys; SQLite only when asked, per connection.
        conn.pragma_update(None, "foreign_keys", "ON").map_err(backend)?;
        conn.execute_batch("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY)")
            .map_err(backend)?;
        for (name, script) in MIGRATIONS {
            let applied: bool = conn
                .query_row("SELECT COUNT(*) > 0 FROM _migrations WHERE name = ?1", [name], |r| r.get(0))
                .map_err(backend)?;
            if !applied {
                conn.execute_batch(script).map_err(backend)?;
                conn.execute("INSERT INTO _migrations (name) VALUES (?1)", [name]).map_err(backend)?;
            }
        }
        Ok(SqliteExecutor { conn: RefCell::new(conn) })
    }
}

impl SqliteExecutor {
    /// Runs raw SQL outside the Store API: test fixtures and benchmarks only (e.g. simulating
    /// tampering, bulk-loading a large ledger).
    pub fn execute_raw(&self, sql: &str) -> Result<(), StoreError> {
        self.conn.borrow().execute_batch(sql).map_err(backend)
    }

    /// Gives a closure the connection, for bulk loads in one transaction (benchmarks).
    pub fn with_connection<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        f(&mut self.conn.borrow_mut()).map_err(backend)
    }
}

impl Executor for SqliteExecutor {
    async fn query(&self, sql: &'static str, params: Vec<SqlValue>) -> Result<Vec<Row>, StoreError> {
        let conn = self.conn.borrow();
        let mut stmt = conn.prepare_cached(sql).map_err(backend)?;
        let names: Vec<String> = stmt.column_names().into_iter().map(String::from).collect();
        let mut rows = stmt.query(params_from_iter(params.iter().map(to_sql))).map_err(backend)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(backend)? {
            let mut map = Map::with_capacity(names.len());
            for (i, name) in names.iter().enumerate() {
                let value = match row.get_ref(i).map_err(backend)? {
                    ValueRef::Null => Value::Null,
                    ValueRef::Integer(n) => Value::from(n),
                    ValueRef::Real(f) => Value::from(f),
                    ValueRef::Text(t) => Value::String(String::from_utf8_lossy(t).into_owned()),
                    ValueRef::Blob(_) => return Err(StoreError::Decode(format!("{name}: blob"))),
                };
                map.insert(name.clone(), value);
            }
            out.push(Row(map));
        }
        Ok(out)
    }

    async fn batch(&self, statements: Vec<Statement>) -> Result<(), StoreError> {
        let mut conn = self.conn.borrow_mut();
        let tx = conn.transaction().map_err(backend)?;
        for s in &statements {
            tx.prepare_cached(s.sql)
                .and_then(|mut stmt| stmt.execute(params_from_iter(s.params.iter().map(to_sql))))
                .map_err(backend)?;
        }
        tx.commit().map_err(backend)
    }
}

fn to_sql(v: &SqlValue) -> rusqlite::types::Value {
    match v {
        SqlValue::Null => rusqlite::types::Value::Null,
        SqlValue::Int(i) => rusqlite::types::Value::Integer(*i),
        SqlValue::Text(s) => rusqlite::types::Value::Text(s.clone()),
    }
}

/// Only a UNIQUE or PRIMARY KEY violation is a `Conflict` (another write took the place); any
/// other constraint (a foreign key, NOT NULL, CHECK) is a bug and must surface as one.
fn backend(e: rusqlite::Error) -> StoreError {
    let message = e.to_string();
    let extended = e.sqlite_error().map(|f| f.extended_code);
    match extended {
        _ if message.contains("suppressed:") => StoreError::Suppressed,
        _ if message.contains("last_owner:") => StoreError::LastOwner,
        Some(ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY) => StoreError::Conflict,
        _ => StoreError::Backend(message),
    }
}
