//! Evaluating a request: a statement applies when its action, resource and every condition
//! match; along an organization's path every level (root → OU … → account) needs an applying
//! Allow, and an applying Deny anywhere denies. What decides is kept as the reasons.

use super::context::{Request, substitute};
use super::document::{Effect, Patterns, Policy, Statement};
use super::pattern::matches;
use super::{Tri, condition};
use std::collections::BTreeSet;

/// Actions AWS lets through whatever SCPs and RCPs say.
const ALWAYS_ALLOWED: [&str; 1] = ["sts:GetCallerIdentity"];

/// One level of the path and the policies attached there, by name.
#[derive(Debug, Clone)]
pub(crate) struct Level<'a> {
    /// The root, an OU path or an account, as reports name it.
    pub name: String,
    pub policies: Vec<(&'a str, &'a Policy)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Decision {
    Allowed,
    Denied,
    Inconclusive,
}

impl Decision {
    /// The decision as reports and the contract name it.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Decision::Allowed => "allowed",
            Decision::Denied => "denied",
            Decision::Inconclusive => "inconclusive",
        }
    }
}

/// Why: a statement that applies (a Deny, or the Allow of a level), or a level with no Allow;
/// names borrowed from the levels, so judging an event copies none of them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(untagged)]
pub(crate) enum Reason<'a> {
    Statement { policy: &'a str, attached_to: &'a str, statement: &'a str, effect: &'static str },
    NoAllow { attached_to: &'a str, no_allow: bool },
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Outcome<'a> {
    pub decision: Decision,
    pub reasons: Vec<Reason<'a>>,
    /// The context keys (and `resource`) whose values would decide an inconclusive outcome.
    pub unknown_keys: BTreeSet<String>,
}

fn action_matches(element: &Patterns, action: &str) -> Tri {
    let any = element.patterns.iter().any(|p| matches(p, action, true));
    Tri::of(any != element.not)
}

fn resource_matches(element: &Patterns, request: &Request<'_>, unknown: &mut BTreeSet<String>) -> Tri {
    let Some(resource) = &request.resource else {
        // An unknown resource is decided only by a pattern that matches everything.
        if element.patterns.iter().any(|p| p.chars().all(|c| c == '*')) {
            return Tri::of(!element.not);
        }
        unknown.insert("resource".into());
        return Tri::Unknown;
    };
    let any = Tri::any(element.patterns.iter().map(|p| match substitute(p, &request.context, unknown) {
        Ok(pattern) => Tri::of(matches(&pattern, resource, false)),
        Err(tri) => tri,
    }));
    if element.not { any.not() } else { any }
}

/// Whether a statement applies to a request; what left it unknown goes into `unknown`.
pub(crate) fn applies(statement: &Statement, request: &Request<'_>, unknown: &mut BTreeSet<String>) -> Tri {
    let action = action_matches(&statement.action, &request.action);
    if action == Tri::False {
        return Tri::False;
    }
    let resource = resource_matches(&statement.resource, request, unknown);
    if resource == Tri::False {
        return Tri::False;
    }
    let conditions = Tri::all(statement.conditions.iter().map(|c| condition::holds(c, &request.context, unknown)));
    action.and(resource).and(conditions)
}

/// The decision along a path: explicit Deny first, then a level without an Allow, then any
/// unknown that could change it; otherwise allowed.
pub(crate) fn evaluate_path<'a>(levels: &'a [Level<'_>], request: &Request<'_>) -> Outcome<'a> {
    if ALWAYS_ALLOWED.iter().any(|a| a.eq_ignore_ascii_case(&request.action)) {
        return Outcome { decision: Decision::Allowed, reasons: Vec::new(), unknown_keys: BTreeSet::new() };
    }
    let mut denies = Vec::new();
    let mut maybe_denied = BTreeSet::new();
    let mut no_allow = Vec::new();
    let mut maybe_no_allow = BTreeSet::new();
    let mut allows = Vec::new();
    for level in levels {
        let mut allowed = Tri::False;
        let mut unknown_allow = BTreeSet::new();
        for (name, policy) in &level.policies {
            for statement in policy.candidates(&request.action) {
                let mut unknown = BTreeSet::new();
                let applies = applies(statement, request, &mut unknown);
                let reason = || Reason::Statement {
                    policy: name,
                    attached_to: &level.name,
                    statement: &statement.name,
                    effect: if statement.effect == Effect::Deny { "Deny" } else { "Allow" },
                };
                match (statement.effect, applies) {
                    (Effect::Deny, Tri::True) => denies.push(reason()),
                    (Effect::Deny, Tri::Unknown) => maybe_denied.extend(unknown),
                    (Effect::Allow, Tri::True) => {
                        if allowed != Tri::True {
                            allows.push(reason());
                        }
                        allowed = Tri::True;
                    }
                    (Effect::Allow, Tri::Unknown) => {
                        allowed = allowed.or(Tri::Unknown);
                        unknown_allow.extend(unknown);
                    }
                    (_, Tri::False) => {}
                }
            }
        }
        match allowed {
            Tri::False => no_allow.push(Reason::NoAllow { attached_to: &level.name, no_allow: true }),
            Tri::Unknown => maybe_no_allow.extend(unknown_allow),
            Tri::True => {}
        }
    }
    if !denies.is_empty() {
        return Outcome { decision: Decision::Denied, reasons: denies, unknown_keys: BTreeSet::new() };
    }
    if !no_allow.is_empty() {
        return Outcome { decision: Decision::Denied, reasons: no_allow, unknown_keys: BTreeSet::new() };
    }
    if !maybe_denied.is_empty() || !maybe_no_allow.is_empty() {
        let unknown_keys = maybe_denied.into_iter().chain(maybe_no_allow).collect();
        return Outcome { decision: Decision::Inconclusive, reasons: Vec::new(), unknown_keys };
    }
    Outcome { decision: Decision::Allowed, reasons: allows, unknown_keys: BTreeSet::new() }
}
