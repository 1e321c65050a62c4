//! The IAM policy engine behind count mode: policy documents parsed once into a typed form, and
//! requests evaluated against them the way AWS documents it — statements, wildcards, every
//! condition operator, policy variables — and along an organization's root → OU … → account
//! path for SCPs and RCPs. Pure. A value a request does not carry is *unknown* (an event from
//! CloudTrail) or *absent* (a what-if question), and evaluation is three-valued so that only an
//! unknown that could change the answer makes it inconclusive.

mod condition;
mod context;
mod document;
mod evaluate;
mod pattern;

#[cfg(test)]
pub(crate) use context::Lookup;
pub(crate) use context::{Context, Request};
pub(crate) use document::Policy;
#[cfg(test)]
pub(crate) use evaluate::Reason;
pub(crate) use evaluate::{Decision, Level, Outcome, evaluate_path};

/// A truth value that may be unknown: Kleene's three-valued logic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tri {
    True,
    False,
    Unknown,
}

impl Tri {
    pub(crate) fn of(value: bool) -> Tri {
        if value { Tri::True } else { Tri::False }
    }

    pub(crate) fn and(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::False, _) | (_, Tri::False) => Tri::False,
            (Tri::True, Tri::True) => Tri::True,
            _ => Tri::Unknown,
        }
    }

    pub(crate) fn or(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::True, _) | (_, Tri::True) => Tri::True,
            (Tri::False, Tri::False) => Tri::False,
            _ => Tri::Unknown,
        }
    }

    pub(crate) fn not(self) -> Tri {
        match self {
            Tri::True => Tri::False,
            Tri::False => Tri::True,
            Tri::Unknown => Tri::Unknown,
        }
    }

    /// Any of them true (false for none).
    pub(crate) fn any(items: impl IntoIterator<Item = Tri>) -> Tri {
        items.into_iter().fold(Tri::False, Tri::or)
    }

    /// All of them true (true for none).
    pub(crate) fn all(items: impl IntoIterator<Item = Tri>) -> Tri {
        items.into_iter().fold(Tri::True, Tri::and)
    }
}

#[cfg(test)]
mod tests;
