//! `lzctl unlock`: remove the organization's apply lock that an apply left behind (it died, or
//! its machine did), after saying whose it is and asking.

use crate::cli::{GlobalArgs, UnlockArgs};
use crate::engine;
use crate::error::{Error, exit};
use crate::session::Session;
use std::io::{BufRead, IsTerminal, Write};

pub(crate) async fn run(global: &GlobalArgs, args: &UnlockArgs) -> Result<u8, Error> {
    let session = Session::connect(global).await?;
    let confirm = |lock: &str| {
        eprintln!("The organization's apply lock is {lock}.");
        if args.yes {
            return Ok(());
        }
        let stdin = std::io::stdin();
        if !stdin.is_terminal() {
            return Err(Error::NoTerminal);
        }
        eprint!("Remove it? Only if that apply is not running. Only 'yes' is accepted: ");
        std::io::stderr().flush().map_err(|source| Error::Terminal { what: "writing the prompt", source })?;
        let mut answer = String::new();
        stdin.lock().read_line(&mut answer).map_err(|source| Error::Terminal { what: "reading the answer", source })?;
        if answer.trim() == "yes" { Ok(()) } else { Err(Error::Cancelled { what: "unlock" }) }
    };
    match session.finish(engine::unlock(&session.aws, confirm).await)? {
        Some(_) => println!("Unlocked."),
        None => println!("The organization is not locked."),
    }
    Ok(exit::OK)
}
