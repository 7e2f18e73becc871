//! Lenient readers for parameter values. Form bodies carry only strings, JSON bodies carry types, and Canvas
//! clients send either: `true`, `"true"`, `"t"`, `"yes"`, `"1"` are all true; `"12"` and `12` are both 12.
//! Use with `#[serde(default, deserialize_with = "de::…")]`.

use serde::{Deserialize, Deserializer, de::Error};
use serde_json::Value;

/// Canvas booleans: true/false, t/f, yes/no, y/n, on/off, 1/0 (strings or JSON literals).
pub fn parse_bool(value: &Value) -> Option<bool> {
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
