//! Management policies' inheritance: how the tag, backup, declarative … policies attached along
//! root → OU … → account merge into the account's effective policy, by AWS's documented rules.
//! `@@assign` overwrites what is inherited (the first policy attached at a level wins over a
//! later one there), `@@append` adds to a list, `@@remove` takes from it, and
//! `@@operators_allowed_for_child_policies` limits what later levels may do below it (several
//! at one level: the intersection). An operator a level may not use is ignored, as AWS ignores
//! it. The result carries no operators, as DescribeEffectivePolicy shows it. Pure.

use serde_json::{Map, Value};

/// The value-setting operators a level may use on a setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Allowed {
    assign: bool,
    append: bool,
    remove: bool,
}

impl Allowed {
    const ALL: Allowed = Allowed { assign: true, append: true, remove: true };

    /// What `@@operators_allowed_for_child_policies` lists (`@@all`, `@@none`, or operators).
    fn listed(value: &Value) -> Allowed {
        let items: Vec<&str> = value.as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        if items.contains(&"@@all") {
            return Allowed::ALL;
        }
        Allowed {
            assign: items.contains(&"@@assign"),
            append: items.contains(&"@@append"),
            remove: items.contains(&"@@remove"),
        }
    }

    fn and(self, other: Allowed) -> Allowed {
        Allowed {
            assign: self.assign && other.assign,
            append: self.append && other.append,
            remove: self.remove && other.remove,
        }
    }
}

/// One key of the merged tree: a setting's value, or keys below it; with the operators this
/// level may use here (`allowed`) and those the next levels may (`next`).
#[derive(Debug, Clone)]
struct Node {
    value: Option<Value>,
    children: Vec<(String, Node)>,
    allowed: Allowed,
    next: Allowed,
    /// Set by `@@assign` at the level being merged: a later policy there does not overwrite it.
    assigned_here: bool,
}

impl Node {
    fn new() -> Node {
        Node { value: None, children: Vec::new(), allowed: Allowed::ALL, next: Allowed::ALL, assigned_here: false }
    }

    fn child(&mut self, key: &str) -> &mut Node {
        let at = match self.children.iter().position(|(k, _)| k == key) {
            Some(at) => at,
            None => {
                self.children.push((key.to_string(), Node::new()));
                self.children.len() - 1
            }
        };
        &mut self.children[at].1
    }

    /// Ends a level: its restrictions now bind the levels below.
    fn next_level(&mut self) {
        self.allowed = self.next;
        self.assigned_here = false;
        for (_, child) in &mut self.children {
            child.next_level();
        }
    }

    fn to_value(&self) -> Option<Value> {
        if let Some(value) = &self.value {
            return Some(value.clone());
        }
        let map: Map<String, Value> =
            self.children.iter().filter_map(|(k, child)| child.to_value().map(|v| (k.clone(), v))).collect();
        (!map.is_empty()).then_some(Value::Object(map))
    }
}

/// The effective policy of the documents attached at each level, from the root down; each
/// level's documents in the order they are attached. None when nothing is in effect.
pub(crate) fn effective(levels: &[Vec<&Value>]) -> Option<Value> {
    let mut tree = Node::new();
    for level in levels {
        for document in level {
            merge(&mut tree, document, Allowed::ALL);
        }
        tree.next_level();
    }
    tree.to_value()
}

/// Merges one policy's object into `node`; `inherited` is what the levels above allow here.
fn merge(node: &mut Node, document: &Value, inherited: Allowed) {
    let Value::Object(map) = document else {
        // A bare value sets the setting, as @@assign would.
        assign(node, document, inherited);
        return;
    };
    let allowed = inherited.and(node.allowed);
    if let Some(listed) = map.get("@@operators_allowed_for_child_policies") {
        node.next = node.next.and(Allowed::listed(listed));
    }
    if let Some(value) = map.get("@@assign") {
        assign(node, value, inherited);
    }
    if let Some(Value::Array(items)) = map.get("@@append")
        && allowed.append
    {
        let mut list = node.value.as_ref().and_then(Value::as_array).cloned().unwrap_or_default();
        for item in items {
            if !list.contains(item) {
                list.push(item.clone());
            }
        }
        node.value = Some(Value::Array(list));
        node.children.clear();
    }
    if let Some(Value::Array(items)) = map.get("@@remove")
        && allowed.remove
        && let Some(Value::Array(list)) = &mut node.value
    {
        list.retain(|v| !items.contains(v));
        if list.is_empty() {
            node.value = None;
        }
    }
    for (key, child) in map.iter().filter(|(k, _)| !k.starts_with("@@")) {
        let exists = node.children.iter().any(|(k, _)| k == key);
        // A key new at this level is set by the operators in it; under a parent that allows
        // none (or no @@assign), a child policy cannot add one.
        if !exists && !allowed.assign && !allowed.append {
            continue;
        }
        merge(node.child(key), child, allowed);
    }
}

fn assign(node: &mut Node, value: &Value, inherited: Allowed) {
    if !inherited.and(node.allowed).assign || node.assigned_here {
        return;
    }
    node.value = Some(value.clone());
    node.children.clear();
    node.assigned_here = true;
}

#[cfg(test)]
mod tests;
