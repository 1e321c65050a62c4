//! `lzctl effective`: an account's effective management policy as the blueprint makes it, and
//! read live, AWS's own beside it with the difference.

use crate::model::{PolicyType, canonical_json, pretty};
use serde_json::{Value, json};
use similar::TextDiff;
use std::fmt::Write;

/// What `effective` shows, whatever computed it.
pub(crate) struct EffectiveReport<'a> {
    pub account: &'a str,
    pub account_id: Option<&'a str>,
    pub policy_type: PolicyType,
    pub blueprint: &'a Option<Value>,
    pub aws: Option<&'a Option<Value>>,
}

/// Lists read as sets (AWS does not promise their order): sorted, so only real differences
/// show.
fn comparable(value: &Option<Value>) -> Option<Value> {
    fn sort(value: &Value) -> Value {
        match value {
            Value::Array(items) => {
                let mut items: Vec<Value> = items.iter().map(sort).collect();
                items.sort_by_key(canonical_json);
                Value::Array(items)
            }
            Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), sort(v))).collect()),
            other => other.clone(),
        }
    }
    value.as_ref().map(sort)
}

impl EffectiveReport<'_> {
    /// Whether AWS's effective policy is the blueprint's (true when not read live).
    pub(crate) fn agrees(&self) -> bool {
        self.aws.is_none_or(|aws| comparable(aws) == comparable(self.blueprint))
    }

    fn text(value: &Option<Value>) -> String {
        value.as_ref().map(|v| pretty(v) + "\n").unwrap_or_default()
    }

    pub(crate) fn human(&self) -> String {
        let mut out = String::new();
        let who = match self.account_id {
            Some(id) => format!("{} ({id})", self.account),
            None => self.account.to_string(),
        };
        let _ = writeln!(out, "Effective {} of {who}, from the blueprint:", self.policy_type);
        match self.blueprint {
            Some(v) => out.push_str(&(pretty(v) + "\n")),
            None => out.push_str("(none: no policy of this type reaches the account)\n"),
        }
        let Some(aws) = self.aws else { return out };
        let _ = writeln!(out, "\nIn AWS (DescribeEffectivePolicy):");
        match aws {
            Some(v) => out.push_str(&(pretty(v) + "\n")),
            None => out.push_str("(none)\n"),
        }
        if self.agrees() {
            out.push_str("\nAWS agrees with the blueprint.\n");
            return out;
        }
        let (ours, theirs) = (Self::text(&comparable(self.blueprint)), Self::text(&comparable(aws)));
        let diff = TextDiff::from_lines(&theirs, &ours);
        let _ = write!(
            out,
            "\nThey differ (- AWS now, + the blueprint; lists sorted):\n{}",
            diff.unified_diff().context_radius(3).header("aws", "blueprint")
        );
        out
    }

    pub(crate) fn json(&self) -> Value {
        let mut out = json!({
            "version": 1,
            "account": self.account,
            "account_id": self.account_id,
            "policy_type": self.policy_type,
            "blueprint": self.blueprint,
        });
        if let Some(aws) = self.aws {
            out["aws"] = json!(aws);
            out["agrees"] = json!(self.agrees());
        }
        out
    }
}

#[cfg(test)]
mod tests;
