//! OU paths: the one way lzctl names an OU — by its path from the root — with one spelling of
//! the root itself, and the one "is this under that OU" rule every part of lzctl asks.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// An OU by its path from the root (`Foundational/Workloads`). The root is the empty path,
/// shown as `Root`; `Root` is also how blueprints write it.
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct OuPath(String);

impl OuPath {
    /// What people read and write for the root.
    pub(crate) const ROOT_NAME: &'static str = "Root";

    pub(crate) fn root() -> OuPath {
        OuPath(String::new())
    }

    /// A path as a blueprint or a saved plan writes it; `Root` and the empty path are the root.
    pub(crate) fn parse(text: &str) -> OuPath {
        if text == Self::ROOT_NAME { OuPath::root() } else { OuPath(text.to_string()) }
    }

    pub(crate) fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// The path below the root, empty for the root.
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    /// The OU named `name` directly under this one.
    pub(crate) fn child(&self, name: &str) -> OuPath {
        if self.is_root() { OuPath(name.to_string()) } else { OuPath(format!("{}/{name}", self.0)) }
    }

    /// The OU above this one; the root's parent is the root.
    pub(crate) fn parent(&self) -> OuPath {
        match self.0.rsplit_once('/') {
            Some((parent, _)) => OuPath(parent.to_string()),
            None => OuPath::root(),
        }
    }

    /// The OU's own name: the last part of its path (`Root` for the root).
    pub(crate) fn name(&self) -> &str {
        if self.is_root() { Self::ROOT_NAME } else { self.0.rsplit('/').next().unwrap_or(&self.0) }
    }

    /// Levels below the root: 0 for the root, 1 for its children.
    pub(crate) fn depth(&self) -> usize {
        if self.is_root() { 0 } else { self.0.split('/').count() }
    }

    /// Whether `other` is this OU or anywhere under it. Every OU is under the root.
    pub(crate) fn contains(&self, other: &OuPath) -> bool {
        self.is_root()
            || other.0 == self.0
            || other.0.strip_prefix(self.0.as_str()).is_some_and(|rest| rest.starts_with('/'))
    }

    /// A path written with or without the root in front (`Root/Foundational`, `Foundational`).
    pub(crate) fn parse_qualified(text: &str) -> OuPath {
        let text = text.trim_end_matches('/');
        OuPath::parse(text.strip_prefix(Self::ROOT_NAME).and_then(|rest| rest.strip_prefix('/')).unwrap_or(text))
    }

    /// The path with the root spelled out, as inventories show it: `Root`, `Root/Foundational`.
    pub(crate) fn qualified(&self) -> String {
        if self.is_root() { Self::ROOT_NAME.to_string() } else { format!("{}/{}", Self::ROOT_NAME, self.0) }
    }
}

impl fmt::Display for OuPath {
    /// `Root` for the root, the path otherwise.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.is_root() { Self::ROOT_NAME } else { &self.0 })
    }
}

impl fmt::Debug for OuPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

impl Serialize for OuPath {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
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
