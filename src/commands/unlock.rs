//! `lzctl unlock`: remove the organization's apply lock that an apply left behind (it died, or
//! its machine did), after saying whose it is and asking.

use crate::cli::UnlockArgs;
use crate::engine;
use crate::error::{Error, exit};
use crate::session::Session;

pub(crate) async fn run(args: &UnlockArgs) -> Result<u8, Error> {
    let session = Session::connect(&args.aws).await?;
    let confirm = |lock: &str| {
        eprintln!("The organization's apply lock is {lock}.");
        if args.yes {
            return Ok(());
        }
        super::confirmed("Remove it? Only if that apply is not running.", "unlock")
    };
    match session.finish(engine::unlock(&session.aws, confirm).await)? {
        Some(_) => println!("Unlocked."),
        None => println!("The organization is not locked."),
    }
    Ok(exit::OK)
}
