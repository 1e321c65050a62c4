//! What a replay found: counts per decision and skip reason, the results worth reading (denied
//! and inconclusive, or all), as the contract's JSON and as a human summary grouped by account
//! → principal → action with counts and first and last seen.

use super::cloudtrail::{Event, Skip};
use crate::policy::{Decision, Outcome};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// How often, first and last seen, and how often it failed for lack of permission already.
type Seen = (u64, String, String, u64);
/// What the human report groups by, nested so that an event of a group already seen finds it
/// without allocating: account → principal → action → decision.
type Groups = BTreeMap<String, BTreeMap<String, BTreeMap<String, BTreeMap<&'static str, Seen>>>>;

/// The entry of `key`, made empty where there is none; the key is copied only then.
fn slot<'m, V: Default>(map: &'m mut BTreeMap<String, V>, key: &str) -> &'m mut V {
    if !map.contains_key(key) {
        map.insert(key.to_string(), V::default());
    }
    map.get_mut(key).expect("just inserted")
}

/// What a report keeps of each event beyond the counts and groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Keep {
    /// Nothing: the human and Markdown reports need only the groups, so memory stays flat
    /// however many events are read.
    #[default]
    Groups,
    /// The denied and inconclusive events' results (JSON).
    Results,
    /// Every event's result (JSON `--all`).
    All,
}

#[derive(Debug, Default)]
pub(crate) struct Report {
    pub events_read: u64,
    counts: BTreeMap<&'static str, u64>,
    skipped: BTreeMap<Skip, u64>,
    groups: Groups,
    results: Vec<Value>,
    keep: Keep,
}

impl Report {
    pub(crate) fn new(keep: Keep) -> Report {
        Report { keep, ..Report::default() }
    }

    /// An evaluated event of the account named `account` (its key or id) at `ou_path`.
    pub(crate) fn evaluated(&mut self, event: &Event<'_>, account: &str, ou_path: &str, outcome: &Outcome<'_>) {
        self.events_read += 1;
        let decision = outcome.decision;
        let name = decision.as_str();
        *self.counts.entry(name).or_default() += 1;
        let kept = decision != Decision::Allowed || self.keep == Keep::All;
        if !kept {
            return;
        }
        let by_action = slot(slot(&mut self.groups, account), &event.principal_arn);
        let seen = slot(by_action, &event.request.action).entry(name).or_default();
        if seen.0 == 0 || event.time < seen.1.as_str() {
            event.time.clone_into(&mut seen.1);
        }
        if seen.0 == 0 || event.time > seen.2.as_str() {
            event.time.clone_into(&mut seen.2);
        }
        seen.0 += 1;
        if event.already_denied {
            seen.3 += 1;
        }
        if self.keep != Keep::Groups {
            self.results.push(json!({
                "event_id": event.id, "event_time": event.time, "account_id": event.account_id,
                "account": account, "ou_path": ou_path, "principal_arn": event.principal_arn,
                "action": event.request.action, "region": event.region, "resource": event.request.resource,
                "decision": name, "reasons": outcome.reasons, "unknown_keys": outcome.unknown_keys,
                "already_denied": event.already_denied,
            }));
        }
    }

    /// An event not evaluated, and why.
    pub(crate) fn skipped(&mut self, id: Option<&str>, skip: Skip) {
        self.events_read += 1;
        *self.skipped.entry(skip).or_default() += 1;
        if self.keep == Keep::All {
            self.results.push(json!({"event_id": id, "decision": "skipped", "skip_reason": skip.as_str()}));
        }
    }

    pub(crate) fn denied_or_inconclusive(&self) -> bool {
        self.counts.get("denied").copied().unwrap_or(0) + self.counts.get("inconclusive").copied().unwrap_or(0) > 0
    }

    /// The contract's JSON (format version 1).
    pub(crate) fn json(&self, policies: &str) -> Value {
        let count = |name: &str| self.counts.get(name).copied().unwrap_or(0);
        let skipped: serde_json::Map<String, Value> = Skip::ALL
            .iter()
            .map(|s| (s.as_str().to_string(), json!(self.skipped.get(s).copied().unwrap_or(0))))
            .collect();
        json!({
            "format_version": 1,
            "tool_version": env!("CARGO_PKG_VERSION"),
            "policies": policies,
            "events_read": self.events_read,
            "summary": {"allowed": count("allowed"), "denied": count("denied"), "inconclusive": count("inconclusive"), "skipped": skipped},
            "results": self.results,
        })
    }

    /// For people: denied and inconclusive calls grouped by account → principal → action,
    /// each with its count and first and last seen; then a one-line verdict.
    pub(crate) fn human(&self) -> String {
        let mut out = self.groups();
        let count = |name: &str| self.counts.get(name).copied().unwrap_or(0);
        let skipped: u64 = self.skipped.values().sum();
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&format!(
            "{} events: {} allowed, {} denied, {} inconclusive, {skipped} skipped.\n",
            self.events_read,
            count("allowed"),
            count("denied"),
            count("inconclusive")
        ));
        out
    }

    /// A pull request's view: the verdict, then a table of the calls that would be denied or
    /// are inconclusive, grouped.
    pub(crate) fn markdown(&self) -> String {
        let count = |name: &str| self.counts.get(name).copied().unwrap_or(0);
        let mut out = format!(
            "### Count mode: the blueprint's SCPs and RCPs against recorded activity\n\n**{} denied, {} inconclusive** of {} events ({} allowed, {} skipped).\n",
            count("denied"),
            count("inconclusive"),
            self.events_read,
            count("allowed"),
            self.skipped.values().sum::<u64>()
        );
        if !self.groups.is_empty() {
            out.push_str("\n| account | principal | action | decision | calls | first seen | last seen |\n|---|---|---|---|---|---|---|\n");
            for (account, principal, action, label, (calls, first, last, failing)) in self.rows() {
                let already = if *failing > 0 { format!(" ({failing} already failing)") } else { String::new() };
                out.push_str(&format!(
                    "| {account} | `{principal}` | `{action}` | {label} | {calls}{already} | {first} | {last} |\n"
                ));
            }
        }
        out
    }

    /// The kept results grouped by account → principal → action, with counts and first and
    /// last seen; empty when none.
    pub(crate) fn groups(&self) -> String {
        let mut out = String::new();
        let (mut last_account, mut last_principal) = ("", "");
        for (account, principal, action, label, (count, first, last, failing)) in self.rows() {
            if account != last_account {
                out.push_str(&format!("{account}\n"));
                (last_account, last_principal) = (account, "");
            }
            if principal != last_principal {
                out.push_str(&format!("  {principal}\n"));
                last_principal = principal;
            }
            let already = if *failing > 0 { format!(" (already failing ×{failing})") } else { String::new() };
            out.push_str(&format!("    {label:<12} {action}  ×{count}  first {first}, last {last}{already}\n"));
        }
        out
    }

    /// The groups in order: account, principal, action, decision, and what was seen.
    fn rows(&self) -> impl Iterator<Item = (&str, &str, &str, &str, &Seen)> {
        self.groups.iter().flat_map(|(account, principals)| {
            principals.iter().flat_map(move |(principal, actions)| {
                actions.iter().flat_map(move |(action, decisions)| {
                    decisions.iter().map(move |(decision, seen)| {
                        (account.as_str(), principal.as_str(), action.as_str(), *decision, seen)
                    })
                })
            })
        })
    }
}
