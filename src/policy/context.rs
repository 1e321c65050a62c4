//! What a request is: its action, its resource (unknown where the record does not say), and
//! its context keys — each present with values, absent, or unknown — with policy variables
//! (`${aws:username}`) substituted from them.

use super::Tri;
use std::collections::{BTreeMap, BTreeSet};

/// The values of the context keys a request carries, and what a key it does not carry means.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Context {
    /// By key, lower case.
    values: BTreeMap<String, Vec<String>>,
    /// Keys known to be absent when not given; None: every key not given is absent (a what-if
    /// request states its whole context).
    known: Option<&'static [&'static str]>,
}

/// A context key as a request has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lookup<'a> {
    Present(&'a [String]),
    Absent,
    Unknown,
}

impl Context {
    /// A context that states everything: keys not given are absent (a what-if request).
    pub(crate) fn complete() -> Context {
        Context { values: BTreeMap::new(), known: None }
    }

    /// A context in which only `known` keys (and those given) are known; others are unknown.
    pub(crate) fn partial(known: &'static [&'static str]) -> Context {
        Context { values: BTreeMap::new(), known: Some(known) }
    }

    pub(crate) fn set(&mut self, key: &str, values: Vec<String>) {
        self.values.insert(key.to_ascii_lowercase(), values);
    }

    #[cfg(test)]
    pub(crate) fn with(mut self, key: &str, value: &str) -> Context {
        self.set(key, vec![value.to_string()]);
        self
    }

    pub(crate) fn lookup(&self, key: &str) -> Lookup<'_> {
        let key = key.to_ascii_lowercase();
        match (self.values.get(&key), &self.known) {
            (Some(values), _) => Lookup::Present(values),
            (None, None) => Lookup::Absent,
            (None, Some(known)) if known.iter().any(|k| k.eq_ignore_ascii_case(&key)) => Lookup::Absent,
            (None, Some(_)) => Lookup::Unknown,
        }
    }
}

/// One request: an action, a resource (None: unknown) and its context.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Request {
    pub action: String,
    pub resource: Option<String>,
    pub context: Context,
}

/// A policy value with its variables substituted: the text, or why it cannot be (a variable's
/// key absent: the value matches nothing; unknown: it may match anything).
pub(crate) fn substitute(value: &str, context: &Context, unknown: &mut BTreeSet<String>) -> Result<String, Tri> {
    if !value.contains("${") {
        return Ok(value.to_string());
    }
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return Ok(out);
        };
        let inner = &after[..end];
        rest = &after[end + 1..];
        match inner {
            // Literal characters: kept from acting as wildcards.
            "*" => out.push(super::pattern::LITERAL_STAR),
            "?" => out.push(super::pattern::LITERAL_QUESTION),
            "$" => out.push('$'),
            _ => {
                // `${key, 'default'}`: the default where the key is absent.
                let (key, default) = match inner.split_once(',') {
                    Some((key, default)) => (key.trim(), Some(default.trim().trim_matches('\'').to_string())),
                    None => (inner.trim(), None),
                };
                match (context.lookup(key), default) {
                    (Lookup::Present([one]), _) => out.push_str(one),
                    (Lookup::Present(_), _) => return Err(Tri::False),
                    (Lookup::Absent, Some(default)) => out.push_str(&default),
                    (Lookup::Absent, None) => return Err(Tri::False),
                    (Lookup::Unknown, _) => {
                        unknown.insert(key.to_string());
                        return Err(Tri::Unknown);
                    }
                }
            }
        }
    }
    out.push_str(rest);
    Ok(out)
}
