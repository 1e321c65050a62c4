//! `lzctl apply`: plan, show, confirm, then make exactly the planned changes; or apply a saved
//! plan exactly, once it is shown to be current and approved.

use super::ask;
use crate::apply::{CallError, Step};
use crate::aws::Waiting;
use crate::blueprint;
use crate::cli::ApplyArgs;
use crate::engine::{self, ApplySource, ApplyUi};
use crate::error::{Error, exit};
use crate::model::{Action, escaped};
use crate::plan::{Change, Plan, PlanOptions};
use crate::render::{self, Color};
use crate::session::{Session, Terminal};
use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

pub(crate) async fn run(terminal: Terminal, args: &ApplyArgs) -> Result<u8, Error> {
    // A saved plan is checked whole before any AWS call.
    let saved = args.plan_file.as_deref().map(engine::read_saved).transpose()?;
    let blueprint_path = match (&args.file, &saved) {
        (Some(file), _) => file.clone(),
        (None, Some(saved)) => engine::blueprint_of(args.plan_file.as_deref().expect("a saved plan was read"), saved)?,
        (None, None) => return Err(Error::NothingToApply),
    };
    let bp = blueprint::load(&blueprint_path)?;
    let source = match &saved {
        Some(saved) => ApplySource::Saved(saved),
        None => ApplySource::Blueprint(PlanOptions { prune: args.prune, exclude: args.exclude.exclude.clone() }),
    };
    let session = Session::connect(&args.aws).await?;
    let ui = Console {
        color: terminal.stdout,
        auto_approve: args.auto_approve,
        allow_hazards: args.allow_hazards,
        allow_close: args.allow_close,
        deletions: AtomicUsize::new(0),
        total: AtomicUsize::new(0),
        finished: AtomicUsize::new(0),
        by_action: Default::default(),
        stop: Arc::new(AtomicBool::new(false)),
    };
    let started = std::time::Instant::now();
    let listener = tokio::spawn(stop_on_signals(ui.stop.clone()));
    let result = engine::apply(&bp, source, &session.aws, &ui).await;
    listener.abort();
    if let Some(applied) = session.finish(result)? {
        let summary = if applied == 0 { String::new() } else { format!(" ({})", ui.summary()) };
        println!(
            "Apply complete: {applied} change{} applied{summary} in {:.1} s.",
            if applied == 1 { "" } else { "s" },
            started.elapsed().as_secs_f64()
        );
    }
    Ok(exit::OK)
}

/// The first Ctrl-C (or SIGTERM) raises `stop`: nothing new starts, what started finishes
/// (asynchronous operations are polled to their end), and apply reports what was and was not
/// applied. The second quits at once.
async fn stop_on_signals(stop: Arc<AtomicBool>) {
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    let mut next = async || {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            () = async {
                match terminate.as_mut() {
                    Some(signal) => { signal.recv().await; }
                    None => std::future::pending().await,
                }
            } => {}
        }
    };
    next().await;
    stop.store(true, Ordering::SeqCst);
    eprintln!("\nStopping: changes under way finish, nothing new starts. Press Ctrl-C again to quit at once.");
    next().await;
    eprintln!("Quitting at once: changes under way may not have finished; run apply again.");
    std::process::exit(i32::from(exit::INTERRUPTED));
}

/// How progress says an action: while it runs, and once done.
fn verbs(action: Action) -> (&'static str, &'static str) {
    match action {
        Action::Create => ("creating", "created"),
        Action::Update => ("updating", "updated"),
        Action::Delete => ("deleting", "deleted"),
        Action::Move => ("moving", "moved"),
    }
}

fn action_index(action: Action) -> usize {
    match action {
        Action::Create => 0,
        Action::Update => 1,
        Action::Delete => 2,
        Action::Move => 3,
    }
}

/// Apply at a terminal: the plan on stdout, progress on stderr, "yes" asked on stdin.
struct Console {
    color: Color,
    auto_approve: bool,
    allow_hazards: bool,
    allow_close: bool,
    /// How many of the plan's changes delete something.
    deletions: AtomicUsize,
    total: AtomicUsize,
    finished: AtomicUsize,
    /// Changes done, by action: created, updated, deleted, moved.
    by_action: [AtomicUsize; 4],
    stop: Arc<AtomicBool>,
}

impl Console {
    /// `2 created, 1 updated` — the non-zero counts of what was done.
    fn summary(&self) -> String {
        let words = ["created", "updated", "deleted", "moved"];
        let parts: Vec<String> = self
            .by_action
            .iter()
            .zip(words)
            .map(|(n, word)| (n.load(Ordering::Relaxed), word))
            .filter(|(n, _)| *n > 0)
            .map(|(n, word)| format!("{n} {word}"))
            .collect();
        parts.join(", ")
    }
}

impl ApplyUi for Console {
    fn show(&self, plan: &Plan, approvers: &[String]) {
        self.total.store(plan.changes.len(), Ordering::Relaxed);
        let deletions = plan.changes.iter().filter(|c| c.action == crate::model::Action::Delete).count();
        self.deletions.store(deletions, Ordering::Relaxed);
        print!("{}", render::human(plan, self.color));
        if !approvers.is_empty() {
            eprintln!("Approved by {}.", approvers.join(", "));
        }
    }

    fn applying_as(&self, caller: Result<String, CallError>) {
        match caller {
            Ok(arn) => eprintln!("Applying as {arn}"),
            Err(err) => eprintln!("Warning: could not tell who is applying: {err}"),
        }
    }

    /// Asks for "yes" on a terminal; refuses on anything else rather than waiting for input.
    fn confirm(&self) -> Result<(), Error> {
        if self.auto_approve {
            return Ok(());
        }
        let stdin = std::io::stdin();
        if !stdin.is_terminal() {
            return Err(Error::NoTerminal);
        }
        print!("\nApply these changes? Only 'yes' is accepted: ");
        std::io::stdout().flush().map_err(|source| Error::Terminal { what: "writing the prompt", source })?;
        let answer = ask(&stdin)?;
        if answer != "yes" {
            return Err(Error::Cancelled { what: "apply" });
        }
        // Deletions are confirmed on their own, by their number.
        let deletions = self.deletions.load(Ordering::Relaxed);
        if deletions > 0 {
            print!("The plan deletes {deletions} thing(s) (listed above). Type {deletions} to confirm them: ");
            std::io::stdout().flush().map_err(|source| Error::Terminal { what: "writing the prompt", source })?;
            if ask(&stdin)? != deletions.to_string() {
                return Err(Error::Cancelled { what: "apply" });
            }
        }
        Ok(())
    }

    fn allows_hazards(&self) -> bool {
        self.allow_hazards
    }

    fn allows_close(&self) -> bool {
        self.allow_close
    }

    /// Each change as it starts (`+ organizational_unit.Workloads: creating…`) and as it ends
    /// (`+ organizational_unit.Workloads: created ou-… (1.2 s) [3/12]`).
    fn change(&self, change: &Change, step: Step) {
        let (doing, done) = verbs(change.action);
        let what = format!("{} {}", change.action.symbol(), escaped(&change.address));
        match step {
            Step::Started => eprintln!("{what}: {doing}…"),
            Step::Done { id, elapsed } => {
                let index = self.finished.fetch_add(1, Ordering::Relaxed) + 1;
                self.by_action[action_index(change.action)].fetch_add(1, Ordering::Relaxed);
                let total = self.total.load(Ordering::Relaxed);
                let id = id.map(|id| format!(" {}", escaped(&id))).unwrap_or_default();
                eprintln!("{what}: {done}{id} ({:.1} s) [{index}/{total}]", elapsed.as_secs_f64());
            }
        }
    }

    fn notice(&self, text: &str) {
        eprintln!("Warning: {text}");
    }

    fn stop(&self) -> &AtomicBool {
        &self.stop
    }

    /// `  … waiting for RESOURCE: OPERATION STATUS after Ns`.
    fn waiting(&self, w: &Waiting<'_>) {
        eprintln!("  … waiting for {}: {} {} after {}s", w.resource, w.operation, w.status, w.elapsed.as_secs());
    }
}
