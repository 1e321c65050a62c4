//! How stack sets deploy, shared by the blueprint, the live state and the plan.

use serde::{Deserialize, Serialize};

/// Whether a service-managed stack set deploys to accounts as they join its target OUs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct AutoDeployment {
    pub(crate) enabled: bool,
    pub(crate) retain_stacks_on_account_removal: bool,
}

/// StackSets operation preferences, as the blueprint writes them and every operation sends them.
#[derive(Debug, Deserialize, Default, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct OperationPreferences {
    #[serde(default)]
    pub(crate) max_concurrent_percentage: Option<u32>,
    #[serde(default)]
    pub(crate) max_concurrent_count: Option<u32>,
    #[serde(default)]
    pub(crate) failure_tolerance_percentage: Option<u32>,
    #[serde(default)]
    pub(crate) failure_tolerance_count: Option<u32>,
    #[serde(default)]
    pub(crate) region_concurrency: Option<String>,
    #[serde(default)]
    pub(crate) region_order: Option<Vec<String>>,
    #[serde(default)]
    pub(crate) concurrency_mode: Option<String>,
}
