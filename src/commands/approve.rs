//! `lzctl approve`: add an SSH signature over a saved plan's digest.

use super::read_saved;
use crate::approvals;
use crate::cli::ApproveArgs;
use crate::error::{Error, exit};

pub(crate) fn run(args: &ApproveArgs) -> Result<u8, Error> {
    let mut saved = read_saved(&args.plan_file)?;
    let read = |path: &std::path::Path| std::fs::read_to_string(path).map_err(Error::read(path));
    let signature = match (&args.key, &args.signature) {
        (Some(key), _) => approvals::sign(&key.display().to_string(), &read(key)?, &saved.digest)?,
        (None, Some(file)) => {
            let text = read(file)?;
            approvals::parse_signature(&text)?;
            text
        }
        (None, None) => return Err(Error::NoSignature),
    };
    saved.approvals.push(signature.trim().to_string() + "\n");
    std::fs::write(&args.plan_file, saved.to_json()).map_err(Error::write(&args.plan_file))?;
    println!(
        "Approved {} (digest {}); it has {} approval(s).",
        args.plan_file.display(),
        saved.digest,
        saved.approvals.len()
    );
    Ok(exit::OK)
}
