//! A stack set's CloudFormation template, read as CloudFormation would before any stack is
//! made: it parses (YAML with CloudFormation's short-form tags, or JSON), it has resources, and
//! it takes exactly the parameters the stack set gives — each given one declared, each declared
//! one without a default given. Every problem is placed in the blueprint, naming the template's
//! own line where there is one.

use super::*;

/// A template's declared parameters: name → (its line in the template, whether it has a default).
type Declared = BTreeMap<String, (u64, bool)>;

impl Validator<'_> {
    pub(super) fn template(&mut self, what: &str, raw: &RawStackSet, body: &str) {
        // The template as the blueprint names it.
        let shown = raw.template.value.clone();
        let Some(declared) = self.declared_parameters(what, &raw.template, &shown, body) else { return };
        for (name, _) in &raw.parameters.0 {
            if declared.contains_key(&name.value) {
                continue;
            }
            let help = match closest(&name.value, declared.keys().map(String::as_str)) {
                Some(near) => format!("did you mean {near}?"),
                None if declared.is_empty() => format!("{shown} declares no parameters"),
                None => format!("{shown} declares {}", declared.keys().cloned().collect::<Vec<_>>().join(", ")),
            };
            self.c.at_with_help(
                Code::Template,
                &name.referenced,
                format!("{what}: parameter {} is not declared by {shown}; CloudFormation refuses it", name.value),
                "not in the template",
                help,
            );
        }
        for (name, (line, has_default)) in &declared {
            if !has_default && !raw.parameters.0.iter().any(|(given, _)| &given.value == name) {
                self.c.at_with_help(
                    Code::Template,
                    &raw.template.referenced,
                    format!("{what}: {shown}:{line} declares parameter {name} without a Default, and the stack set does not give it"),
                    "needs a parameter",
                    format!("add {name} to the stack set's parameters"),
                );
            }
        }
    }

    /// The parameters a template declares, or None (with the problem reported) when it does
    /// not parse or has no resources.
    fn declared_parameters(&mut self, what: &str, template: &S<String>, shown: &str, body: &str) -> Option<Declared> {
        let fail = |v: &mut Self, message: String| {
            v.c.at(Code::Template, &template.referenced, format!("{what}: {message}"), "this template");
            None
        };
        if body.trim_start().starts_with('{') {
            let json: Value = match serde_json::from_str(body) {
                Ok(json) => json,
                Err(e) => return fail(self, format!("{shown}:{}:{}: not valid JSON: {e}", e.line(), e.column())),
            };
            if json.get("Resources").and_then(Value::as_object).is_none_or(serde_json::Map::is_empty) {
                return fail(self, format!("{shown} has no Resources; CloudFormation needs at least one"));
            }
            let parameters = json.get("Parameters").and_then(Value::as_object).cloned().unwrap_or_default();
            return Some(
                parameters.iter().map(|(k, v)| (k.clone(), (line_of(body, k), v.get("Default").is_some()))).collect(),
            );
        }
        let parsed: RawTemplate = match serde_saphyr::from_str(body) {
            Ok(parsed) => parsed,
            Err(e) => {
                let at = e.location().map_or(String::new(), |l| format!(":{}:{}", l.line(), l.column()));
                return fail(self, format!("{shown}{at}: not valid YAML: {}", yaml_message(&e)));
            }
        };
        if parsed.resources.as_ref().is_none_or(|r| r.0.is_empty()) {
            return fail(self, format!("{shown} has no Resources; CloudFormation needs at least one"));
        }
        Some(
            parsed
                .parameters
                .0
                .iter()
                .map(|(k, v)| (k.value.clone(), (k.referenced.line(), v.value.default.is_some())))
                .collect(),
        )
    }
}

/// The line of a JSON template where `"name"` first appears as a key.
fn line_of(body: &str, name: &str) -> u64 {
    let key = format!("\"{name}\"");
    body.lines().position(|l| l.contains(&key)).map_or(0, |i| i as u64 + 1)
}
