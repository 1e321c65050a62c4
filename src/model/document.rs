//! Policy documents compared the way IAM compares them: normalized so that key order, single
//! values versus one-element lists and duplicate entries never count as a difference.

use serde_json::Value;

/// Keys whose values IAM treats as a set, where a single string equals a one-element list.
const SET_VALUED_KEYS: [&str; 4] = ["Action", "NotAction", "Resource", "NotResource"];

/// A policy document in a canonical form: keys sorted,
/// a lone Statement object wrapped in a list, and set-valued fields (actions, resources,
/// principals, condition values) as sorted, de-duplicated lists. Two documents IAM treats as the
/// same normalize to equal values, so key order and whitespace never plan a change.
pub(crate) fn normalize_policy(doc: &Value) -> Value {
    let mut doc = doc.clone();
    if let Some(statement) = doc.as_object_mut().and_then(|obj| obj.get_mut("Statement")) {
        if statement.is_object() {
            *statement = Value::Array(vec![statement.take()]);
        }
        if let Some(statements) = statement.as_array_mut() {
            statements.iter_mut().for_each(normalize_statement);
        }
    }
    sort_keys(doc)
}

/// The same value with every object's keys in sorted order (maps keep insertion order here).
fn sort_keys(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sort_keys(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sort_keys).collect()),
        other => other,
    }
}

fn normalize_statement(statement: &mut Value) {
    let Some(obj) = statement.as_object_mut() else {
        return;
    };
    for key in SET_VALUED_KEYS {
        if let Some(v) = obj.get_mut(key) {
            as_sorted_set(v);
        }
    }
    for key in ["Principal", "NotPrincipal"] {
        if let Some(Value::Object(principals)) = obj.get_mut(key) {
            principals.values_mut().for_each(as_sorted_set);
        }
    }
    if let Some(Value::Object(operators)) = obj.get_mut("Condition") {
        for conditions in operators.values_mut() {
            if let Value::Object(conditions) = conditions {
                conditions.values_mut().for_each(as_sorted_set);
            }
        }
    }
}

fn as_sorted_set(v: &mut Value) {
    let mut items = match v.take() {
        Value::Array(items) => items,
        single => vec![single],
    };
    items.sort_by_key(std::string::ToString::to_string);
    items.dedup();
    *v = Value::Array(items);
}

/// The document as it is uploaded: minified, in the author's key order. Its length is what
/// the policy-size quota counts.
pub(crate) fn minified(doc: &Value) -> String {
    serde_json::to_string(doc).expect("a JSON value always serializes")
}

/// Any JSON value printed compactly with every object's keys sorted: equal values, equal text.
pub(crate) fn canonical_json(value: &Value) -> String {
    minified(&sort_keys(value.clone()))
}

/// The document as people read it in diffs.
pub(crate) fn pretty(doc: &Value) -> String {
    serde_json::to_string_pretty(doc).expect("a JSON value always serializes")
}
