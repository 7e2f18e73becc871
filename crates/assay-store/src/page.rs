//! Pagination for every list. Two ways to reach a page:
//! - by number (`Position::Offset`), what `page=N` asks for: simple, but it costs the rows it skips;
//! - after a key (`Position::After`), what the `next` links carry: the query seeks straight to the key through
//!   the list's index, so page 50,000 costs what page 1 costs.
//!
//! Totals are counted up to a cap: counting a million rows on every page would make each page cost as much as
//! reading the list. Above the cap the total is unknown and the API leaves out `Total-Count` and `last`, as
//! Canvas does when "the total count is too expensive to compute".

use sea_orm::{
    ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait, Select,
    sea_query::{Alias, Expr, ExprTrait, Query, SimpleExpr},
};

use crate::StoreError;

/// Where a page starts.
#[derive(Debug, Clone, PartialEq)]
pub enum Position {
    /// Skip this many rows.
    Offset(u64),
    /// Start after the row whose sort key is this (one value per sort column, the last being the id).
    After(Vec<serde_json::Value>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct PageRequest {
    pub position: Position,
    pub per_page: u64,
}

impl PageRequest {
    pub fn first(per_page: u64) -> Self {
        PageRequest {
            position: Position::Offset(0),
            per_page,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// True when rows follow this page.
    pub has_more: bool,
    /// The number of matching rows, when it is at most the count cap.
    pub total: Option<u64>,
    /// The sort key of the last item, for the `next` cursor.
    pub last_key: Option<Vec<serde_json::Value>>,
}

impl<T> Page<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            has_more: self.has_more,
            total: self.total,
            last_key: self.last_key,
        }
    }
}

/// Lists are counted exactly up to this many rows.
pub const COUNT_CAP: u64 = 10_000;

/// One sort column of a list: its name and how to read the key value from a row.
pub struct SortColumn<M> {
    pub column: &'static str,
    pub key: fn(&M) -> serde_json::Value,
}

/// Runs `select` (already filtered, not yet ordered) as one page, ordered ascending by `sort` (whose last column
/// must be unique, normally the id).
pub async fn fetch<E, C>(
    conn: &C,
    select: Select<E>,
    table: &'static str,
    sort: &[SortColumn<E::Model>],
    request: &PageRequest,
) -> Result<Page<E::Model>, StoreError>
where
    E: EntityTrait,
    E::Model: FromQueryResult + Send + Sync,
    C: ConnectionTrait,
{
    let total = count_capped(conn, select.clone()).await?;
    let mut query = select;
    for col in sort {
        query = query.order_by_asc(Expr::col((Alias::new(table), Alias::new(col.column))));
    }
    match &request.position {
        Position::Offset(skip) => query = query.offset(*skip),
        Position::After(key) => {
            if key.len() != sort.len() {
                return Err(StoreError::Invalid {
                    field: "page",
                    message: "the page bookmark does not fit this list".into(),
                });
            }
            query = query.filter(after(table, sort, key)?);
        }
    }
    let mut items = query.limit(request.per_page + 1).all(conn).await?;
    let has_more = items.len() as u64 > request.per_page;
    items.truncate(request.per_page as usize);
    let last_key = items
        .last()
        .map(|last| sort.iter().map(|col| (col.key)(last)).collect());
    Ok(Page {
        items,
        has_more,
        total,
        last_key,
    })
}

/// `(a, b, id) > (ka, kb, kid)` spelled out as `a > ka OR (a = ka AND (b > kb OR (b = kb AND id > kid)))`, which
/// both databases turn into an index seek.
fn after<M>(
    table: &'static str,
    sort: &[SortColumn<M>],
    key: &[serde_json::Value],
) -> Result<SimpleExpr, StoreError> {
    let mut condition: Option<SimpleExpr> = None;
    for (col, value) in sort.iter().zip(key).rev() {
        let column = || Expr::col((Alias::new(table), Alias::new(col.column)));
        let value = key_value(value)?;
        let greater = column().gt(value.clone());
        condition = Some(match condition {
            None => greater,
            Some(inner) => greater.or(column().eq(value).and(inner)),
        });
    }
    condition.ok_or(StoreError::Invalid {
        field: "page",
        message: "empty page bookmark".into(),
    })
}

fn key_value(value: &serde_json::Value) -> Result<SimpleExpr, StoreError> {
    match value {
        serde_json::Value::Number(n) => {
            n.as_i64()
                .map(|n| Expr::val(n).into())
                .ok_or(StoreError::Invalid {
                    field: "page",
                    message: "malformed page bookmark".into(),
                })
        }
        serde_json::Value::String(s) => Ok(Expr::val(s.clone()).into()),
        _ => Err(StoreError::Invalid {
            field: "page",
            message: "malformed page bookmark".into(),
        }),
    }
}

/// Counts the rows of `select`, reading at most `COUNT_CAP + 1` of them.
async fn count_capped<E, C>(conn: &C, select: Select<E>) -> Result<Option<u64>, StoreError>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let inner = select
        .select_only()
        .expr(Expr::val(1))
        .limit(COUNT_CAP + 1)
        .into_query();
    let statement = Query::select()
        .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
        .from_subquery(inner, Alias::new("capped"))
        .to_owned();
    let row = conn.query_one(&statement).await?;
    let n: i64 = match row {
        Some(row) => row.try_get("", "n")?,
        None => 0,
    };
    let n = u64::try_from(n).unwrap_or(0);
    Ok((n <= COUNT_CAP).then_some(n))
}
