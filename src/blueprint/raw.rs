//! The blueprint exactly as written: serde types that mirror the YAML keys of the contract,
//! every value carrying its place in the file so validation can point at it.

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_saphyr::{Location, Spanned};
use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

/// A value and where it is in the file: read as the parser's `Spanned`, described in the JSON
/// Schema as the value itself.
#[derive(Debug)]
pub(super) struct S<T> {
    pub value: T,
    pub referenced: Location,
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for S<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let Spanned { value, referenced, .. } = Spanned::deserialize(deserializer)?;
        Ok(S { value, referenced })
    }
}

impl<T: JsonSchema> JsonSchema for S<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }
    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }
    fn schema_id() -> Cow<'static, str> {
        T::schema_id()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        T::json_schema(generator)
    }
}

/// A YAML mapping kept in file order with the place of each key, so that errors can point at a
/// key and output follows the author's order. Duplicate keys are rejected by the parser.
#[derive(Debug)]
pub(super) struct SpannedMap<V>(pub Vec<(S<String>, V)>);

impl<V> Default for SpannedMap<V> {
    fn default() -> Self {
        SpannedMap(Vec::new())
    }
}

impl<V: JsonSchema> JsonSchema for SpannedMap<V> {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        format!("Map_of_{}", V::schema_name()).into()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "object", "additionalProperties": generator.subschema_for::<V>()})
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for SpannedMap<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MapVisitor<V>(PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for MapVisitor<V> {
            type Value = SpannedMap<V>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(SpannedMap::default())
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(SpannedMap(entries))
            }
        }
        deserializer.deserialize_map(MapVisitor(PhantomData))
    }
}

/// A scalar read as text whatever its YAML type, so `cost-center: 1234` is the tag value
/// "1234" and a stack-set parameter may be written as a number or a boolean.
#[derive(Debug, Clone)]
pub(super) struct Text(pub String);

impl JsonSchema for Text {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "Text".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": ["string", "number", "boolean"]})
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl Visitor<'_> for TextVisitor {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string, number or boolean")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
        }
        deserializer.deserialize_any(TextVisitor)
    }
}

pub(super) type Tags = SpannedMap<S<Text>>;
pub(super) type Names = S<Vec<S<String>>>;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Blueprint")]
pub(super) struct RawBlueprint {
    pub version: S<u32>,
    #[serde(default)]
    pub organization: Option<RawOrganization>,
    #[serde(default)]
    pub organizational_units: SpannedMap<S<Option<RawOu>>>,
    #[serde(default)]
    pub accounts: SpannedMap<S<RawAccount>>,
    #[serde(default)]
    pub policies: SpannedMap<S<RawPolicy>>,
    #[serde(default)]
    pub identity_center: Option<RawIdentityCenter>,
    #[serde(default)]
    pub stack_sets: SpannedMap<S<RawStackSet>>,
    #[serde(default)]
    pub approvals: Option<S<RawApprovals>>,
    /// lzctl's extension: quota values where AWS raised them for this organization.
    #[serde(default)]
    pub quotas: Option<RawQuotas>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Organization")]
pub(super) struct RawOrganization {
    #[serde(default)]
    pub policy_types: Option<Names>,
    #[serde(default)]
    pub trusted_services: Option<Names>,
    #[serde(default)]
    pub delegated_administrators: SpannedMap<S<String>>,
    #[serde(default)]
    pub root_policies: Option<Names>,
    /// The OU accounts wait in, denied everything, once `lifecycle: suspended` or `closed`.
    #[serde(default)]
    pub suspended_ou: Option<S<String>>,
    /// Centralized root access (IAM's organization features).
    #[serde(default)]
    pub root_access: Option<S<RawRootAccess>>,
}

#[derive(Debug, Deserialize, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "RootAccess")]
pub(super) struct RawRootAccess {
    #[serde(default)]
    pub credentials_management: Option<S<bool>>,
    #[serde(default)]
    pub root_sessions: Option<S<bool>>,
}

#[derive(Debug, Deserialize, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Ou")]
pub(super) struct RawOu {
    #[serde(default)]
    pub policies: Option<Names>,
    #[serde(default)]
    pub tags: Option<Tags>,
    #[serde(default)]
    pub full_aws_access: Option<S<bool>>,
    /// The name the OU has in AWS now: renamed in place instead of created anew.
    #[serde(default)]
    pub renamed_from: Option<S<String>>,
    #[serde(default)]
    pub children: SpannedMap<S<Option<RawOu>>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Account")]
pub(super) struct RawAccount {
    #[serde(default)]
    pub id: Option<S<Text>>,
    pub email: S<String>,
    #[serde(default)]
    pub ou: Option<S<String>>,
    #[serde(default)]
    pub name: Option<S<String>>,
    #[serde(default)]
    pub policies: Option<Names>,
    #[serde(default)]
    pub tags: Option<Tags>,
    #[serde(default)]
    pub full_aws_access: Option<S<bool>>,
    /// `active` (the default), `suspended` or `closed`.
    #[serde(default)]
    pub lifecycle: Option<S<String>>,
    /// `invite`: an account of another organization (or none), invited by its `id`.
    #[serde(default)]
    pub join: Option<S<String>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Policy")]
pub(super) struct RawPolicy {
    #[serde(default, rename = "type")]
    pub policy_type: Option<S<String>>,
    #[serde(default)]
    pub description: Option<S<String>>,
    #[serde(default)]
    pub document: Option<S<serde_json::Value>>,
    #[serde(default)]
    pub file: Option<S<String>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "IdentityCenter")]
pub(super) struct RawIdentityCenter {
    #[serde(default)]
    pub instance_arn: Option<S<String>>,
    #[serde(default)]
    pub permission_sets: SpannedMap<S<RawPermissionSet>>,
    #[serde(default)]
    pub assignments: Vec<S<RawAssignment>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "PermissionSet")]
pub(super) struct RawPermissionSet {
    #[serde(default)]
    pub description: Option<S<String>>,
    #[serde(default)]
    pub session_duration: Option<S<String>>,
    #[serde(default)]
    pub relay_state: Option<S<String>>,
    #[serde(default)]
    pub managed_policies: Option<Names>,
    #[serde(default)]
    pub customer_managed_policies: Vec<S<RawPolicyReference>>,
    #[serde(default)]
    pub inline_policy: Option<S<RawInlinePolicy>>,
    #[serde(default)]
    pub permissions_boundary: Option<S<RawBoundary>>,
    #[serde(default)]
    pub tags: Tags,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "PolicyReference")]
pub(super) struct RawPolicyReference {
    pub name: S<String>,
    #[serde(default)]
    pub path: Option<S<String>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "InlinePolicy")]
pub(super) struct RawInlinePolicy {
    #[serde(default)]
    pub file: Option<S<String>>,
    #[serde(default)]
    pub document: Option<S<serde_json::Value>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Boundary")]
pub(super) struct RawBoundary {
    #[serde(default)]
    pub managed_policy_arn: Option<S<String>>,
    #[serde(default)]
    pub customer_managed_policy_reference: Option<S<RawPolicyReference>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Assignment")]
pub(super) struct RawAssignment {
    #[serde(default)]
    pub group: Option<S<String>>,
    #[serde(default)]
    pub user: Option<S<String>>,
    pub permission_set: S<String>,
    #[serde(default)]
    pub accounts: Option<Names>,
    #[serde(default)]
    pub ous: Option<Names>,
    /// Accounts (blueprint keys or ids) under `ous` that the assignment leaves out.
    #[serde(default)]
    pub exclude_accounts: Option<Names>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "StackSet")]
pub(super) struct RawStackSet {
    pub template: S<String>,
    #[serde(default)]
    pub description: Option<S<String>>,
    #[serde(default)]
    pub permission_model: Option<S<String>>,
    #[serde(default)]
    pub capabilities: Option<Names>,
    #[serde(default)]
    pub parameters: SpannedMap<S<Text>>,
    pub targets: S<RawStackTargets>,
    pub regions: Names,
    #[serde(default)]
    pub auto_deployment: Option<RawAutoDeployment>,
    #[serde(default)]
    pub operation_preferences: Option<crate::model::OperationPreferences>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "StackTargets")]
pub(super) struct RawStackTargets {
    #[serde(default)]
    pub ous: Option<Names>,
    /// Accounts (blueprint keys or ids) under `ous` that get no stack instance.
    #[serde(default)]
    pub exclude_accounts: Option<Names>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "AutoDeployment")]
pub(super) struct RawAutoDeployment {
    pub enabled: bool,
    #[serde(default)]
    pub retain_stacks_on_account_removal: bool,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Approvals")]
pub(super) struct RawApprovals {
    pub required: S<u32>,
    pub allowed_signers: S<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Quotas")]
pub(super) struct RawQuotas {
    #[serde(default)]
    pub policy_size: Option<S<usize>>,
    #[serde(default)]
    pub policies_per_target: Option<S<usize>>,
}

/// The parts of a CloudFormation template validation reads; everything else (and CloudFormation's
/// short-form tags, `!Ref` …) is let through.
#[derive(Debug, Deserialize)]
pub(super) struct RawTemplate {
    #[serde(rename = "Parameters", default)]
    pub parameters: SpannedMap<S<RawTemplateParameter>>,
    #[serde(rename = "Resources", default)]
    pub resources: Option<SpannedMap<de::IgnoredAny>>,
}

#[derive(Debug, Deserialize)]
pub(super) struct RawTemplateParameter {
    #[serde(rename = "Default", default)]
    pub default: Option<de::IgnoredAny>,
}
