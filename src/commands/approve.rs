//! `lzctl approve`: add an SSH signature over a saved plan's digest.

use crate::cli::ApproveArgs;
use crate::engine::{self, Signature};
use crate::error::{Error, exit};

pub(crate) fn run(args: &ApproveArgs) -> Result<u8, Error> {
    let signature = match (&args.key, &args.signature) {
        (Some(key), _) => Signature::Key(key),
        (None, Some(file)) => Signature::File(file),
        (None, None) => return Err(Error::NoSignature),
    };
    let saved = engine::approve(&args.plan_file, signature)?;
    println!(
        "Approved {} (digest {}); it has {} approval(s).",
        args.plan_file.display(),
        saved.digest,
        saved.approvals.len()
    );
    Ok(exit::OK)
}
