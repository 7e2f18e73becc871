//! Multi-row statements for the bulk paths: one `INSERT … VALUES (…), (…), …` per few thousand rows instead of one
//! statement per row, rendered with each backend's placeholders.

use assay_store::{ConnectionTrait, DatabaseTransaction, StoreError};
use sea_orm::{DbBackend, QueryResult, Statement, Value};

/// Bound values per statement, under SQLite's limit (32,766) and PostgreSQL's (65,535).
const MAX_PARAMS: usize = 30_000;

fn placeholder(backend: DbBackend, n: usize) -> String {
    match backend {
        DbBackend::Postgres => format!("${n}"),
        _ => "?".to_owned(),
    }
}

/// Inserts `rows` (each one value per column of `columns`) into `table`; returns the `returning` columns of the
/// inserted rows (in no guaranteed order: callers match them up by a key they returned).
pub async fn insert(
    txn: &DatabaseTransaction,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<Value>>,
    returning: &[&str],
) -> Result<Vec<QueryResult>, StoreError> {
    let backend = txn.get_database_backend();
    let per_statement = (MAX_PARAMS / columns.len().max(1)).max(1);
    let mut out = Vec::new();
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<Value>> = rows.by_ref().take(per_statement).collect();
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
        let mut values = Vec::with_capacity(chunk.len() * columns.len());
        for (i, row) in chunk.into_iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for (j, value) in row.into_iter().enumerate() {
                if j > 0 {
                    sql.push_str(", ");
                }
                values.push(value);
                sql.push_str(&placeholder(backend, values.len()));
            }
            sql.push(')');
        }
        let statement = Statement::from_sql_and_values(backend, sql, values);
        if returning.is_empty() {
            txn.execute_raw(statement).await?;
        } else {
            let mut statement = statement;
            statement.sql.push_str(&format!(" RETURNING {}", returning.join(", ")));
            out.extend(txn.query_all_raw(statement).await?);
        }
    }
    Ok(out)
}

/// `UPDATE table SET col = value, … WHERE id IN (ids)`, in chunks.
pub async fn update_ids(
    txn: &DatabaseTransaction,
    table: &str,
    set: &[(&str, Value)],
    ids: &[i64],
) -> Result<(), StoreError> {
    let backend = txn.get_database_backend();
    for chunk in ids.chunks(MAX_PARAMS - set.len()) {
        let mut values: Vec<Value> = Vec::with_capacity(set.len() + chunk.len());
        let mut sql = format!("UPDATE {table} SET ");
        for (i, (col, value)) in set.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            values.push(value.clone());
            sql.push_str(&format!("{col} = {}", placeholder(backend, values.len())));
        }
        sql.push_str(" WHERE id IN (");
        for (i, id) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            values.push((*id).into());
            sql.push_str(&placeholder(backend, values.len()));
        }
        sql.push(')');
        txn.execute_raw(Statement::from_sql_and_values(backend, sql, values)).await?;
    }
    Ok(())
}

/// An outbox row written by `events`.
pub struct Event {
    pub event_type: &'static str,
    pub subject_id: i64,
    pub payload: serde_json::Value,
}

/// Records `events` in one multi-row insert (the bulk counterpart of `assay_store::events::record_change`).
pub async fn events(
    txn: &DatabaseTransaction,
    root_account_id: i64,
    actor_user_id: Option<i64>,
    events: Vec<Event>,
) -> Result<(), StoreError> {
    if events.is_empty() {
        return Ok(());
    }
    let now = assay_store::now();
    let rows = events
        .into_iter()
        .map(|e| {
            let subject_type = e.event_type.split('.').next().unwrap_or(e.event_type);
            vec![
                root_account_id.into(),
                e.event_type.into(),
                subject_type.into(),
                e.subject_id.into(),
                actor_user_id.into(),
                Value::Json(Some(Box::new(e.payload))),
                now.into(),
            ]
        })
        .collect();
    insert(
        txn,
        "events",
        &["root_account_id", "event_type", "subject_type", "subject_id", "actor_user_id", "payload", "created_at"],
        rows,
        &[],
    )
    .await?;
    Ok(())
}

/// `{field: [before, after]}` of the fields that differ (the payload shape of `*.updated` events).
pub fn changes(before: &serde_json::Value, after: &serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
    after
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, v)| before.get(k.as_str()) != Some(v))
        .map(|(k, v)| (k.clone(), serde_json::json!([before.get(k.as_str()), v])))
        .collect()
}
