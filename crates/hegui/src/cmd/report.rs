//! `hegui report …`: documents of an engagement (workbook), signatures, exchange.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, Subcommand, ValueEnum};
use hegui_audit::store::Store;
use hegui_report::audit_report::{self, Inputs, Lang, ReportOptions};
use hegui_report::document::Document;
use hegui_report::rectification;
use hegui_report::signature::{self, Role};

#[derive(Args)]
pub struct ReportArgs {
    /// The store (as for `hegui engagement`).
    #[arg(long, global = true)]
    db: Option<String>,
    #[command(subcommand)]
    cmd: ReportCmd,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum RoleArg {
    /// The professional body's principal (专业机构主要负责人).
    Principal,
    /// The audit lead (合规审计负责人).
    AuditLead,
    Other,
}

#[derive(Subcommand)]
enum ReportCmd {
    /// The working-paper workbook (XLSX): one sheet per focus area, the ledger, the evidence.
    Workbook {
        engagement: String,
        #[arg(short, long)]
        output: PathBuf,
        /// Render even if the engagement fails verification, marked on every sheet (for
        /// forensic use only).
        #[arg(long)]
        allow_unverified: bool,
    },
    /// The audit report (个人信息保护合规审计报告): a PDF (output ending in .pdf, or
    /// --format pdf) or an editable DOCX.
    Audit {
        engagement: String,
        #[arg(short, long)]
        output: PathBuf,
        #[command(flatten)]
        opts: DocOpts,
    },
    /// The rectification report (整改情况报告, Art. 11) with the ledger and its due date
    /// (PDF or DOCX, as for `audit`).
    Rectification {
        engagement: String,
        #[arg(short, long)]
        output: PathBuf,
        #[command(flatten)]
        opts: DocOpts,
    },
    /// Sign a report with your key, over its hash and the manifest of the engagement's
    /// evidence (writes REPORT.sig.json; a second signatory adds to it).
    Sign {
        report: PathBuf,
        #[arg(long)]
        engagement: String,
        #[arg(long, value_name = "KEY_FILE")]
        key: String,
        #[arg(long, value_enum)]
        role: RoleArg,
    },
    /// Check a report against REPORT.sig.json: who signed what; fails on any changed byte.
    Verify { report: PathBuf },
}

#[derive(Args)]
struct DocOpts {
    /// The professional body's principal (主要负责人), printed in the signature block.
    #[arg(long)]
    principal: Option<String>,
    /// The report date (YYYY-MM-DD); left blank for the signatories when not given.
    #[arg(long)]
    date: Option<jiff::civil::Date>,
    /// The language of the audit report (the rectification report is always in Chinese:
    /// it goes to the protection department).
    #[arg(long, value_enum, default_value = "zh")]
    lang: crate::output::Lang,
    /// The file format; by default from the output's extension (.pdf: PDF, else DOCX).
    #[arg(long, value_enum)]
    format: Option<DocFormat>,
    /// A directory of fonts for the PDF, searched before the system's (repeatable; also
    /// $HEGUI_FONT_DIR).
    #[arg(long, value_name = "DIR")]
    font_dir: Vec<PathBuf>,
    /// The font family for the PDF's text (default: the first installed of Noto Serif CJK
    /// SC, Source Han Serif SC, Songti SC, SimSun, …).
    #[arg(long, value_name = "FAMILY")]
    font: Option<String>,
    /// Use only the fonts in --font-dir and $HEGUI_FONT_DIR, not the system's (the same
    /// PDF bytes on every machine given the same font files).
    #[arg(long)]
    no_system_fonts: bool,
    /// Render even if the engagement fails verification (`hegui engagement verify`), with
    /// a warning on every page (for forensic use only).
    #[arg(long)]
    allow_unverified: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum DocFormat {
    /// Editable Word document (Word, WPS, LibreOffice).
    Docx,
    /// Typeset PDF (needs a CJK font on the machine and a build with the `pdf` feature).
    Pdf,
}

impl DocFormat {
    fn for_output(explicit: Option<Self>, output: &Path) -> Self {
        explicit.unwrap_or_else(|| {
            let pdf = output
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("pdf"));
            if pdf {
                Self::Pdf
            } else {
                Self::Docx
            }
        })
    }
}

impl DocOpts {
    fn options(&self) -> ReportOptions {
        ReportOptions {
            lang: match self.lang {
                crate::output::Lang::Zh => Lang::Zh,
                crate::output::Lang::En => Lang::En,
            },
            principal: self.principal.clone(),
            date: self.date.map(|d| d.to_string()),
        }
    }
}

pub fn run(a: ReportArgs) -> Result<ExitCode> {
    match a.cmd {
        ReportCmd::Workbook {
            engagement,
            output,
            allow_unverified,
        } => {
            let store = crate::input::store(a.db)?;
            let warning = verified(&store, &engagement, allow_unverified)?;
            hegui_report::workbook::write(&store, &engagement, &output, warning)?;
            println!("{}", output.display());
            Ok(ExitCode::SUCCESS)
        }
        ReportCmd::Audit {
            engagement,
            output,
            opts,
        } => document(a.db, &engagement, &output, opts, audit_report::build),
        ReportCmd::Rectification {
            engagement,
            output,
            opts,
        } => document(a.db, &engagement, &output, opts, rectification::build),
        ReportCmd::Sign {
            report,
            engagement,
            key,
            role,
        } => {
            let store = crate::input::store(a.db)?;
            // Nobody signs for an engagement whose data does not match its log.
            verified(&store, &engagement, false)?;
            let key = crate::cmd::key::load_secret(&key)?;
            let manifest = signature::manifest(&store, &engagement)?;
            let role = match role {
                RoleArg::Principal => Role::Principal,
                RoleArg::AuditLead => Role::AuditLead,
                RoleArg::Other => Role::Other,
            };
            let now = jiff::Timestamp::now().to_string();
            let f = signature::sign(&report, manifest, &key, role, &now)?;
            println!(
                "{}: signed by {} ({} signature(s), {} evidence hash(es) in the manifest)",
                signature::sig_path(&report).display(),
                key.name,
                f.signatures.len(),
                f.manifest.evidence.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        ReportCmd::Verify { report } => verify(&report),
    }
}

/// Verifies the engagement a report is rendered from: refuses one that fails, or with
/// `allow`, returns the warning its every page will carry.
fn verified(store: &Store, engagement: &str, allow: bool) -> Result<Option<&'static str>> {
    let v = hegui_audit::verify::engagement(store, engagement)?;
    if v.ok() {
        return Ok(None);
    }
    if !allow {
        anyhow::bail!(
            "{}: the engagement does not verify, so no report is rendered from it:\n{}\n\
             (`hegui engagement verify {engagement}` lists every problem; --allow-unverified \
             renders it anyway, marked on every page, for forensic use)",
            v.code,
            v.summary()
        );
    }
    eprintln!(
        "warning: {} does not verify ({} problem(s)); rendering it marked UNVERIFIED on every page",
        v.code,
        v.problems.len()
    );
    Ok(Some(hegui_report::UNVERIFIED_WARNING))
}

/// Builds one of the engagement's documents and writes it to `output`.
fn document(
    db: Option<String>,
    engagement: &str,
    output: &Path,
    opts: DocOpts,
    build: fn(&Inputs, &ReportOptions) -> Document,
) -> Result<ExitCode> {
    let format = DocFormat::for_output(opts.format, output);
    // Fonts first: a machine without a CJK font fails before any work is done.
    let fonts = fonts_for(format, &opts)?;
    let store = crate::input::store(db)?;
    let warning = verified(&store, engagement, opts.allow_unverified)?;
    let x = Inputs::load(&store, engagement)?;
    let mut doc = build(&x, &opts.options());
    doc.warning = warning.map(String::from);
    let bytes = match format {
        DocFormat::Docx => doc
            .to_docx()
            .map_err(|e| anyhow::anyhow!("building {}: {e}", output.display()))?,
        DocFormat::Pdf => render_pdf(&doc, fonts.as_ref(), output)?,
    };
    write_atomically(&bytes, output)
}

#[cfg(feature = "pdf")]
type PdfFonts = hegui_report::pdf::Fonts;
#[cfg(not(feature = "pdf"))]
type PdfFonts = ();

/// The fonts a PDF needs (nothing for a DOCX).
fn fonts_for(format: DocFormat, opts: &DocOpts) -> Result<Option<PdfFonts>> {
    if format != DocFormat::Pdf {
        return Ok(None);
    }
    #[cfg(feature = "pdf")]
    {
        let found = hegui_report::pdf::Fonts::discover(&hegui_report::pdf::FontOptions {
            dirs: opts.font_dir.clone(),
            family: opts.font.clone(),
            no_system: opts.no_system_fonts,
        })?;
        Ok(Some(found))
    }
    #[cfg(not(feature = "pdf"))]
    {
        let _ = opts;
        anyhow::bail!(
            "this hegui was built without PDF support (cargo feature `pdf`); rebuild with the \
             default features, or write a DOCX (-o report.docx)"
        )
    }
}

#[cfg(feature = "pdf")]
fn render_pdf(doc: &Document, fonts: Option<&PdfFonts>, output: &Path) -> Result<Vec<u8>> {
    let fonts = fonts.expect("fonts are found before a PDF is rendered");
    hegui_report::pdf::render(doc, fonts).map_err(|e| anyhow::anyhow!("{}: {e}", output.display()))
}

#[cfg(not(feature = "pdf"))]
fn render_pdf(_: &Document, _: Option<&PdfFonts>, _: &Path) -> Result<Vec<u8>> {
    unreachable!("fonts_for refuses PDF output in a build without the pdf feature")
}

/// Writes a document through a temporary file, so an interrupted run never leaves a
/// half-written report where a finished one is expected.
fn write_atomically(bytes: &[u8], output: &Path) -> Result<ExitCode> {
    let mut tmp = output.as_os_str().to_owned();
    tmp.push(".partial");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, bytes).map_err(|e| anyhow::anyhow!("{}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, output).map_err(|e| anyhow::anyhow!("{}: {e}", output.display()))?;
    println!("{}", output.display());
    Ok(ExitCode::SUCCESS)
}

fn verify(report: &Path) -> Result<ExitCode> {
    let f = signature::verify(report)?;
    println!("{}: intact (sha256 {})", report.display(), f.report_sha256);
    println!(
        "  engagement {}, {} evidence item(s) in the manifest",
        f.manifest.engagement,
        f.manifest.evidence.len()
    );
    for s in &f.signatures {
        println!(
            "  signed by {} as {:?} at {} (key {}…)",
            s.signer,
            s.role,
            s.signed_at,
            &s.public_key[..16]
        );
    }
    Ok(ExitCode::SUCCESS)
}
