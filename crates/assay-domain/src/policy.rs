//! Who may do what. This is the one place permission decisions are made: handlers describe the action and its
//! target, and ask `allows`. Which roles grant which permissions is data (the tables below), not code paths.
//!
//! Isolation between schools is not decided here: the store never returns another school's rows to a
//! principal, so a target passed to this module is always in the caller's school.

use crate::account::AccountPath;

/// An action on a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Read an account's settings and its sub-account tree.
    ViewAccount,
    /// Change an account's settings, create sub-accounts.
    ManageAccount,
    /// List users and read their profiles (including SIS ids and logins).
    ViewUsers,
    /// Create users and change their profiles.
    ManageUsers,
    /// See SIS and integration ids of accounts and users.
    ReadSis,
    /// Set SIS and integration ids.
    ManageSis,
    /// Read the school's event feed (root-account administrators).
    ViewEvents,
    /// Create, list and revoke the school's AB Connect partner credentials. Checked on the school's root account,
    /// so only root-account administrators hold it: a partner key reads every school-wide standard and asset.
    ManagePartners,
}

impl Permission {
    pub const ALL: &'static [Permission] = &[
        Permission::ViewAccount,
        Permission::ManageAccount,
        Permission::ViewUsers,
        Permission::ManageUsers,
        Permission::ReadSis,
        Permission::ManageSis,
        Permission::ViewEvents,
        Permission::ManagePartners,
    ];

    /// The name used by `GET /accounts/:id/permissions` and in logs.
    pub const fn as_str(self) -> &'static str {
        match self {
            Permission::ViewAccount => "read_account",
            Permission::ManageAccount => "manage_account_settings",
            Permission::ViewUsers => "read_roster",
            Permission::ManageUsers => "manage_user_logins",
            Permission::ReadSis => "read_sis",
            Permission::ManageSis => "manage_sis",
            Permission::ViewEvents => "view_events",
            Permission::ManagePartners => "manage_partners",
        }
    }
}

/// A role held on an account, inherited by every account below it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountRole {
    AccountAdmin,
}

impl AccountRole {
    pub const fn as_str(self) -> &'static str {
        match self {
            AccountRole::AccountAdmin => "AccountAdmin",
        }
    }

    pub fn parse(s: &str) -> Option<AccountRole> {
        match s {
            "AccountAdmin" => Some(AccountRole::AccountAdmin),
            _ => None,
        }
    }

    /// What the role grants on its account and every account below it.
    pub fn grants(self) -> &'static [Permission] {
        match self {
            AccountRole::AccountAdmin => Permission::ALL,
        }
    }
}

/// What every signed-in user may do to their own user record.
const SELF_PERMISSIONS: &[Permission] = &[Permission::ViewUsers, Permission::ManageUsers];

/// The roles a principal holds, loaded once per request.
#[derive(Debug, Clone, Default)]
pub struct Grants {
    pub user_id: i64,
    pub account_roles: Vec<(AccountPath, AccountRole)>,
}

/// The object an action is aimed at.
#[derive(Debug, Clone, Copy)]
pub enum Target<'a> {
    Account(&'a AccountPath),
    /// A user, with the account the user belongs to.
    User {
        user_id: i64,
        account: &'a AccountPath,
    },
}

/// Decides whether `grants` allow `permission` on `target`.
pub fn allows(grants: &Grants, permission: Permission, target: Target<'_>) -> bool {
    let account = match target {
        Target::Account(path) => path,
        Target::User { user_id, account } => {
            if user_id == grants.user_id && SELF_PERMISSIONS.contains(&permission) {
                return true;
            }
            account
        }
    };
    grants.account_roles.iter().any(|(held_on, role)| account.is_within(held_on) && role.grants().contains(&permission))
}

/// True when the principal administers at least one account (decides whether account listings are non-empty).
pub fn is_any_admin(grants: &Grants) -> bool {
    !grants.account_roles.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn admin_of(path: AccountPath) -> Grants {
        Grants { user_id: 1, account_roles: vec![(path, AccountRole::AccountAdmin)] }
    }

    #[test]
    fn admin_rights_flow_down_not_up() {
        let root = AccountPath::root(1);
        let sub = root.child(2);
        let sub_admin = admin_of(sub.clone());
        assert!(allows(&sub_admin, Permission::ManageAccount, Target::Account(&sub)));
        assert!(allows(&sub_admin, Permission::ManageAccount, Target::Account(&sub.child(3))));
        assert!(!allows(&sub_admin, Permission::ManageAccount, Target::Account(&root)));
        assert!(!allows(&sub_admin, Permission::ViewEvents, Target::Account(&root)));
        assert!(allows(&admin_of(root.clone()), Permission::ViewEvents, Target::Account(&root)));
        assert!(!allows(&sub_admin, Permission::ManagePartners, Target::Account(&root)));
        assert!(allows(&admin_of(root.clone()), Permission::ManagePartners, Target::Account(&root)));
    }

    #[test]
    fn users_may_see_and_edit_themselves_only() {
        let root = AccountPath::root(1);
        let plain = Grants { user_id: 7, account_roles: vec![] };
        assert!(allows(&plain, Permission::ViewUsers, Target::User { user_id: 7, account: &root }));
        assert!(allows(&plain, Permission::ManageUsers, Target::User { user_id: 7, account: &root }));
        assert!(!allows(&plain, Permission::ViewUsers, Target::User { user_id: 8, account: &root }));
        assert!(!allows(&plain, Permission::ViewAccount, Target::Account(&root)));
        assert!(!is_any_admin(&plain));
    }
}
