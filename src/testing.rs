//! Test support: an in-memory organization that executes calls the way AWS does (new OUs and
//! accounts get FullAWSAccess, ids are handed out), and blueprints from inline YAML.

use crate::apply::{Call, CallError, Executor};
use crate::apply::{IamCall, IdentityCenterCall, OrganizationsCall, StackSetsCall};
use crate::blueprint::{self, Blueprint};
use crate::live::{
    LiveAccount, LiveAssignment, LiveOu, LivePermissionSet, LivePolicy, LiveRoot, LiveStackInstance, LiveStackSet,
    LiveState, Readable,
};
use crate::model::{FULL_AWS_ACCESS, PolicyType};
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

pub(crate) const ROOT: &str = "r-root";
pub(crate) const MANAGEMENT: &str = "111111111111";
pub(crate) const FULL_ACCESS_ID: &str = "p-FullAWSAccess";

pub(crate) use crate::blueprint::MemoryFiles as Files;

/// A plan's changes as `symbol address`, in order.
pub(crate) fn lines(plan: &crate::plan::Plan) -> Vec<String> {
    plan.changes.iter().map(|c| format!("{} {}", c.action.symbol(), c.address)).collect()
}

/// A plan that must succeed.
pub(crate) fn plan_ok(bp: &Blueprint, live: &LiveState, options: &crate::plan::PlanOptions) -> crate::plan::Plan {
    crate::plan::diff(bp, live, options).expect("the test blueprint plans")
}

/// A blueprint from YAML whose policies are inline documents.
pub(crate) fn blueprint(yaml: &str) -> Blueprint {
    match blueprint::parse(Path::new("test.yaml"), yaml, &Files::default()) {
        Ok(bp) => bp,
        Err(errors) => {
            panic!(
                "test blueprint is invalid: {:#?}",
                errors.issues.iter().map(std::string::ToString::to_string).collect::<Vec<_>>()
            )
        }
    }
}

/// A new organization as AWS makes it: a root with SCPs enabled, FullAWSAccess on the root and
/// the management account.
pub(crate) fn fresh_org() -> LiveState {
    let mut live = LiveState {
        organization_id: "o-test".into(),
        management_account_id: MANAGEMENT.into(),
        root: LiveRoot {
            id: ROOT.into(),
            policy_types: BTreeSet::from([PolicyType::ServiceControlPolicy]),
            tags: BTreeMap::new(),
        },
        ..LiveState::default()
    };
    live.policies.insert(
        FULL_ACCESS_ID.into(),
        LivePolicy {
            id: FULL_ACCESS_ID.into(),
            name: FULL_AWS_ACCESS.into(),
            policy_type: PolicyType::ServiceControlPolicy,
            description: "Allows access to every operation".into(),
            aws_managed: true,
            document: None,
            targets: BTreeSet::from([ROOT.to_string(), MANAGEMENT.to_string()]),
        },
    );
    live.accounts.insert(
        MANAGEMENT.into(),
        LiveAccount {
            id: MANAGEMENT.into(),
            name: "management".into(),
            email: "root@example.com".into(),
            status: "ACTIVE".into(),
            parent_id: ROOT.into(),
            tags: None,
        },
    );
    live
}

/// An organization in memory that carries out calls; optionally fails the n-th call.
pub(crate) struct InMemoryOrg {
    pub live: RefCell<LiveState>,
    pub calls: RefCell<Vec<Call>>,
    pub fail_at: Option<usize>,
    /// Permission sets provisioned again, in order.
    pub provisioned: RefCell<Vec<String>>,
    /// Whether stack sets report their target OUs, as AWS does (the emulator does not).
    pub report_targets: bool,
    next_id: RefCell<u32>,
}

impl InMemoryOrg {
    pub(crate) fn new(live: LiveState) -> Self {
        InMemoryOrg {
            live: RefCell::new(live),
            calls: RefCell::new(Vec::new()),
            fail_at: None,
            provisioned: RefCell::new(Vec::new()),
            report_targets: true,
            next_id: RefCell::new(1),
        }
    }

    fn id(&self, prefix: &str) -> String {
        let mut n = self.next_id.borrow_mut();
        *n += 1;
        format!("{prefix}{:04}", *n)
    }

    /// The state as a reader would see it for the given blueprint: tags read only where managed.
    pub(crate) fn snapshot(&self) -> LiveState {
        self.live.borrow().clone()
    }
}

impl Executor for InMemoryOrg {
    async fn call(&self, call: &Call) -> Result<Option<String>, CallError> {
        let index = self.calls.borrow().len();
        self.calls.borrow_mut().push(call.clone());
        if self.fail_at == Some(index) {
            return Err(CallError {
                operation: "test:Injected".into(),
                resource: format!("{call:?}"),
                message: "injected failure".into(),
            });
        }
        let mut live = self.live.borrow_mut();
        let full_access = |live: &mut LiveState, target: &str| {
            if let Some(p) = live.policies.get_mut(FULL_ACCESS_ID) {
                p.targets.insert(target.to_string());
            }
        };
        Ok(match call {
            Call::Organizations(OrganizationsCall::EnablePolicyType { policy_type, .. }) => {
                live.root.policy_types.insert(*policy_type);
                None
            }
            Call::Organizations(OrganizationsCall::DisablePolicyType { policy_type, .. }) => {
                live.root.policy_types.remove(policy_type);
                None
            }
            Call::Organizations(OrganizationsCall::CreateOu { parent_id, name, tags }) => {
                let id = self.id("ou-");
                live.ous.insert(
                    id.clone(),
                    LiveOu {
                        id: id.clone(),
                        name: name.clone(),
                        parent_id: parent_id.clone(),
                        tags: Some(tags.clone()),
                    },
                );
                full_access(&mut live, &id);
                Some(id)
            }
            Call::Organizations(OrganizationsCall::DeleteOu { id }) => {
                live.ous.remove(id);
                None
            }
            Call::Organizations(OrganizationsCall::InviteAccount { account_id }) => {
                let handshakes = live.handshakes.get_or_insert_with(Vec::new);
                handshakes.push(crate::live::LiveHandshake {
                    id: format!("h-{}", handshakes.len() + 1),
                    account_id: account_id.clone(),
                    state: "OPEN".into(),
                    requested_at: "2026-11-25T10:00:00Z".into(),
                    expires_at: "2026-12-10T10:00:00Z".into(),
                });
                None
            }
            Call::Organizations(OrganizationsCall::CloseAccount { account_id }) => {
                live.accounts.get_mut(account_id).expect("the account exists").status = "SUSPENDED".into();
                None
            }
            Call::Organizations(OrganizationsCall::RenameOu { id, name }) => {
                live.ous.get_mut(id).expect("the OU exists").name.clone_from(name);
                None
            }
            Call::Organizations(OrganizationsCall::CreatePolicy { name, policy_type, description, content }) => {
                let id = self.id("p-");
                live.policies.insert(
                    id.clone(),
                    LivePolicy {
                        id: id.clone(),
                        name: name.clone(),
                        policy_type: *policy_type,
                        description: description.clone(),
                        aws_managed: false,
                        document: serde_json::from_str(content).ok(),
                        targets: BTreeSet::new(),
                    },
                );
                Some(id)
            }
            Call::Organizations(OrganizationsCall::UpdatePolicy { id, description, content }) => {
                let p = live.policies.get_mut(id).expect("policy exists");
                if let Some(d) = description {
                    p.description = d.clone();
                }
                if let Some(c) = content {
                    p.document = serde_json::from_str(c).ok();
                }
                None
            }
            Call::Organizations(OrganizationsCall::DeletePolicy { id }) => {
                live.policies.remove(id);
                None
            }
            Call::Organizations(OrganizationsCall::CreateAccount { name, email, tags }) => {
                let id = format!("2000000{:05}", self.next_id.borrow());
                *self.next_id.borrow_mut() += 1;
                live.accounts.insert(
                    id.clone(),
                    LiveAccount {
                        id: id.clone(),
                        name: name.clone(),
                        email: email.clone(),
                        status: "ACTIVE".into(),
                        parent_id: ROOT.into(),
                        tags: Some(tags.clone()),
                    },
                );
                full_access(&mut live, &id);
                Some(id)
            }
            Call::Organizations(OrganizationsCall::MoveAccount { account_id, to_id, .. }) => {
                live.accounts.get_mut(account_id).expect("account exists").parent_id = to_id.clone();
                None
            }
            Call::Organizations(OrganizationsCall::AttachPolicy { policy_id, target_id }) => {
                live.policies.get_mut(policy_id).expect("policy exists").targets.insert(target_id.clone());
                None
            }
            Call::Organizations(OrganizationsCall::DetachPolicy { policy_id, target_id }) => {
                live.policies.get_mut(policy_id).expect("policy exists").targets.remove(target_id);
                None
            }
            Call::Organizations(OrganizationsCall::TagResource { resource_id, tags }) => {
                let slot = tags_of(&mut live, resource_id);
                slot.extend(tags.clone());
                None
            }
            Call::Organizations(OrganizationsCall::UntagResource { resource_id, keys }) => {
                let slot = tags_of(&mut live, resource_id);
                slot.retain(|k, _| !keys.contains(k));
                None
            }
            Call::IdentityCenter(IdentityCenterCall::CreatePermissionSet { spec, .. }) => {
                let arn = format!("arn:aws:sso:::permissionSet/ssoins-test/ps-{}", self.id(""));
                let ic = live.identity_center.as_mut().expect("identity center");
                ic.permission_sets.insert(
                    spec.name.clone(),
                    LivePermissionSet {
                        arn: arn.clone(),
                        name: spec.name.clone(),
                        description: spec.description.clone(),
                        session_duration: Some(spec.session_duration.clone()),
                        relay_state: spec.relay_state.clone(),
                        managed_policies: spec.managed_policies.clone(),
                        customer_managed_policies: spec.customer_managed_policies.clone(),
                        inline_policy: spec.inline_policy.as_ref().map(|p| serde_json::from_str(p).unwrap()),
                        permissions_boundary: Readable::Known(spec.permissions_boundary.clone()),
                        tags: Readable::Known(spec.tags.clone()),
                        provisioned_accounts: BTreeSet::new(),
                    },
                );
                Some(arn)
            }
            Call::IdentityCenter(IdentityCenterCall::UpdatePermissionSet { arn, change, reprovision, .. }) => {
                let ic = live.identity_center.as_mut().expect("identity center");
                let ps = ic.permission_sets.values_mut().find(|p| &p.arn == arn).expect("permission set exists");
                if let Some((description, session, relay)) = &change.attributes {
                    ps.description = description.clone();
                    ps.session_duration = Some(session.clone());
                    ps.relay_state = relay.clone();
                }
                ps.managed_policies.extend(change.attach_managed.iter().cloned());
                ps.managed_policies.retain(|p| !change.detach_managed.contains(p));
                ps.customer_managed_policies.extend(change.attach_customer_managed.iter().cloned());
                ps.customer_managed_policies.retain(|p| !change.detach_customer_managed.contains(p));
                if let Some(inline) = &change.inline_policy {
                    ps.inline_policy = inline.as_ref().map(|p| serde_json::from_str(p).unwrap());
                }
                if let Some(boundary) = &change.permissions_boundary {
                    ps.permissions_boundary = Readable::Known(boundary.clone());
                }
                if let Readable::Known(tags) = &mut ps.tags {
                    tags.extend(change.set_tags.clone());
                    tags.retain(|k, _| !change.remove_tags.contains(k));
                }
                if *reprovision {
                    self.provisioned.borrow_mut().push(ps.name.clone());
                }
                None
            }
            Call::IdentityCenter(IdentityCenterCall::DeletePermissionSet { arn, .. }) => {
                let ic = live.identity_center.as_mut().expect("identity center");
                ic.permission_sets.retain(|_, p| &p.arn != arn);
                None
            }
            Call::IdentityCenter(IdentityCenterCall::CreateAssignment {
                permission_set_arn,
                principal,
                account_id,
                ..
            }) => {
                let ic = live.identity_center.as_mut().expect("identity center");
                let ps = ic
                    .permission_sets
                    .values_mut()
                    .find(|p| &p.arn == permission_set_arn)
                    .expect("permission set exists");
                ps.provisioned_accounts.insert(account_id.clone());
                let name = ps.name.clone();
                ic.assignments.insert(LiveAssignment {
                    permission_set: name,
                    account_id: account_id.clone(),
                    principal: principal.clone(),
                });
                None
            }
            Call::Iam(IamCall::SetRootFeature { feature, enabled }) => {
                // As IAM: nothing without trusted access for it.
                if *enabled && !live.trusted_services.as_ref().is_some_and(|t| t.contains(crate::model::IAM_SERVICE)) {
                    return Err(CallError {
                        operation: "iam:EnableOrganizationsRoot…".into(),
                        resource: feature.aws_name().into(),
                        message: "ServiceAccessNotEnabledException".into(),
                    });
                }
                let features = live.root_features.get_or_insert_default();
                if *enabled {
                    features.insert(*feature);
                } else {
                    features.remove(feature);
                }
                None
            }
            Call::Organizations(OrganizationsCall::EnableServiceAccess { service }) => {
                live.trusted_services.get_or_insert_default().insert(service.clone());
                None
            }
            Call::Organizations(OrganizationsCall::DisableServiceAccess { service }) => {
                live.trusted_services.get_or_insert_default().remove(service);
                None
            }
            Call::Organizations(OrganizationsCall::RegisterDelegatedAdministrator { service, account_id }) => {
                live.delegated_administrators
                    .get_or_insert_default()
                    .entry(service.clone())
                    .or_default()
                    .insert(account_id.clone());
                None
            }
            Call::Organizations(OrganizationsCall::DeregisterDelegatedAdministrator { service, account_id }) => {
                let admins = live.delegated_administrators.get_or_insert_default();
                if let Some(accounts) = admins.get_mut(service) {
                    accounts.remove(account_id);
                    if accounts.is_empty() {
                        admins.remove(service);
                    }
                }
                None
            }
            Call::StackSets(StackSetsCall::CreateStackSet { spec } | StackSetsCall::UpdateStackSet { spec }) => {
                let sets = live.stack_sets.get_or_insert_default();
                let instances = sets.get(&spec.name).map(|s| s.instances.clone()).unwrap_or_default();
                let targets = sets
                    .get(&spec.name)
                    .and_then(|s| s.target_ou_ids.clone())
                    .or(self.report_targets.then(BTreeSet::new));
                sets.insert(
                    spec.name.clone(),
                    LiveStackSet {
                        name: spec.name.clone(),
                        description: spec.description.clone(),
                        template_body: spec.template_body.clone(),
                        parameters: spec.parameters.clone(),
                        capabilities: Some(spec.capabilities.clone()),
                        permission_model: Some(spec.permission_model.clone()),
                        auto_deployment: spec.auto_deployment.map(|(enabled, retain)| crate::model::AutoDeployment {
                            enabled,
                            retain_stacks_on_account_removal: retain,
                        }),
                        instances,
                        target_ou_ids: targets,
                    },
                );
                None
            }
            Call::StackSets(StackSetsCall::DeleteStackSet { name }) => {
                live.stack_sets.get_or_insert_default().remove(name);
                None
            }
            Call::StackSets(StackSetsCall::CreateStackInstances {
                stack_set,
                region,
                ou_ids,
                exclude_account_ids,
                ..
            }) => {
                let mut new = Vec::new();
                for ou in ou_ids {
                    let Some(path) = live.path_of(ou) else { continue };
                    for account in live.accounts.keys() {
                        if live.is_under(account, &path) && !exclude_account_ids.contains(account) {
                            new.push(LiveStackInstance {
                                failed: None,
                                account_id: account.clone(),
                                region: region.clone(),
                                ou_id: Some(ou.clone()),
                            });
                        }
                    }
                }
                let set = live.stack_sets.get_or_insert_default().get_mut(stack_set).expect("stack set exists");
                set.instances.extend(new);
                if let Some(targets) = &mut set.target_ou_ids {
                    targets.extend(ou_ids.iter().cloned());
                }
                None
            }
            Call::StackSets(StackSetsCall::DeleteStackInstances {
                stack_set,
                region,
                ou_ids,
                account_ids,
                only_accounts,
                ..
            }) => {
                let set = live.stack_sets.get_or_insert_default().get_mut(stack_set).expect("stack set exists");
                set.instances.retain(|i| {
                    let gone = if *only_accounts {
                        account_ids.contains(&i.account_id)
                    } else {
                        i.ou_id.as_ref().is_some_and(|o| ou_ids.contains(o)) || account_ids.contains(&i.account_id)
                    };
                    &i.region != region || !gone
                });
                if *only_accounts {
                    return Ok(None);
                }
                let remaining: BTreeSet<String> = set.instances.iter().filter_map(|i| i.ou_id.clone()).collect();
                if let Some(targets) = &mut set.target_ou_ids {
                    targets.retain(|t| !ou_ids.contains(t) || remaining.contains(t));
                }
                None
            }
            Call::IdentityCenter(IdentityCenterCall::DeleteAssignment {
                permission_set_arn,
                principal,
                account_id,
                ..
            }) => {
                let ic = live.identity_center.as_mut().expect("identity center");
                let name = ic
                    .permission_sets
                    .values()
                    .find(|p| &p.arn == permission_set_arn)
                    .expect("permission set exists")
                    .name
                    .clone();
                ic.assignments.remove(&LiveAssignment {
                    permission_set: name,
                    account_id: account_id.clone(),
                    principal: principal.clone(),
                });
                None
            }
        })
    }
}

fn tags_of<'a>(live: &'a mut LiveState, id: &str) -> &'a mut BTreeMap<String, String> {
    if id == live.root.id {
        return &mut live.root.tags;
    }
    if let Some(ou) = live.ous.get_mut(id) {
        return ou.tags.get_or_insert_with(BTreeMap::new);
    }
    live.accounts.get_mut(id).expect("tag target exists").tags.get_or_insert_with(BTreeMap::new)
}

/// A stop flag nobody raises.
pub(crate) fn never_stop() -> &'static std::sync::atomic::AtomicBool {
    static NEVER: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    &NEVER
}
