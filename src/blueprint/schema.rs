//! The blueprint's JSON Schema, for editors (`lzctl schema`, the `$schema` comment of shipped
//! blueprints): generated from the very types the parser reads the YAML into, with the values
//! lzctl knows (policy types, lifecycles) named from the model, so it cannot drift from what
//! `validate` accepts.

use super::raw::RawBlueprint;
use crate::model::{Lifecycle, PolicyType};
use schemars::generate::SchemaSettings;
use serde_json::{Value, json};

/// The schema, draft-07 (what yaml-language-server and most editors read).
pub(crate) fn schema() -> Value {
    let generator = SchemaSettings::draft07().into_generator();
    let mut schema = generator.into_root_schema_for::<RawBlueprint>().to_value();
    schema["title"] = json!("lzctl blueprint");
    schema["description"] =
        json!("An AWS Organizations landing zone, as lzctl plans and applies it (`lzctl validate` checks the rest).");
    let policy_types: Vec<&str> = PolicyType::ALL.iter().map(|t| t.as_str()).collect();
    let lifecycles: Vec<&str> = Lifecycle::ALL.iter().map(|(word, _)| *word).collect();
    let definitions = schema.get_mut("definitions").expect("the raw types have definitions");
    definitions["Policy"]["properties"]["type"] = json!({"enum": policy_types, "default": "SERVICE_CONTROL_POLICY"});
    definitions["Organization"]["properties"]["policy_types"] =
        json!({"type": "array", "items": {"enum": policy_types}, "uniqueItems": true});
    definitions["Account"]["properties"]["lifecycle"] = json!({"enum": lifecycles, "default": "active"});
    definitions["Account"]["properties"]["join"] = json!({"enum": ["invite"]});
    definitions["StackSet"]["properties"]["permission_model"] =
        json!({"enum": ["SERVICE_MANAGED", "SELF_MANAGED"], "default": "SERVICE_MANAGED"});
    schema["properties"]["version"] = json!({"const": 1, "description": "The blueprint format's version."});
    schema
}

#[cfg(test)]
mod tests;
