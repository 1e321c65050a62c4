//! The plan as the JSON of the blueprint contract (format version 1).

use crate::plan::Plan;
use serde_json::{Value, json};

pub(super) const FORMAT_VERSION: u32 = 1;

pub(crate) fn json(plan: &Plan) -> Value {
    let changes: Vec<Value> = plan
        .changes
        .iter()
        .map(|c| {
            json!({
                "address": c.address,
                "kind": c.kind,
                "action": c.action,
                "before": c.before,
                "after": c.after,
            })
        })
        .collect();
    let unmanaged: Vec<Value> = plan.unmanaged.iter().map(|u| json!({"address": u.address, "kind": u.kind})).collect();
    let mut plan_json = json!({
        "format_version": FORMAT_VERSION,
        "tool_version": env!("CARGO_PKG_VERSION"),
        "changes": changes,
        "unmanaged": unmanaged,
        "summary": plan.summary(),
    });
    // An extension of the contract's plan, present only where there is something to say.
    if !plan.effective.is_empty() {
        plan_json["effective_policies"] = json!(plan.effective);
    }
    if !plan.excluded.is_empty() {
        plan_json["excluded"] = json!(plan.excluded);
    }
    plan_json
}
