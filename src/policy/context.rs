//! What a request is: its action, its resource (unknown where the record does not say), and
//! its context keys — each present with values, absent, or unknown — with policy variables
//! (`${aws:username}`) substituted from them.

use super::Tri;
use std::borrow::Cow;
use std::collections::BTreeSet;

/// The values of the context keys a request carries, and what a key it does not carry means.
/// Values borrow from the record they were read from, so building one copies no text.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Context<'a> {
    /// Key as given (compared without case), and its values; a dozen or so, so a list.
    values: Vec<(Cow<'a, str>, Values<'a>)>,
    /// Keys known to be absent when not given; None: every key not given is absent (a what-if
    /// request states its whole context).
    known: Option<&'static [&'static str]>,
}

/// A key's values: nearly always one.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Values<'a> {
    One(Cow<'a, str>),
    Many(Vec<Cow<'a, str>>),
}

impl<'a> Values<'a> {
    fn as_slice(&self) -> &[Cow<'a, str>] {
        match self {
            Values::One(one) => std::slice::from_ref(one),
            Values::Many(many) => many,
        }
    }
}

impl<'a> From<&'a str> for Values<'a> {
    fn from(value: &'a str) -> Self {
        Values::One(Cow::Borrowed(value))
    }
}

impl From<String> for Values<'_> {
    fn from(value: String) -> Self {
        Values::One(Cow::Owned(value))
    }
}

impl<'a> From<Cow<'a, str>> for Values<'a> {
    fn from(value: Cow<'a, str>) -> Self {
        Values::One(value)
    }
}

impl From<Vec<String>> for Values<'_> {
    fn from(values: Vec<String>) -> Self {
        Values::Many(values.into_iter().map(Cow::Owned).collect())
    }
}

/// A context key as a request has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lookup<'c, 'a> {
    Present(&'c [Cow<'a, str>]),
    Absent,
    Unknown,
}

impl<'a> Context<'a> {
    /// A context that states everything: keys not given are absent (a what-if request).
    pub(crate) fn complete() -> Context<'a> {
        Context { values: Vec::new(), known: None }
    }

    /// A context in which only `known` keys (and those given) are known; others are unknown.
    pub(crate) fn partial(known: &'static [&'static str]) -> Context<'a> {
        Context { values: Vec::with_capacity(known.len() + 1), known: Some(known) }
    }

    /// Gives `key` its values, replacing any it had.
    pub(crate) fn set(&mut self, key: impl Into<Cow<'a, str>>, values: impl Into<Values<'a>>) {
        let (key, values) = (key.into(), values.into());
        match self.values.iter_mut().find(|(k, _)| k.eq_ignore_ascii_case(&key)) {
            Some((_, old)) => *old = values,
            None => self.values.push((key, values)),
        }
    }

    #[cfg(test)]
    pub(crate) fn with(mut self, key: &'a str, value: &'a str) -> Context<'a> {
        self.set(key, value);
        self
    }

    pub(crate) fn lookup(&self, key: &str) -> Lookup<'_, 'a> {
        match (self.values.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)), &self.known) {
            (Some((_, values)), _) => Lookup::Present(values.as_slice()),
            (None, None) => Lookup::Absent,
            (None, Some(known)) if known.iter().any(|k| k.eq_ignore_ascii_case(key)) => Lookup::Absent,
            (None, Some(_)) => Lookup::Unknown,
        }
    }
}

/// One request: an action, a resource (None: unknown) and its context.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Request<'a> {
    pub action: String,
    pub resource: Option<String>,
    pub context: Context<'a>,
}

/// A policy value with its variables substituted: the text, or why it cannot be (a variable's
/// key absent: the value matches nothing; unknown: it may match anything).
pub(crate) fn substitute<'v>(
    value: &'v str,
    context: &Context<'_>,
    unknown: &mut BTreeSet<String>,
) -> Result<Cow<'v, str>, Tri> {
    if !value.contains("${") {
        return Ok(Cow::Borrowed(value));
    }
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return Ok(Cow::Owned(out));
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
    Ok(Cow::Owned(out))
}
