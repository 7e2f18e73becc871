//! Accounts: a root account is a school; sub-accounts nest below it. The tree is stored as a materialised path
//! (`/1/5/9/`) so "this account and everything below it" is one indexed prefix match on both databases.

use crate::validation::Validation;

/// The materialised path of an account: the ids from the root down to the account itself, `/`-delimited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountPath(String);

impl AccountPath {
    pub fn root(id: i64) -> Self {
        AccountPath(format!("/{id}/"))
    }

    pub fn child(&self, id: i64) -> Self {
        AccountPath(format!("{}{id}/", self.0))
    }

    pub fn from_stored(path: String) -> Self {
        AccountPath(path)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True when `self` is `ancestor` or lies below it.
    pub fn is_within(&self, ancestor: &AccountPath) -> bool {
        self.0.starts_with(&ancestor.0)
    }

    /// The account ids from the root down to this account.
    pub fn ids(&self) -> Vec<i64> {
        self.0.split('/').filter_map(|s| s.parse().ok()).collect()
    }

    /// How deep the account is: 0 for a root account.
    pub fn depth(&self) -> usize {
        self.ids().len().saturating_sub(1)
    }
}

/// Sub-accounts nest, but not without bound: deep trees make every path check and prefix index slower.
pub const MAX_DEPTH: usize = 32;

pub const DEFAULT_TIME_ZONE: &str = "Etc/UTC";

/// Validates an IANA time zone name (`America/Denver`, `Europe/Amsterdam`, `UTC`).
pub fn validate_time_zone(v: &mut Validation, pointer: &str, value: Option<&str>) {
    if let Some(tz) = value
        && tz.parse::<chrono_tz::Tz>().is_err()
    {
        v.add(pointer, format!("`{tz}` is not an IANA time zone name such as `America/Denver`"));
    }
}

/// Validates a storage quota in megabytes.
pub fn validate_quota(v: &mut Validation, pointer: &str, value: Option<i64>) {
    if let Some(q) = value
        && !(0..=1_000_000_000).contains(&q)
    {
        v.add(pointer, "must be between 0 and 1000000000");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_nest() {
        let root = AccountPath::root(1);
        let sub = root.child(5).child(9);
        assert_eq!(sub.as_str(), "/1/5/9/");
        assert!(sub.is_within(&root));
        assert!(!root.is_within(&sub));
        assert!(!AccountPath::root(15).is_within(&root));
        assert_eq!(sub.ids(), vec![1, 5, 9]);
        assert_eq!(sub.depth(), 2);
    }

    #[test]
    fn time_zones() {
        let mut v = Validation::new();
        validate_time_zone(&mut v, "/tz", Some("America/Denver"));
        validate_time_zone(&mut v, "/tz", Some("UTC"));
        assert!(v.is_empty());
        validate_time_zone(&mut v, "/tz", Some("Mars/Olympus"));
        assert!(!v.is_empty());
    }
}
