//! Count mode's operations: `simulate` (events through the blueprint's or the live policies),
//! what-if questions, and a plan's impact on recorded activity. Reads only.

use crate::aws::Aws;
use crate::blueprint::Blueprint;
use crate::error::Error;
use crate::live::{LiveState, ReadScope};

/// What `simulate` replays, and how it reports.
pub(crate) struct SimulateOptions {
    /// What the report keeps of each event: only what its format shows.
    pub keep: crate::simulate::report::Keep,
    pub management_account: Option<String>,
    pub events: Vec<std::path::PathBuf>,
    pub filter: crate::simulate::Filter,
    /// Judge by what is attached in AWS now, not by the blueprint.
    pub live_policies: bool,
    /// Read CloudTrail's event history in every placed account instead: (role, regions).
    pub lookup: Option<(String, Vec<String>)>,
}

/// The organization as count mode needs it: the tree, and with the live policies every
/// customer policy's document and targets. None offline.
async fn read_for_simulation(aws: Option<&Aws>, live_policies: bool) -> Result<Option<LiveState>, Error> {
    let Some(aws) = aws else { return Ok(None) };
    let scope = ReadScope { skip_policies: !live_policies, all_documents: live_policies, ..ReadScope::default() };
    Ok(Some(aws.read_organization(&scope).await?))
}

/// The policies to judge by, compiled once.
fn compile(bp: &Blueprint, live: Option<&LiveState>, live_policies: bool) -> Result<crate::simulate::Compiled, Error> {
    let compiled = match live.filter(|_| live_policies) {
        Some(live) => crate::simulate::Compiled::from_live(live),
        None => crate::simulate::Compiled::from_blueprint(bp),
    };
    compiled.map_err(|problems| Error::Unevaluable { problems })
}

fn place<'a>(
    bp: &Blueprint,
    compiled: &'a crate::simulate::Compiled,
    live: Option<&LiveState>,
    live_policies: bool,
    management: Option<String>,
) -> crate::simulate::Accounts<'a> {
    match live.filter(|_| live_policies) {
        Some(live) => crate::simulate::Accounts::live(bp, compiled, live, management),
        None => crate::simulate::Accounts::new(bp, compiled, live, management),
    }
}

/// Replays every CloudTrail record under `options.events` through the blueprint's policies;
/// with `aws`, accounts the blueprint does not pin are placed where the organization has them.
pub(crate) async fn simulate(
    bp: &Blueprint,
    aws: Option<&Aws>,
    events_aws: Option<&Aws>,
    options: &SimulateOptions,
) -> Result<crate::simulate::report::Report, Error> {
    let live = read_for_simulation(aws, options.live_policies).await?;
    let compiled = compile(bp, live.as_ref(), options.live_policies)?;
    let accounts = place(bp, &compiled, live.as_ref(), options.live_policies, options.management_account.clone());
    let mut report = crate::simulate::report::Report::new(options.keep);
    let mut handle = |record: &crate::simulate::Record<'_>| {
        if options.filter.wants(record) {
            crate::simulate::replay(bp, &accounts, &options.filter, record, &mut report);
        }
    };
    match (&options.lookup, aws) {
        (Some((role, regions)), Some(aws)) => {
            // One account and region after another, each at AWS's pace for it.
            for account in accounts.member_ids() {
                for region in regions {
                    let window = (options.filter.since, options.filter.until);
                    crate::aws::cloudtrail::lookup(aws, &account, role, region, window, &mut |text: &str| {
                        handle(&crate::simulate::Record::parse(text));
                    })
                    .await?;
                }
            }
        }
        _ => each_record(events_aws, &options.events, &mut handle).await?,
    }
    Ok(report)
}

/// Answers what-if questions against the blueprint's policies; each answer with whether it
/// was not allowed. Accounts are placed as `simulate` places them.
pub(crate) async fn ask(
    bp: &Blueprint,
    aws: Option<&Aws>,
    management_account: Option<String>,
    live_policies: bool,
    questions: &[crate::simulate::Question],
) -> Result<Vec<(serde_json::Value, bool)>, Error> {
    let live = read_for_simulation(aws, live_policies).await?;
    let compiled = compile(bp, live.as_ref(), live_policies)?;
    let accounts = place(bp, &compiled, live.as_ref(), live_policies, management_account);
    questions
        .iter()
        .enumerate()
        .map(|(i, q)| {
            crate::simulate::answer(bp, &accounts, q).map_err(|why| Error::BadQuestion {
                where_: q.id.clone().unwrap_or_else(|| format!("question {}", i + 1)),
                why,
            })
        })
        .collect()
}

/// Replays recorded events through the SCPs and RCPs attached now and those the blueprint
/// plans, keeping the calls whose answer changes. Reads only.
pub(crate) async fn impact(
    bp: &Blueprint,
    aws: &Aws,
    events: &[std::path::PathBuf],
) -> Result<crate::simulate::Impact, Error> {
    let live = read_for_simulation(Some(aws), true).await?.expect("read from AWS");
    let now = compile(bp, Some(&live), true)?;
    let planned = compile(bp, Some(&live), false)?;
    let before = place(bp, &now, Some(&live), true, None);
    let after = place(bp, &planned, Some(&live), false, None);
    let mut impact = crate::simulate::Impact::new();
    let mut handle = |record: &crate::simulate::Record<'_>| impact.add(&before, &after, record);
    each_record(Some(aws), events, &mut handle).await?;
    Ok(impact)
}

/// Every record of every source: local files and folders, standard input, and `s3://bucket/prefix`
/// (each object under the prefix, in key order; needs AWS).
async fn each_record(
    aws: Option<&Aws>,
    sources: &[std::path::PathBuf],
    handle: &mut impl FnMut(&crate::simulate::Record<'_>),
) -> Result<(), Error> {
    for source in crate::events::files(sources)? {
        let Some((bucket, prefix)) = crate::events::s3_location(&source) else {
            crate::events::each_record(&source, &mut *handle)?;
            continue;
        };
        let aws = aws.ok_or_else(|| Error::NotEvents {
            path: source.clone(),
            why: "reading S3 calls AWS, which --offline rules out".into(),
        })?;
        for key in crate::aws::s3::keys(aws, &bucket, &prefix).await? {
            let bytes = crate::aws::s3::get(aws, &bucket, &key).await?;
            crate::events::each_record_of(
                &std::path::PathBuf::from(format!("s3://{bucket}/{key}")),
                bytes,
                &mut *handle,
            )?;
        }
    }
    Ok(())
}
