//! The typst "world" a report is compiled in: two files in memory (the page design and the
//! report's JSON) and the fonts found. No file system, no packages, no clock: the same
//! document and fonts give the same PDF bytes (which is what a detached signature wants).

use std::sync::LazyLock;

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

use super::fonts::Fonts;

/// The page design (see the file for how content is taken from the JSON).
const DESIGN: &str = include_str!("report.typ");

static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::default()));

fn file_id(path: &str) -> FileId {
    let vpath = VirtualPath::new(path).expect("a valid virtual path");
    RootedPath::new(VirtualRoot::Project, vpath).intern()
}

pub(super) struct ReportWorld<'a> {
    fonts: &'a Fonts,
    main: Source,
    data_id: FileId,
    data: Bytes,
}

impl<'a> ReportWorld<'a> {
    /// A world whose main file is the page design and whose `/report.json` is `data`.
    pub(super) fn new(fonts: &'a Fonts, data: Vec<u8>) -> Self {
        Self {
            fonts,
            main: Source::new(file_id("/main.typ"), DESIGN.to_string()),
            data_id: file_id("/report.json"),
            data: Bytes::new(data),
        }
    }
}

impl World for ReportWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        self.fonts.book()
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::NotSource)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.data_id {
            Ok(self.data.clone())
        } else if id == self.main.id() {
            Ok(Bytes::from_string(self.main.clone()))
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.store.font(index)
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        // The design never asks for the date: a report's date is the one the user gives.
        None
    }
}
