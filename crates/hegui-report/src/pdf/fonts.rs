//! Finding the fonts a Chinese report is set in.
//!
//! hegui ships no fonts (a CJK face is 15–30 MB). It searches the system's fonts (through
//! fontconfig's directories), the directories in `$HEGUI_FONT_DIR` and any the caller
//! names, and picks a 宋体-like serif for body text and a 黑体-like sans for headings from
//! a preference list of common faces. Any face that covers the report's probe text will
//! do when none of those is installed. With no CJK face at all, [`Fonts::discover`] fails
//! with an error that says how to install one — never a PDF of empty boxes.

use std::path::PathBuf;

use typst::text::FontBook;
use typst::utils::LazyHash;
use typst_kit::fonts::{self as kit, FontStore};

use super::PdfError;

/// Serif faces for body text, best first (Debian/Ubuntu, Adobe, macOS, Windows, TeX).
const BODY: &[&str] = &[
    "Noto Serif CJK SC",
    "Source Han Serif SC",
    "Source Han Serif CN",
    "Songti SC",
    "STSong",
    "SimSun",
    "NSimSun",
    "AR PL UMing CN",
    "FandolSong",
];

/// Sans faces for headings, best first.
const HEADING: &[&str] = &[
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "PingFang SC",
    "Heiti SC",
    "Microsoft YaHei",
    "SimHei",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Droid Sans Fallback",
    "FandolHei",
];

/// Characters every face chosen for a Chinese report must have.
const PROBE: &str = "个人信息保护合规审计报告整改第页共";

/// Where to look, and an optional family the user insists on.
#[derive(Debug, Clone, Default)]
pub struct FontOptions {
    /// Extra directories searched (recursively) before the system's fonts.
    pub dirs: Vec<PathBuf>,
    /// A family for body text (and headings), e.g. "FangSong"; it must be installed and
    /// cover Chinese.
    pub family: Option<String>,
    /// Skip the system's fonts: only `dirs` and `$HEGUI_FONT_DIR` (tests, reproducible
    /// builds).
    pub no_system: bool,
}

/// The fonts found and the families chosen for a report.
pub struct Fonts {
    pub(super) store: FontStore,
    body: String,
    heading: String,
}

impl Fonts {
    /// Searches for fonts and chooses the report's families.
    pub fn discover(opts: &FontOptions) -> Result<Self, PdfError> {
        let mut dirs = opts.dirs.clone();
        if let Some(env) = std::env::var_os("HEGUI_FONT_DIR") {
            dirs.extend(std::env::split_paths(&env));
        }
        let mut store = FontStore::new();
        for d in &dirs {
            store.extend(kit::scan(d));
        }
        if !opts.no_system {
            store.extend(kit::system());
        }
        let searched = searched(&dirs, opts.no_system);
        let book = store.book();
        let body = match &opts.family {
            Some(f) => chosen_family(book, f)?,
            None => first_present(book, BODY).or_else(|| any_cjk(book)),
        };
        let heading = first_present(book, HEADING).or_else(|| body.clone());
        match (body.or_else(|| heading.clone()), heading) {
            (Some(body), Some(heading)) => Ok(Self {
                store,
                body,
                heading,
            }),
            _ => Err(PdfError::NoCjkFont { searched }),
        }
    }

    /// The family body text is set in.
    pub fn body(&self) -> &str {
        &self.body
    }

    /// The family headings are set in.
    pub fn heading(&self) -> &str {
        &self.heading
    }

    pub(super) fn book(&self) -> &LazyHash<FontBook> {
        self.store.book()
    }

    /// Whether some face (the chosen ones or a fallback) has a glyph for `c`.
    pub(super) fn covers(&self, c: char) -> bool {
        let book = self.book();
        (0..)
            .map_while(|i| book.info(i))
            .any(|info| info.coverage.contains(c as u32))
    }
}

fn searched(dirs: &[PathBuf], no_system: bool) -> String {
    let mut parts: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
    if !no_system {
        parts.push("the system's fonts".into());
    }
    if parts.is_empty() {
        "nowhere: no directory given and system fonts off".into()
    } else {
        parts.join(", ")
    }
}

/// Whether the family's faces cover the probe text.
fn covers_probe(book: &FontBook, family: &str) -> bool {
    book.select_family(&family.to_lowercase()).any(|i| {
        book.info(i)
            .is_some_and(|info| PROBE.chars().all(|c| info.coverage.contains(c as u32)))
    })
}

fn first_present(book: &FontBook, names: &[&str]) -> Option<String> {
    names
        .iter()
        .find(|n| covers_probe(book, n))
        .map(|n| n.to_string())
}

/// Any installed family that covers the probe text (the alphabetically first, so the
/// choice is stable from run to run).
fn any_cjk(book: &FontBook) -> Option<String> {
    book.families()
        .map(|(name, _)| name.to_string())
        .find(|name| covers_probe(book, name))
}

fn chosen_family(book: &FontBook, family: &str) -> Result<Option<String>, PdfError> {
    if !book.contains_family(&family.to_lowercase()) {
        return Err(PdfError::FontNotFound {
            family: family.to_string(),
        });
    }
    if !covers_probe(book, family) {
        return Err(PdfError::FontNotChinese {
            family: family.to_string(),
        });
    }
    Ok(Some(family.to_string()))
}
