//! Pagination for every list. Two ways to reach a page:
//! - by number (`Position::Offset`), what `page=N` asks for: simple, but it costs the rows it skips;
//! - after a key (`Position::After`), what the `next` links carry: the query seeks straight to the key through
//!   the list's index, so page 50,000 costs what page 1 costs.
//!
//! Totals are counted on the first page a walk asks for, up to a cap, and travel in the bookmarks of the `next`
//! links (`total_hint`), so a walk counts once, not once per page. Totals are counted up to a cap: counting a million rows on every page would make each page cost as much as
//! reading the list. Above the cap the total is unknown and the API leaves out `Total-Count` and `last`, as
//! Canvas does when "the total count is too expensive to compute".

use sea_orm::{
    ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Select,
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
    /// The total an earlier page of the same walk counted (`Some(None)`: above the cap); counted afresh when
    /// `None`.
    pub total_hint: Option<Option<u64>>,
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

/// One sort column of a list: its name, its type, and how to read the key value from a row.
pub struct SortColumn<M> {
    pub column: &'static str,
    pub kind: KeyKind,
    pub key: fn(&M) -> serde_json::Value,
}

/// The type of a sort key. A bookmark is client input: its values are checked against these before they reach
/// SQL, so a forged bookmark is a 400, never a type error in the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    Integer,
    Text,
}

/// Orders `select` (already filtered) ascending by `sort` (whose last column must be unique, normally the id),
/// positions it at the requested page and limits it to one row more than a page (to learn whether more follow).
/// Public so tests can inspect the query plan of a deep page.
pub fn ordered<E: EntityTrait>(
    select: Select<E>,
    table: &'static str,
    sort: &[SortColumn<E::Model>],
    request: &PageRequest,
) -> Result<Select<E>, StoreError> {
    let mut query = select;
    for col in sort {
        query = query.order_by_asc(Expr::col((Alias::new(table), Alias::new(col.column))));
    }
    match &request.position {
        Position::Offset(skip) => query = query.offset(*skip),
        Position::After(key) => {
            if key.len() != sort.len() {
                return Err(StoreError::BadBookmark("it does not fit this list"));
            }
            query = query.filter(after(table, sort, key)?);
        }
    }
    Ok(query.limit(request.per_page + 1))
}

/// Runs `select` (already filtered, not yet ordered) as one page.
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
    let total = match request.total_hint {
        Some(known) => known,
        None => count_capped(conn, select.clone()).await?,
    };
    let mut items = ordered(select, table, sort, request)?.all(conn).await?;
    let has_more = items.len() as u64 > request.per_page;
    items.truncate(request.per_page as usize);
    let last_key = items.last().map(|last| sort.iter().map(|col| (col.key)(last)).collect());
    Ok(Page { items, has_more, total, last_key })
}

/// Runs `select` (already filtered, not yet ordered) as one page, newest (highest `id`) first: the order of
/// job histories such as `GET /accounts/:id/sis_imports`. The bookmark is the last id served.
pub async fn fetch_newest_first<E, C>(
    conn: &C,
    select: Select<E>,
    table: &'static str,
    id_of: fn(&E::Model) -> i64,
    request: &PageRequest,
) -> Result<Page<E::Model>, StoreError>
where
    E: EntityTrait,
    E::Model: FromQueryResult + Send + Sync,
    C: ConnectionTrait,
{
    let total = match request.total_hint {
        Some(known) => known,
        None => count_capped(conn, select.clone()).await?,
    };
    let id = Expr::col((Alias::new(table), Alias::new("id")));
    let mut query = select.order_by_desc(id.clone());
    match &request.position {
        Position::Offset(skip) => query = query.offset(*skip),
        Position::After(key) => match key.as_slice() {
            [serde_json::Value::Number(n)] => {
                let last = n.as_i64().ok_or(StoreError::BadBookmark("a key is not an integer"))?;
                query = query.filter(id.lt(last));
            }
            _ => return Err(StoreError::BadBookmark("it does not fit this list")),
        },
    }
    let mut items = query.limit(request.per_page + 1).all(conn).await?;
    let has_more = items.len() as u64 > request.per_page;
    items.truncate(request.per_page as usize);
    let last_key = items.last().map(|last| vec![serde_json::json!(id_of(last))]);
    Ok(Page { items, has_more, total, last_key })
}

/// `(a, b, id) > (ka, kb, kid)` as a row-value comparison, which SQLite (3.15+) and PostgreSQL both answer
/// with one seek into the `(…, a, b, id)` index, however deep the key.
fn after<M>(table: &'static str, sort: &[SortColumn<M>], key: &[serde_json::Value]) -> Result<SimpleExpr, StoreError> {
    if sort.is_empty() {
        return Err(StoreError::BadBookmark("it is empty"));
    }
    let columns = sort.iter().map(|col| Expr::col((Alias::new(table), Alias::new(col.column))));
    let values = sort.iter().zip(key).map(|(col, v)| key_value(col.kind, v)).collect::<Result<Vec<_>, _>>()?;
    if sort.len() == 1 {
        let column = columns.into_iter().next().ok_or(StoreError::NotFound)?;
        let value = values.into_iter().next().ok_or(StoreError::NotFound)?;
        return Ok(column.gt(value));
    }
    Ok(Expr::tuple(columns).gt(Expr::tuple(values)))
}

fn key_value(kind: KeyKind, value: &serde_json::Value) -> Result<SimpleExpr, StoreError> {
    match (kind, value) {
        (KeyKind::Integer, serde_json::Value::Number(n)) => {
            n.as_i64().map(Expr::val).ok_or(StoreError::BadBookmark("a key is not an integer"))
        }
        (KeyKind::Text, serde_json::Value::String(s)) if s.len() <= 1024 => Ok(Expr::val(s.clone())),
        _ => Err(StoreError::BadBookmark("a key has the wrong type")),
    }
}

/// Counts the rows of `select`, reading at most `COUNT_CAP + 1` of them.
async fn count_capped<E, C>(conn: &C, select: Select<E>) -> Result<Option<u64>, StoreError>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let inner = select.select_only().expr(Expr::val(1)).limit(COUNT_CAP + 1).into_query();
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
