//! `lzctl root-status`: whether each member account's root user still has credentials.

use crate::cli::{ReportFormat, RootStatusArgs};
use crate::error::{Error, exit};
use crate::live::RootUserRow;
use crate::session::Session;
use crate::{engine, render};

pub(crate) async fn run(args: &RootStatusArgs) -> Result<u8, Error> {
    let session = Session::connect(&args.aws).await?;
    let rows = session.finish(engine::root_status(&session.aws, &args.accounts).await)?;
    match args.format {
        ReportFormat::Text => print!("{}", render::root_status(&rows)),
        ReportFormat::Json => println!("{}", render::root_status_json(&rows)),
    }
    let with_credentials = rows.iter().any(RootUserRow::has_credentials);
    let unreadable = rows.iter().filter(|r| r.credentials.is_err()).count();
    match (with_credentials, unreadable) {
        (true, _) => Ok(exit::CHANGES),
        (false, 0) => Ok(exit::OK),
        (false, count) => Err(Error::RootStatusUnreadable { count }),
    }
}
