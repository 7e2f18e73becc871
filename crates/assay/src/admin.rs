//! `assay admin …`: provisioning from the command line, acting outside any school's scope.

use assay_domain::{IdRef, policy::AccountRole, user::normalize_login};
use assay_store::{
    Scope, Store, accounts,
    entity::{account, user},
    events::Actor,
    tokens,
    users::{self, NewLogin, NewUser},
};

/// A new school with its first administrator.
pub struct NewSchool {
    pub school: account::Model,
    pub admin: user::Model,
}

/// Creates a school and an administrator for it.
pub async fn create_school(
    store: &Store,
    name: &str,
    admin_name: &str,
    admin_login: &str,
) -> anyhow::Result<NewSchool> {
    let (name, admin_name, admin_login) =
        (name.trim().to_owned(), admin_name.trim().to_owned(), admin_login.trim().to_owned());
    if name.is_empty() || name.chars().count() > 255 {
        anyhow::bail!("the school name must be 1 to 255 characters");
    }
    if admin_name.is_empty() || admin_login.is_empty() {
        anyhow::bail!("the administrator needs a name and a login");
    }
    let created = store
        .write(move |txn| {
            Box::pin(async move {
                let school = accounts::create_school_unscoped(txn, &name, Actor::system()).await?;
                let scope = Scope::school(school.id);
                let admin = users::create(
                    txn,
                    &scope,
                    &school,
                    NewUser {
                        name: admin_name,
                        login: Some(NewLogin { unique_id: admin_login, password_hash: None }),
                        ..NewUser::default()
                    },
                    Actor::system(),
                )
                .await?;
                accounts::add_role(txn, &scope, &school, admin.id, AccountRole::AccountAdmin).await?;
                Ok(NewSchool { school, admin })
            })
        })
        .await?;
    Ok(created)
}

/// Finds a user from `--user`: an id, or a login name (with `--school` when several schools have it), or
/// `sis_user_id:X` with `--school`.
pub async fn find_user(store: &Store, reference: &str, school: Option<i64>) -> anyhow::Result<user::Model> {
    if let Ok(id) = reference.parse::<i64>() {
        return users::find_unscoped(store.read(), id).await.map_err(|_| anyhow::anyhow!("no user with id {id}"));
    }
    if reference.contains(':') {
        let school = school.ok_or_else(|| anyhow::anyhow!("`{reference}` needs --school ID"))?;
        let id = IdRef::parse(reference, "user", users::ID_PREFIXES).map_err(|e| anyhow::anyhow!("{e}"))?;
        return Ok(users::find(store.read(), &Scope::school(school), &id, 0)
            .await
            .map_err(|_| anyhow::anyhow!("no user `{reference}` in school {school}"))?
            .user);
    }
    let mut found = users::find_by_login_unscoped(store.read(), reference).await?;
    if let Some(school) = school {
        found.retain(|u| u.root_account_id == school);
    }
    match found.len() {
        0 => anyhow::bail!("no user with login `{}`", normalize_login(reference)),
        1 => Ok(found.remove(0)),
        _ => anyhow::bail!("several schools have a user with login `{reference}`; add --school ID"),
    }
}

/// Issues a token for `user`; the secret is returned once and never stored.
pub async fn create_token(
    store: &Store,
    user: user::Model,
    purpose: String,
    expires_at: Option<chrono::DateTime<chrono::Utc>>,
) -> anyhow::Result<String> {
    let issued = store
        .write(move |txn| {
            Box::pin(async move { tokens::issue(txn, &user, tokens::NewToken::personal(&purpose, expires_at)).await })
        })
        .await?;
    Ok(issued.secret)
}

/// A token issued for one student of a course.
pub struct StudentToken {
    pub user_id: i64,
    pub sis_user_id: Option<String>,
    pub token: String,
}

/// Issues a personal token to every active student of a course, in one transaction (for load tests and for
/// exam-day kiosks that sign candidates in with pre-issued tokens). The secrets are returned once.
pub async fn create_student_tokens(
    store: &Store,
    school: i64,
    course: &str,
    purpose: String,
    expires_at: Option<chrono::DateTime<chrono::Utc>>,
) -> anyhow::Result<Vec<StudentToken>> {
    let scope = Scope::school(school);
    let reference =
        IdRef::parse(course, "course", assay_store::courses::ID_PREFIXES).map_err(|e| anyhow::anyhow!("{e}"))?;
    let course_id = assay_store::courses::find(store.read(), &scope, &reference, false)
        .await
        .map_err(|_| anyhow::anyhow!("no course `{course}` in school {school}"))?
        .course
        .id;
    let issued = store
        .write(move |txn| {
            let purpose = purpose.clone();
            Box::pin(async move {
                let places = assay_store::assignments::student_places(txn, &scope, course_id).await?;
                let mut out = Vec::with_capacity(places.len());
                for place in places {
                    let user = users::find_unscoped(txn, place.user_id).await?;
                    let issued = tokens::issue(txn, &user, tokens::NewToken::personal(&purpose, expires_at)).await?;
                    out.push(StudentToken {
                        user_id: user.id,
                        sis_user_id: user.sis_user_id.clone(),
                        token: issued.secret,
                    });
                }
                Ok(out)
            })
        })
        .await?;
    Ok(issued)
}
