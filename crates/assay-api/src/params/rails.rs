//! Rails-style nested form parameters (`Rack::Utils.parse_nested_query` semantics).
//!
//! Canvas-compatible clients send parameters in the query string and in
//! `application/x-www-form-urlencoded` bodies using Rails bracket nesting:
//!
//! ```text
//! include[]=term&assignment[name]=Essay&assignment_overrides[][student_ids][]=1
//! ```
//!
//! This module turns such sources into a [`serde_json::Value`] tree (every leaf is a
//! JSON string; typed conversion happens later) and deep-merges trees from several
//! sources.
//!
//! Key grammar (decoded key): `head` followed by zero or more bracket groups. The head
//! runs up to the first `[` that is not the very first character (as in Rack 3, so
//! `[a]` is a plain key). Each group is `[name]` (hash key) or `[]` (array push); a
//! group may not contain `[`. A key whose bracket part does not follow this grammar
//! (unclosed `[`, text between groups, nested `[`) is taken verbatim as a plain key.

use serde_json::{Map, Value};

/// Maximum number of bracket groups in one key.
const MAX_DEPTH: usize = 32;

/// Maximum number of `key=value` pairs in one source.
const MAX_PARAMS: usize = 10_000;

/// A key in a form-encoded source that cannot be placed in the tree.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("parameter `{key}`: {reason}")]
pub struct ParamError {
    pub key: String,
    pub reason: String,
}

impl ParamError {
    fn new(key: &str, reason: impl Into<String>) -> Self {
        Self { key: key.to_owned(), reason: reason.into() }
    }
}

/// Parses `a=1&b[c]=2&d[]=x&d[]=y&e[][id]=1&e[][name]=n&e[][id]=2` into a JSON object. Every leaf is a JSON string
/// (form encoding has no types; typed conversion happens later). Percent-decoding and `+` → space as in
/// application/x-www-form-urlencoded.
pub fn parse_form(input: &str) -> Result<Map<String, Value>, ParamError> {
    build(form_urlencoded::parse(input.as_bytes()))
}

/// Same as parse_form, but for already-decoded (key, value) pairs, e.g. the text fields of a multipart body.
pub fn parse_pairs<'a, I: IntoIterator<Item = (&'a str, &'a str)>>(pairs: I) -> Result<Map<String, Value>, ParamError> {
    build(pairs)
}

/// Deep-merges `overlay` into `base`: objects merge key by key recursively; any other overlay value replaces the base value.
/// Used to merge query-string params (base) with body params (overlay), as Rails does.
pub fn deep_merge(base: &mut Map<String, Value>, overlay: Map<String, Value>) {
    for (key, value) in overlay {
        match (base.get_mut(&key), value) {
            (Some(Value::Object(base_child)), Value::Object(overlay_child)) => {
                deep_merge(base_child, overlay_child);
            }
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

/// One bracket group of a nested key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seg<'k> {
    /// `[name]`: descend into a hash.
    Key(&'k str),
    /// `[]`: push onto an array.
    Push,
}

/// How a decoded key is to be placed in the tree.
#[derive(Debug, PartialEq, Eq)]
enum Shape<'k> {
    /// Stored verbatim under the whole key.
    Plain,
    /// `head` followed by at least one bracket group.
    Nested(&'k str, Vec<Seg<'k>>),
    /// More than [`MAX_DEPTH`] bracket groups.
    TooDeep,
}

fn build<K, V, I>(pairs: I) -> Result<Map<String, Value>, ParamError>
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: Into<String>,
{
    let mut root = Map::new();
    for (index, (key, value)) in pairs.into_iter().enumerate() {
        let key = key.as_ref();
        if index >= MAX_PARAMS {
            return Err(ParamError::new(key, format!("too many parameters (limit is {MAX_PARAMS})")));
        }
        insert(&mut root, key, value.into())?;
    }
    Ok(root)
}

fn insert(root: &mut Map<String, Value>, key: &str, value: String) -> Result<(), ParamError> {
    // Rack drops parameters with an empty name (`=x`).
    if key.is_empty() {
        return Ok(());
    }
    match split_key(key) {
        Shape::Plain => {
            root.insert(key.to_owned(), Value::String(value));
            Ok(())
        }
        Shape::Nested(head, segs) => into_object(root, head, &segs, value, key),
        Shape::TooDeep => Err(ParamError::new(key, format!("nested too deeply (limit is {MAX_DEPTH} levels)"))),
    }
}

fn split_key(key: &str) -> Shape<'_> {
    // The head ends at the first `[` after the first byte. `[` is ASCII, so it never
    // occurs inside a multi-byte UTF-8 sequence and every index used below is a char
    // boundary.
    let Some(open) = key.bytes().skip(1).position(|b| b == b'[').map(|p| p + 1) else {
        return Shape::Plain;
    };
    let (head, mut rest) = key.split_at(open);
    let mut segs = Vec::new();
    while !rest.is_empty() {
        if segs.len() == MAX_DEPTH {
            return Shape::TooDeep;
        }
        let Some(inner_and_rest) = rest.strip_prefix('[') else {
            return Shape::Plain;
        };
        let Some(close) = inner_and_rest.find(']') else {
            return Shape::Plain;
        };
        let (inner, after) = inner_and_rest.split_at(close);
        if inner.contains('[') {
            return Shape::Plain;
        }
        segs.push(if inner.is_empty() { Seg::Push } else { Seg::Key(inner) });
        rest = &after[1..];
    }
    Shape::Nested(head, segs)
}

/// Places `value` at `name` + `rest` inside `obj`.
fn into_object(
    obj: &mut Map<String, Value>,
    name: &str,
    rest: &[Seg<'_>],
    value: String,
    full_key: &str,
) -> Result<(), ParamError> {
    let Some((next, tail)) = rest.split_first() else {
        // Leaf: last value wins, even over a nested value (as in Rack).
        obj.insert(name.to_owned(), Value::String(value));
        return Ok(());
    };
    match *next {
        Seg::Key(child) => {
            let slot = obj.entry(name).or_insert_with(|| Value::Object(Map::new()));
            match slot {
                Value::Object(map) => into_object(map, child, tail, value, full_key),
                other => Err(conflict(full_key, "a hash", other)),
            }
        }
        Seg::Push => {
            let slot = obj.entry(name).or_insert_with(|| Value::Array(Vec::new()));
            match slot {
                Value::Array(items) => into_array(items, tail, value, full_key),
                other => Err(conflict(full_key, "an array", other)),
            }
        }
    }
}

/// Places `value` into the array `items` reached through a `[]` group; `rest` is what
/// follows that group.
fn into_array(items: &mut Vec<Value>, rest: &[Seg<'_>], value: String, full_key: &str) -> Result<(), ParamError> {
    let Some((next, tail)) = rest.split_first() else {
        items.push(Value::String(value));
        return Ok(());
    };
    match *next {
        Seg::Key(child) => {
            // Rack rule for arrays of hashes: keep filling the last hash until it already
            // holds this key path; then start a new element.
            if let Some(Value::Object(last)) = items.last_mut()
                && !has_path(last, child, tail)
            {
                return into_object(last, child, tail, value, full_key);
            }
            let mut fresh = Map::new();
            into_object(&mut fresh, child, tail, value, full_key)?;
            items.push(Value::Object(fresh));
            Ok(())
        }
        Seg::Push => {
            // `[][]`: Rack always starts a new inner array.
            let mut fresh = Vec::new();
            into_array(&mut fresh, tail, value, full_key)?;
            items.push(Value::Array(fresh));
            Ok(())
        }
    }
}

/// Rack's `params_hash_has_key?`: whether `first` + `tail` (all hash keys) already
/// exists in `obj`. A path containing `[]` never "exists", so such parameters keep
/// accumulating into the last element.
fn has_path(obj: &Map<String, Value>, first: &str, tail: &[Seg<'_>]) -> bool {
    let Some(mut current) = obj.get(first) else {
        return false;
    };
    for seg in tail {
        match (seg, current) {
            (Seg::Key(key), Value::Object(map)) => match map.get(*key) {
                Some(child) => current = child,
                None => return false,
            },
            _ => return false,
        }
    }
    true
}

fn conflict(full_key: &str, expected: &str, found: &Value) -> ParamError {
    ParamError::new(full_key, format!("expected {expected} but found {}", describe(found)))
}

fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "a hash",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn form(input: &str) -> Value {
        match parse_form(input) {
            Ok(map) => Value::Object(map),
            Err(err) => panic!("parse_form({input:?}) failed: {err}"),
        }
    }

    fn form_err(input: &str) -> ParamError {
        match parse_form(input) {
            Ok(map) => panic!("parse_form({input:?}) unexpectedly succeeded: {map:?}"),
            Err(err) => err,
        }
    }

    fn obj(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            other => panic!("not an object: {other}"),
        }
    }

    // ---- plain keys -------------------------------------------------------------

    #[test]
    fn plain_pairs() {
        assert_eq!(form("a=1"), json!({"a": "1"}));
        assert_eq!(form("a=1&b=2"), json!({"a": "1", "b": "2"}));
        assert_eq!(form(""), json!({}));
    }

    #[test]
    fn key_without_equals_is_empty_string() {
        assert_eq!(form("a"), json!({"a": ""}));
        assert_eq!(form("a&b=2"), json!({"a": "", "b": "2"}));
        assert_eq!(form("a="), json!({"a": ""}));
        assert_eq!(form("a[]"), json!({"a": [""]}));
        assert_eq!(form("a[b]"), json!({"a": {"b": ""}}));
    }

    #[test]
    fn empty_pairs_are_skipped() {
        assert_eq!(form("&&a=1&&b=2&"), json!({"a": "1", "b": "2"}));
        assert_eq!(form("&"), json!({}));
    }

    #[test]
    fn empty_key_is_skipped() {
        assert_eq!(form("=1&a=2"), json!({"a": "2"}));
        assert_eq!(form("="), json!({}));
    }

    #[test]
    fn repeated_plain_key_last_wins() {
        assert_eq!(form("a=1&a=2"), json!({"a": "2"}));
        assert_eq!(form("a[b]=1&a[b]=2"), json!({"a": {"b": "2"}}));
    }

    #[test]
    fn plain_value_overwrites_nested_value_like_rack() {
        assert_eq!(form("a[b]=1&a=2"), json!({"a": "2"}));
        assert_eq!(form("a[]=1&a=2"), json!({"a": "2"}));
        assert_eq!(form("a[b][c]=1&a[b]=2"), json!({"a": {"b": "2"}}));
    }

    #[test]
    fn value_is_split_on_first_equals_only() {
        assert_eq!(form("a=b=c"), json!({"a": "b=c"}));
        assert_eq!(form("a[x]==="), json!({"a": {"x": "=="}}));
    }

    #[test]
    fn keys_are_case_sensitive_and_values_verbatim() {
        assert_eq!(form("A=1&a=2"), json!({"A": "1", "a": "2"}));
        assert_eq!(form("a[B]=1&a[b]=2"), json!({"a": {"B": "1", "b": "2"}}));
        assert_eq!(form("a=+%20x%20+&b=%09"), json!({"a": "  x  ", "b": "\t"}));
    }

    #[test]
    fn percent_decoding_and_plus() {
        assert_eq!(form("a=1+2&b=1%2B2"), json!({"a": "1 2", "b": "1+2"}));
        assert_eq!(form("a+b=1"), json!({"a b": "1"}));
        assert_eq!(form("a=%26%3D"), json!({"a": "&="}));
        assert_eq!(form("a=%C3%BC"), json!({"a": "ü"}));
    }

    #[test]
    fn invalid_utf8_is_replaced_not_rejected() {
        assert_eq!(form("a=%FF"), json!({"a": "\u{FFFD}"}));
        assert_eq!(form("a%FF[b]=1"), json!({"a\u{FFFD}": {"b": "1"}}));
    }

    #[test]
    fn bad_percent_escapes_are_kept_literally() {
        assert_eq!(form("a=%&b=%zz&c=%4"), json!({"a": "%", "b": "%zz", "c": "%4"}));
    }

    // ---- hashes -----------------------------------------------------------------

    #[test]
    fn nested_hashes() {
        assert_eq!(form("a[b]=1&a[c]=2"), json!({"a": {"b": "1", "c": "2"}}));
        assert_eq!(form("a[b][c][d]=1"), json!({"a": {"b": {"c": {"d": "1"}}}}));
        assert_eq!(
            form("a[b][c]=1&a[b][d]=2&a[e]=3&f=4"),
            json!({"a": {"b": {"c": "1", "d": "2"}, "e": "3"}, "f": "4"})
        );
    }

    #[test]
    fn bracket_contents_are_verbatim() {
        assert_eq!(form("a[%20b%20]=1"), json!({"a": {" b ": "1"}}));
        // The pair splits at the first `=`, leaving the unclosed key `a[b`.
        assert_eq!(form("a[b=c]=1"), json!({"a[b": "c]=1"}));
        assert_eq!(form("a[b%3Dc]=1"), json!({"a": {"b=c": "1"}}));
        assert_eq!(form("a[0]=x&a[1]=y"), json!({"a": {"0": "x", "1": "y"}}));
    }

    // ---- arrays -----------------------------------------------------------------

    #[test]
    fn arrays() {
        assert_eq!(form("a[]=1&a[]=2"), json!({"a": ["1", "2"]}));
        assert_eq!(form("a[]=1"), json!({"a": ["1"]}));
        assert_eq!(form("a[b][]=x"), json!({"a": {"b": ["x"]}}));
        assert_eq!(form("a[b][]=x&a[b][]=y&a[c]=z"), json!({"a": {"b": ["x", "y"], "c": "z"}}));
        assert_eq!(form("a[]=&a[]="), json!({"a": ["", ""]}));
    }

    #[test]
    fn arrays_interleaved_with_other_keys_keep_order() {
        assert_eq!(form("a[]=1&b=x&a[]=2&a[]=3"), json!({"a": ["1", "2", "3"], "b": "x"}));
    }

    #[test]
    fn arrays_of_hashes() {
        assert_eq!(
            form("a[][id]=1&a[][name]=x&a[][id]=2&a[][name]=y"),
            json!({"a": [{"id": "1", "name": "x"}, {"id": "2", "name": "y"}]})
        );
        assert_eq!(form("e[][id]=1&e[][name]=n&e[][id]=2"), json!({"e": [{"id": "1", "name": "n"}, {"id": "2"}]}));
        assert_eq!(form("a[][id]=1"), json!({"a": [{"id": "1"}]}));
    }

    #[test]
    fn doc_example() {
        assert_eq!(
            form("a=1&b[c]=2&d[]=x&d[]=y&e[][id]=1&e[][name]=n&e[][id]=2"),
            json!({
                "a": "1",
                "b": {"c": "2"},
                "d": ["x", "y"],
                "e": [{"id": "1", "name": "n"}, {"id": "2"}],
            })
        );
    }

    #[test]
    fn arrays_of_hashes_nested_deeper() {
        assert_eq!(form("a[][b][c]=1"), json!({"a": [{"b": {"c": "1"}}]}));
        assert_eq!(
            form("a[][b][c]=1&a[][b][d]=2&a[][b][c]=3"),
            json!({"a": [{"b": {"c": "1", "d": "2"}}, {"b": {"c": "3"}}]})
        );
        assert_eq!(form("a[][b][c]=1&a[][x]=2&a[][x]=3"), json!({"a": [{"b": {"c": "1"}, "x": "2"}, {"x": "3"}]}));
    }

    #[test]
    fn arrays_inside_array_elements_accumulate_in_last_element() {
        // Rack: a path containing `[]` never counts as "already present".
        assert_eq!(
            form("a[][ids][]=1&a[][ids][]=2&a[][name]=x&a[][name]=y&a[][ids][]=3"),
            json!({"a": [{"ids": ["1", "2"], "name": "x"}, {"name": "y", "ids": ["3"]}]})
        );
    }

    #[test]
    fn mixed_scalars_and_hashes_in_array() {
        assert_eq!(form("a[]=1&a[][id]=2"), json!({"a": ["1", {"id": "2"}]}));
        assert_eq!(form("a[][id]=1&a[]=2&a[][id]=3"), json!({"a": [{"id": "1"}, "2", {"id": "3"}]}));
    }

    #[test]
    fn arrays_of_arrays() {
        assert_eq!(form("a[][]=1&a[][]=2"), json!({"a": [["1"], ["2"]]}));
        assert_eq!(form("a[][][x]=1"), json!({"a": [[{"x": "1"}]]}));
    }

    // ---- encoded and junk brackets -------------------------------------------

    #[test]
    fn encoded_brackets_behave_like_literal_ones() {
        assert_eq!(form("a%5Bb%5D=1"), json!({"a": {"b": "1"}}));
        assert_eq!(form("a%5b%5d=1&a%5B%5D=2"), json!({"a": ["1", "2"]}));
        assert_eq!(form("a%5B%5D%5Bid%5D=1"), json!({"a": [{"id": "1"}]}));
        assert_eq!(form("a%5Bb%5D=1&a[c]=2"), json!({"a": {"b": "1", "c": "2"}}));
    }

    #[test]
    fn malformed_brackets_make_a_plain_key() {
        assert_eq!(form("a[b=1"), json!({"a[b": "1"}));
        assert_eq!(form("a[=1"), json!({"a[": "1"}));
        assert_eq!(form("a]=1"), json!({"a]": "1"}));
        assert_eq!(form("a]b[=1"), json!({"a]b[": "1"}));
        assert_eq!(form("a[b]c=1"), json!({"a[b]c": "1"}));
        assert_eq!(form("a[b]]=1"), json!({"a[b]]": "1"}));
        assert_eq!(form("a[b[c]]=1"), json!({"a[b[c]]": "1"}));
        assert_eq!(form("a[b][c=1"), json!({"a[b][c": "1"}));
        assert_eq!(form("a[[b]]=1"), json!({"a[[b]]": "1"}));
        assert_eq!(form("a[b]x[c]=1"), json!({"a[b]x[c]": "1"}));
    }

    #[test]
    fn leading_bracket_is_part_of_the_head_like_rack3() {
        assert_eq!(form("[a]=1"), json!({"[a]": "1"}));
        assert_eq!(form("[]=1"), json!({"[]": "1"}));
        assert_eq!(form("[=1"), json!({"[": "1"}));
        assert_eq!(form("]=1"), json!({"]": "1"}));
        assert_eq!(form("[a][b]=1"), json!({"[a]": {"b": "1"}}));
        assert_eq!(form("[][]=1"), json!({"[]": ["1"]}));
    }

    #[test]
    fn multibyte_heads_and_segments() {
        assert_eq!(form("%C3%A9[b]=1"), json!({"é": {"b": "1"}}));
        assert_eq!(form("é[ü][]=1"), json!({"é": {"ü": ["1"]}}));
        assert_eq!(form("é[=1"), json!({"é[": "1"}));
    }

    // ---- type conflicts ---------------------------------------------------------

    #[test]
    fn conflict_string_then_hash() {
        let err = form_err("a=1&a[b]=2");
        assert_eq!(err.key, "a[b]");
        assert_eq!(err.reason, "expected a hash but found a string");
        assert_eq!(err.to_string(), "parameter `a[b]`: expected a hash but found a string");
    }

    #[test]
    fn conflict_array_then_hash() {
        let err = form_err("a[]=1&a[b]=2");
        assert_eq!(err.key, "a[b]");
        assert_eq!(err.reason, "expected a hash but found an array");
    }

    #[test]
    fn conflict_hash_then_array() {
        let err = form_err("a[b]=1&a[]=2");
        assert_eq!(err.key, "a[]");
        assert_eq!(err.reason, "expected an array but found a hash");
    }

    #[test]
    fn conflict_string_then_array() {
        let err = form_err("a=1&a[]=2");
        assert_eq!(err.key, "a[]");
        assert_eq!(err.reason, "expected an array but found a string");
    }

    #[test]
    fn conflicts_deep_inside() {
        let err = form_err("x[a][b]=1&x[a][b][c]=2");
        assert_eq!(err.key, "x[a][b][c]");
        assert_eq!(err.reason, "expected a hash but found a string");

        let err = form_err("x[a]=1&x[a][]=2");
        assert_eq!(err.key, "x[a][]");
        assert_eq!(err.reason, "expected an array but found a string");

        let err = form_err("a[][b]=1&a[][b][c]=2");
        assert_eq!(err.key, "a[][b][c]");
        assert_eq!(err.reason, "expected a hash but found a string");

        let err = form_err("a[][b][]=1&a[][b][c]=2");
        assert_eq!(err.key, "a[][b][c]");
        assert_eq!(err.reason, "expected a hash but found an array");
    }

    #[test]
    fn conflict_reports_the_decoded_key() {
        let err = form_err("a=1&a%5Bb%5D=2");
        assert_eq!(err.key, "a[b]");
    }

    #[test]
    fn first_conflict_aborts_the_whole_source() {
        let err = form_err("ok=1&a=1&a[b]=2&later[x]=1&later=2&later[y]=3");
        assert_eq!(err.key, "a[b]");
    }

    // ---- limits -----------------------------------------------------------------

    fn nested_key(depth: usize) -> String {
        let mut key = String::from("a");
        for i in 0..depth {
            key.push_str(&format!("[k{i}]"));
        }
        key
    }

    #[test]
    fn depth_limit_allows_32() {
        let key = nested_key(32);
        let map = parse_form(&format!("{key}=v")).unwrap();
        let mut current = map.get("a").unwrap();
        for i in 0..31 {
            current = current.get(format!("k{i}")).unwrap();
        }
        assert_eq!(current.get("k31"), Some(&json!("v")));
    }

    #[test]
    fn depth_limit_rejects_33() {
        let key = nested_key(33);
        let err = form_err(&format!("{key}=v"));
        assert_eq!(err.key, key);
        assert!(err.reason.contains("deep"), "{}", err.reason);
    }

    #[test]
    fn depth_limit_counts_array_groups() {
        let ok = format!("a{}=v", "[]".repeat(32));
        assert!(parse_form(&ok).is_ok());
        let too_deep = format!("a{}=v", "[]".repeat(33));
        assert!(parse_form(&too_deep).is_err());
        let mixed = format!("a{}=v", "[][x]".repeat(17));
        assert!(parse_form(&mixed).is_err());
    }

    #[test]
    fn huge_keys_do_not_blow_up() {
        let key = format!("a{}", "[b]".repeat(200_000));
        assert!(parse_form(&format!("{key}=1")).is_err());
        let plain = format!("a{}", "[".repeat(200_000));
        assert_eq!(parse_form(&plain).unwrap().len(), 1);
    }

    #[test]
    fn parameter_count_limit() {
        let at_limit: Vec<String> = (0..10_000).map(|i| format!("p{i}=1")).collect();
        let map = parse_form(&at_limit.join("&")).unwrap();
        assert_eq!(map.len(), 10_000);

        let over: Vec<String> = (0..10_001).map(|i| format!("p{i}=1")).collect();
        let err = form_err(&over.join("&"));
        assert_eq!(err.key, "p10000");
        assert!(err.reason.contains("too many"), "{}", err.reason);
    }

    #[test]
    fn parameter_count_limit_counts_pairs_not_keys() {
        let over = vec!["a[]=1"; 10_001].join("&");
        assert!(parse_form(&over).is_err());
        let at = vec!["a[]=1"; 10_000].join("&");
        assert_eq!(parse_form(&at).unwrap()["a"].as_array().map(Vec::len), Some(10_000));
    }

    #[test]
    fn parameter_count_limit_applies_to_pairs_too() {
        let owned: Vec<String> = (0..10_001).map(|i| format!("p{i}")).collect();
        let err = parse_pairs(owned.iter().map(|k| (k.as_str(), "v"))).unwrap_err();
        assert_eq!(err.key, "p10000");
        assert!(parse_pairs(owned.iter().take(10_000).map(|k| (k.as_str(), "v"))).is_ok());
    }

    // ---- parse_pairs --------------------------------------------------------------

    #[test]
    fn parse_pairs_nests_without_decoding() {
        let map = parse_pairs([
            ("user[name]", "J+M %41"),
            ("tags[]", "a"),
            ("tags[]", "b"),
            ("a%5Bb%5D", "1"),
            ("items[][id]", "1"),
            ("items[][id]", "2"),
            ("", "ignored"),
        ])
        .unwrap();
        assert_eq!(
            Value::Object(map),
            json!({
                "user": {"name": "J+M %41"},
                "tags": ["a", "b"],
                "a%5Bb%5D": "1",
                "items": [{"id": "1"}, {"id": "2"}],
            })
        );
    }

    #[test]
    fn parse_pairs_reports_conflicts() {
        let err = parse_pairs([("a", "1"), ("a[b]", "2")]).unwrap_err();
        assert_eq!(err, ParamError { key: "a[b]".into(), reason: "expected a hash but found a string".into() });
    }

    #[test]
    fn parse_pairs_keeps_multibyte_and_whitespace_verbatim() {
        let map = parse_pairs([(" a ", " x "), ("ü[ö]", "\n")]).unwrap();
        assert_eq!(Value::Object(map), json!({" a ": " x ", "ü": {"ö": "\n"}}));
    }

    // ---- canvasapi-style examples ------------------------------------------------

    #[test]
    fn canvas_include_array() {
        assert_eq!(form("include[]=term&include[]=teachers"), json!({"include": ["term", "teachers"]}));
    }

    #[test]
    fn canvas_submission_types() {
        assert_eq!(
            form(
                "assignment[name]=Essay&assignment[submission_types][]=online_upload\
                 &assignment[submission_types][]=online_text_entry&assignment[points_possible]=10"
            ),
            json!({"assignment": {
                "name": "Essay",
                "submission_types": ["online_upload", "online_text_entry"],
                "points_possible": "10",
            }})
        );
    }

    #[test]
    fn canvas_assignment_overrides() {
        assert_eq!(
            form("assignment_overrides[][student_ids][]=1"),
            json!({"assignment_overrides": [{"student_ids": ["1"]}]})
        );
        assert_eq!(
            form(
                "assignment_overrides[][title]=Extra&assignment_overrides[][student_ids][]=1\
                 &assignment_overrides[][student_ids][]=2&assignment_overrides[][due_at]=2025-01-01T00%3A00%3A00Z\
                 &assignment_overrides[][title]=Section&assignment_overrides[][course_section_id]=7"
            ),
            json!({"assignment_overrides": [
                {"title": "Extra", "student_ids": ["1", "2"], "due_at": "2025-01-01T00:00:00Z"},
                {"title": "Section", "course_section_id": "7"},
            ]})
        );
    }

    #[test]
    fn canvas_enrollment_term_overrides() {
        assert_eq!(
            form(
                "enrollment_term[name]=Fall&enrollment_term[overrides][StudentEnrollment][start_at]=2025-01-01\
                 &enrollment_term[overrides][StudentEnrollment][end_at]=2025-06-01\
                 &enrollment_term[overrides][TeacherEnrollment][start_at]=2024-12-01"
            ),
            json!({"enrollment_term": {
                "name": "Fall",
                "overrides": {
                    "StudentEnrollment": {"start_at": "2025-01-01", "end_at": "2025-06-01"},
                    "TeacherEnrollment": {"start_at": "2024-12-01"},
                },
            }})
        );
    }

    #[test]
    fn canvas_user_name_encoding() {
        assert_eq!(
            form("user[name]=J%C3%BCrgen+M&user[short_name]=J%C3%BCrgen"),
            json!({"user": {"name": "Jürgen M", "short_name": "Jürgen"}})
        );
    }

    #[test]
    fn canvas_query_string_style() {
        assert_eq!(
            form("per_page=50&page=2&enrollment_type[]=student&enrollment_state[]=active&search_term=jo"),
            json!({
                "per_page": "50",
                "page": "2",
                "enrollment_type": ["student"],
                "enrollment_state": ["active"],
                "search_term": "jo",
            })
        );
    }

    // ---- deep_merge ---------------------------------------------------------------

    #[test]
    fn deep_merge_merges_objects_recursively() {
        let mut base = obj(json!({
            "a": "1",
            "user": {"name": "q", "prefs": {"x": "1", "y": "2"}},
        }));
        let overlay = obj(json!({
            "b": "2",
            "user": {"email": "e", "prefs": {"y": "3", "z": "4"}},
        }));
        deep_merge(&mut base, overlay);
        assert_eq!(
            Value::Object(base),
            json!({
                "a": "1",
                "b": "2",
                "user": {"name": "q", "email": "e", "prefs": {"x": "1", "y": "3", "z": "4"}},
            })
        );
    }

    #[test]
    fn deep_merge_overlay_non_objects_replace() {
        let mut base = obj(json!({
            "list": ["1", "2"],
            "scalar_to_obj": "s",
            "obj_to_scalar": {"k": "v"},
            "arr_to_obj": ["x"],
            "kept": {"k": "v"},
        }));
        let overlay = obj(json!({
            "list": ["3"],
            "scalar_to_obj": {"k": "v"},
            "obj_to_scalar": "s",
            "arr_to_obj": {"k": "v"},
        }));
        deep_merge(&mut base, overlay);
        assert_eq!(
            Value::Object(base),
            json!({
                "list": ["3"],
                "scalar_to_obj": {"k": "v"},
                "obj_to_scalar": "s",
                "arr_to_obj": {"k": "v"},
                "kept": {"k": "v"},
            })
        );
    }

    #[test]
    fn deep_merge_with_typed_json_values() {
        let mut base = obj(json!({"a": {"n": 1, "b": true}, "c": null}));
        deep_merge(&mut base, obj(json!({"a": {"n": null}, "c": 2.5})));
        assert_eq!(Value::Object(base), json!({"a": {"n": null, "b": true}, "c": 2.5}));
    }

    #[test]
    fn deep_merge_empty_sides() {
        let mut base = obj(json!({"a": {"b": "1"}}));
        deep_merge(&mut base, Map::new());
        assert_eq!(Value::Object(base.clone()), json!({"a": {"b": "1"}}));

        deep_merge(&mut base, obj(json!({"a": {}})));
        assert_eq!(Value::Object(base), json!({"a": {"b": "1"}}));

        let mut empty = Map::new();
        deep_merge(&mut empty, obj(json!({"x": ["1"]})));
        assert_eq!(Value::Object(empty), json!({"x": ["1"]}));
    }

    #[test]
    fn deep_merge_query_and_body() {
        let mut params = parse_form("include[]=term&course[name]=Q&per_page=10").unwrap();
        let body = parse_form("course[name]=Body&course[code]=C1&include[]=x").unwrap();
        deep_merge(&mut params, body);
        assert_eq!(
            Value::Object(params),
            json!({
                "include": ["x"],
                "course": {"name": "Body", "code": "C1"},
                "per_page": "10",
            })
        );
    }

    // ---- robustness -----------------------------------------------------------------

    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            self.0 >> 33
        }

        fn below(&mut self, n: usize) -> usize {
            usize::try_from(self.next()).unwrap() % n
        }
    }

    fn assert_all_leaves_are_strings(value: &Value) {
        match value {
            Value::String(_) => {}
            Value::Array(items) => items.iter().for_each(assert_all_leaves_are_strings),
            Value::Object(map) => map.values().for_each(assert_all_leaves_are_strings),
            other => panic!("non-string leaf {other}"),
        }
    }

    #[test]
    fn pseudo_random_inputs_never_panic() {
        const ALPHABET: &[char] = &['a', 'b', '[', ']', '=', '&', '%', '2', '5', 'B', 'D'];
        let mut rng = Lcg(0x5EED_1234_ABCD_0001);
        let mut ok = 0usize;
        for _ in 0..1000 {
            let len = rng.below(40);
            let input: String = (0..len).map(|_| ALPHABET[rng.below(ALPHABET.len())]).collect();
            match parse_form(&input) {
                Ok(map) => {
                    ok += 1;
                    map.values().for_each(assert_all_leaves_are_strings);
                    // Parsing the same input as pre-split pairs must agree.
                    let pairs: Vec<(String, String)> = form_urlencoded::parse(input.as_bytes())
                        .map(|(k, v)| (k.into_owned(), v.into_owned()))
                        .collect();
                    let again = parse_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
                    assert_eq!(again, Ok(map.clone()), "input {input:?}");
                    // Merging a tree into itself or an empty map is a no-op / copy.
                    let mut copy = Map::new();
                    deep_merge(&mut copy, map.clone());
                    assert_eq!(copy, map);
                    deep_merge(&mut copy, map.clone());
                    assert_eq!(copy, map);
                }
                Err(err) => {
                    assert!(!err.reason.is_empty());
                    assert!(!err.key.is_empty());
                }
            }
        }
        assert!(ok > 100, "generator too hostile: only {ok} inputs parsed");
    }

    #[test]
    fn pseudo_random_multibyte_inputs_never_panic() {
        const ALPHABET: &[&str] = &["a", "[", "]", "=", "&", "%", "é", "%C3", "%A9", "+", "[]", "%5B", "%5D"];
        let mut rng = Lcg(42);
        for _ in 0..1000 {
            let len = rng.below(30);
            let input: String = (0..len).map(|_| ALPHABET[rng.below(ALPHABET.len())]).collect();
            if let Ok(map) = parse_form(&input) {
                map.values().for_each(assert_all_leaves_are_strings);
            }
        }
    }
}
