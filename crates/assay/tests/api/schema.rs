//! The migrations build the same schema on both backends: tables, columns, nullability and named indexes.

use std::collections::BTreeSet;

use sea_orm::{ConnectionTrait, Statement};

use crate::harness::{Db, TestDb};

type Schema = (BTreeSet<String>, BTreeSet<(String, String, bool)>, BTreeSet<(String, String)>);

async fn sqlite_schema(store: &assay_store::Store) -> Schema {
    let db = store.read();
    let b = db.get_database_backend();
    let q = |sql: String| Statement::from_string(b, sql);
    let mut tables = BTreeSet::new();
    let mut columns = BTreeSet::new();
    let mut indexes = BTreeSet::new();
    for row in db
        .query_all_raw(q("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'".into()))
        .await
        .unwrap()
    {
        let table: String = row.try_get("", "name").unwrap();
        for col in db.query_all_raw(q(format!("PRAGMA table_info({table})"))).await.unwrap() {
            let name: String = col.try_get("", "name").unwrap();
            let notnull: i32 = col.try_get("", "notnull").unwrap();
            let pk: i32 = col.try_get("", "pk").unwrap();
            columns.insert((table.clone(), name, notnull == 0 && pk == 0));
        }
        for index in db.query_all_raw(q(format!("PRAGMA index_list({table})"))).await.unwrap() {
            let name: String = index.try_get("", "name").unwrap();
            if name.starts_with("ix_") || name.starts_with("ux_") {
                indexes.insert((table.clone(), name));
            }
        }
        tables.insert(table);
    }
    (tables, columns, indexes)
}

async fn postgres_schema(store: &assay_store::Store) -> Schema {
    let db = store.read();
    let b = db.get_database_backend();
    let q = |sql: &str| Statement::from_string(b, sql.to_owned());
    let mut tables = BTreeSet::new();
    let mut columns = BTreeSet::new();
    let mut indexes = BTreeSet::new();
    for row in db
        .query_all_raw(q(
            "SELECT table_name::text AS t FROM information_schema.tables WHERE table_schema = current_schema()",
        ))
        .await
        .unwrap()
    {
        tables.insert(row.try_get::<String>("", "t").unwrap());
    }
    for row in db
        .query_all_raw(q("SELECT table_name::text AS t, column_name::text AS c, is_nullable::text AS n FROM information_schema.columns WHERE table_schema = current_schema()"))
        .await
        .unwrap()
    {
        let n: String = row.try_get("", "n").unwrap();
        columns.insert((row.try_get("", "t").unwrap(), row.try_get("", "c").unwrap(), n == "YES"));
    }
    for row in db
        .query_all_raw(q(
            "SELECT tablename::text AS t, indexname::text AS i FROM pg_indexes WHERE schemaname = current_schema()",
        ))
        .await
        .unwrap()
    {
        let name: String = row.try_get("", "i").unwrap();
        if name.starts_with("ix_") || name.starts_with("ux_") {
            indexes.insert((row.try_get("", "t").unwrap(), name));
        }
    }
    (tables, columns, indexes)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrations_build_the_same_schema_on_both_backends() {
    let Some(pg) = TestDb::create(Db::Postgres).await else { return };
    let lite = TestDb::create(Db::Sqlite).await.unwrap();
    let options = assay_store::StoreOptions::default();
    let lite_store = assay_store::Store::connect(&lite.url, &options).await.unwrap();
    let pg_store = assay_store::Store::connect(&pg.url, &options).await.unwrap();
    assert_eq!(lite_store.migrate().await.unwrap(), pg_store.migrate().await.unwrap());
    let (a, b) = (sqlite_schema(&lite_store).await, postgres_schema(&pg_store).await);
    assert!(a.0.contains("users") && a.2.len() >= 10, "{a:?}");
    assert_eq!(a.0, b.0, "tables differ");
    assert_eq!(a.1, b.1, "columns or their nullability differ");
    assert_eq!(a.2, b.2, "named indexes differ");
    pg_store.close().await.unwrap();
    pg.drop_db().await;
}
