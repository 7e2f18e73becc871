//! Bearer tokens. The secret is random, shown once, and stored only as its SHA-256, which is also how it is
//! looked up: the lookup key is derived from the secret, so the database never holds anything that logs in.

use base64::Engine;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter};
use sha2::{Digest, Sha256};

use crate::{
    Store, StoreError,
    accounts::ACTIVE,
    entity::{access_token, user},
};

/// Every token starts with this, so secret scanners can recognise a leaked Assay token.
pub const TOKEN_PREFIX: &str = "assay_";

/// `last_used_at` is written at most this often per token, so authenticating stays a read.
const LAST_USED_GRANULARITY: chrono::TimeDelta = chrono::TimeDelta::seconds(60);

pub fn hash(secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes);
    format!("{TOKEN_PREFIX}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// Issues a token for `user`. Returns the stored row and the secret, which is not kept anywhere.
pub async fn issue(
    txn: &DatabaseTransaction,
    user: &user::Model,
    purpose: &str,
    expires_at: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<(access_token::Model, String), StoreError> {
    let secret = new_secret();
    let now = crate::now();
    let hint: String = secret.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
    let row = access_token::ActiveModel {
        root_account_id: Set(user.root_account_id),
        user_id: Set(user.id),
        token_hash: Set(hash(&secret)),
        token_hint: Set(hint),
        purpose: Set(purpose.to_owned()),
        scopes: Set(None),
        expires_at: Set(expires_at),
        last_used_at: Set(None),
        workflow_state: Set(ACTIVE.to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok((row, secret))
}

/// Why a presented token was refused (each becomes a distinct `WWW-Authenticate` description).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Unknown,
    Expired,
    Revoked,
}

/// Resolves a presented secret to its token and user.
pub async fn authenticate(
    store: &Store,
    secret: &str,
) -> Result<Result<(access_token::Model, user::Model), Refusal>, StoreError> {
    if !secret.starts_with(TOKEN_PREFIX) || secret.len() > 200 {
        return Ok(Err(Refusal::Unknown));
    }
    let Some(token) =
        access_token::Entity::find().filter(access_token::Column::TokenHash.eq(hash(secret))).one(store.read()).await?
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
    let Some(owner) = user::Entity::find_by_id(token.user_id)
        .filter(user::Column::RootAccountId.eq(token.root_account_id))
        .filter(user::Column::WorkflowState.ne(crate::accounts::DELETED))
        .one(store.read())
        .await?
    else {
        return Ok(Err(Refusal::Revoked));
    };
    if token.last_used_at.is_none_or(|at| now - at >= LAST_USED_GRANULARITY) {
        let id = token.id;
        store
            .write_quietly(move |txn| {
                Box::pin(async move {
                    access_token::Entity::update_many()
                        .col_expr(access_token::Column::LastUsedAt, sea_orm::sea_query::Expr::val(now))
                        .filter(access_token::Column::Id.eq(id))
                        .exec(txn)
                        .await?;
                    Ok(())
                })
            })
            .await?;
    }
    Ok(Ok((token, owner)))
}
