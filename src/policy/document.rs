//! An IAM policy document in a typed form: parsed once (Statement as an object or a list,
//! single values or lists, every condition operator known), so evaluation never looks at JSON.

use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Effect {
    Allow,
    Deny,
}

/// Action/NotAction or Resource/NotResource: the patterns, and whether the element is negated.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Patterns {
    pub not: bool,
    pub patterns: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Operator {
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateNotEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    NotIpAddress,
    ArnEquals,
    ArnLike,
    ArnNotEquals,
    ArnNotLike,
    Null,
}

impl Operator {
    const ALL: [(&'static str, Operator); 27] = [
        ("StringEquals", Operator::StringEquals),
        ("StringNotEquals", Operator::StringNotEquals),
        ("StringEqualsIgnoreCase", Operator::StringEqualsIgnoreCase),
        ("StringNotEqualsIgnoreCase", Operator::StringNotEqualsIgnoreCase),
        ("StringLike", Operator::StringLike),
        ("StringNotLike", Operator::StringNotLike),
        ("NumericEquals", Operator::NumericEquals),
        ("NumericNotEquals", Operator::NumericNotEquals),
        ("NumericLessThan", Operator::NumericLessThan),
        ("NumericLessThanEquals", Operator::NumericLessThanEquals),
        ("NumericGreaterThan", Operator::NumericGreaterThan),
        ("NumericGreaterThanEquals", Operator::NumericGreaterThanEquals),
        ("DateEquals", Operator::DateEquals),
        ("DateNotEquals", Operator::DateNotEquals),
        ("DateLessThan", Operator::DateLessThan),
        ("DateLessThanEquals", Operator::DateLessThanEquals),
        ("DateGreaterThan", Operator::DateGreaterThan),
        ("DateGreaterThanEquals", Operator::DateGreaterThanEquals),
        ("Bool", Operator::Bool),
        ("BinaryEquals", Operator::BinaryEquals),
        ("IpAddress", Operator::IpAddress),
        ("NotIpAddress", Operator::NotIpAddress),
        ("ArnEquals", Operator::ArnEquals),
        ("ArnLike", Operator::ArnLike),
        ("ArnNotEquals", Operator::ArnNotEquals),
        ("ArnNotLike", Operator::ArnNotLike),
        ("Null", Operator::Null),
    ];

    /// Negated operators are true when no policy value matches: their positive twin, negated.
    pub(crate) fn negated(self) -> Option<Operator> {
        Some(match self {
            Operator::StringNotEquals => Operator::StringEquals,
            Operator::StringNotEqualsIgnoreCase => Operator::StringEqualsIgnoreCase,
            Operator::StringNotLike => Operator::StringLike,
            Operator::NumericNotEquals => Operator::NumericEquals,
            Operator::DateNotEquals => Operator::DateEquals,
            Operator::NotIpAddress => Operator::IpAddress,
            Operator::ArnNotEquals => Operator::ArnEquals,
            Operator::ArnNotLike => Operator::ArnLike,
            _ => return None,
        })
    }
}

/// `ForAllValues:` or `ForAnyValue:` in front of an operator: how a multivalued key compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SetQualifier {
    ForAllValues,
    ForAnyValue,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Condition {
    pub qualifier: Option<SetQualifier>,
    pub operator: Operator,
    pub if_exists: bool,
    /// As written; compared without case.
    pub key: String,
    pub values: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Statement {
    /// Its Sid, or `#n` by its place in the document: how reasons name it.
    pub name: String,
    pub effect: Effect,
    pub action: Patterns,
    /// No Resource element: every resource.
    pub resource: Patterns,
    pub conditions: Vec<Condition>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Policy {
    pub statements: Vec<Statement>,
    /// By service prefix (lower case), the statements whose Action can match an action of that
    /// service, in document order; `other`: those for any service (NotAction, or a wildcard in
    /// the prefix), which also end every list.
    by_service: Vec<(String, Vec<usize>)>,
    other: Vec<usize>,
}

/// The service prefix of an action pattern, lower case, where it is written out (`ec2:Run*` →
/// `ec2`; `*`, `ec2*` and `*:Get*` → None).
fn service_of(pattern: &str) -> Option<String> {
    let (service, _) = pattern.split_once(':')?;
    (!service.contains(['*', '?'])).then(|| service.to_ascii_lowercase())
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub(crate) struct PolicyError(String);

/// A value as text, or each value of a list: IAM accepts single values and lists alike, and
/// numbers and booleans where strings are meant.
fn texts(value: &Value, what: &str) -> Result<Vec<String>, PolicyError> {
    let one = |v: &Value| match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        other => Err(PolicyError(format!("{what}: {other} is not a string"))),
    };
    match value {
        Value::Array(items) => items.iter().map(one).collect(),
        single => Ok(vec![one(single)?]),
    }
}

fn patterns(
    statement: &serde_json::Map<String, Value>,
    name: &str,
    negated: &str,
) -> Result<Option<Patterns>, PolicyError> {
    match (statement.get(name), statement.get(negated)) {
        (Some(_), Some(_)) => Err(PolicyError(format!("a statement has both {name} and {negated}"))),
        (Some(v), None) => Ok(Some(Patterns { not: false, patterns: texts(v, name)? })),
        (None, Some(v)) => Ok(Some(Patterns { not: true, patterns: texts(v, negated)? })),
        (None, None) => Ok(None),
    }
}

fn condition(operator: &str, key: &str, values: &Value) -> Result<Condition, PolicyError> {
    let (qualifier, rest) = if let Some(rest) = operator.strip_prefix("ForAllValues:") {
        (Some(SetQualifier::ForAllValues), rest)
    } else if let Some(rest) = operator.strip_prefix("ForAnyValue:") {
        (Some(SetQualifier::ForAnyValue), rest)
    } else {
        (None, operator)
    };
    let (name, if_exists) = match rest.strip_suffix("IfExists") {
        Some(name) => (name, true),
        None => (rest, false),
    };
    let operator = Operator::ALL
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, op)| *op)
        .ok_or_else(|| PolicyError(format!("unknown condition operator {operator:?}")))?;
    if operator == Operator::Null && if_exists {
        return Err(PolicyError("NullIfExists is not an operator".into()));
    }
    Ok(Condition { qualifier, operator, if_exists, key: key.to_string(), values: texts(values, key)? })
}

impl Policy {
    /// Parses a policy document as AWS holds it.
    pub(crate) fn parse(document: &Value) -> Result<Policy, PolicyError> {
        let statements = match document.get("Statement") {
            Some(Value::Array(list)) => list.iter().collect(),
            Some(single @ Value::Object(_)) => vec![single],
            _ => return Err(PolicyError("no Statement".into())),
        };
        let mut parsed = Vec::with_capacity(statements.len());
        for (i, statement) in statements.into_iter().enumerate() {
            let Value::Object(s) = statement else {
                return Err(PolicyError(format!("statement {} is not an object", i + 1)));
            };
            let effect = match s.get("Effect").and_then(Value::as_str) {
                Some("Allow") => Effect::Allow,
                Some("Deny") => Effect::Deny,
                other => return Err(PolicyError(format!("statement {}: Effect {other:?}", i + 1))),
            };
            let action = patterns(s, "Action", "NotAction")?
                .ok_or_else(|| PolicyError(format!("statement {}: no Action or NotAction", i + 1)))?;
            let resource =
                patterns(s, "Resource", "NotResource")?.unwrap_or(Patterns { not: false, patterns: vec!["*".into()] });
            let mut conditions = Vec::new();
            if let Some(block) = s.get("Condition") {
                let Value::Object(block) = block else {
                    return Err(PolicyError(format!("statement {}: Condition is not an object", i + 1)));
                };
                for (operator, keys) in block {
                    let Value::Object(keys) = keys else {
                        return Err(PolicyError(format!("statement {}: {operator} is not an object", i + 1)));
                    };
                    for (key, values) in keys {
                        conditions.push(condition(operator, key, values)?);
                    }
                }
            }
            let name = s.get("Sid").and_then(Value::as_str).map_or_else(|| format!("#{}", i + 1), str::to_string);
            parsed.push(Statement { name, effect, action, resource, conditions });
        }
        Ok(Policy::indexed(parsed))
    }

    fn indexed(statements: Vec<Statement>) -> Policy {
        let mut by_service: Vec<(String, Vec<usize>)> = Vec::new();
        let mut other = Vec::new();
        for (i, statement) in statements.iter().enumerate() {
            let services: Option<Vec<String>> = if statement.action.not {
                None
            } else {
                statement.action.patterns.iter().map(|p| service_of(p)).collect()
            };
            let Some(mut services) = services else {
                other.push(i);
                continue;
            };
            services.dedup();
            for service in services {
                match by_service.iter_mut().find(|(s, _)| *s == service) {
                    Some((_, list)) => list.push(i),
                    None => by_service.push((service, vec![i])),
                }
            }
        }
        for (_, list) in &mut by_service {
            list.extend(&other);
            list.sort_unstable();
            list.dedup();
        }
        Policy { statements, by_service, other }
    }

    /// The statements that can match `action`, in document order: the others cannot apply.
    pub(crate) fn candidates(&self, action: &str) -> impl Iterator<Item = &Statement> {
        let service = action.split_once(':').map_or(action, |(service, _)| service);
        let indices = self
            .by_service
            .iter()
            .find(|(s, _)| s.eq_ignore_ascii_case(service))
            .map_or(self.other.as_slice(), |(_, list)| list.as_slice());
        indices.iter().map(|&i| &self.statements[i])
    }
}
