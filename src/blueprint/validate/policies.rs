//! `policies:`: each policy, its type (any AWS Organizations accepts), description and document
//! (a file or inline) — IAM policy language for SCPs and RCPs, the management-policy syntax
//! (inheritance operators, the type's top-level key) for the others — and its type's size quota.

use super::*;

impl Validator<'_> {
    /// A JSON policy document from `file:` or inline `document:`, checked for shape.
    pub(super) fn policy_document(
        &mut self,
        file: Option<&S<String>>,
        document: Option<&S<Value>>,
        at: &Location,
        what: &str,
        problems_of: &dyn Fn(&Value) -> Vec<String>,
    ) -> Option<Value> {
        let (doc, place) = match (file, document) {
            (Some(_), Some(doc)) => {
                self.c.at(
                    Code::OneOf,
                    &doc.referenced,
                    format!("{what} has both `file` and `document`"),
                    "give only one",
                );
                return None;
            }
            (None, None) => {
                self.c.at(Code::OneOf, at, format!("{what} needs `file` or `document`"), "no document");
                return None;
            }
            (Some(file), None) => {
                let (path, text) = self.read_named_file(file, FileKind::Policy)?;
                match serde_json::from_str::<Value>(&text) {
                    Ok(doc) => (doc, file.referenced),
                    Err(err) => {
                        self.c.at(
                            Code::InvalidJson,
                            &file.referenced,
                            format!(
                                "{} is not valid JSON: {err} (at {}:{}:{})",
                                path.display(),
                                path.display(),
                                err.line(),
                                err.column()
                            ),
                            "this file",
                        );
                        return None;
                    }
                }
            }
            (None, Some(doc)) => (doc.value.clone(), doc.referenced),
        };
        let problems = problems_of(&doc);
        for problem in &problems {
            self.c.at(Code::PolicyDocument, &place, format!("{what}: {problem}"), "this document");
        }
        problems.is_empty().then_some(doc)
    }

    pub(super) fn policies(&mut self, raw: &SpannedMap<S<RawPolicy>>, quotas: &Quotas) -> BTreeMap<String, Policy> {
        let mut policies = BTreeMap::new();
        for (name, policy) in &raw.0 {
            let what = format!("policy {}", name.value);
            check_name(&mut self.c, name, "policy name", 128);
            let policy_type = match &policy.value.policy_type {
                None => PolicyType::ServiceControlPolicy,
                Some(t) => match PolicyType::parse(&t.value) {
                    Some(pt) => pt,
                    None => {
                        let types: Vec<&str> = PolicyType::ALL.iter().map(|t| t.as_str()).collect();
                        self.c.at_with_help(
                            Code::UnknownPolicyType,
                            &t.referenced,
                            format!("unknown policy type {:?}", t.value),
                            "not a policy type of AWS Organizations",
                            format!("one of {}", types.join(", ")),
                        );
                        continue;
                    }
                },
            };
            if let Some(d) = &policy.value.description
                && d.value.chars().count() > 512
            {
                self.c.at(
                    Code::Quota,
                    &d.referenced,
                    format!("{what}: description is longer than 512 characters"),
                    "too long",
                );
            }
            let Some(document) = self.policy_document(
                policy.value.file.as_ref(),
                policy.value.document.as_ref(),
                &policy.referenced,
                &what,
                &|doc: &Value| {
                    if policy_type.is_authorization() {
                        document_problems(doc)
                    } else {
                        management_problems(doc, policy_type)
                    }
                },
            ) else {
                continue;
            };
            let size = minified(&document).chars().count();
            // `quotas.policy_size` is the SCP/RCP quota an organization may have raised.
            let limit = if policy_type.is_authorization() { quotas.policy_size } else { policy_type.max_size() };
            if size > limit {
                self.c.at_with_help(
                    Code::Quota,
                    &name.referenced,
                    format!("{what} is {size} characters minified, over the {policy_type} quota of {limit}"),
                    "too large",
                    "split it, or raise `quotas.policy_size` if AWS raised this organization's quota",
                );
            }
            policies.insert(
                name.value.clone(),
                Policy {
                    name: name.value.clone(),
                    policy_type,
                    description: policy.value.description.as_ref().map(|d| d.value.clone()).unwrap_or_default(),
                    document,
                },
            );
        }
        policies
    }
}

/// What makes a document unusable as an SCP/RCP or inline policy, in words.
pub(super) fn document_problems(doc: &Value) -> Vec<String> {
    let Some(obj) = doc.as_object() else {
        return vec!["a policy document must be a JSON object".into()];
    };
    let statements: Vec<&Value> = match obj.get("Statement") {
        None => return vec!["the document has no Statement".into()],
        Some(Value::Array(list)) if list.is_empty() => return vec!["Statement is empty".into()],
        Some(Value::Array(list)) => list.iter().collect(),
        Some(single @ Value::Object(_)) => vec![single],
        Some(_) => return vec!["Statement must be an object or a list of objects".into()],
    };
    let mut problems = Vec::new();
    if let Some(version) = obj.get("Version").filter(|v| !v.is_string()) {
        problems.push(format!("Version must be a string such as \"2012-10-17\", not {version}"));
    }
    for (i, s) in statements.iter().enumerate() {
        let n = i + 1;
        let Some(statement) = s.as_object() else {
            problems.push(format!("statement {n} is not an object"));
            continue;
        };
        match statement.get("Effect") {
            Some(Value::String(effect)) if effect == "Allow" || effect == "Deny" => {}
            Some(Value::String(other)) => {
                problems.push(format!("statement {n} has Effect {other:?}; it must be Allow or Deny"));
            }
            Some(other) => problems.push(format!("statement {n} has Effect {other}; it must be Allow or Deny")),
            None => problems.push(format!("statement {n} has no Effect")),
        }
        if !statement.contains_key("Action") && !statement.contains_key("NotAction") {
            problems.push(format!("statement {n} has neither Action nor NotAction"));
        }
        for key in ["Action", "NotAction", "Resource", "NotResource"] {
            if let Some(value) = statement.get(key).filter(|v| !is_strings(v)) {
                problems.push(format!("statement {n}: {key} must be a string or a list of strings, not {value}"));
            }
        }
        if let Some(sid) = statement.get("Sid").filter(|v| !v.is_string()) {
            problems.push(format!("statement {n}: Sid must be a string, not {sid}"));
        }
        for key in ["Principal", "NotPrincipal"] {
            match statement.get(key) {
                None | Some(Value::String(_)) => {}
                Some(Value::Object(kinds)) if kinds.values().all(is_strings) => {}
                Some(other) => problems.push(format!(
                    "statement {n}: {key} must be \"*\" or an object of strings or lists of strings, not {other}"
                )),
            }
        }
        match statement.get("Condition") {
            None => {}
            Some(Value::Object(operators))
                if operators.values().all(|keys| {
                    keys.as_object().is_some_and(|keys| {
                        keys.values().all(|v| is_strings(v) || v.is_boolean() || v.is_number() || scalars(v))
                    })
                }) => {}
            Some(other) => problems
                .push(format!("statement {n}: Condition must map operators to keys and their values, not {other}")),
        }
    }
    problems
}

/// A string, or a non-empty list of strings: what IAM accepts for actions and resources.
fn is_strings(value: &Value) -> bool {
    match value {
        Value::String(_) => true,
        Value::Array(items) => !items.is_empty() && items.iter().all(Value::is_string),
        _ => false,
    }
}

/// A list of strings, numbers or booleans: what a condition key may be compared with.
fn scalars(value: &Value) -> bool {
    value.as_array().is_some_and(|items| items.iter().all(|v| v.is_string() || v.is_number() || v.is_boolean()))
}

pub(super) fn has_allow_statement(doc: &Value) -> bool {
    match doc.get("Statement") {
        Some(Value::Array(list)) => list.iter().any(|s| s.get("Effect").and_then(Value::as_str) == Some("Allow")),
        Some(s) => s.get("Effect").and_then(Value::as_str) == Some("Allow"),
        None => false,
    }
}

/// The inheritance operators of management policies.
const OPERATORS: [&str; 5] =
    ["@@assign", "@@append", "@@remove", "@@operators_allowed_for_child_policies", "@@enforced_for"];
/// Operators that set a value, never beside a child key.
const VALUE_OPERATORS: [&str; 3] = ["@@assign", "@@append", "@@remove"];
/// What `@@operators_allowed_for_child_policies` may list.
const CHILD_OPERATORS: [&str; 5] = ["@@all", "@@assign", "@@append", "@@remove", "@@none"];

/// What makes a document unusable as a management policy (tag, backup, AI services opt-out,
/// chat, declarative …) of `policy_type`, in words with the JSON path of each problem.
pub(super) fn management_problems(doc: &Value, policy_type: PolicyType) -> Vec<String> {
    let Some(obj) = doc.as_object() else {
        return vec![format!("a {policy_type} must be a JSON object")];
    };
    let mut problems = Vec::new();
    if let Some(key) = policy_type.top_level_key() {
        for other in obj.keys().filter(|k| *k != key) {
            problems.push(format!("top-level key {other:?} is not one a {policy_type} has (it holds {key:?})"));
        }
    }
    operators(doc, "", &mut problems);
    problems
}

fn operators(value: &Value, path: &str, problems: &mut Vec<String>) {
    let Value::Object(map) = value else { return };
    let has_value_operator = map.keys().any(|k| VALUE_OPERATORS.contains(&k.as_str()));
    for (key, child) in map {
        let here = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
        if let Some(operator) = key.strip_prefix("@@").map(|_| key.as_str()) {
            if !OPERATORS.contains(&operator) {
                problems.push(format!("{here}: {operator} is not an inheritance operator ({})", OPERATORS.join(", ")));
                continue;
            }
            match operator {
                "@@append" | "@@remove" if !child.is_array() => {
                    problems.push(format!("{here}: {operator} works on a list of values"));
                }
                "@@assign" if child.is_object() => {
                    problems.push(format!("{here}: @@assign sets a value or a list, not keys"));
                }
                "@@operators_allowed_for_child_policies" => {
                    let listed = child
                        .as_array()
                        .map(|items| items.iter().all(|i| i.as_str().is_some_and(|s| CHILD_OPERATORS.contains(&s))));
                    if listed != Some(true) {
                        problems.push(format!("{here}: lists some of {}", CHILD_OPERATORS.join(", ")));
                    }
                }
                _ => {}
            }
        } else {
            if has_value_operator {
                problems.push(format!(
                    "{here}: a key beside @@assign, @@append or @@remove (an operator sets the whole value)"
                ));
            }
            operators(child, &here, problems);
        }
    }
}
