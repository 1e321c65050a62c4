//! Records the commit lzctl is built from, for `lzctl --version`: `LZCTL_COMMIT` from the
//! environment where set (a release built from a source archive), else `git rev-parse`, else
//! "unknown".

use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=LZCTL_COMMIT");
    let from_env = std::env::var("LZCTL_COMMIT").ok().filter(|c| !c.trim().is_empty());
    let from_git = || {
        let out = Command::new("git").args(["rev-parse", "--short=12", "HEAD"]).output().ok()?;
        let commit = String::from_utf8(out.stdout).ok()?.trim().to_string();
        (out.status.success() && !commit.is_empty()).then_some(commit)
    };
    let commit = from_env.or_else(from_git).unwrap_or_else(|| "unknown".to_string());
    println!("cargo:rustc-env=LZCTL_COMMIT={commit}");
    // Built again when the checked-out commit moves: HEAD, the branch it names, packed refs.
    let git = Path::new(".git");
    if git.join("HEAD").exists() {
        println!("cargo:rerun-if-changed=.git/HEAD");
        println!("cargo:rerun-if-changed=.git/packed-refs");
        if let Ok(head) = std::fs::read_to_string(git.join("HEAD"))
            && let Some(branch) = head.trim().strip_prefix("ref: ")
        {
            println!("cargo:rerun-if-changed=.git/{branch}");
        }
    }
}
