//! Structural checks (against the JSON Schema) and checks of meaning (codes, references,
//! counts, dates) of a profile. Both collect every problem instead of stopping at the first.

use std::sync::OnceLock;

use jsonschema::error::ValidationErrorKind;
use jsonschema::{ValidationError, Validator};
use serde_json::Value;

use super::{schema, source::escape, uscc, Sink};
use crate::law::Law;

fn validator() -> &'static Validator {
    static V: OnceLock<Validator> = OnceLock::new();
    V.get_or_init(|| {
        jsonschema::options()
            .should_validate_formats(true)
            .build(schema())
            .expect("the generated profile schema compiles (tested)")
    })
}

/// The closest candidate to `word`, when it is close enough to be a likely typo.
pub(crate) fn suggest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// Validates the value against the profile schema.
pub(super) fn structure(value: &Value, sink: &mut Sink) {
    for err in validator().iter_errors(value) {
        report(&err, sink);
    }
}

fn describe(v: &Value) -> String {
    match v {
        Value::String(s) => format!("string {s:?}"),
        Value::Number(n) => format!("number {n}"),
        Value::Bool(b) => format!("boolean {b}"),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "a mapping".into(),
        Value::Null => "nothing".into(),
    }
}

/// The schema object that holds the failing keyword (its location minus the keyword).
fn schema_at(schema_path: &str) -> Option<&'static Value> {
    let parent = &schema_path[..schema_path.rfind('/')?];
    schema().pointer(parent)
}

fn report(err: &ValidationError, sink: &mut Sink) {
    let ptr = err.instance_path().as_str().to_string();
    match err.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let known: Vec<&str> = schema_at(err.schema_path().as_str())
                .and_then(|s| s.get("properties"))
                .and_then(Value::as_object)
                .map(|m| m.keys().map(String::as_str).collect())
                .unwrap_or_default();
            for name in unexpected {
                let help = match suggest(name, known.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("known fields here: {}", known.join(", ")),
                };
                sink.at_key(
                    &format!("{ptr}/{}", escape(name)),
                    format!("unknown field `{name}`"),
                    Some(help),
                );
            }
        }
        ValidationErrorKind::Required { property } => {
            let name = property.as_str().unwrap_or_default();
            sink.at(&ptr, format!("missing required field `{name}`"), None);
        }
        ValidationErrorKind::Enum { options } => {
            let opts: Vec<&str> = options
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let found = err.instance();
            let mut help = format!("expected one of: {}", opts.join(", "));
            if let Some(s) = found
                .as_str()
                .and_then(|f| suggest(f, opts.iter().copied()))
            {
                help = format!("did you mean `{s}`? {help}");
            }
            sink.at(
                &ptr,
                format!("unknown value: found {}", describe(found)),
                Some(help),
            );
        }
        ValidationErrorKind::Format { format } => {
            let expected = match format.as_str() {
                "date" => "a date, YYYY-MM-DD".to_string(),
                "date-time" | "partial-date-time" => {
                    "a date and time, YYYY-MM-DDTHH:MM".to_string()
                }
                other => other.to_string(),
            };
            sink.at(
                &ptr,
                format!("found {}, expected {expected}", describe(err.instance())),
                None,
            );
        }
        ValidationErrorKind::Type { .. } => {
            let expected = schema_at(err.schema_path().as_str())
                .and_then(|s| s.get("type"))
                .map(|t| match t {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .unwrap_or_else(|| "another type".into());
            let expected = match expected.as_str() {
                "object" => "a mapping of fields".to_string(),
                "array" => "a list".to_string(),
                "integer" => "a whole number".to_string(),
                other => other.to_string(),
            };
            sink.at(
                &ptr,
                format!("found {}, expected {expected}", describe(err.instance())),
                None,
            );
        }
        ValidationErrorKind::Minimum { limit } => {
            sink.at(
                &ptr,
                format!(
                    "found {}, expected at least {limit}",
                    describe(err.instance())
                ),
                None,
            );
        }
        _ => sink.at(&ptr, err.to_string(), None),
    }
}

/// Checks of meaning. They read the JSON value, not the typed profile, so that they run
/// even when the structure has errors: a file's problems all come out in one pass. Values
/// of the wrong type are skipped here (the structural check reports them).
pub(super) fn meaning(v: &Value, sink: &mut Sink) {
    if let Some(n) = v.get("hegui_profile").and_then(Value::as_u64) {
        if n != 1 {
            sink.at(
                "/hegui_profile",
                format!("format version {n} is not supported"),
                Some("this hegui reads version 1".into()),
            );
        }
    }
    if let Some(code) = v.pointer("/organisation/uscc").and_then(Value::as_str) {
        if let Err(e) = uscc::validate(code) {
            sink.at(
                "/organisation/uscc",
                format!("unified social credit code {e}"),
                None,
            );
        }
    }
    headcounts(v, sink);
    ordered(
        sink,
        v,
        "/pipo/designated_on",
        "/pipo/reported_on",
        "the PIPO was reported before being designated",
    );
    let members = v
        .pointer("/platform/independent_body/members")
        .and_then(Value::as_u64);
    let outside = v
        .pointer("/platform/independent_body/outside_members")
        .and_then(Value::as_u64);
    if let (Some(m), Some(o)) = (members, outside) {
        if o > m {
            sink.at(
                "/platform/independent_body/outside_members",
                format!("{o} outside members, but the body has {m} members"),
                None,
            );
        }
    }
    incidents(v, sink);
    activities(v, sink);
}

/// The elements of the list at `pointer`, with their pointers.
fn items<'a>(v: &'a Value, pointer: &str) -> Vec<(String, &'a Value)> {
    v.pointer(pointer)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .enumerate()
                .map(|(i, x)| (format!("{pointer}/{i}"), x))
                .collect()
        })
        .unwrap_or_default()
}

fn date_at(v: &Value, pointer: &str) -> Option<jiff::civil::DateTime> {
    let s = v.pointer(pointer)?.as_str()?;
    s.parse::<jiff::civil::DateTime>().ok().or_else(|| {
        s.parse::<jiff::civil::Date>()
            .ok()
            .map(|d| d.to_datetime(jiff::civil::Time::midnight()))
    })
}

/// Reports `later` when it is before `earlier` (both optional; dates or date-times).
fn ordered(sink: &mut Sink, v: &Value, earlier: &str, later: &str, message: &str) {
    if let (Some(e), Some(l)) = (date_at(v, earlier), date_at(v, later)) {
        // Compare calendar days when either side is a plain date.
        let plain = |p: &str| {
            v.pointer(p)
                .and_then(Value::as_str)
                .is_some_and(|s| !s.contains('T'))
        };
        let (e, l) = if plain(earlier) || plain(later) {
            (
                e.date().to_datetime(jiff::civil::Time::midnight()),
                l.date().to_datetime(jiff::civil::Time::midnight()),
            )
        } else {
            (e, l)
        };
        if l < e {
            sink.at(later, message.to_string(), None);
        }
    }
}

fn headcounts(v: &Value, sink: &mut Sink) {
    let n = |k: &str| {
        v.pointer(&format!("/headcounts/{k}"))
            .and_then(Value::as_u64)
    };
    for (part, whole) in [
        ("sensitive", "people"),
        ("under_14", "under_18"),
        ("under_18", "people"),
        ("under_14", "people"),
    ] {
        if let (Some(a), Some(b)) = (n(part), n(whole)) {
            if a > b {
                sink.at(
                    &format!("/headcounts/{part}"),
                    format!("{part} is {a}, more than {whole} ({b})"),
                    Some(format!("{part} counts a subset of {whole}")),
                );
            }
        }
    }
}

fn incidents(v: &Value, sink: &mut Sink) {
    for (base, inc) in items(v, "/incidents") {
        let affected = inc.get("people_affected").and_then(Value::as_u64);
        let sensitive = inc.get("sensitive_people_affected").and_then(Value::as_u64);
        if let (Some(a), Some(s)) = (affected, sensitive) {
            if s > a {
                sink.at(
                    &format!("{base}/sensitive_people_affected"),
                    format!(
                        "{s} people with sensitive PI affected, more than the {a} people affected"
                    ),
                    None,
                );
            }
        }
        let p = |k: &str| format!("{base}/{k}");
        ordered(
            sink,
            v,
            &p("occurred_on"),
            &p("discovered_at"),
            "discovered before it occurred",
        );
        ordered(
            sink,
            v,
            &p("discovered_at"),
            &p("reported_at"),
            "reported before it was discovered",
        );
        ordered(
            sink,
            v,
            &p("occurred_on"),
            &p("handling_ended_on"),
            "handling ended before the incident occurred",
        );
        ordered(
            sink,
            v,
            &p("handling_ended_on"),
            &p("summary_reported_on"),
            "summary sent before handling ended",
        );
        categories(v, &p("categories"), sink);
    }
}

fn categories(v: &Value, pointer: &str, sink: &mut Sink) {
    let tax = &Law::get().taxonomy;
    for (ptr, id) in items(v, pointer) {
        let Some(id) = id.as_str() else { continue };
        if tax.resolve(id).is_none() {
            let help = match suggest(id, tax.ids()) {
                Some(s) => format!("did you mean `{s}`? `hegui catalog taxonomy` lists the ids"),
                None => "`hegui catalog taxonomy` lists the ids".into(),
            };
            sink.at(&ptr, format!("unknown PI category {id:?}"), Some(help));
        }
    }
}

fn activities(v: &Value, sink: &mut Sink) {
    let mut seen: Vec<&str> = Vec::new();
    for (base, a) in items(v, "/activities") {
        if let Some(id) = a.get("id").and_then(Value::as_str) {
            if seen.contains(&id) {
                sink.at(
                    &format!("{base}/id"),
                    format!("activity id {id:?} is used twice"),
                    None,
                );
            }
            seen.push(id);
        }
        if a.get("categories")
            .and_then(Value::as_array)
            .is_some_and(|c| c.is_empty())
        {
            sink.at(
                &format!("{base}/categories"),
                "no PI categories listed".into(),
                None,
            );
        }
        categories(v, &format!("{base}/categories"), sink);
        let bases: Vec<&str> = a
            .get("legal_basis")
            .and_then(Value::as_array)
            .map(|b| b.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if a.get("legal_basis")
            .and_then(Value::as_array)
            .is_some_and(|b| b.is_empty())
        {
            sink.at(
                &format!("{base}/legal_basis"),
                "no legal basis given".into(),
                Some("PIPL Art. 13 ¶1 (1)–(7)".into()),
            );
        }
        let consent = bases.contains(&"consent");
        if consent && a.get("consent").is_none() {
            sink.at(
                &format!("{base}/legal_basis"),
                "the basis is consent but the kind of consent is not given".into(),
                Some("add `consent: ordinary | separate | written | guardian`".into()),
            );
        }
        if !consent && a.get("consent").is_some() && a.get("legal_basis").is_some() {
            sink.at(
                &format!("{base}/consent"),
                "a consent kind is given but consent is not a legal basis".into(),
                None,
            );
        }
        for (rp, _) in items(v, &format!("{base}/recipients")) {
            categories(v, &format!("{rp}/categories"), sink);
        }
        for (tp, t) in items(v, &format!("{base}/cross_border")) {
            transfer(v, t, &tp, sink);
        }
    }
    for (base, r) in items(v, "/pipia_records") {
        let _ = r;
        for (ptr, id) in items(v, &format!("{base}/scope")) {
            let Some(id) = id.as_str() else { continue };
            if !seen.contains(&id) {
                let help =
                    suggest(id, seen.iter().copied()).map(|s| format!("did you mean `{s}`?"));
                sink.at(&ptr, format!("no activity has id {id:?}"), help);
            }
        }
    }
}

fn transfer(v: &Value, t: &Value, base: &str, sink: &mut Sink) {
    if let Some(y) = t.get("year").and_then(Value::as_i64) {
        if !(2000..=2100).contains(&y) {
            sink.at(
                &format!("{base}/year"),
                format!("year {y} is not plausible"),
                None,
            );
        }
    }
    let m = format!("{base}/mechanism");
    ordered(
        sink,
        v,
        &format!("{m}/effective_on"),
        &format!("{m}/filed_on"),
        "filed before the contract took effect",
    );
    if let (Some(i), Some(x)) = (
        date_at(v, &format!("{m}/issued_on")),
        date_at(v, &format!("{m}/expires_on")),
    ) {
        if x <= i {
            sink.at(
                &format!("{m}/expires_on"),
                "expires before it was issued".into(),
                None,
            );
        }
    }
}
