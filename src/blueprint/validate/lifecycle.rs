//! Account retirement: `lifecycle: suspended` and `closed` accounts wait in
//! `organization.suspended_ou`, which must be an OU of the blueprint carrying a policy that
//! denies everything; their effective OU becomes it.

use super::*;
use crate::model::Lifecycle;
use serde_json::Value;

/// Whether a policy document holds an unconditional Deny of every action on every resource.
pub(super) fn denies_everything(document: &Value) -> bool {
    let one_star = |v: Option<&Value>| match v {
        Some(Value::String(s)) => s == "*",
        Some(Value::Array(items)) => items.iter().any(|i| i.as_str() == Some("*")),
        _ => false,
    };
    let statements = match document.get("Statement") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => Vec::new(),
    };
    statements.into_iter().any(|s| {
        s.get("Effect").and_then(Value::as_str) == Some("Deny")
            && one_star(s.get("Action"))
            && s.get("Resource").is_none_or(|r| one_star(Some(r)))
            && s.get("Condition").is_none()
    })
}

impl Validator<'_> {
    /// The suspended OU, checked; suspended and closed accounts are placed in it.
    pub(super) fn suspended_ou(
        &mut self,
        raw: &RawBlueprint,
        ous: &BTreeMap<OuPath, Ou>,
        policies: &BTreeMap<String, Policy>,
        accounts: &mut BTreeMap<String, Account>,
    ) -> Option<OuPath> {
        let written = raw.organization.as_ref().and_then(|o| o.suspended_ou.as_ref());
        let retiring: Vec<&String> =
            accounts.values().filter(|a| a.lifecycle != Lifecycle::Active).map(|a| &a.key).collect();
        let Some(written) = written else {
            for key in retiring {
                let (account_key, lifecycle) = raw
                    .accounts
                    .0
                    .iter()
                    .find(|(k, _)| &k.value == key)
                    .and_then(|(_, a)| a.value.lifecycle.as_ref().map(|l| (key, l)))
                    .expect("a retiring account says so");
                self.c.at_with_help(
                    Code::Lifecycle,
                    &lifecycle.referenced,
                    format!(
                        "account {account_key} is {} but the blueprint has no organization.suspended_ou",
                        lifecycle.value
                    ),
                    "no suspended OU",
                    "name the OU retired accounts wait in, denied everything: organization: {suspended_ou: Suspended}",
                );
            }
            return None;
        };
        let path = OuPath::parse(&written.value);
        let Some(ou) = ous.get(&path) else {
            self.unknown_ou(written, ous, "the suspended OU");
            return None;
        };
        let denies =
            ou.attachments.policies.iter().filter_map(|p| policies.get(p)).any(|p| denies_everything(&p.document));
        if !denies {
            self.c.at_with_help(
                Code::Lifecycle,
                &written.referenced,
                format!("the suspended OU {path} carries no policy that denies everything"),
                "not closed off",
                "attach a policy with an unconditional Deny of Action \"*\" on Resource \"*\" (like deny-all) to it",
            );
        }
        for account in accounts.values_mut().filter(|a| a.lifecycle != Lifecycle::Active) {
            account.ou = path.clone();
        }
        Some(path)
    }
}
