//! The shared vocabulary of blueprint, live state and plan: policy types, change kinds and
//! actions, attachment targets, and policy documents compared the way IAM compares them.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;

/// The name AWS gives the SCP that allows everything; attached to every target by default.
pub(crate) const FULL_AWS_ACCESS: &str = "FullAWSAccess";
/// The RCP AWS keeps attached everywhere; lzctl never plans it.
pub(crate) const RCP_FULL_AWS_ACCESS: &str = "RCPFullAWSAccess";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum PolicyType {
    ServiceControlPolicy,
    ResourceControlPolicy,
    TagPolicy,
    BackupPolicy,
    AiservicesOptOutPolicy,
    ChatbotPolicy,
    DeclarativePolicyEc2,
}

impl PolicyType {
    pub(crate) const ALL: [PolicyType; 7] = [
        PolicyType::ServiceControlPolicy,
        PolicyType::ResourceControlPolicy,
        PolicyType::TagPolicy,
        PolicyType::BackupPolicy,
        PolicyType::AiservicesOptOutPolicy,
        PolicyType::ChatbotPolicy,
        PolicyType::DeclarativePolicyEc2,
    ];
    /// The policy types whose documents and attachments lzctl manages.
    pub(crate) const MANAGED: [PolicyType; 2] = [PolicyType::ServiceControlPolicy, PolicyType::ResourceControlPolicy];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            PolicyType::ServiceControlPolicy => "SERVICE_CONTROL_POLICY",
            PolicyType::ResourceControlPolicy => "RESOURCE_CONTROL_POLICY",
            PolicyType::TagPolicy => "TAG_POLICY",
            PolicyType::BackupPolicy => "BACKUP_POLICY",
            PolicyType::AiservicesOptOutPolicy => "AISERVICES_OPT_OUT_POLICY",
            PolicyType::ChatbotPolicy => "CHATBOT_POLICY",
            PolicyType::DeclarativePolicyEc2 => "DECLARATIVE_POLICY_EC2",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<PolicyType> {
        PolicyType::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

impl fmt::Display for PolicyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Kind {
    OrganizationSetting,
    OrganizationalUnit,
    Account,
    Policy,
    PolicyAttachment,
    PermissionSet,
    Assignment,
    StackSet,
    StackInstances,
}

impl Kind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Kind::OrganizationSetting => "organization_setting",
            Kind::OrganizationalUnit => "organizational_unit",
            Kind::Account => "account",
            Kind::Policy => "policy",
            Kind::PolicyAttachment => "policy_attachment",
            Kind::PermissionSet => "permission_set",
            Kind::Assignment => "assignment",
            Kind::StackSet => "stack_set",
            Kind::StackInstances => "stack_instances",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Action {
    Create,
    Update,
    Delete,
    Move,
}

impl Action {
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            Action::Create => "+",
            Action::Update => "~",
            Action::Delete => "-",
            Action::Move => "→",
        }
    }
}

/// Where a policy is attached: the root, an OU by its path, or an account by its blueprint key
/// (or, for accounts the blueprint does not name, by id).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "type", content = "name", rename_all = "snake_case")]
pub(crate) enum Target {
    Root,
    Ou(String),
    Account(String),
}

impl fmt::Display for Target {
    /// The form used in addresses: `Root`, `Foundational/Workloads`, `account:prod-web`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Root => f.write_str("Root"),
            Target::Ou(path) => f.write_str(path),
            Target::Account(key) => write!(f, "account:{key}"),
        }
    }
}

/// Splits an OU path into its parent path ("" for the root) and its own name.
pub(crate) fn split_ou_path(path: &str) -> (&str, &str) {
    match path.rsplit_once('/') {
        Some((parent, name)) => (parent, name),
        None => ("", path),
    }
}

/// Keys whose values IAM treats as a set, where a single string equals a one-element list.
const SET_VALUED_KEYS: [&str; 4] = ["Action", "NotAction", "Resource", "NotResource"];

/// A policy document in a canonical form: keys sorted,
/// a lone Statement object wrapped in a list, and set-valued fields (actions, resources,
/// principals, condition values) as sorted, de-duplicated lists. Two documents IAM treats as the
/// same normalize to equal values, so key order and whitespace never plan a change.
pub(crate) fn normalize_policy(doc: &Value) -> Value {
    let mut doc = doc.clone();
    if let Some(statement) = doc.as_object_mut().and_then(|obj| obj.get_mut("Statement")) {
        if statement.is_object() {
            *statement = Value::Array(vec![statement.take()]);
        }
        if let Some(statements) = statement.as_array_mut() {
            statements.iter_mut().for_each(normalize_statement);
        }
    }
    sort_keys(doc)
}

/// The same value with every object's keys in sorted order (maps keep insertion order here).
fn sort_keys(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sort_keys(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sort_keys).collect()),
        other => other,
    }
}

fn normalize_statement(statement: &mut Value) {
    let Some(obj) = statement.as_object_mut() else {
        return;
    };
    for key in SET_VALUED_KEYS {
        if let Some(v) = obj.get_mut(key) {
            as_sorted_set(v);
        }
    }
    for key in ["Principal", "NotPrincipal"] {
        if let Some(Value::Object(principals)) = obj.get_mut(key) {
            principals.values_mut().for_each(as_sorted_set);
        }
    }
    if let Some(Value::Object(operators)) = obj.get_mut("Condition") {
        for conditions in operators.values_mut() {
            if let Value::Object(conditions) = conditions {
                conditions.values_mut().for_each(as_sorted_set);
            }
        }
    }
}

fn as_sorted_set(v: &mut Value) {
    let mut items = match v.take() {
        Value::Array(items) => items,
        single => vec![single],
    };
    items.sort_by_key(std::string::ToString::to_string);
    items.dedup();
    *v = Value::Array(items);
}

/// The document as it is uploaded: minified, in the author's key order. Its length is what
/// the policy-size quota counts.
pub(crate) fn minified(doc: &Value) -> String {
    serde_json::to_string(doc).expect("a JSON value always serializes")
}

/// Any JSON value printed compactly with every object's keys sorted: equal values, equal text.
pub(crate) fn canonical_json(value: &Value) -> String {
    minified(&sort_keys(value.clone()))
}

/// The document as people read it in diffs.
pub(crate) fn pretty(doc: &Value) -> String {
    serde_json::to_string_pretty(doc).expect("a JSON value always serializes")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reordered_keys_and_single_values_normalize_equal() {
        let a = json!({"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "s3:*", "Resource": ["*"]}});
        let b =
            json!({"Statement": [{"Resource": "*", "Action": ["s3:*"], "Effect": "Deny"}], "Version": "2012-10-17"});
        assert_eq!(normalize_policy(&a), normalize_policy(&b));
        assert_eq!(pretty(&normalize_policy(&a)), pretty(&normalize_policy(&b)), "printed alike too");
    }

    #[test]
    fn a_real_difference_survives_normalization() {
        let a = json!({"Statement": [{"Effect": "Deny", "Action": ["s3:*", "ec2:*"]}]});
        let b = json!({"Statement": [{"Effect": "Deny", "Action": ["s3:*"]}]});
        assert_ne!(normalize_policy(&a), normalize_policy(&b));
    }

    #[test]
    fn action_order_and_condition_values_are_sets() {
        let a = json!({"Statement": [{"Effect": "Deny", "Action": ["b:*", "a:*"],
            "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}}]});
        let b = json!({"Statement": [{"Effect": "Deny", "Action": ["a:*", "b:*"],
            "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1", "us-east-1"]}}}]});
        assert_eq!(normalize_policy(&a), normalize_policy(&b));
    }

    #[test]
    fn ou_paths_split_into_parent_and_name() {
        assert_eq!(split_ou_path("Foundational"), ("", "Foundational"));
        assert_eq!(split_ou_path("Foundational/Workloads/SDLC"), ("Foundational/Workloads", "SDLC"));
    }
}
