//! Access tokens: personal ones (Canvas user-generated), OAuth ones from the token endpoints (optionally with a
//! refresh token and a developer key's scopes), and short-lived exchanged ones (Inspera). The secret is shown
//! once and stored only as its SHA-256, which is also how it is looked up.

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
};
use serde_json::json;

use crate::{
    Page, PageRequest, Scope, Store, StoreError,
    accounts::{ACTIVE, DELETED},
    entity::{access_token, developer_key, user},
    page::{self, KeyKind, SortColumn},
    secrets,
};

/// Every token starts with this, so secret scanners can recognise a leaked Assay token.
pub const TOKEN_PREFIX: &str = "assay_";
/// Refresh tokens have their own prefix: they are never accepted as access tokens.
pub const REFRESH_PREFIX: &str = "assayr_";
pub const PENDING: &str = "pending";

/// How a token came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// Created by a person (or the CLI) for scripts: Canvas "user-generated".
    Personal,
    /// Issued by a token endpoint (password, client credentials, refresh).
    OAuth,
    /// Issued in exchange for a user's API key (Inspera).
    Exchange,
}

impl TokenKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenKind::Personal => "personal",
            TokenKind::OAuth => "oauth",
            TokenKind::Exchange => "exchange",
        }
    }

    pub fn parse(s: &str) -> TokenKind {
        match s {
            "oauth" => TokenKind::OAuth,
            "exchange" => TokenKind::Exchange,
            _ => TokenKind::Personal,
        }
    }
}

pub fn hash(secret: &str) -> String {
    secrets::hash(secret)
}

/// A token to issue.
#[derive(Debug, Clone)]
pub struct NewToken {
    pub kind: TokenKind,
    pub purpose: String,
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Canvas scopes; empty means the user's full rights.
    pub scopes: Vec<String>,
    pub developer_key_id: Option<i64>,
    /// Also issue a refresh token (OAuth password grant).
    pub with_refresh: bool,
    /// `pending` tokens (made by an administrator for someone else) work only once their owner activates them.
    pub pending: bool,
}

impl NewToken {
    pub fn personal(purpose: &str, expires_at: Option<chrono::DateTime<chrono::Utc>>) -> Self {
        NewToken {
            kind: TokenKind::Personal,
            purpose: purpose.to_owned(),
            expires_at,
            scopes: Vec::new(),
            developer_key_id: None,
            with_refresh: false,
            pending: false,
        }
    }
}

/// A freshly issued token: the stored row and the secrets, which are not kept anywhere.
pub struct Issued {
    pub token: access_token::Model,
    pub secret: String,
    pub refresh_secret: Option<String>,
}

fn scopes_json(scopes: &[String]) -> Option<serde_json::Value> {
    (!scopes.is_empty()).then(|| json!(scopes))
}

pub fn scopes_of(token: &access_token::Model) -> Vec<String> {
    token
        .scopes
        .as_ref()
        .and_then(|v| v.as_array())
        .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

/// Issues a token for `user`.
pub async fn issue(txn: &DatabaseTransaction, user: &user::Model, new: NewToken) -> Result<Issued, StoreError> {
    let secret = secrets::generate(TOKEN_PREFIX);
    let refresh_secret = new.with_refresh.then(|| secrets::generate(REFRESH_PREFIX));
    let now = crate::now();
    let token = access_token::ActiveModel {
        root_account_id: Set(user.root_account_id),
        user_id: Set(user.id),
        token_hash: Set(secrets::hash(&secret)),
        token_hint: Set(secrets::hint(&secret)),
        purpose: Set(new.purpose),
        scopes: Set(scopes_json(&new.scopes)),
        expires_at: Set(new.expires_at),
        last_used_at: Set(None),
        workflow_state: Set(if new.pending { PENDING } else { ACTIVE }.to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
        kind: Set(new.kind.as_str().to_owned()),
        developer_key_id: Set(new.developer_key_id),
        refresh_token_hash: Set(refresh_secret.as_deref().map(secrets::hash)),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(Issued { token, secret, refresh_secret })
}

/// Why a presented token was refused (each becomes a distinct `WWW-Authenticate` description).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Unknown,
    Expired,
    Revoked,
    /// The developer key that issued it was deleted, or its scopes no longer cover the token.
    KeyChanged,
}

/// A token that authenticated.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub token: access_token::Model,
    pub user: user::Model,
    pub kind: TokenKind,
    /// The endpoints the token may reach (Canvas scopes); `None` means the user's full rights.
    pub scopes: Option<Vec<String>>,
}

/// Resolves a presented secret to its token, user and effective scopes.
pub async fn authenticate(store: &Store, secret: &str) -> Result<Result<Authenticated, Refusal>, StoreError> {
    if !secret.starts_with(TOKEN_PREFIX) || secret.len() > 200 {
        return Ok(Err(Refusal::Unknown));
    }
    let Some(token) = access_token::Entity::find()
        .filter(access_token::Column::TokenHash.eq(secrets::hash(secret)))
        .one(store.read())
        .await?
    else {
        return Ok(Err(Refusal::Unknown));
    };
    if token.workflow_state != ACTIVE {
        return Ok(Err(Refusal::Revoked));
    }
    let now = crate::now();
    if token.expires_at.is_some_and(|at| at <= now) {
        return Ok(Err(Refusal::Expired));
    }
    let token_scopes = scopes_of(&token);
    // Canvas: removing a key's scopes, or making an unscoped key scoped, invalidates its tokens at once; making a
    // scoped key unscoped gives them full access.
    let scopes = match token.developer_key_id {
        None => (!token_scopes.is_empty()).then_some(token_scopes),
        Some(key_id) => {
            let Some(key) = developer_key::Entity::find_by_id(key_id).one(store.read()).await? else {
                return Ok(Err(Refusal::KeyChanged));
            };
            if key.workflow_state != ACTIVE {
                return Ok(Err(Refusal::KeyChanged));
            }
            if key.require_scopes {
                let allowed = crate::developer_keys::scopes_of(&key);
                if token_scopes.is_empty() || !token_scopes.iter().all(|s| allowed.contains(s)) {
                    return Ok(Err(Refusal::KeyChanged));
                }
                Some(token_scopes)
            } else {
                None
            }
        }
    };
    let Some(owner) = user::Entity::find_by_id(token.user_id)
        .filter(user::Column::RootAccountId.eq(token.root_account_id))
        .filter(user::Column::WorkflowState.ne(DELETED))
        .one(store.read())
        .await?
    else {
        return Ok(Err(Refusal::Revoked));
    };
    crate::touch_last_used::<access_token::Entity>(
        store,
        access_token::Column::LastUsedAt,
        access_token::Column::Id,
        token.id,
        token.last_used_at,
    )
    .await?;
    let kind = TokenKind::parse(&token.kind);
    Ok(Ok(Authenticated { token, user: owner, kind, scopes }))
}

/// The personal tokens of `user_id` that are not deleted, newest first by id.
pub async fn list_personal<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    user_id: i64,
    request: &PageRequest,
) -> Result<Page<access_token::Model>, StoreError> {
    let select = access_token::Entity::find()
        .filter(access_token::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(access_token::Column::UserId.eq(user_id))
        .filter(access_token::Column::Kind.eq(TokenKind::Personal.as_str()))
        .filter(access_token::Column::WorkflowState.ne(DELETED));
    let sort = [SortColumn::<access_token::Model> { column: "id", kind: KeyKind::Integer, key: |m| json!(m.id) }];
    page::fetch(conn, select, "access_tokens", &sort, request).await
}

/// A personal token of `user_id`, by id or by its hint (Canvas accepts either).
pub async fn find_personal<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    user_id: i64,
    id_or_hint: &str,
) -> Result<access_token::Model, StoreError> {
    let select = access_token::Entity::find()
        .filter(access_token::Column::RootAccountId.eq(scope.root_account_id()))
        .filter(access_token::Column::UserId.eq(user_id))
        .filter(access_token::Column::Kind.eq(TokenKind::Personal.as_str()))
        .filter(access_token::Column::WorkflowState.ne(DELETED));
    let select = match id_or_hint.parse::<i64>() {
        Ok(id) => select.filter(access_token::Column::Id.eq(id)),
        Err(_) => select.filter(access_token::Column::TokenHint.eq(id_or_hint)),
    };
    let mut found = select.all(conn).await?;
    // A hint is short; if two tokens share it, the caller must use the id.
    if found.len() == 1 { Ok(found.remove(0)) } else { Err(StoreError::NotFound) }
}

/// A change to a personal token.
#[derive(Debug, Clone, Default)]
pub struct TokenChanges {
    pub purpose: Option<String>,
    pub expires_at: Option<Option<chrono::DateTime<chrono::Utc>>>,
    pub scopes: Option<Vec<String>>,
    /// Issue a new secret (the old one stops working).
    pub regenerate: bool,
    /// Turn a pending token into an active one (only its owner may).
    pub activate: bool,
}

/// Applies `changes`; returns the row and, when regenerated, the new secret.
pub async fn update(
    txn: &DatabaseTransaction,
    current: &access_token::Model,
    changes: TokenChanges,
) -> Result<(access_token::Model, Option<String>), StoreError> {
    let mut model: access_token::ActiveModel = current.clone().into();
    crate::assign(&mut model.purpose, changes.purpose);
    crate::assign(&mut model.expires_at, changes.expires_at);
    if let Some(scopes) = changes.scopes {
        model.scopes = Set(scopes_json(&scopes));
    }
    if changes.activate {
        model.workflow_state = Set(ACTIVE.to_owned());
    }
    let secret = changes.regenerate.then(|| secrets::generate(TOKEN_PREFIX));
    if let Some(secret) = &secret {
        model.token_hash = Set(secrets::hash(secret));
        model.token_hint = Set(secrets::hint(secret));
    }
    model.updated_at = Set(crate::now());
    Ok((model.update(txn).await?, secret))
}

/// Deletes a token: it stops working at once (the row is kept, marked deleted).
pub async fn delete(
    txn: &DatabaseTransaction,
    current: &access_token::Model,
) -> Result<access_token::Model, StoreError> {
    let mut model: access_token::ActiveModel = current.clone().into();
    model.workflow_state = Set(DELETED.to_owned());
    model.refresh_token_hash = Set(None);
    model.updated_at = Set(crate::now());
    Ok(model.update(txn).await?)
}

/// Finds the active grant a refresh token belongs to.
pub async fn find_by_refresh<C: ConnectionTrait>(
    conn: &C,
    refresh_secret: &str,
) -> Result<Option<access_token::Model>, StoreError> {
    if !refresh_secret.starts_with(REFRESH_PREFIX) || refresh_secret.len() > 200 {
        return Ok(None);
    }
    Ok(access_token::Entity::find()
        .filter(access_token::Column::RefreshTokenHash.eq(secrets::hash(refresh_secret)))
        .filter(access_token::Column::WorkflowState.eq(ACTIVE))
        .one(conn)
        .await?)
}

/// Rotates the access token of a refresh grant in place: the previous access token stops working, the refresh
/// token stays the same (as Canvas does). Returns the row and the new access secret.
pub async fn rotate(
    txn: &DatabaseTransaction,
    grant: &access_token::Model,
    expires_at: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<(access_token::Model, String), StoreError> {
    let secret = secrets::generate(TOKEN_PREFIX);
    let mut model: access_token::ActiveModel = grant.clone().into();
    model.token_hash = Set(secrets::hash(&secret));
    model.token_hint = Set(secrets::hint(&secret));
    model.expires_at = Set(expires_at);
    model.updated_at = Set(crate::now());
    Ok((model.update(txn).await?, secret))
}

/// A token of the caller's school by id, whatever its kind.
pub async fn find_by_id<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    id: i64,
) -> Result<access_token::Model, StoreError> {
    access_token::Entity::find_by_id(id)
        .filter(access_token::Column::RootAccountId.eq(scope.root_account_id()))
        .one(conn)
        .await?
        .ok_or(StoreError::NotFound)
}
