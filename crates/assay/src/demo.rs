//! `assay serve --demo`: a school to try every surface with, seeded into an empty database.

use assay_store::{
    Scope, Store, accounts,
    events::Actor,
    users::{self, NewLogin, NewUser},
};

pub const DEMO_SCHOOL: &str = "Demo School";
pub const DEMO_ADMIN_LOGIN: &str = "admin@demo.assay.invalid";

const TEACHERS: &[(&str, &str)] =
    &[("Grace Hopper", "grace@demo.assay.invalid"), ("Alan Turing", "alan@demo.assay.invalid")];
const STUDENTS: &[(&str, &str, &str)] = &[
    ("Ada Lovelace", "ada@demo.assay.invalid", "S1001"),
    ("Katherine Johnson", "katherine@demo.assay.invalid", "S1002"),
    ("Edsger Dijkstra", "edsger@demo.assay.invalid", "S1003"),
    ("Barbara Liskov", "barbara@demo.assay.invalid", "S1004"),
    ("Donald Knuth", "donald@demo.assay.invalid", "S1005"),
];

/// What a newcomer needs to start.
#[derive(Debug)]
pub struct DemoAccess {
    pub school_id: i64,
    pub admin_user_id: i64,
    pub token: String,
    /// False when the school already existed and only a fresh token was issued.
    pub seeded: bool,
}

/// Seeds the demo school on an empty database, or issues a fresh admin token for an existing demo school.
/// Returns `None` when the database holds other data (nothing is changed then).
pub async fn ensure(store: &Store) -> anyhow::Result<Option<DemoAccess>> {
    if !accounts::is_empty(store.read()).await? {
        let existing = users::find_by_login_unscoped(store.read(), DEMO_ADMIN_LOGIN).await?;
        let Some(admin) = existing.into_iter().next() else {
            return Ok(None);
        };
        let (school_id, admin_user_id) = (admin.root_account_id, admin.id);
        let token = crate::admin::create_token(store, admin, "demo".into(), None).await?;
        return Ok(Some(DemoAccess { school_id, admin_user_id, token, seeded: false }));
    }
    let created = crate::admin::create_school(store, DEMO_SCHOOL, "Ada Admin", DEMO_ADMIN_LOGIN).await?;
    let school = created.school.clone();
    store
        .write(move |txn| {
            Box::pin(async move {
                let scope = Scope::school(school.id);
                let person = |name: &str, login: &str, sis: Option<&str>| NewUser {
                    name: name.to_owned(),
                    email: Some(login.to_owned()),
                    sis_user_id: sis.map(str::to_owned),
                    login: Some(NewLogin { unique_id: login.to_owned(), password_hash: None }),
                    ..NewUser::default()
                };
                for (name, login) in TEACHERS {
                    users::create(txn, &scope, &school, person(name, login, None), Actor::system()).await?;
                }
                for (name, login, sis) in STUDENTS {
                    users::create(txn, &scope, &school, person(name, login, Some(sis)), Actor::system()).await?;
                }
                Ok(())
            })
        })
        .await?;
    let (school_id, admin_user_id) = (created.school.id, created.admin.id);
    let token = crate::admin::create_token(store, created.admin, "demo".into(), None).await?;
    Ok(Some(DemoAccess { school_id, admin_user_id, token, seeded: true }))
}
