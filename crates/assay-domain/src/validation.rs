//! Field-level validation results: each problem names the field by JSON pointer so the API can answer 422
//! with one error per field.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// JSON pointer into the request, e.g. `/account/name`.
    pub pointer: String,
    pub message: String,
}

/// Collects field errors; `finish` succeeds only when there are none.
#[derive(Debug, Default)]
pub struct Validation {
    errors: Vec<FieldError>,
}

impl Validation {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, pointer: impl Into<String>, message: impl Into<String>) {
        self.errors.push(FieldError { pointer: pointer.into(), message: message.into() });
    }

    /// Checks a required or optional free-text field: trimmed non-empty, at most `max` characters.
    pub fn text(&mut self, pointer: &str, value: Option<&str>, required: bool, max: usize) {
        match value {
            None if required => self.add(pointer, "is required"),
            None => {}
            Some(v) if v.trim().is_empty() && required => self.add(pointer, "must not be blank"),
            Some(v) if v.chars().count() > max => self.add(pointer, format!("must be at most {max} characters")),
            Some(v) if v.chars().any(|c| c.is_control() && c != '\n' && c != '\t') => {
                self.add(pointer, "must not contain control characters")
            }
            Some(_) => {}
        }
    }

    /// Checks an external identifier (sis id, integration id): non-blank, at most 255 characters, no control characters.
    pub fn identifier(&mut self, pointer: &str, value: Option<&str>) {
        if let Some(v) = value {
            if v.trim().is_empty() {
                self.add(pointer, "must not be blank (send null to clear it)");
            } else {
                self.text(pointer, Some(v), false, 255);
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    pub fn finish(self) -> Result<(), Vec<FieldError>> {
        if self.errors.is_empty() { Ok(()) } else { Err(self.errors) }
    }
}

/// Canvas booleans: true/false, t/f, yes/no, y/n, on/off, 1/0 (strings or JSON literals).
pub fn parse_bool(value: &serde_json::Value) -> Option<bool> {
    use serde_json::Value;
    match value {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => match n.as_i64() {
            Some(1) => Some(true),
            Some(0) => Some(false),
            _ => None,
        },
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "t" | "yes" | "y" | "on" | "1" => Some(true),
            "false" | "f" | "no" | "n" | "off" | "0" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collects_one_error_per_field() {
        let mut v = Validation::new();
        v.text("/a", None, true, 10);
        v.text("/b", Some("   "), true, 10);
        v.text("/c", Some("12345678901"), false, 10);
        v.text("/d", Some("ok"), true, 10);
        v.identifier("/e", Some(""));
        v.text("/f", Some("bell\u{7}"), false, 10);
        let errors = v.finish().unwrap_err();
        let pointers: Vec<_> = errors.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(pointers, ["/a", "/b", "/c", "/e", "/f"]);
    }
}
