//! `hegui demo [DIR]`: the main job end to end, on the embedded SQLite default. It writes
//! an example processor's profile and generated data into DIR, then runs — and prints —
//! the same `hegui` commands a person would: obligations and scope, a scan of the data,
//! an engagement with evidence, working papers (one with a statistical sample), a finding
//! and its rectification, then the reports (the audit report as PDF and DOCX, the
//! rectification report, the workbook) and two signatures over each audit report; last, the engagement as one JSON file, imported
//! into a second store. Every command runs inside DIR with relative paths, so each printed
//! line can be rerun there by hand.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{bail, Context, Result};
use clap::Args;

use crate::cmd::bench_report::FINTECH_PROFILE;
use crate::input;

/// The example processor's published privacy policy (with the omissions an audit finds).
const FINTECH_POLICY: &str = include_str!("../../../../examples/fintech-policy.md");

#[derive(Args)]
pub struct DemoArgs {
    /// Where to write everything (must be empty or absent).
    #[arg(default_value = "hegui-demo")]
    dir: PathBuf,
    /// People in the generated data.
    #[arg(long, default_value_t = 2000)]
    people: u64,
}

/// Runs `hegui` subcommands inside the demo directory.
pub(super) struct Runner {
    exe: PathBuf,
    dir: PathBuf,
}

impl Runner {
    /// Runs one command inside DIR; returns its standard output, or an error with its
    /// standard error.
    fn exec(&self, args: &[&str]) -> Result<Vec<u8>> {
        let out = Command::new(&self.exe)
            .args(args)
            .current_dir(&self.dir)
            .env("HEGUI_DATABASE_URL", "hegui.db")
            .env("HEGUI_USER", "审计员甲")
            .output()
            .with_context(|| format!("running {}", self.exe.display()))?;
        if !out.status.success() {
            bail!(
                "`hegui {}` failed:\n{}",
                shell_words(args),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(out.stdout)
    }

    /// The demo directory.
    pub(super) fn dir(&self) -> &Path {
        &self.dir
    }

    /// Runs one command, echoing it; returns its standard output.
    pub(super) fn run(&self, args: &[&str]) -> Result<String> {
        println!("$ hegui {}", shell_words(args));
        Ok(String::from_utf8_lossy(&self.exec(args)?).into_owned())
    }

    /// Runs one command and writes its standard output to `file` (as `> file` would).
    fn run_to(&self, args: &[&str], file: &str) -> Result<()> {
        println!("$ hegui {} > {file}", shell_words(args));
        std::fs::write(self.dir.join(file), self.exec(args)?)?;
        Ok(())
    }
}

/// Quotes arguments that need it, so printed commands can be pasted into a shell.
fn shell_words(args: &[&str]) -> String {
    args.iter()
        .map(|a| {
            if a.is_empty() || a.contains([' ', '"', '\'', '$', '*', '(', ')', ';', '&', '|']) {
                format!("'{}'", a.replace('\'', r"'\''"))
            } else {
                a.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn prepare_dir(dir: &Path) -> Result<()> {
    if dir.exists() && std::fs::read_dir(dir)?.next().is_some() {
        bail!(
            "{}: not empty; the demo writes into an empty or new directory (and never overwrites)",
            dir.display()
        );
    }
    std::fs::create_dir_all(dir.join("keys"))
        .with_context(|| format!("creating {}", dir.display()))?;
    std::fs::write(dir.join("profile.yaml"), FINTECH_PROFILE)?;
    std::fs::write(dir.join("privacy-policy.md"), FINTECH_POLICY)?;
    Ok(())
}

pub fn run(a: DemoArgs) -> Result<ExitCode> {
    prepare_dir(&a.dir)?;
    let r = Runner {
        exe: std::env::current_exe()?,
        dir: a.dir.clone(),
    };
    let today = input::today_cst();
    let period = format!("{}-01-01..{}-12-31", today.year() - 1, today.year() - 1);
    let people = a.people.to_string();

    println!("# 1. The processor: an example fintech profile and generated data");
    r.run(&["check", "profile.yaml"])?;
    r.run(&["gen", "data", "--people", &people])?;

    println!(
        "\n# 2. Finding personal information, then obligations and scope from measured counts"
    );
    r.run(&[
        "scan",
        "data",
        "--exclude",
        "truth.jsonl",
        "--full",
        "--report",
        "scan.json",
    ])?;
    r.run_to(
        &[
            "obligations",
            "profile.yaml",
            "--scan",
            "scan.json",
            "--format",
            "json",
        ],
        "obligations.json",
    )?;
    r.run_to(
        &[
            "obligations",
            "profile.yaml",
            "--scan",
            "scan.json",
            "--format",
            "md",
        ],
        "obligations.md",
    )?;
    r.run_to(&["scope", "profile.yaml", "--format", "md"], "scope.md")?;

    println!("\n# 3. Signatories' keys and the engagement");
    r.run(&["key", "new", "--name", "张三", "-o", "keys/principal.json"])?;
    r.run(&["key", "new", "--name", "王五", "-o", "keys/lead.json"])?;
    let created = r.run(&[
        "engagement",
        "create",
        "--profile",
        "profile.yaml",
        "--kind",
        "commissioned",
        "--body",
        "示例会计师事务所",
        "--lead",
        "王五",
        "--team",
        "审计员甲",
        "--team",
        "审计员乙",
        "--period",
        &period,
        "--attest-no-subdelegation",
        "--format",
        "json",
    ])?;
    let e: serde_json::Value = serde_json::from_str(&created)
        .context("reading the engagement `hegui engagement create --format json` printed")?;
    let code = e["code"]
        .as_str()
        .context("the created engagement has no code")?
        .to_string();
    let code = code.as_str();

    println!("\n# 4. Evidence, working papers, a finding and its rectification");
    r.run(&[
        "engagement",
        "evidence",
        "add",
        code,
        "scan.json",
        "--kind",
        "scan",
        "--source",
        "hegui scan",
    ])?;
    r.run(&[
        "engagement",
        "evidence",
        "add",
        code,
        "obligations.json",
        "--kind",
        "obligations",
        "--source",
        "hegui obligations",
    ])?;
    print!(
        "{}",
        r.run(&[
            "engagement",
            "evidence",
            "add",
            code,
            "privacy-policy.md",
            "--kind",
            "policy",
            "--source",
            "官网",
        ])?
    );
    // The analysis (EV-004) proposes observations for the papers it speaks to; the auditor
    // reads them on the checkpoint and accepts one (it stays editable).
    print!("{}", r.run(&["engagement", "paper", code, "G3.4"])?);
    print!(
        "{}",
        r.run(&[
            "engagement",
            "paper",
            code,
            "G3.4",
            "--procedure",
            "审阅隐私政策关于保存期限和到期处理的内容",
            "--accept-proposed",
            "EV-004",
            "--result",
            "partially-compliant",
        ])?
    );
    r.run(&[
        "engagement",
        "paper",
        code,
        "G3.1",
        "--procedure",
        "审阅隐私政策并与实际处理活动比对",
        "--evidence",
        "EV-003",
        "--result",
        "compliant",
        "--observations",
        "隐私政策载明处理者名称（北京信和数字科技有限公司）及联系方式",
    ])?;
    r.run(&[
        "engagement",
        "paper",
        code,
        "G13.4",
        "--procedure",
        "抽查授信申请的个人信息保护影响评估记录",
        "--population",
        "审计期间的授信申请",
        "--population-size",
        "120000",
        "--confidence",
        "95",
        "--tolerable",
        "5",
        "--seed",
        "42",
        "--result",
        "non-compliant",
        "--observations",
        "抽查样本中部分授信产品上线前未开展个人信息保护影响评估",
    ])?;
    r.run(&[
        "engagement",
        "paper",
        code,
        "G13.4",
        "--prepare",
        "--actor",
        "审计员甲",
    ])?;
    r.run(&[
        "engagement",
        "paper",
        code,
        "G13.4",
        "--review",
        "--actor",
        "审计员乙",
    ])?;
    let finding = r.run(&[
        "engagement",
        "finding",
        code,
        "--checkpoint",
        "G13.4",
        "--severity",
        "high",
        "--title",
        "部分授信产品未事前开展个人信息保护影响评估",
    ])?;
    let finding = finding.trim();
    let due = today.checked_add(jiff::Span::new().days(45))?.to_string();
    r.run(&[
        "engagement",
        "rectify",
        code,
        finding,
        "--owner",
        "合规部",
        "--measure",
        "对存量授信产品补做评估并修订上线流程",
        "--due",
        &due,
    ])?;

    println!("\n# 5. Reports and signatures");
    let audit = ["report", "audit", code, "--principal", "张三", "-o"];
    r.run(&[&audit[..], &["audit-report.docx"]].concat())?;
    // The PDF needs a CJK font on this machine; without one the demo says so and goes on
    // with the DOCX (the README's setup installs fonts-noto-cjk).
    let pdf = match r.run(&[&audit[..], &["audit-report.pdf"]].concat()) {
        Ok(_) => true,
        Err(e) => {
            println!("  PDF skipped: {e:#}");
            false
        }
    };
    r.run(&[
        "report",
        "rectification",
        code,
        "-o",
        "rectification-report.docx",
    ])?;
    r.run(&["report", "workbook", code, "-o", "workpapers.xlsx"])?;
    let signed: &[&str] = if pdf {
        &["audit-report.pdf", "audit-report.docx"]
    } else {
        &["audit-report.docx"]
    };
    for report in signed {
        for (key, role) in [
            ("keys/principal.json", "principal"),
            ("keys/lead.json", "audit-lead"),
        ] {
            r.run(&[
                "report",
                "sign",
                report,
                "--engagement",
                code,
                "--key",
                key,
                "--role",
                role,
            ])?;
        }
        print!("{}", r.run(&["report", "verify", report])?);
    }
    // The log binds every row: nothing changed outside hegui since it was written.
    print!("{}", r.run(&["engagement", "verify", code])?);

    println!("\n# 6. The whole engagement as one signed JSON file, restored into another store");
    r.run(&[
        "engagement",
        "export-json",
        code,
        "-o",
        "engagement.json",
        "--key",
        "keys/lead.json",
    ])?;
    print!(
        "{}",
        r.run(&[
            "engagement",
            "--db",
            "restored.db",
            "import",
            "engagement.json",
            "--trusted-key",
            "keys/lead.pub.json",
        ])?
    );
    print!(
        "{}",
        r.run(&["engagement", "--db", "restored.db", "verify", code])?
    );

    let accounts = team(&r, code)?;
    super::demo_requests::requests(&r, code)?;

    let d = a.dir.display();
    println!("\nDone. In {d}:");
    if pdf {
        println!(
            "  audit-report.pdf            个人信息保护合规审计报告 (signed: audit-report.pdf.sig.json)"
        );
    }
    for f in [
        "audit-report.docx           the same report, editable (signed: audit-report.docx.sig.json)",
        "rectification-report.docx   整改情况报告",
        "workpapers.xlsx             working-paper workbook",
        "obligations.md, scope.md    the processor's obligations and the audit's scope",
        "scan.json                   what the scan found in data/",
        "engagement.json             the whole engagement (confidential: holds the evidence key)",
        "hegui.db                    the engagement store (hegui engagement … --db hegui.db)",
    ] {
        println!("  {f}");
    }
    println!(
        "\nThe team's web application on the same store (demo accounts; passwords shown once):"
    );
    for (name, role, password) in &accounts {
        println!("  {name:<10} {role:<9} {password}");
    }
    println!("\n  hegui serve --db {d}/hegui.db\n  then open http://127.0.0.1:8080");
    Ok(ExitCode::SUCCESS)
}

/// Step 7: an account for each role, members of the engagement; the demo store signs in
/// without a second factor (and every page says so). Returns (account, role, password).
fn team(r: &Runner, code: &str) -> Result<Vec<(String, String, String)>> {
    println!("\n# 7. The team's accounts for `hegui serve`, one per role");
    let mut out = Vec::new();
    for (name, display, role) in [
        ("lead", "王五", "lead"),
        ("auditor", "审计员甲", "auditor"),
        ("reviewer", "复核员乙", "reviewer"),
        ("client", "个人信息保护负责人", "client"),
        ("viewer", "观察员", "viewer"),
    ] {
        let password = r.run(&[
            "user",
            "add",
            name,
            "--display",
            display,
            "--generate-password",
        ])?;
        r.run(&["engagement", "member", "set", code, name, "--role", role])?;
        out.push((
            name.to_string(),
            role.to_string(),
            password.trim().to_string(),
        ));
    }
    r.run(&["user", "relax-mfa-for-demo"])?;
    Ok(out)
}
