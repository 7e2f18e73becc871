//! How an object is named in a path: its numeric id, `self`, or an external identifier with a prefix
//! (`sis_user_id:S123`, `external_id:S123`), as Canvas and Ans clients send them.

/// Which external identifier a prefixed reference names. Each resource accepts the subset it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExternalKey {
    /// `sis_account_id:`, `sis_user_id:`, … and the Ans-style alias `external_id:` (the same column).
    Sis,
    /// `sis_integration_id:` — the secondary id an SIS may assign.
    Integration,
    /// `sis_login_id:` — a user's login name.
    Login,
}

/// A parsed path id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum IdRef {
    Id(i64),
    /// `self`: the caller (users) or the caller's school (accounts).
    Current,
    External(ExternalKey, String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{raw}` is not a valid {resource} id: use a number, {accepted}")]
pub struct ParseIdRefError {
    pub raw: String,
    pub resource: &'static str,
    pub accepted: String,
}

/// The prefixes one resource accepts, e.g. `&[("sis_user_id", ExternalKey::Sis), ("sis_login_id", ExternalKey::Login)]`.
pub type Prefixes = &'static [(&'static str, ExternalKey)];

impl IdRef {
    /// Parses an already percent-decoded path segment for `resource` (used in error messages).
    pub fn parse(raw: &str, resource: &'static str, prefixes: Prefixes) -> Result<IdRef, ParseIdRefError> {
        let error = || ParseIdRefError {
            raw: raw.to_owned(),
            resource,
            accepted: std::iter::once("`self`".to_owned())
                .chain(prefixes.iter().map(|(p, _)| format!("`{p}:…`")))
                .chain(std::iter::once("`external_id:…`".to_owned()))
                .collect::<Vec<_>>()
                .join(", "),
        };
        if raw == "self" {
            return Ok(IdRef::Current);
        }
        if let Some((prefix, value)) = raw.split_once(':') {
            if value.is_empty() {
                return Err(error());
            }
            if prefix == "external_id" {
                return Ok(IdRef::External(ExternalKey::Sis, value.to_owned()));
            }
            return prefixes
                .iter()
                .find(|(p, _)| *p == prefix)
                .map(|(_, key)| IdRef::External(*key, value.to_owned()))
                .ok_or_else(error);
        }
        // Ids are positive 64-bit integers; `+5`, `05` and `-1` are not ids.
        if !raw.is_empty() && raw.bytes().all(|b| b.is_ascii_digit()) && !raw.starts_with('0') {
            return raw.parse::<i64>().map(IdRef::Id).map_err(|_| error());
        }
        Err(error())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    const USER: Prefixes = &[("sis_user_id", ExternalKey::Sis), ("sis_login_id", ExternalKey::Login)];

    #[test]
    fn parses_every_form() {
        assert_eq!(IdRef::parse("42", "user", USER), Ok(IdRef::Id(42)));
        assert_eq!(IdRef::parse("self", "user", USER), Ok(IdRef::Current));
        assert_eq!(
            IdRef::parse("sis_user_id:S/1:x", "user", USER),
            Ok(IdRef::External(ExternalKey::Sis, "S/1:x".into()))
        );
        assert_eq!(IdRef::parse("external_id:A", "user", USER), Ok(IdRef::External(ExternalKey::Sis, "A".into())));
        assert_eq!(
            IdRef::parse("sis_login_id:ada@x", "user", USER),
            Ok(IdRef::External(ExternalKey::Login, "ada@x".into()))
        );
    }

    #[test]
    fn rejects_junk() {
        for raw in ["", "0", "-1", "+1", "01", "1.5", "abc", "sis_course_id:X", "sis_user_id:", "99999999999999999999"]
        {
            assert!(IdRef::parse(raw, "user", USER).is_err(), "{raw}");
        }
    }
}
