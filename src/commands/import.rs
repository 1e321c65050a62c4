//! `lzctl import`: write the blueprint of the organization as it is into a folder.

use crate::cli::{ImportArgs, ImportSection};
use crate::engine;
use crate::error::{Error, exit};
use crate::import::{Options, Sections};
use crate::session::{Session, Terminal};

pub(crate) async fn run(terminal: Terminal, args: &ImportArgs) -> Result<u8, Error> {
    engine::check_out_folder(&args.out, args.force)?;
    let sections = if args.only.is_empty() {
        Sections::ALL
    } else {
        Sections {
            organizations: args.only.contains(&ImportSection::Organizations),
            identity_center: args.only.contains(&ImportSection::IdentityCenter),
            stack_sets: args.only.contains(&ImportSection::StackSets),
        }
    };
    let session = Session::connect(&args.aws).await?;
    let options = Options { sections, include_management: args.include_management, imported_at: String::new() };
    let progress = terminal.stderr_is_terminal.then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_message("reading the organization…");
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        bar
    });
    let written = engine::import(&session.aws, options, &args.out).await;
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    let written = session.finish(written)?;
    println!("{}", written.summary);
    for note in &written.left_out {
        println!("  left unmanaged: {note}");
    }
    println!(
        "Review it, then `lzctl plan -f {}` says \"No changes.\"; commit the folder.",
        written.blueprint.display()
    );
    Ok(exit::OK)
}
