//! Users: names as Canvas derives them.

/// Canvas's sortable name: "Last, First Middle" from "First Middle Last". A single word stays as it is.
pub fn sortable_name(name: &str) -> String {
    let name = name.trim();
    match name.rsplit_once(char::is_whitespace) {
        Some((given, family)) if !given.trim().is_empty() => {
            format!("{}, {}", family, given.trim())
        }
        _ => name.to_owned(),
    }
}

/// First and last name as Canvas shows them, split from the display name.
pub fn first_last(name: &str) -> (String, String) {
    let name = name.trim();
    match name.rsplit_once(char::is_whitespace) {
        Some((given, family)) => (given.trim().to_owned(), family.to_owned()),
        None => (name.to_owned(), String::new()),
    }
}

/// A login name is compared case-insensitively (QS: "the username is case-insensitive").
pub fn normalize_login(unique_id: &str) -> String {
    unique_id.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derives_names() {
        assert_eq!(sortable_name("Ada King Lovelace"), "Lovelace, Ada King");
        assert_eq!(sortable_name("Plato"), "Plato");
        assert_eq!(sortable_name("  Grace Hopper "), "Hopper, Grace");
        assert_eq!(first_last("Ada King Lovelace"), ("Ada King".into(), "Lovelace".into()));
        assert_eq!(normalize_login(" Ada@Example.ORG "), "ada@example.org");
    }
}
