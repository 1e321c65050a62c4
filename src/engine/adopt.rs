//! `lzctl import`: read everything, describe it as a blueprint, check that blueprint plans
//! nothing, and only then write it.

use crate::aws::Aws;
use crate::error::Error;
use crate::live::{IdentityCenterScope, ReadScope};
use crate::model;
use crate::plan::{self, PlanOptions};
use std::path::Path;

/// Refuses to import into a folder that holds anything, unless forced.
pub(crate) fn check_out_folder(out: &Path, force: bool) -> Result<(), Error> {
    let not_empty = match std::fs::read_dir(out) {
        Ok(mut entries) => entries.next().is_some(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(e) => return Err(Error::read(out)(e)),
    };
    if not_empty && !force {
        return Err(Error::NotEmpty { path: out.to_path_buf() });
    }
    Ok(())
}

/// What an import wrote.
pub(crate) struct Written {
    pub blueprint: std::path::PathBuf,
    pub summary: String,
    pub left_out: Vec<String>,
}

/// Reads everything the sections cover, describes it as a blueprint, and writes that into
/// `out` — only once the blueprint validates and plans no change against what was read, so a
/// partial or wrong blueprint is never written. Reads only.
pub(crate) async fn import(aws: &Aws, mut options: crate::import::Options, out: &Path) -> Result<Written, Error> {
    let sections = options.sections;
    let scope = ReadScope {
        everything: sections.organizations,
        identity_center: sections.identity_center.then(|| IdentityCenterScope {
            all_permission_sets: true,
            details: true,
            ..IdentityCenterScope::default()
        }),
        trusted_services: sections.organizations,
        delegated_administrators: sections.organizations,
        stack_sets: sections.stack_sets.then(Default::default),
        all_stack_sets: sections.stack_sets,
        skip_policies: !sections.organizations,
        ..ReadScope::default()
    };
    let mut live = aws.read(&scope, |_| Default::default()).await?;
    // Every principal is one the blueprint may name.
    if let Some(ic) = live.identity_center.as_mut() {
        ic.principals = ic.principal_names.iter().map(|(id, p)| (p.clone(), id.clone())).collect();
    }
    options.imported_at = model::rfc3339(model::now_secs());
    let imported = crate::import::import(&live, &options).map_err(|problems| Error::NotImportable { problems })?;

    let path = out.join("blueprint.yaml");
    let files = imported.files.iter().map(|(rel, text)| (out.join(rel), text.clone())).collect();
    let bp = crate::blueprint::parse(&path, &imported.blueprint, &crate::blueprint::MemoryFiles::new(files))
        .map_err(|errors| Error::NotImportable { problems: errors.issues.iter().map(ToString::to_string).collect() })?;
    let plan = plan::diff(&bp, &live, &PlanOptions::default())?;
    if !plan.changes.is_empty() {
        let problems = plan
            .changes
            .iter()
            .map(|c| format!("the blueprint would plan {} {}: {}", c.action.symbol(), c.address, c.reason))
            .collect();
        return Err(Error::NotImportable { problems });
    }

    for (rel, text) in imported.files.iter().chain([(&"blueprint.yaml".to_string(), &imported.blueprint)]) {
        let file = out.join(rel);
        if let Some(dir) = file.parent() {
            std::fs::create_dir_all(dir).map_err(Error::write(dir))?;
        }
        std::fs::write(&file, text).map_err(Error::write(&file))?;
    }
    let summary = format!(
        "Imported {} OUs, {} accounts, {} policies, {} permission sets, {} assignments and {} stack sets into {} (and {} files it names).",
        bp.ous.len(),
        bp.accounts.len(),
        bp.policies.len(),
        bp.identity_center.as_ref().map_or(0, |ic| ic.permission_sets.len()),
        bp.identity_center.as_ref().map_or(0, |ic| ic.assignments.len()),
        bp.stack_sets.len(),
        path.display(),
        imported.files.len()
    );
    Ok(Written { blueprint: path, summary, left_out: imported.left_out })
}
