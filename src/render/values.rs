//! What a change does to each value, for the people who approve it: `key: old → new`, the
//! members a list gains and loses, maps key by key, documents (policies, templates) as unified
//! diffs of their normalized, pretty-printed form; a creation shows everything it creates and a
//! deletion everything that is lost. Both text renderers print these lines; they are derived
//! from the change's before and after values, so every kind of change is covered alike.

use crate::model::{normalize_policy, pretty};
use crate::plan::{Change, EffectiveChange};
use serde_json::{Map, Value};
use similar::{ChangeTag, TextDiff};

/// One line of detail: its mark (`+` added, `-` removed, `~` changed, `@` a diff's hunk, ` `
/// context) and its text, not yet escaped for the terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Line {
    pub mark: char,
    pub text: String,
}

/// Keys whose values are policy documents.
const POLICY_DOCUMENTS: [&str; 2] = ["document", "inline_policy"];
/// Keys whose values are template text where they span lines (a creation names the file).
const TEMPLATES: [&str; 1] = ["template"];
/// Keys that steer the apply rather than describe the resource; the reason says them.
const NOT_VALUES: [&str; 1] = ["reprovision"];

/// Every line of detail of a change.
pub(super) fn details(change: &Change) -> Vec<Line> {
    let mut out = Vec::new();
    match (&change.before, &change.after) {
        (Some(before), Some(after)) => compare("", before, after, &mut out),
        (None, Some(after)) => whole('+', "", after, &mut out),
        (Some(before), None) => whole('-', "", before, &mut out),
        (None, None) => {}
    }
    out
}

fn line(out: &mut Vec<Line>, mark: char, text: String) {
    out.push(Line { mark, text });
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() { key.to_string() } else { format!("{path}.{key}") }
}

/// A value on one line: strings quoted as JSON quotes them, nothing as `(none)`, lists and
/// maps as compact JSON.
fn scalar(value: &Value) -> String {
    match value {
        Value::Null => "(none)".into(),
        other => other.to_string(),
    }
}

/// The keys of both maps: the earlier map's order, then keys only the later one has.
fn keys<'a>(before: &'a Map<String, Value>, after: &'a Map<String, Value>) -> Vec<&'a String> {
    before
        .keys()
        .chain(after.keys().filter(|k| !before.contains_key(*k)))
        .filter(|k| !NOT_VALUES.contains(&k.as_str()))
        .collect()
}

fn compare(path: &str, before: &Value, after: &Value, out: &mut Vec<Line>) {
    match (before, after) {
        (Value::Object(b), Value::Object(a)) => {
            for key in keys(b, a) {
                let name = join(path, key);
                match (b.get(key), a.get(key)) {
                    (Some(x), Some(y)) if x == y => {}
                    (Some(x), Some(y)) if POLICY_DOCUMENTS.contains(&key.as_str()) => {
                        document_diff(&name, &policy_text(x), &policy_text(y), out);
                    }
                    (Some(x), Some(y)) if TEMPLATES.contains(&key.as_str()) => {
                        document_diff(&name, &template_text(x), &template_text(y), out);
                    }
                    (Some(x), Some(y)) => compare(&name, x, y, out),
                    (None, Some(y)) => whole('+', &name, y, out),
                    (Some(x), None) => whole('-', &name, x, out),
                    (None, None) => {}
                }
            }
        }
        (Value::Array(b), Value::Array(a)) => {
            let removed: Vec<&Value> = b.iter().filter(|m| !a.contains(m)).collect();
            let added: Vec<&Value> = a.iter().filter(|m| !b.contains(m)).collect();
            for member in &removed {
                line(out, '-', format!("{path}: {}", scalar(member)));
            }
            for member in &added {
                line(out, '+', format!("{path}: {}", scalar(member)));
            }
            if removed.is_empty() && added.is_empty() {
                line(out, '~', format!("{path}: {} → {}", scalar(before), scalar(after)));
            }
        }
        // A map that appears or disappears: key by key, against nothing.
        (Value::Null, Value::Object(a)) if !a.is_empty() => compare(path, &Value::Object(Map::new()), after, out),
        (Value::Object(b), Value::Null) if !b.is_empty() => compare(path, before, &Value::Object(Map::new()), out),
        _ => line(out, '~', format!("{path}: {} → {}", scalar(before), scalar(after))),
    }
}

/// Everything a value holds, each line marked `mark`: a creation's content, or what a deletion
/// loses.
fn whole(mark: char, path: &str, value: &Value, out: &mut Vec<Line>) {
    let key = path.rsplit('.').next().unwrap_or(path);
    match value {
        Value::Object(_) | Value::String(_) if POLICY_DOCUMENTS.contains(&key) => {
            block(mark, path, &policy_text(value), out);
        }
        Value::String(text) if TEMPLATES.contains(&key) && text.contains('\n') => {
            block(mark, path, &template_text(value), out);
        }
        Value::Object(map) if !map.is_empty() => {
            for (key, member) in map.iter().filter(|(k, _)| !NOT_VALUES.contains(&k.as_str())) {
                whole(mark, &join(path, key), member, out);
            }
        }
        Value::Array(members) if !members.is_empty() => {
            line(out, mark, format!("{path}:"));
            for member in members {
                line(out, mark, format!("  - {}", scalar(member)));
            }
        }
        other => line(out, mark, format!("{path}: {}", scalar(other))),
    }
}

/// A document in full, under its name.
fn block(mark: char, path: &str, text: &str, out: &mut Vec<Line>) {
    line(out, mark, format!("{path}:"));
    for text in text.lines() {
        line(out, mark, format!("    {text}"));
    }
}

/// A policy document, normalized and pretty-printed (one given as JSON text is read first).
fn policy_text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => match serde_json::from_str::<Value>(text) {
            Ok(parsed) => pretty(&normalize_policy(&parsed)),
            Err(_) => text.clone(),
        },
        other => pretty(&normalize_policy(other)),
    }
}

/// A template's text: JSON pretty-printed, YAML as written.
fn template_text(value: &Value) -> String {
    match value {
        Value::String(text) => match serde_json::from_str::<Value>(text) {
            Ok(parsed @ Value::Object(_)) => pretty(&parsed),
            _ => text.lines().map(str::trim_end).collect::<Vec<_>>().join("\n"),
        },
        Value::Null => String::new(),
        other => pretty(other),
    }
}

/// A unified diff of two texts under the name of what they are, three lines of context.
fn document_diff(path: &str, before: &str, after: &str, out: &mut Vec<Line>) {
    line(out, '~', format!("{path}:"));
    hunks(before, after, out);
}

/// Who an effective-policy change reaches: `TAG_POLICY of prod-web, prod-api`, at most ten
/// names, then how many more.
pub(super) fn effective_title(change: &EffectiveChange) -> String {
    const SHOWN: usize = 10;
    let mut names = change.accounts.iter().take(SHOWN).cloned().collect::<Vec<_>>().join(", ");
    if change.accounts.len() > SHOWN {
        names.push_str(&format!(" and {} more", change.accounts.len() - SHOWN));
    }
    format!("{} of {names}", change.policy_type)
}

/// The whole effective policy before and after, as a unified diff (no policy: no lines).
pub(super) fn effective_lines(change: &EffectiveChange) -> Vec<Line> {
    let text = |v: &Option<Value>| v.as_ref().map(|v| pretty(v) + "\n").unwrap_or_default();
    let mut out = Vec::new();
    hunks(&text(&change.before), &text(&change.after), &mut out);
    out
}

fn hunks(before: &str, after: &str, out: &mut Vec<Line>) {
    let diff = TextDiff::from_lines(before, after);
    for group in diff.grouped_ops(3) {
        let (Some(first), Some(last)) = (group.first(), group.last()) else { continue };
        let old = first.old_range().start..last.old_range().end;
        let new = first.new_range().start..last.new_range().end;
        line(out, '@', format!("  @@ -{},{} +{},{} @@", old.start + 1, old.len(), new.start + 1, new.len()));
        for op in &group {
            for change in diff.iter_changes(op) {
                let mark = match change.tag() {
                    ChangeTag::Delete => '-',
                    ChangeTag::Insert => '+',
                    ChangeTag::Equal => ' ',
                };
                line(out, mark, format!("    {}", change.value().trim_end_matches('\n')));
            }
        }
    }
}
