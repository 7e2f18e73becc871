//! Group commit (`Store::write_grouped`): writes that arrive together share a transaction, first without
//! savepoints; when one of them fails, the group runs again with a savepoint around each, so the failing write
//! changes nothing and every other write of the group still commits.

use crate::backend_test;
use sea_orm::{ConnectionTrait, Statement};

const WRITES: i64 = 64;
/// Fails after writing its row (the application refuses): its row must not stay.
const REFUSED: i64 = 10;
/// Fails in the database (a duplicate key, which on PostgreSQL aborts the whole transaction).
const DUPLICATE: i64 = 40;

async fn rows(t: &crate::harness::TestApp) -> Vec<i64> {
    let db = t.store().read();
    let sql = Statement::from_string(db.get_database_backend(), "SELECT n FROM group_commit_probe ORDER BY n");
    db.query_all_raw(sql).await.expect("read the probe table").iter().map(|r| r.try_get("", "n").unwrap()).collect()
}

backend_test!(a_failing_write_rolls_back_alone_and_the_rest_of_its_group_commits, |t| {
    let store = t.store().clone();
    store
        .write(|txn| {
            Box::pin(async move {
                txn.execute_unprepared("CREATE TABLE group_commit_probe (n BIGINT PRIMARY KEY)").await?;
                Ok(())
            })
        })
        .await
        .expect("create the probe table");

    // Hold the table for a moment so that the writes queue up and form one group behind it: on SQLite holding
    // the single writer does it, on PostgreSQL (whose writers are a pool) a table lock.
    let (release, released) = tokio::sync::oneshot::channel::<()>();
    let (locked, is_locked) = tokio::sync::oneshot::channel::<()>();
    let held = {
        let store = store.clone();
        tokio::spawn(async move {
            store
                .write(|txn| {
                    Box::pin(async move {
                        if txn.get_database_backend() == sea_orm::DbBackend::Postgres {
                            txn.execute_unprepared("LOCK TABLE group_commit_probe IN EXCLUSIVE MODE").await?;
                        }
                        let _ = locked.send(());
                        released.await.map_err(|_| assay_store::StoreError::NotFound)
                    })
                })
                .await
        })
    };
    is_locked.await.expect("the table is held");
    let writes = (0..WRITES).map(|n| {
        let store = store.clone();
        async move {
            store
                .write_grouped(move |txn| {
                    Box::pin(async move {
                        let row = if n == DUPLICATE { 0 } else { n };
                        txn.execute_unprepared(&format!("INSERT INTO group_commit_probe (n) VALUES ({row})")).await?;
                        if n == REFUSED {
                            return Err(assay_store::StoreError::Invalid { field: "n", message: "refused".into() });
                        }
                        Ok(n)
                    })
                })
                .await
        }
    });
    let all = tokio::spawn(futures::future::join_all(writes));
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let _ = release.send(());
    let results = all.await.expect("the writes end");
    held.await.expect("the held write ends").expect("the held write commits");

    for (n, result) in (0..WRITES).zip(&results) {
        match n {
            REFUSED => assert!(
                matches!(result, Err(assay_store::StoreError::Invalid { .. })),
                "the refused write reports its own error: {result:?}"
            ),
            DUPLICATE => assert!(result.is_err(), "the duplicate fails: {result:?}"),
            _ => assert_eq!(result.as_ref().ok(), Some(&n), "write {n} committed"),
        }
    }
    let expected: Vec<i64> = (0..WRITES).filter(|n| *n != REFUSED && *n != DUPLICATE).collect();
    assert_eq!(rows(&t).await, expected, "every other write kept, the failing ones changed nothing");

    // A group with nothing failing commits on the first try.
    let again = store
        .write_grouped(|txn| {
            Box::pin(async move {
                txn.execute_unprepared("INSERT INTO group_commit_probe (n) VALUES (1000)").await?;
                Ok(())
            })
        })
        .await;
    assert!(again.is_ok(), "{again:?}");
    assert_eq!(rows(&t).await.last(), Some(&1000));
});
