//! `lzctl validate`: check a blueprint and the files it names; no AWS call.

use crate::blueprint;
use crate::cli::BlueprintArg;
use crate::error::{Error, exit};

pub(crate) fn run(args: &BlueprintArg) -> Result<u8, Error> {
    let bp = blueprint::load(&args.file)?;
    println!(
        "{}: valid ({} OUs, {} accounts, {} policies, {} permission sets, {} stack sets)",
        args.file.display(),
        bp.ous.len(),
        bp.accounts.len(),
        bp.policies.len(),
        bp.identity_center.as_ref().map_or(0, |ic| ic.permission_sets.len()),
        bp.stack_sets.len()
    );
    Ok(exit::OK)
}
