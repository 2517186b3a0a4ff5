//! The inventory (profile) of a processor: model, JSON Schema, loading with precise errors.
//!
//! [`load`] reads YAML or JSON and reports **every** problem of a file at once, each with
//! its line and column, the field path, what was found and what was expected:
//!
//! 1. syntax ([`source`]), with positions of every value and key kept;
//! 2. structure, against the JSON Schema generated from the model types ([`schema`]):
//!    unknown fields (with a suggestion), missing fields, wrong types and values;
//! 3. meaning ([`check`]): the unified social credit code's check character, taxonomy ids,
//!    references between records, head-counts that contradict each other, dates in order.
//!
//! Both checks run on every file, and their findings are reported together in file order.

mod check;
mod model;
pub mod source;
pub mod uscc;

pub use model::*;
pub use source::Pos;

use std::fmt;
use std::sync::OnceLock;

use serde_json::Value;

/// One problem in a profile.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Diagnostic {
    /// Field path, e.g. `activities[0].legal_basis[1]` (empty for the whole file).
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

/// All problems of one file.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ProfileErrors {
    pub file: String,
    pub diagnostics: Vec<Diagnostic>,
}

impl std::error::Error for ProfileErrors {}

impl fmt::Display for ProfileErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{}", self.file)?;
            if let (Some(l), Some(c)) = (d.line, d.column) {
                write!(f, ":{l}:{c}")?;
            }
            write!(f, ": ")?;
            if !d.path.is_empty() {
                write!(f, "{}: ", d.path)?;
            }
            write!(f, "{}", d.message)?;
            if let Some(h) = &d.help {
                write!(f, " ({h})")?;
            }
        }
        Ok(())
    }
}

/// The input syntax.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    Yaml,
    Json,
}

impl Syntax {
    /// By file name: `.json` is JSON, anything else YAML.
    pub fn from_path(path: &str) -> Syntax {
        if path.to_ascii_lowercase().ends_with(".json") {
            Syntax::Json
        } else {
            Syntax::Yaml
        }
    }
}

/// Collects diagnostics with positions.
pub(crate) struct Sink<'a> {
    positions: &'a source::Positions,
    pub(crate) out: Vec<Diagnostic>,
}

impl Sink<'_> {
    /// A problem with the value at `pointer`.
    pub(crate) fn at(&mut self, pointer: &str, message: String, help: Option<String>) {
        let pos = self.positions.value(pointer);
        self.push(pointer, pos, message, help);
    }

    /// A problem with the key at `pointer` (unknown fields).
    pub(crate) fn at_key(&mut self, pointer: &str, message: String, help: Option<String>) {
        let pos = self.positions.key(pointer);
        self.push(pointer, pos, message, help);
    }

    fn push(&mut self, pointer: &str, pos: Option<Pos>, message: String, help: Option<String>) {
        self.out.push(Diagnostic {
            path: dotted(pointer),
            line: pos.map(|p| p.line),
            column: pos.map(|p| p.column),
            message,
            help,
        });
    }
}

/// `/activities/0/legal_basis` → `activities[0].legal_basis`.
pub fn dotted(pointer: &str) -> String {
    let mut out = String::new();
    for seg in pointer.split('/').skip(1) {
        let seg = seg.replace("~1", "/").replace("~0", "~");
        if !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(&format!("[{seg}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&seg);
        }
    }
    out
}

/// Reads and validates a profile. `file` names it in the errors.
pub fn load(text: &str, file: &str, syntax: Syntax) -> Result<Profile, ProfileErrors> {
    let fail = |diagnostics| ProfileErrors {
        file: file.to_string(),
        diagnostics,
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (mut value, positions) = source::parse(text, syntax == Syntax::Json).map_err(|e| {
        fail(vec![Diagnostic {
            path: String::new(),
            line: e.pos.map(|p| p.line),
            column: e.pos.map(|p| p.column),
            message: format!("syntax error: {}", e.message),
            help: None,
        }])
    })?;
    strip_nulls(&mut value);
    let mut sink = Sink {
        positions: &positions,
        out: Vec::new(),
    };
    check::structure(&value, &mut sink);
    check::meaning(&value, &mut sink);
    if !sink.out.is_empty() {
        // In file order, so the list reads top to bottom.
        sink.out
            .sort_by_key(|d| (d.line.unwrap_or(0), d.column.unwrap_or(0)));
        return Err(fail(sink.out));
    }
    serde_json::from_value(value).map_err(|e| {
        fail(vec![Diagnostic {
            path: String::new(),
            line: None,
            column: None,
            message: e.to_string(),
            help: None,
        }])
    })
}

/// `key: null` (or an empty value) means the key is absent.
fn strip_nulls(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|_, x| !x.is_null());
            m.values_mut().for_each(strip_nulls);
        }
        Value::Array(a) => a.iter_mut().for_each(strip_nulls),
        _ => {}
    }
}

/// The JSON Schema of a profile (draft 2020-12), for editors and for validation.
pub fn schema() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let gen = schemars::generate::SchemaSettings::draft2020_12().into_generator();
        let mut v = gen.into_root_schema_for::<Profile>().to_value();
        drop_null_alternatives(&mut v);
        if let Value::Object(m) = &mut v {
            m.insert(
                "title".into(),
                Value::String("hegui processor profile".into()),
            );
        }
        v
    })
}

/// Optional fields are simply absent (nulls are stripped on load), so the schema's
/// `anyOf [X, null]` and `type: [T, null]` become `X` and `T`: errors then point inside X
/// instead of saying "matches no alternative".
fn drop_null_alternatives(v: &mut Value) {
    match v {
        Value::Object(m) => {
            if let Some(Value::Array(types)) = m.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let t = types.remove(0);
                    m.insert("type".into(), t);
                }
            }
            let any = m.get("anyOf").or_else(|| m.get("oneOf")).cloned();
            if let Some(Value::Array(alts)) = any {
                let rest: Vec<Value> = alts
                    .into_iter()
                    .filter(|a| a.get("type") != Some(&Value::String("null".into())))
                    .collect();
                if rest.len() == 1 {
                    m.remove("anyOf");
                    m.remove("oneOf");
                    if let Value::Object(inner) = &rest[0] {
                        for (k, x) in inner {
                            m.entry(k.clone()).or_insert_with(|| x.clone());
                        }
                    }
                }
            }
            fold_const_alternatives(m);
            if let Some(Value::Array(e)) = m.get_mut("enum") {
                e.retain(|x| !x.is_null());
            }
            m.values_mut().for_each(drop_null_alternatives);
        }
        Value::Array(a) => a.iter_mut().for_each(drop_null_alternatives),
        _ => {}
    }
}

/// Documented enum variants come out as `oneOf: [{const: "a", description}, …]`; an `enum`
/// says the same and gives errors that list the allowed values (and suggest the nearest).
fn fold_const_alternatives(m: &mut serde_json::Map<String, Value>) {
    for key in ["oneOf", "anyOf"] {
        let Some(Value::Array(alts)) = m.get(key) else {
            continue;
        };
        let mut values = Vec::new();
        for a in alts {
            match (a.get("const"), a.get("enum")) {
                (Some(c), _) => values.push(c.clone()),
                (None, Some(Value::Array(e))) => values.extend(e.iter().cloned()),
                _ => return,
            }
        }
        m.remove(key);
        m.insert("type".into(), Value::String("string".into()));
        m.insert("enum".into(), Value::Array(values));
    }
}

/// Head-counts measured by a scan of the processor's data stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MeasuredCounts {
    /// Distinct people found.
    pub people: u64,
    /// Distinct people with sensitive PI found.
    pub sensitive: u64,
    /// False when the scan sampled rows: the counts are then only lower bounds.
    pub complete: bool,
    /// When `people` is a sketch estimate (merged partitions) within its error of a legal
    /// threshold: that threshold. Such an estimate decides nothing: count exactly.
    pub people_near: Option<u64>,
}

/// Folds measured counts into a profile's head-counts, fail-safe: a count the profile lacks
/// is filled in; a declared count lower than the measured one is raised (the scan found
/// more people than declared). Returns a note for each change, for the user to see.
pub fn apply_measured(p: &mut Profile, m: MeasuredCounts) -> Vec<String> {
    let mut notes = Vec::new();
    let how = if m.complete {
        "measured"
    } else {
        "at least (sampled scan)"
    };
    if let Some(t) = m.people_near {
        notes.push(format!(
            "near threshold: the scan's people estimate {} lies within a sketch's error of {}, \
             so it cannot tell which side the count is on — count those people exactly; \
             headcounts.people is left as the profile gives it",
            m.people, t
        ));
    }
    let people = if m.people_near.is_some() { 0 } else { m.people };
    for (field, declared, measured) in [
        ("headcounts.people", &mut p.headcounts.people, people),
        (
            "headcounts.sensitive",
            &mut p.headcounts.sensitive,
            m.sensitive,
        ),
    ] {
        match *declared {
            None if measured > 0 => {
                notes.push(format!(
                    "{field} not given: using the scan's {measured} ({how})"
                ));
                *declared = Some(measured);
            }
            Some(d) if measured > d => {
                notes.push(format!(
                    "{field} is {d} but the scan found {measured} ({how}): using {measured}"
                ));
                *declared = Some(measured);
            }
            _ => {}
        }
    }
    if let (Some(s), Some(n)) = (p.headcounts.sensitive, p.headcounts.people) {
        if s > n {
            p.headcounts.people = Some(s);
            notes.push(format!(
                "headcounts.people raised to {s}: people with sensitive PI are people"
            ));
        }
    }
    notes
}
