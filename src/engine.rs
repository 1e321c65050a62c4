//! The operations the commands call, one each: plan (and save), apply (a blueprint or a saved
//! plan, through `ApplyUi`), approve, AWS Config coverage and the assignment inventory.

use crate::apply::{self, CallError, Ids, Step};
use crate::approvals::{self, ApprovalRule, Verdict};
use crate::aws::{Aws, Waiting};
use crate::blueprint::Blueprint;
use crate::error::Error;
use crate::live::{IdentityCenterScope, LiveState, ReadScope};
use crate::lock::{self, Lock};
use crate::model;
use crate::plan::{self, Change, Plan, PlanOptions};
use crate::saved::{self, Body, SavedPlan};
use std::path::Path;

mod adopt;
mod config_status;
mod count_mode;
mod effective;
mod inventory;
mod join;
mod root_status;
pub(crate) use adopt::{check_out_folder, import};
pub(crate) use config_status::config_coverage;
pub(crate) use count_mode::{SimulateOptions, ask, impact, simulate};
pub(crate) use effective::{effective, effective_live};
pub(crate) use inventory::{Inventory, inventory, permission_set_inventory};
pub(crate) use join::{JoinPlan, Joined, join};
pub(crate) use root_status::root_status;

/// What the reader must read in full for this blueprint.
pub(crate) fn read_scope(bp: &Blueprint) -> ReadScope {
    // Tags cost one call per OU or account, so only those whose tags the blueprint manages.
    let tagged_accounts = || bp.accounts.values().filter(|a| a.tags.is_some());
    ReadScope {
        handshakes: bp.accounts.values().any(|a| a.invite),
        tagged_ou_paths: bp.ous.values().filter(|o| o.tags.is_some()).map(|o| o.path.clone()).collect(),
        tagged_account_emails: tagged_accounts().map(|a| a.email.clone()).collect(),
        tagged_account_names: tagged_accounts().map(|a| a.name.clone()).collect(),
        policy_names: bp.policies.keys().cloned().collect(),
        identity_center: bp.identity_center.as_ref().map(|ic| IdentityCenterScope {
            instance_arn: ic.instance_arn.clone(),
            permission_sets: ic.permission_sets.keys().cloned().collect(),
            principals: ic.assignments.iter().map(|a| a.principal.clone()).collect(),
            all_permission_sets: false,
            memberships: false,
            details: false,
        }),
        trusted_services: bp.organization.trusted_services.is_some(),
        root_access: !bp.organization.root_access.is_empty(),
        account_tags: false,
        management_documents: bp.policies.values().any(|p| !p.policy_type.is_authorization()),
        delegated_administrators: !bp.organization.delegated_administrators.is_empty(),
        stack_sets: (!bp.stack_sets.is_empty()).then(|| bp.stack_sets.keys().cloned().collect()),
        skip_policies: false,
        approval_rule: true,
        everything: false,
        all_documents: false,
        all_stack_sets: false,
    }
}

/// A plan, the live state it was computed from, and what was read to get it.
pub(crate) struct Planned {
    pub plan: Plan,
    pub live: LiveState,
    pub scope: ReadScope,
    pub options: PlanOptions,
}

/// Reads the live organization and plans the blueprint against it. Never mutates anything.
pub(crate) async fn plan(bp: &Blueprint, aws: &Aws, options: &PlanOptions) -> Result<Planned, Error> {
    let scope = read_scope(bp);
    let live = aws.read(&scope, |tree| plan::desired_pairs(bp, tree)).await?;
    let plan = plan::diff(bp, &live, options)?;
    Ok(Planned { plan, live, scope, options: options.clone() })
}

/// Where and for whom a plan is saved.
pub(crate) struct SaveTo<'a> {
    pub(crate) path: &'a Path,
    /// Who asked for the change; recorded, covered by the digest, never an approver.
    pub(crate) requested_by: Option<&'a str>,
}

/// A plan as `lzctl plan` reports it: the plan, the saved plan where one was written, and what
/// a pull-request comment's header says.
pub(crate) struct PlanMade {
    pub plan: Plan,
    pub saved: Option<SavedPlan>,
    pub header: crate::render::Header,
}

/// Plans, and where asked, saves the plan for `approve` and `apply PLANFILE`; `identify`: a
/// comment's header is wanted, so also learn who is planning (sts:GetCallerIdentity) and digest
/// a plan that is not saved.
pub(crate) async fn plan_and_save(
    bp: &Blueprint,
    aws: &Aws,
    options: &PlanOptions,
    out: Option<SaveTo<'_>>,
    identify: bool,
) -> Result<PlanMade, Error> {
    let planned = plan(bp, aws, options).await?;
    let saved = match out {
        Some(SaveTo { path, requested_by }) => {
            let saved = save(bp, &planned, aws, requested_by, path).await?;
            std::fs::write(path, saved.to_json()).map_err(Error::write(path))?;
            Some(saved)
        }
        None => None,
    };
    let identity = match &saved {
        Some(saved) => Some(saved.body.creator.clone()),
        None if identify => Some(aws.caller_arn().await?),
        None => None,
    };
    let header = crate::render::Header {
        organization_id: Some(planned.live.organization_id.clone()).filter(|id| !id.is_empty()),
        identity,
        time: saved.as_ref().map_or_else(saved::now_rfc3339, |s| s.body.created_at.clone()),
        digest: match &saved {
            Some(saved) => ("saved plan".into(), saved.digest.clone()),
            // Only a comment shows the header: the JSON plan is digested only for one.
            None if identify => ("JSON plan".into(), saved::plan_digest(&planned.plan)),
            None => (String::new(), String::new()),
        },
        artifact: None,
    };
    Ok(PlanMade { plan: planned.plan, saved, header })
}

/// A saved plan of what was just planned.
async fn save(
    bp: &Blueprint,
    planned: &Planned,
    aws: &Aws,
    requested_by: Option<&str>,
    plan_file: &Path,
) -> Result<SavedPlan, Error> {
    let creator = aws.caller_arn().await?;
    let parts = saved::state_parts(&planned.live, &account_keys(bp, &planned.live));
    Ok(SavedPlan::new(Body {
        format_version: saved::FORMAT_VERSION,
        tool_version: env!("CARGO_PKG_VERSION").into(),
        blueprint: bp.file.display().to_string(),
        blueprint_digest: saved::blueprint_digest(&bp.files()),
        blueprint_from_plan: path_from(plan_file, &bp.file),
        file_digests: saved::file_digests(&bp.files()),
        creator,
        organization_id: Some(planned.live.organization_id.clone()).filter(|id| !id.is_empty()),
        requested_by: requested_by.map(str::to_string),
        rule: rule_in_force(&planned.live)?,
        created_at: saved::now_rfc3339(),
        scope: planned.scope.clone(),
        options: planned.options.clone(),
        state_fingerprint: saved::fingerprint(&parts),
        state_parts: parts,
        plan: planned.plan.clone(),
    }))
}

/// `target`'s path from the folder `plan_file` is in, where both can be made absolute.
fn path_from(plan_file: &Path, target: &Path) -> Option<String> {
    let absolute = |p: &Path| std::path::absolute(p).ok();
    let dir = absolute(plan_file)?.parent()?.to_path_buf();
    let target = absolute(target)?;
    let (from, to): (Vec<_>, Vec<_>) = (dir.components().collect(), target.components().collect());
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut relative = std::path::PathBuf::new();
    for _ in common..from.len() {
        relative.push("..");
    }
    for part in &to[common..] {
        relative.push(part);
    }
    Some(relative.display().to_string())
}

/// The approval rule in force, as the root's tags record it.
fn rule_in_force(live: &LiveState) -> Result<Option<ApprovalRule>, Error> {
    ApprovalRule::from_tags(&live.root.tags).map_err(|why| Error::RuleUnreadable { why })
}

/// Checks a saved plan may be applied, before any mutating call: the same blueprint, the
/// organization unchanged since the plan was made, enough approvals under the rule in force
/// there, and exactly the changes the blueprint plans. Everything is read again with the
/// blueprint's own scope — nothing the file says decides what is checked. Returns the live state
/// to apply to and the approvers.
/// None when every change the plan lists is in place already (an earlier run applied it).
async fn check_saved(saved: &SavedPlan, bp: &Blueprint, aws: &Aws) -> Result<Option<(LiveState, Vec<String>)>, Error> {
    if saved::blueprint_digest(&bp.files()) != saved.body.blueprint_digest {
        let files = saved::files_changed(&saved.body.file_digests, &saved::file_digests(&bp.files()));
        // A plan saved before per-file digests were kept cannot say which file.
        let files = if saved.body.file_digests.is_empty() { Vec::new() } else { files };
        return Err(Error::BlueprintChanged { blueprint: bp.file.clone(), files });
    }
    let again = plan(bp, aws, &saved.body.options).await?;
    let parts = saved::state_parts(&again.live, &account_keys(bp, &again.live));
    if saved::fingerprint(&parts) != saved.body.state_fingerprint {
        if again.plan.changes.is_empty() && !saved.body.plan.changes.is_empty() {
            return Ok(None);
        }
        let changed = saved::what_changed(&saved.body.state_parts, &parts);
        return Err(Error::Stale { created_at: saved.body.created_at.clone(), changed });
    }
    let approvers = match rule_in_force(&again.live)? {
        // A plan that changes nothing needs no approval: there is nothing to approve.
        Some(_) if saved.body.plan.changes.is_empty() => Vec::new(),
        None => Vec::new(),
        Some(rule) => approvals::check(&rule, &saved.approvals, &saved.digest, saved.body.parties())?,
    };
    // The same blueprint and the same organization plan the same changes: anything else in the
    // file (an edited operation under an unchanged address, say) was not made by lzctl.
    // Warnings (a lock held while the plan was made, say) may come and go.
    if (&again.plan.changes, &again.plan.unmanaged) != (&saved.body.plan.changes, &saved.body.plan.unmanaged) {
        return Err(Error::Tampered { differs: first_difference(&saved.body.plan, &again.plan) });
    }
    Ok(Some((again.live, approvers)))
}

/// The blueprint's accounts by live id → key, as plans name them.
fn account_keys(bp: &Blueprint, live: &LiveState) -> std::collections::BTreeMap<String, String> {
    plan::matched_accounts(bp, live).into_iter().map(|(key, id)| (id, key)).collect()
}

/// Where a saved plan and the plan made again first differ, in words.
fn first_difference(saved: &Plan, again: &Plan) -> String {
    let pairs = saved.changes.iter().zip(&again.changes);
    match pairs.enumerate().find(|(_, (a, b))| a != b) {
        Some((i, (a, _))) => format!("change {} ({})", i + 1, a.address),
        None if saved.changes.len() != again.changes.len() => {
            format!("{} changes saved, {} planned", saved.changes.len(), again.changes.len())
        }
        None => "the list of things not in the blueprint".to_string(),
    }
}

/// What `apply` shows the person running it and asks them; the command implements it.
pub(crate) trait ApplyUi: Sync {
    /// The plan about to be applied, and who approved it (a saved plan's approvers).
    fn show(&self, plan: &Plan, approvers: &[String]);
    /// Who is about to change the organization, as STS says (or why it could not say).
    fn applying_as(&self, caller: Result<String, CallError>);
    /// Whether to go on; an error ends the apply before any change.
    fn confirm(&self) -> Result<(), Error>;
    /// A change starts or ends.
    fn change(&self, change: &Change, step: Step);
    /// An asynchronous AWS operation is still running.
    fn waiting(&self, waiting: &Waiting<'_>);
    /// Something the person should know that does not stop the apply.
    fn notice(&self, text: &str);
    /// Whether the person accepted the plan's hazards (`--allow-hazards`).
    fn allows_hazards(&self) -> bool;
    /// Whether the person allowed closing accounts (`--allow-close`).
    fn allows_close(&self) -> bool;
    /// Raised when the person asks to stop: no further change starts.
    fn stop(&self) -> &std::sync::atomic::AtomicBool;
}

/// What `apply` applies.
pub(crate) enum ApplySource<'a> {
    /// The blueprint, planned now.
    Blueprint(PlanOptions),
    /// A saved plan, exactly, once it is shown current and approved.
    Saved(&'a SavedPlan),
}

/// Shows the plan, asks, and applies exactly it: a blueprint planned now (refused where the
/// blueprint requires approvals), or a saved plan checked before any change. Returns how many
/// changes were applied; None when there was nothing to do.
pub(crate) async fn apply(
    bp: &Blueprint,
    source: ApplySource<'_>,
    aws: &Aws,
    ui: &impl ApplyUi,
) -> Result<Option<usize>, Error> {
    let (plan, live) = match source {
        ApplySource::Blueprint(options) => {
            let planned = plan(bp, aws, &options).await?;
            ui.show(&planned.plan, &[]);
            // Approvals apply to saved plans only: where a rule is in force (or the blueprint
            // wants one), nothing is applied straight from a blueprint.
            let in_force = rule_in_force(&planned.live)?;
            let required = in_force.map(|r| r.required).or(bp.approvals.as_ref().map(|a| a.required));
            if let Some(required) = required.filter(|_| !planned.plan.is_empty()) {
                return Err(Error::ApprovalsRequired { required });
            }
            (planned.plan, planned.live)
        }
        ApplySource::Saved(saved) => {
            let Some((live, approvers)) = check_saved(saved, bp, aws).await? else {
                ui.notice("The plan is already applied: every change it lists is in place; nothing to do.");
                return Ok(None);
            };
            ui.show(&saved.body.plan, &approvers);
            (saved.body.plan.clone(), live)
        }
    };
    if plan.is_empty() {
        return Ok(None);
    }
    if !plan.hazards.is_empty() && !ui.allows_hazards() {
        let hazards = plan.hazards.iter().map(|h| format!("{}: {}", h.address, h.reason)).collect();
        return Err(Error::Hazards { hazards });
    }
    // Closing is irreversible after 90 days: never part of an apply that did not ask for it.
    let closing: Vec<String> = plan
        .changes
        .iter()
        .filter(|c| matches!(c.op, plan::Op::CloseAccount { .. }))
        .map(|c| c.address.clone())
        .collect();
    if !closing.is_empty() && !ui.allows_close() {
        return Err(Error::CloseNotAllowed { accounts: closing });
    }
    let caller = aws.caller_arn().await;
    let holder = caller.as_ref().map_or_else(|_| "an unknown caller".to_string(), Clone::clone);
    ui.applying_as(caller);
    ui.confirm()?;
    let lock = take_lock(aws, &live.root.id, &holder, ui).await?;
    let waiting = |w: &Waiting<'_>| ui.waiting(w);
    let executor = aws.executor(&waiting);
    let applied = apply::run(&plan, Ids::new(bp, &live), &executor, ui.stop(), |c, step| ui.change(c, step)).await;
    give_back(aws, &live.root.id, &lock, ui).await;
    Ok(Some(applied?))
}

/// Takes the organization's apply lock for this run, before its first change; refuses, naming
/// the holder, while another apply holds it. A concurrent taker is caught by reading the lock
/// back after a pause: of two, only the one whose lock stands goes on.
async fn take_lock(aws: &Aws, root_id: &str, holder: &str, ui: &impl ApplyUi) -> Result<Lock, Error> {
    let now = model::now_secs();
    match lock::recorded(&aws.tags_of(root_id).await?) {
        Ok(Some(held)) if !held.is_expired(now) => return Err(Error::Locked { by: held.describe() }),
        Ok(Some(held)) => ui.notice(&format!("taking over the organization's expired lock ({})", held.describe())),
        Err(raw) => return Err(Error::Locked { by: format!("an unreadable lock, {raw:?}") }),
        Ok(None) => {}
    }
    let run = format!(
        "{:x}{:x}",
        std::process::id(),
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos())
    );
    let ours = Lock::new(run, holder, now);
    aws.set_tag(root_id, lock::TAG, &ours.to_tag()).await?;
    tokio::time::sleep(aws.paced(std::time::Duration::from_secs(2))).await;
    match lock::recorded(&aws.tags_of(root_id).await?) {
        Ok(Some(held)) if held == ours => Ok(ours),
        Ok(Some(held)) => Err(Error::Locked { by: held.describe() }),
        _ => Err(Error::Locked { by: "another apply, which removed this one's lock".into() }),
    }
}

/// Gives the lock back, if it is still this run's; a failure to is said, not fatal (it expires).
async fn give_back(aws: &Aws, root_id: &str, ours: &Lock, ui: &impl ApplyUi) {
    let still_ours = aws.tags_of(root_id).await.map(|tags| lock::recorded(&tags) == Ok(Some(ours.clone())));
    let released = match still_ours {
        Ok(true) => aws.remove_tag(root_id, lock::TAG).await,
        Ok(false) => Ok(()),
        Err(err) => Err(err),
    };
    if let Err(err) = released {
        ui.notice(&format!(
            "the organization's lock was not given back ({err}); it expires by itself, or `lzctl unlock`"
        ));
    }
}

/// Removes the organization's apply lock, once `confirm` agrees; returns the lock removed.
pub(crate) async fn unlock(
    aws: &Aws,
    confirm: impl FnOnce(&str) -> Result<(), Error>,
) -> Result<Option<String>, Error> {
    let root_id = aws.root_id().await?;
    let tags = aws.tags_of(&root_id).await?;
    let Some(raw) = tags.get(lock::TAG) else { return Ok(None) };
    let described = Lock::from_tag(raw).map_or_else(|| format!("an unreadable lock, {raw:?}"), |l| l.describe());
    confirm(&described)?;
    aws.remove_tag(&root_id, lock::TAG).await?;
    Ok(Some(described))
}

/// Where a saved plan's blueprint is, without `-f`: where it was relative to the plan file (so
/// the plan can be applied from anywhere), or where the plan was made from.
pub(crate) fn blueprint_of(plan_file: &Path, saved: &SavedPlan) -> Result<std::path::PathBuf, Error> {
    let beside = saved
        .body
        .blueprint_from_plan
        .as_ref()
        .map(|relative| plan_file.parent().unwrap_or(Path::new("")).join(relative));
    let as_given = std::path::PathBuf::from(&saved.body.blueprint);
    let tried: Vec<std::path::PathBuf> = beside.into_iter().chain([as_given]).collect();
    match tried.iter().find(|p| p.is_file()) {
        Some(found) => Ok(found.clone()),
        None => Err(Error::SavedBlueprintMissing { plan: plan_file.to_path_buf(), tried }),
    }
}

/// Reads a saved plan, checking it is whole and made by this version.
pub(crate) fn read_saved(path: &Path) -> Result<SavedPlan, Error> {
    let text = std::fs::read_to_string(path).map_err(Error::read(path))?;
    Ok(SavedPlan::parse(&path.display().to_string(), &text)?)
}

/// Where an approval's signature comes from.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Signature<'a> {
    /// Sign now with this unencrypted OpenSSH private key.
    Key(&'a Path),
    /// A signature `ssh-keygen -Y sign -n lzctl-plan` made over the plan's digest.
    File(&'a Path),
}

/// Adds an approval to a saved plan file; returns the plan as it now stands.
pub(crate) fn approve(plan_file: &Path, signature: Signature<'_>) -> Result<SavedPlan, Error> {
    let mut saved = read_saved(plan_file)?;
    let read = |path: &Path| std::fs::read_to_string(path).map_err(Error::read(path));
    let armored = match signature {
        Signature::Key(key) => approvals::sign(&key.display().to_string(), &read(key)?, &saved.digest)?,
        Signature::File(file) => {
            let text = read(file)?;
            approvals::parse_signature(&text)?;
            text
        }
    };
    let Some(rule) = &saved.body.rule else { return Err(Error::NoRuleInForce) };
    let mut approvals = saved.approvals.clone();
    approvals.push(armored.trim().to_string() + "\n");
    // Judged with the approvals already there, so a second one by the same signer is refused.
    let verdicts = approvals::verdicts(rule, &approvals, &saved.digest, saved.body.parties());
    if let Some(Verdict::Void(why)) = verdicts.last() {
        return Err(Error::ApprovalRefused { why: why.clone() });
    }
    saved.approvals = approvals;
    std::fs::write(plan_file, saved.to_json()).map_err(Error::write(plan_file))?;
    Ok(saved)
}
