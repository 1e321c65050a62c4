//! The command line as users meet it: every command's help (snapshots) with one to three
//! examples, AWS flags offered only where AWS is called, and the completion scripts (snapshots).

use super::*;
use clap::CommandFactory;

/// Every command and subcommand, by its name as typed (`inventory diff`).
fn subcommands() -> Vec<(String, clap::Command)> {
    let mut root = Cli::command();
    root.build();
    let mut all = Vec::new();
    for command in root.get_subcommands().filter(|c| c.get_name() != "help") {
        all.push((command.get_name().to_string(), command.clone()));
        for sub in command.get_subcommands().filter(|c| c.get_name() != "help") {
            all.push((format!("{} {}", command.get_name(), sub.get_name()), sub.clone()));
        }
    }
    all
}

#[test]
fn every_command_has_help_with_one_to_three_examples() {
    for (name, mut command) in subcommands() {
        let help = command.render_long_help().to_string();
        {
            let examples =
                help.split_once("Examples:\n").map(|(_, e)| e.lines().filter(|l| l.starts_with("  lzctl ")).count());
            assert!(matches!(examples, Some(1..=3)), "{name}: {examples:?} examples\n{help}");
        }
        insta::assert_snapshot!(format!("help_{}", name.replace(' ', "_")), help);
    }
    let top = Cli::command().render_long_help().to_string();
    insta::assert_snapshot!("help", top);
}

#[test]
fn aws_flags_are_offered_only_by_the_commands_that_call_aws() {
    let offers = |name: &str, flag: &str| {
        subcommands()
            .into_iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no command {name}"))
            .1
            .get_arguments()
            .any(|a| a.get_long() == Some(flag))
    };
    for name in ["validate", "show", "approve", "inventory diff", "completions"] {
        for flag in ["profile", "region", "stats"] {
            assert!(!offers(name, flag), "{name} offers --{flag}");
        }
    }
    for name in ["plan", "apply", "config-status", "inventory", "import", "unlock", "join", "root-status", "effective"]
    {
        for flag in ["profile", "region", "stats"] {
            assert!(offers(name, flag), "{name} lacks --{flag}");
        }
    }
    assert!(offers("simulate", "profile") && offers("simulate", "region"), "simulate's --region is the question's");
    assert!(!Cli::command().get_arguments().any(|a| a.get_short() == Some('v')), "-v is not --stats");
}

#[test]
fn completion_scripts_for_every_shell() {
    for shell in [
        clap_complete::Shell::Bash,
        clap_complete::Shell::Zsh,
        clap_complete::Shell::Fish,
        clap_complete::Shell::PowerShell,
    ] {
        let mut script = Vec::new();
        clap_complete::generate(shell, &mut Cli::command(), "lzctl", &mut script);
        let script = String::from_utf8(script).expect("UTF-8");
        assert!(script.contains("root-status") && script.contains("detailed-exitcode"), "{shell}");
        insta::assert_snapshot!(format!("completions_{shell}"), script);
    }
}

#[test]
fn the_version_names_the_commit() {
    assert!(VERSION.starts_with(concat!(env!("CARGO_PKG_VERSION"), " (commit ")), "{VERSION}");
    assert!(VERSION.ends_with(')'));
}
