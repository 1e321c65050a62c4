//! Attachments: every managed target (root, OU, account) gets exactly the policies the
//! blueprint lists for it, attached in the order listed (the order AWS merges management
//! policies of one level in), FullAWSAccess implied for SCPs unless `full_aws_access: false`.

use super::*;

impl Planner<'_> {
    /// The managed targets, each with the live id it has (None when this plan creates it).
    fn managed_targets(&self) -> Vec<(Target, Option<String>, Attachments)> {
        let mut targets = Vec::new();
        if let Some(policies) = &self.bp.organization.root_policies {
            targets.push((
                Target::Root,
                Some(self.live.root.id.clone()),
                Attachments { policies: policies.clone(), full_aws_access: true },
            ));
        }
        for (path, ou) in &self.bp.ous {
            let id = self.live_ous.get(path).map(|o| o.id.clone());
            targets.push((Target::Ou(path.clone()), id, ou.attachments.clone()));
        }
        for (key, account) in &self.bp.accounts {
            let id = self.matched.get(key).cloned();
            // An invited account is managed once it has joined.
            if account.invite && id.is_none() {
                continue;
            }
            targets.push((Target::Account(key.clone()), id, account.attachments.clone()));
        }
        targets
    }

    pub(super) fn attachments(&mut self) {
        let scp_enabled_after = self.live.root.policy_types.contains(&PolicyType::ServiceControlPolicy)
            || self
                .changes
                .iter()
                .any(|c| c.op == Op::EnablePolicyType { policy_type: PolicyType::ServiceControlPolicy });
        for (target, id, wanted) in self.managed_targets() {
            // In the order listed: the order they are attached in, which is the order AWS merges
            // management policies of one level in.
            let mut desired: Vec<String> = Vec::new();
            if wanted.full_aws_access && scp_enabled_after {
                desired.push(FULL_AWS_ACCESS.to_string());
            }
            for policy in &wanted.policies {
                if !desired.contains(policy) {
                    desired.push(policy.clone());
                }
            }
            // AWS attaches FullAWSAccess to every new OU and account by itself.
            let attached: BTreeSet<String> = match &id {
                Some(id) => {
                    self.live.attached_to(id).map(|p| p.name.clone()).filter(|n| n != RCP_FULL_AWS_ACCESS).collect()
                }
                None => BTreeSet::from([FULL_AWS_ACCESS.to_string()]),
            };
            for policy in desired.iter().filter(|p| !attached.contains(*p)) {
                self.change(
                    format!("policy_attachment.{policy}/{target}"),
                    Action::Create,
                    None,
                    Some(json!({"policy": policy, "target": target.to_string()})),
                    format!("the blueprint attaches {policy} to {target}"),
                    Op::AttachPolicy { policy: policy.clone(), target: target.clone() },
                );
            }
            for policy in attached.iter().filter(|p| !desired.contains(*p)) {
                let reason = if policy == FULL_AWS_ACCESS {
                    format!("{target} says full_aws_access: false")
                } else {
                    format!("attached in AWS, not in the blueprint's policies for {target}")
                };
                self.change(
                    format!("policy_attachment.{policy}/{target}"),
                    Action::Delete,
                    Some(json!({"policy": policy, "target": target.to_string()})),
                    None,
                    reason,
                    Op::DetachPolicy { policy: policy.clone(), target: target.clone() },
                );
            }
        }
    }
}
