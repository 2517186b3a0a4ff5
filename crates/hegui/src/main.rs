//! `hegui`: the command line. It parses arguments, reads files and prints; every rule it
//! applies lives in `hegui-core` (and documents in `hegui-report`).
//!
//! Exit codes: 0 success; 1 the input is invalid or an operation failed (the message says
//! where and what); 2 the command line itself is wrong.

mod cmd;
mod fuzz;
mod input;
mod output;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Personal information protection compliance audits under PIPL and CAC Order No. 18.
#[derive(Parser)]
#[command(name = "hegui", version, about, long_about = None)]
struct Cli {
    /// A working-day calendar file for a year hegui does not ship (repeatable); files in
    /// $HEGUI_CALENDAR_DIR (*.toml) are read too.
    #[arg(long, global = true, value_name = "FILE")]
    calendar: Vec<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The Guideline's checkpoints, the Measures, the PI taxonomy and the thresholds.
    #[command(subcommand)]
    Catalog(cmd::catalog::CatalogCmd),
    /// The PRC working-day calendar (State Council holiday schedules, 调休).
    #[command(subcommand)]
    Calendar(cmd::calendar::CalendarCmd),
    /// Validate a processor profile (YAML or JSON) and report every problem at once.
    Check(cmd::profile::CheckArgs),
    /// Print a JSON Schema (for editors): `hegui schema profile`.
    Schema {
        /// Which schema: `profile`.
        #[arg(value_parser = ["profile"])]
        what: String,
    },
    /// The obligations of a processor: status, due dates and citations.
    Obligations(cmd::profile::ObligationsArgs),
    /// The checkpoints an audit of the processor covers, and why others are out of scope.
    Scope(cmd::profile::ScopeArgs),
    /// Audit engagements: scope, working papers, evidence, findings, rectification, closing, purge.
    Engagement(cmd::engagement::EngagementArgs),
    /// Find, classify and count personal information in files, directories and databases.
    Scan(cmd::scan::ScanArgs),
    /// Merge `hegui scan --sketches` reports of partitions into distinct-people estimates.
    ScanMerge(cmd::scan::MergeArgs),
    /// Privacy policies (processing rules) judged against what PIPL requires them to say.
    #[command(subcommand)]
    Policy(cmd::policy::PolicyCmd),
    /// Documents of an engagement: audit and rectification reports, the workbook; signatures.
    Report(cmd::report::ReportArgs),
    /// Signatories' keys (ed25519).
    #[command(subcommand)]
    Key(cmd::key::KeyCmd),
    /// Attribute-sampling size and a reproducible selection (for working papers).
    Sample(cmd::sample::SampleArgs),
    /// The main job end to end: an example processor, its data, an engagement, signed reports.
    Demo(cmd::demo::DemoArgs),
    /// Write synthetic Chinese personal data with a ground-truth file (seeded).
    Gen(cmd::gen::GenArgs),
    /// Accounts of `hegui serve`: add (the first administrator too), list, disable, reset 2FA.
    User(cmd::users::UserArgs),
    /// The audit team's web application over the same store (sign-in with password and TOTP).
    Serve(cmd::users::ServeArgs),
    /// The inbox: read yours; `notify run` sends the day's reminders and overdue digests
    /// (and e-mail, when configured) — for cron, as `hegui serve` does by itself.
    #[command(subcommand)]
    Notify(cmd::notify::NotifyCmd),
    /// Benchmarks that anyone can rerun (quality and speed).
    #[command(subcommand)]
    Bench(cmd::bench::BenchCmd),
}

/// Output piped into `head` and the like: stop quietly when the reader goes away, as
/// command-line tools do, instead of panicking on a broken pipe.
#[cfg(unix)]
fn default_sigpipe() {
    // SAFETY: setting a signal's disposition to the default at start-up, before any
    // thread is spawned, has no memory-safety preconditions.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

#[cfg(not(unix))]
fn default_sigpipe() {}

fn main() -> ExitCode {
    default_sigpipe();
    let cli = Cli::parse();
    if std::env::var_os("HEGUI_PARSE_ONLY").is_some() {
        // The documentation test: the command line parses, nothing runs.
        return ExitCode::SUCCESS;
    }
    let result = match cli.command {
        Command::Catalog(c) => cmd::catalog::run(c),
        Command::Calendar(c) => {
            input::calendar(&cli.calendar).and_then(|cal| cmd::calendar::run(c, &cal))
        }
        Command::Check(a) => cmd::profile::check(a),
        Command::Schema { .. } => output::print_json(hegui_core::inventory::schema()),
        Command::Obligations(a) => {
            input::calendar(&cli.calendar).and_then(|cal| cmd::profile::obligations(a, &cal))
        }
        Command::Scope(a) => cmd::profile::scope(a),
        Command::Scan(a) => cmd::scan::run(a),
        Command::Engagement(a) => {
            input::calendar(&cli.calendar).and_then(|cal| cmd::engagement::run(a, &cal))
        }
        Command::ScanMerge(a) => cmd::scan::merge(a),
        Command::Policy(c) => cmd::policy::run(c),
        Command::Gen(a) => cmd::gen::run(a),
        Command::Demo(a) => cmd::demo::run(a),
        Command::Sample(a) => cmd::sample::run(a),
        Command::Key(c) => cmd::key::run(c),
        Command::Report(a) => cmd::report::run(a),
        Command::Bench(c) => cmd::bench::run(c),
        Command::User(a) => cmd::users::run(a),
        Command::Serve(a) => cmd::users::serve(a),
        Command::Notify(c) => {
            input::calendar(&cli.calendar).and_then(|cal| cmd::notify::run(c, &cal))
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("hegui: {e:#}");
            ExitCode::from(1)
        }
    }
}
