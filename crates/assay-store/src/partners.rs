//! AB Connect partners: the credentials that sign `/rest/v4.1` requests with HMAC-SHA256 (`specs/abconnect.md`
//! §4). Unlike bearer tokens, the signing key cannot be stored as a hash: the server recomputes the HMAC on
//! every request, so it needs the key itself. It is still shown only once, in the create response.

use base64::Engine;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait,
    QueryFilter, SqlErr, sea_query::Expr,
};
use serde_json::json;

use crate::{
    Page, PageRequest, Scope, Store, StoreError,
    accounts::{ACTIVE, DELETED},
    entity::partner,
    events::{self, Actor},
    page::{self, KeyKind, SortColumn},
};

/// Signatures may expire at most this far ahead unless the partner says otherwise (the AB sample clients sign
/// for 1 to 24 hours).
pub const DEFAULT_MAX_LIFETIME_SECS: i64 = 86_400;
/// The shortest allowed maximum: below a minute, ordinary clock skew would refuse honest clients.
pub const MIN_MAX_LIFETIME_SECS: i64 = 60;
/// The longest allowed maximum (a week): a captured URL is replayable until it expires.
pub const MAX_MAX_LIFETIME_SECS: i64 = 604_800;
/// Generated public ids start with this, so they never collide with ids chosen by hand like `test_account`.
const GENERATED_ID_PREFIX: &str = "p_";
const PARTNER_ID_MAX_LEN: usize = 64;

/// The fields of a new partner.
#[derive(Debug, Clone)]
pub struct NewPartner {
    pub name: String,
    /// The public `partner.id`; generated when `None`.
    pub partner_id: Option<String>,
    pub max_lifetime_secs: i64,
}

/// Why a chosen `partner.id` is unusable, or `None` when it is fine. It travels in every query string, so it is
/// limited to characters that need no URL encoding.
pub fn partner_id_problem(id: &str) -> Option<String> {
    if id.is_empty() {
        return Some("must not be blank".into());
    }
    if id.len() > PARTNER_ID_MAX_LEN {
        return Some(format!("must be at most {PARTNER_ID_MAX_LEN} characters"));
    }
    if !id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')) {
        return Some("may contain only letters, digits, `_`, `-` and `.`".into());
    }
    None
}

fn random_url_safe(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::fill(buf.as_mut_slice());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

/// What an event says about a partner. Never the signing key: the event feed is readable by other integrations.
pub fn event_payload(p: &partner::Model) -> serde_json::Value {
    json!({
        "id": p.id,
        "partner_id": p.partner_id,
        "name": p.name,
        "max_lifetime_secs": p.max_lifetime_secs,
        "workflow_state": p.workflow_state,
    })
}

/// `partner_id` is unique across the deployment (it is all a request names); both backends report a clash on its
/// constraint, whose name differs per backend, so any unique violation on this insert is that one.
fn conflict_or(err: DbErr) -> StoreError {
    match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => StoreError::Conflict { field: "partner_id" },
        _ => err.into(),
    }
}

/// Creates a partner of the caller's school with a fresh random signing key (32 bytes, base64url), and records
/// `partner.created`. The returned model holds the key: the caller shows it once and never again.
pub async fn create(
    txn: &DatabaseTransaction,
    scope: &Scope,
    new: NewPartner,
    actor: Actor,
) -> Result<partner::Model, StoreError> {
    let partner_id = match new.partner_id {
        Some(id) => {
            if let Some(problem) = partner_id_problem(&id) {
                return Err(StoreError::Invalid { field: "partner_id", message: problem });
            }
            id
        }
        // 9 random bytes are 12 base64url characters: 72 bits, so a clash is not a practical concern (and would
        // be a 409, not a wrong partner).
        None => format!("{GENERATED_ID_PREFIX}{}", random_url_safe(9)),
    };
    if !(MIN_MAX_LIFETIME_SECS..=MAX_MAX_LIFETIME_SECS).contains(&new.max_lifetime_secs) {
        return Err(StoreError::Invalid {
            field: "max_lifetime_secs",
            message: format!("must be between {MIN_MAX_LIFETIME_SECS} and {MAX_MAX_LIFETIME_SECS} seconds"),
        });
    }
    let now = crate::now();
    let created = partner::ActiveModel {
        root_account_id: Set(scope.root_account_id()),
        partner_id: Set(partner_id),
        name: Set(new.name),
        signing_key: Set(random_url_safe(32)),
        max_lifetime_secs: Set(new.max_lifetime_secs),
        workflow_state: Set(ACTIVE.to_owned()),
        last_used_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await
    .map_err(conflict_or)?;
    events::record_change(txn, scope.root_account_id(), "partner.created", created.id, actor, event_payload(&created))
        .await?;
    Ok(created)
}

fn by_id() -> [SortColumn<partner::Model>; 1] {
    [SortColumn { column: "id", kind: KeyKind::Integer, key: |m| json!(m.id) }]
}

/// The school's active partners, oldest first. Revoked ones are gone, as deleted accounts are.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    request: &PageRequest,
) -> Result<Page<partner::Model>, StoreError> {
    let select = partner::Entity::find()
        .filter(partner::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(partner::Column::WorkflowState.eq(ACTIVE));
    page::fetch(conn, select, "partners", &by_id(), request).await
}

/// An active partner of the caller's school, by its numeric id.
pub async fn find<C: ConnectionTrait>(conn: &C, scope: &Scope, id: i64) -> Result<partner::Model, StoreError> {
    partner::Entity::find_by_id(id)
        .filter(partner::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(partner::Column::WorkflowState.eq(ACTIVE))
        .one(conn)
        .await?
        .ok_or(StoreError::NotFound)
}

/// Revokes an active partner of the caller's school (soft delete, `workflow_state` `deleted`) and records
/// `partner.deleted`. The state change is conditional, so of two concurrent revocations one finds nothing to
/// revoke (`NotFound`) and only one event is written. Authentication reads the row on every request, so the
/// partner's signatures stop working with this commit, however long they had left.
pub async fn revoke(
    txn: &DatabaseTransaction,
    scope: &Scope,
    id: i64,
    actor: Actor,
) -> Result<partner::Model, StoreError> {
    let changed = partner::Entity::update_many()
        .col_expr(partner::Column::WorkflowState, Expr::val(DELETED))
        .col_expr(partner::Column::UpdatedAt, Expr::val(crate::now()))
        .filter(partner::Column::Id.eq(id))
        .filter(partner::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(partner::Column::WorkflowState.eq(ACTIVE))
        .exec(txn)
        .await?;
    if changed.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    let revoked = partner::Entity::find_by_id(id).one(txn).await?.ok_or(StoreError::NotFound)?;
    events::record_change(txn, scope.root_account_id(), "partner.deleted", revoked.id, actor, event_payload(&revoked))
        .await?;
    Ok(revoked)
}

/// The active partner a request names in `partner.id`, whatever its school: authentication happens before
/// there is a scope, and the partner's school becomes the request's scope.
pub async fn find_active_unscoped<C: ConnectionTrait>(
    conn: &C,
    partner_id: &str,
) -> Result<Option<partner::Model>, StoreError> {
    if partner_id_problem(partner_id).is_some() {
        return Ok(None);
    }
    Ok(partner::Entity::find()
        .filter(partner::Column::PartnerId.eq(partner_id))
        .filter(partner::Column::WorkflowState.eq(ACTIVE))
        .one(conn)
        .await?)
}

/// Records that `partner` just authenticated, at most once a minute per partner (see `crate::LAST_USED_GRANULARITY`).
pub async fn touch_last_used(store: &Store, partner: &partner::Model) -> Result<(), StoreError> {
    crate::touch_last_used::<partner::Entity>(
        store,
        partner::Column::LastUsedAt,
        partner::Column::Id,
        partner.id,
        partner.last_used_at,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chosen_partner_ids_are_url_safe() {
        for ok in ["test_account", "public", "p_abc-DEF.1", "x"] {
            assert_eq!(partner_id_problem(ok), None, "{ok}");
        }
        for bad in ["", "with space", "a+b", "a/b", "ünï", &"x".repeat(65)] {
            assert!(partner_id_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn generated_values_have_the_documented_shape() {
        let id = format!("{GENERATED_ID_PREFIX}{}", random_url_safe(9));
        assert_eq!(id.len(), 14);
        assert_eq!(partner_id_problem(&id), None);
        let key = random_url_safe(32);
        assert_eq!(key.len(), 43);
        assert_ne!(key, random_url_safe(32));
    }
}
