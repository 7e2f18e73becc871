//! Lenient readers for parameter values. Form bodies carry only strings, JSON bodies carry types, and Canvas
//! clients send either: `true`, `"true"`, `"t"`, `"yes"`, `"1"` are all true; `"12"` and `12` are both 12.
//! Use with `#[serde(default, deserialize_with = "de::…")]`.

use serde::{Deserialize, Deserializer, de::Error};
use serde_json::Value;

pub use assay_domain::validation::parse_bool;

pub fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    let value = Value::deserialize(d)?;
    if value.is_null() {
        return Ok(None);
    }
    parse_bool(&value).map(Some).ok_or_else(|| D::Error::custom(format!("expected a boolean, found {value}")))
}

fn parse_i64(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

pub fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let value = Value::deserialize(d)?;
    match &value {
        Value::Null => Ok(None),
        Value::String(s) if s.trim().is_empty() => Ok(None),
        _ => parse_i64(&value).map(Some).ok_or_else(|| D::Error::custom(format!("expected an integer, found {value}"))),
    }
}

/// A finite number; `"2.5"` and `2.5` are both 2.5.
pub fn opt_f64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    let value = Value::deserialize(d)?;
    match &value {
        Value::Null => Ok(None),
        Value::String(s) if s.trim().is_empty() => Ok(None),
        Value::Number(n) => n.as_f64().map(Some).ok_or_else(|| D::Error::custom("expected a number")),
        Value::String(s) => s
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(Some)
            .ok_or_else(|| D::Error::custom(format!("expected a number, found {value}"))),
        _ => Err(D::Error::custom(format!("expected a number, found {value}"))),
    }
}

/// An integer that can be cleared: absent → `None`; `null` or an empty string → `Some(None)`.
pub fn nullable_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<i64>>, D::Error> {
    let value = Value::deserialize(d)?;
    match &value {
        Value::Null => Ok(Some(None)),
        Value::String(s) if s.trim().is_empty() => Ok(Some(None)),
        _ => parse_i64(&value)
            .map(|n| Some(Some(n)))
            .ok_or_else(|| D::Error::custom(format!("expected an integer or null, found {value}"))),
    }
}

/// A number that can be cleared: absent → `None`; `null` or an empty string → `Some(None)`; `12`, `"12.5"`.
pub fn nullable_f64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<f64>>, D::Error> {
    let value = Value::deserialize(d)?;
    let parsed = match &value {
        Value::Null => return Ok(Some(None)),
        Value::String(s) if s.trim().is_empty() => return Ok(Some(None)),
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    match parsed {
        Some(n) if n.is_finite() => Ok(Some(Some(n))),
        _ => Err(D::Error::custom(format!("expected a number or null, found {value}"))),
    }
}

fn as_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A text field; numbers are accepted as their decimal text (an SIS id of `123`).
pub fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let value = Value::deserialize(d)?;
    if value.is_null() {
        return Ok(None);
    }
    as_text(&value).map(Some).ok_or_else(|| D::Error::custom(format!("expected a string, found {value}")))
}

/// A field that can be cleared: absent → `None` (leave alone); `null` or an empty string → `Some(None)` (clear).
pub fn nullable_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    let value = Value::deserialize(d)?;
    match &value {
        Value::Null => Ok(Some(None)),
        Value::String(s) if s.is_empty() => Ok(Some(None)),
        _ => as_text(&value)
            .map(|s| Some(Some(s)))
            .ok_or_else(|| D::Error::custom(format!("expected a string or null, found {value}"))),
    }
}

/// Parses an ISO 8601 time. Times without an offset (Python's `isoformat()` sends them) are read as UTC.
pub fn parse_time(s: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    let s = s.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&chrono::Utc));
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S%.f"] {
        if let Ok(t) = chrono::NaiveDateTime::parse_from_str(s, format) {
            return Some(t.and_utc());
        }
    }
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0)).map(|t| t.and_utc())
}

/// A time that can be cleared: absent → `None`; `null` or empty → `Some(None)`; otherwise ISO 8601.
pub fn nullable_time<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<chrono::DateTime<chrono::Utc>>>, D::Error> {
    let value = Value::deserialize(d)?;
    match &value {
        Value::Null => Ok(Some(None)),
        Value::String(s) if s.trim().is_empty() => Ok(Some(None)),
        Value::String(s) => parse_time(s).map(|t| Some(Some(t))).ok_or_else(|| {
            D::Error::custom(format!("expected an ISO 8601 time such as 2026-01-31T23:59:00Z, found {value}"))
        }),
        _ => Err(D::Error::custom(format!("expected an ISO 8601 time, found {value}"))),
    }
}

/// A list: `x[]=a&x[]=b`, `x=a` (one element), or a JSON array of strings.
pub fn string_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let value = Value::deserialize(d)?;
    match &value {
        Value::Null => Ok(Vec::new()),
        Value::Array(items) => items
            .iter()
            .map(|item| {
                as_text(item).ok_or_else(|| D::Error::custom(format!("expected a list of strings, found {value}")))
            })
            .collect(),
        _ => as_text(&value)
            .map(|s| vec![s])
            .ok_or_else(|| D::Error::custom(format!("expected a list of strings, found {value}"))),
    }
}

/// `string_list`, distinguishing "not sent" (`None`) from an empty list.
pub fn opt_string_list<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    string_list(d).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Deserialize, Debug, Default)]
    struct Sample {
        #[serde(default, deserialize_with = "opt_bool")]
        flag: Option<bool>,
        #[serde(default, deserialize_with = "opt_i64")]
        n: Option<i64>,
        #[serde(default, deserialize_with = "nullable_string")]
        sis: Option<Option<String>>,
        #[serde(default, deserialize_with = "string_list")]
        include: Vec<String>,
    }

    #[test]
    fn reads_times_with_and_without_zones() {
        assert_eq!(parse_time("2026-01-31T23:59:00Z").unwrap().to_rfc3339(), "2026-01-31T23:59:00+00:00");
        assert_eq!(parse_time("2026-01-31T23:59:00-06:00").unwrap().to_rfc3339(), "2026-02-01T05:59:00+00:00");
        assert_eq!(parse_time("2026-01-31T23:59:00").unwrap().to_rfc3339(), "2026-01-31T23:59:00+00:00");
        assert_eq!(parse_time("2026-01-31").unwrap().to_rfc3339(), "2026-01-31T00:00:00+00:00");
        assert!(parse_time("tomorrow").is_none());
    }

    #[test]
    fn reads_form_and_json_alike() {
        let s: Sample = serde_json::from_value(json!({"flag":"Y","n":"12","sis":"","include":"term"})).unwrap();
        assert_eq!((s.flag, s.n, s.sis, s.include), (Some(true), Some(12), Some(None), vec!["term".to_owned()]));
        let s: Sample = serde_json::from_value(json!({"flag":false,"n":3,"sis":42,"include":["a","b"]})).unwrap();
        assert_eq!((s.flag, s.n, s.sis, s.include.len()), (Some(false), Some(3), Some(Some("42".to_owned())), 2));
        let s: Sample = serde_json::from_value(json!({})).unwrap();
        assert_eq!((s.flag, s.n, s.sis), (None, None, None));
        assert!(serde_json::from_value::<Sample>(json!({"flag":"maybe"})).is_err());
        assert!(serde_json::from_value::<Sample>(json!({"n":"1e3"})).is_err());
        assert!(serde_json::from_value::<Sample>(json!({"n":{"a":1}})).is_err());
    }
}
