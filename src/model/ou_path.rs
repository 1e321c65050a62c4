//! OU paths: the one way lzctl names an OU — by its path from the root — with one spelling of
//! the root itself, and the one "is this under that OU" rule every part of lzctl asks.
//!
//! AWS lets an OU's name hold any text, `/` included, so a path escapes its parts: `\/` is a
//! `/` inside a name and `\\` a backslash; a single OU named `Root` directly under the root is
//! written `\Root` (a backslash before any other character stands for that character).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Cow;
use std::fmt;

/// An OU by its path from the root (`Foundational/Workloads`). The root is the empty path,
/// shown as `Root`; `Root` is also how blueprints write it. Held in the escaped form, so `/`
/// separates parts and nothing else.
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct OuPath(String);

/// A name as one part of a path: `\` and `/` escaped.
fn escape(name: &str) -> Cow<'_, str> {
    if name.contains(['\\', '/']) {
        Cow::Owned(name.replace('\\', "\\\\").replace('/', "\\/"))
    } else {
        Cow::Borrowed(name)
    }
}

/// The name one escaped part stands for.
fn unescape(part: &str) -> Cow<'_, str> {
    if !part.contains('\\') {
        return Cow::Borrowed(part);
    }
    let mut out = String::with_capacity(part.len());
    let mut chars = part.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// The byte offsets of the separators of a path as written: every `/` not escaped.
fn separators(text: &str) -> Vec<usize> {
    let mut found = Vec::new();
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        match (escaped, c) {
            (true, _) => escaped = false,
            (false, '\\') => escaped = true,
            (false, '/') => found.push(i),
            _ => {}
        }
    }
    found
}

/// Splits written text into its names, unescaped.
fn names_of(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut start = 0;
    for at in separators(text) {
        names.push(unescape(&text[start..at]).into_owned());
        start = at + 1;
    }
    names.push(unescape(&text[start..]).into_owned());
    names
}

impl OuPath {
    /// What people read and write for the root.
    pub(crate) const ROOT_NAME: &'static str = "Root";

    pub(crate) fn root() -> OuPath {
        OuPath(String::new())
    }

    /// A path as a blueprint or a saved plan writes it, escapes and all; `Root` and the empty
    /// path are the root.
    pub(crate) fn parse(text: &str) -> OuPath {
        if text == Self::ROOT_NAME || text.is_empty() {
            return OuPath::root();
        }
        names_of(text).iter().fold(OuPath::root(), |path, name| path.child(name))
    }

    /// The path of a chain of OU names from the root down.
    #[cfg(test)]
    pub(crate) fn from_names<'a>(names: impl IntoIterator<Item = &'a str>) -> OuPath {
        names.into_iter().fold(OuPath::root(), |path, name| path.child(name))
    }

    pub(crate) fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// The path below the root in its escaped form, empty for the root.
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    /// The OU named `name` directly under this one.
    pub(crate) fn child(&self, name: &str) -> OuPath {
        let part = escape(name);
        if self.is_root() { OuPath(part.into_owned()) } else { OuPath(format!("{}/{part}", self.0)) }
    }

    /// The OU above this one; the root's parent is the root.
    pub(crate) fn parent(&self) -> OuPath {
        match separators(&self.0).last() {
            Some(&at) => OuPath(self.0[..at].to_string()),
            None => OuPath::root(),
        }
    }

    /// The OU's own name, unescaped: what AWS calls it (`Root` for the root).
    pub(crate) fn name(&self) -> Cow<'_, str> {
        if self.is_root() {
            return Cow::Borrowed(Self::ROOT_NAME);
        }
        let start = separators(&self.0).last().map_or(0, |at| at + 1);
        unescape(&self.0[start..])
    }

    /// The names from the top OU down to this one, unescaped; empty for the root.
    pub(crate) fn names(&self) -> Vec<String> {
        if self.is_root() { Vec::new() } else { names_of(&self.0) }
    }

    /// Levels below the root: 0 for the root, 1 for its children.
    pub(crate) fn depth(&self) -> usize {
        if self.is_root() { 0 } else { separators(&self.0).len() + 1 }
    }

    /// Whether `other` is this OU or anywhere under it. Every OU is under the root.
    pub(crate) fn contains(&self, other: &OuPath) -> bool {
        self.is_root()
            || other.0 == self.0
            || other.0.strip_prefix(self.0.as_str()).is_some_and(|rest| rest.starts_with('/'))
    }

    /// A path written with or without the root in front (`Root/Foundational`, `Foundational`).
    pub(crate) fn parse_qualified(text: &str) -> OuPath {
        let text = text.strip_suffix('/').filter(|t| !t.ends_with('\\')).unwrap_or(text);
        match text.strip_prefix(Self::ROOT_NAME).and_then(|rest| rest.strip_prefix('/')) {
            // `Root/Root` is the OU named Root, not the root again.
            Some(rest) if rest == Self::ROOT_NAME => OuPath::root().child(rest),
            Some(rest) => OuPath::parse(rest),
            None => OuPath::parse(text),
        }
    }

    /// The path with the root spelled out, as inventories show it: `Root`, `Root/Foundational`.
    pub(crate) fn qualified(&self) -> String {
        if self.is_root() { Self::ROOT_NAME.to_string() } else { format!("{}/{}", Self::ROOT_NAME, self.0) }
    }

    /// The path as written: escaped, `Root` for the root, `\Root` for an OU named Root under it.
    fn written(&self) -> Cow<'_, str> {
        if self.is_root() {
            Cow::Borrowed(Self::ROOT_NAME)
        } else if self.0 == Self::ROOT_NAME {
            Cow::Owned(format!("\\{}", Self::ROOT_NAME))
        } else {
            Cow::Borrowed(&self.0)
        }
    }
}

impl fmt::Display for OuPath {
    /// `Root` for the root, the written (escaped) path otherwise.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.written())
    }
}

impl fmt::Debug for OuPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

impl Serialize for OuPath {
    /// The empty string for the root, the written path otherwise; `parse` reads it back.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.is_root() { serializer.serialize_str("") } else { serializer.serialize_str(&self.written()) }
    }
}

impl<'de> Deserialize<'de> for OuPath {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(|s| OuPath::parse(&s))
    }
}

impl From<&str> for OuPath {
    fn from(text: &str) -> OuPath {
        OuPath::parse(text)
    }
}

/// Maps keyed by path can be looked up by the written path (`ous["Foundational"]`).
impl std::borrow::Borrow<str> for OuPath {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl PartialEq<&str> for OuPath {
    fn eq(&self, other: &&str) -> bool {
        *self == OuPath::parse(other)
    }
}
