//! `lzctl simulate`: count mode — what the blueprint's SCPs and RCPs would have denied of the
//! recorded activity, or the answer to what-if questions.

use crate::cli::{AwsArgs, Format, PolicySource, SimulateArgs};
use crate::error::{Error, exit};
use crate::session::Session;
use crate::simulate::Question;
use crate::simulate::report::Keep;
use crate::{blueprint, engine};
use std::io::Read;

pub(crate) async fn run(args: &SimulateArgs) -> Result<u8, Error> {
    // `--region` is the question's own with --request (the contract's flag), never the endpoint's.
    let region = if args.request.is_some() { None } else { args.region.clone() };
    let aws_args = AwsArgs { profile: args.aws.profile.clone(), region, stats: args.aws.stats };
    let global = &aws_args;
    let started = std::time::Instant::now();
    let bp = blueprint::load(&args.blueprint.file)?;
    let questions = questions(args)?;
    let session = if args.offline { None } else { Some(Session::connect(global).await?) };
    let aws = session.as_ref().map(|s| &s.aws);
    let live = args.policies == PolicySource::Live;
    let source = if live { "live" } else { "blueprint" };
    if let Some(questions) = questions {
        let answers = engine::ask(&bp, aws, args.management_account.clone(), live, &questions).await;
        let answers = match &session {
            Some(session) => session.finish(answers)?,
            None => answers?,
        };
        let denied = answers.iter().any(|(_, denied)| *denied);
        match args.format {
            Format::Json if args.request.is_some() => {
                println!("{}", serde_json::to_string_pretty(&answers[0].0).expect("JSON values serialize"));
            }
            Format::Json => {
                let results: Vec<_> = answers.iter().map(|(a, _)| a.clone()).collect();
                let doc = serde_json::json!({"format_version": 1, "tool_version": env!("CARGO_PKG_VERSION"), "policies": source, "results": results});
                println!("{}", serde_json::to_string_pretty(&doc).expect("JSON values serialize"));
            }
            Format::Human | Format::Markdown => {
                for (answer, _) in &answers {
                    print!("{}", crate::simulate::explain(answer));
                }
            }
        }
        return Ok(if denied { exit::CHANGES } else { exit::OK });
    }
    let events_session = match &args.events_profile {
        Some(profile) => Some(Session::connect_as(global, profile).await?),
        None => None,
    };
    let options = engine::SimulateOptions {
        keep: match (args.format, args.all) {
            (Format::Json, true) => Keep::All,
            (Format::Json, false) => Keep::Results,
            _ => Keep::Groups,
        },
        management_account: args.management_account.clone(),
        events: args.events.clone(),
        filter: crate::simulate::Filter { accounts: args.accounts.clone(), since: args.since, until: args.until },
        live_policies: live,
        lookup: args.lookup_events.then(|| (args.role.clone(), args.regions.clone())),
    };
    let events_aws = events_session.as_ref().map(|s| &s.aws).or(aws);
    let report = engine::simulate(&bp, aws, events_aws, &options).await;
    let report = match &session {
        Some(session) => session.finish(report)?,
        None => {
            if global.stats {
                crate::session::print_offline_stats(started);
            }
            report?
        }
    };
    match args.format {
        Format::Json => {
            println!("{}", serde_json::to_string_pretty(&report.json(source)).expect("JSON values serialize"));
        }
        Format::Human => print!("{}", report.human()),
        Format::Markdown => print!("{}", report.markdown()),
    }
    Ok(if report.denied_or_inconclusive() { exit::CHANGES } else { exit::OK })
}

/// The what-if questions asked, if any: `--request` and its flags, or `--requests FILE`.
fn questions(args: &SimulateArgs) -> Result<Option<Vec<Question>>, Error> {
    if let Some(action) = &args.request {
        let mut context = std::collections::BTreeMap::new();
        for pair in &args.context {
            let (key, value) = pair.split_once('=').ok_or_else(|| Error::BadQuestion {
                where_: "--context".into(),
                why: format!("{pair:?} is not KEY=VALUE"),
            })?;
            context.insert(key.to_string(), serde_json::Value::String(value.to_string()));
        }
        return Ok(Some(vec![Question {
            id: None,
            account: args.accounts.first().cloned().unwrap_or_default(),
            action: action.clone(),
            resource: args.resource.clone(),
            principal_arn: args.principal.clone(),
            region: args.region.clone(),
            context,
        }]));
    }
    let Some(path) = &args.requests else { return Ok(None) };
    let mut text = String::new();
    if path.as_os_str() == "-" {
        std::io::stdin().read_to_string(&mut text).map_err(Error::read(path))?;
    } else {
        text = std::fs::read_to_string(path).map_err(Error::read(path))?;
    }
    let mut questions = Vec::new();
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let question = serde_json::from_str(line)
            .map_err(|e| Error::BadQuestion { where_: format!("{}:{}", path.display(), n + 1), why: e.to_string() })?;
        questions.push(question);
    }
    Ok(Some(questions))
}
