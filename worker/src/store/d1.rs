//! The D1 executor: the production backend, used inside workerd.

use wasm_bindgen::JsValue;
use worker::d1::{D1Database, D1PreparedStatement};

use super::{Executor, Row, SqlValue, Statement, StoreError};

pub struct D1Executor {
    db: D1Database,
}

impl D1Executor {
    pub fn new(db: D1Database) -> Self {
        D1Executor { db }
    }

    fn prepare(&self, sql: &str, params: &[SqlValue]) -> Result<D1PreparedStatement, StoreError> {
        let values: Vec<JsValue> = params
            .iter()
            .map(|p| match p {
                SqlValue::Null => JsValue::NULL,
                // D1 binds JS numbers; every integer we store is far below 2^53.
                SqlValue::Int(i) => JsValue::from_f64(*i as f64),
                SqlValue::Text(s) => JsValue::from_str(s),
            })
            .collect();
        self.db.prepare(sql).bind(&values).map_err(d1_error)
    }
}

impl Executor for D1Executor {
    async fn query(&self, sql: &'static str, params: Vec<SqlValue>) -> Result<Vec<Row>, StoreError> {
        let result = self.prepare(sql, &params)?.all().await.map_err(d1_error)?;
        let rows: Vec<serde_json::Map<String, serde_json::Value>> =
            result.results().map_err(|e| StoreError::Decode(e.to_string()))?;
        Ok(rows.into_iter().map(Row).collect())
    }

    async fn batch(&self, statements: Vec<Statement>) -> Result<(), StoreError> {
        let prepared =
            statements.iter().map(|s| self.prepare(s.sql, &s.params)).collect::<Result<Vec<_>, _>>()?;
        self.db.batch(prepared).await.map(drop).map_err(d1_error)
    }
}

/// D1 reports SQLite's message text only: a UNIQUE or PRIMARY KEY violation reads "UNIQUE
/// constraint failed: …" (SQLite words both alike), and only that is a `Conflict`; a foreign key,
/// NOT NULL or CHECK violation is a bug and surfaces as one.
fn d1_error(e: worker::Error) -> StoreError {
    let message = e.to_string();
    if message.contains("suppressed:") {
        StoreError::Suppressed
    } else if message.contains("last_owner:") {
        StoreError::LastOwner
    } else if message.contains("UNIQUE constraint failed") {
        StoreError::Conflict
    } else {
        StoreError::Backend(message)
    }
}
