//! Structural checks (against the JSON Schema) and checks of meaning (codes, references,
//! counts, dates) of a profile. Both collect every problem instead of stopping at the first.

use std::collections::HashSet;
use std::sync::OnceLock;

use jsonschema::error::ValidationErrorKind;
use jsonschema::{ValidationError, Validator};
use serde_json::Value;

use super::{schema, source::escape, uscc, Profile, Sink};
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

/// Checks of meaning on a structurally valid profile.
pub(super) fn meaning(p: &Profile, sink: &mut Sink) {
    if p.hegui_profile != 1 {
        sink.at(
            "/hegui_profile",
            format!("format version {} is not supported", p.hegui_profile),
            Some("this hegui reads version 1".into()),
        );
    }
    if let Some(code) = &p.organisation.uscc {
        if let Err(e) = uscc::validate(code) {
            sink.at(
                "/organisation/uscc",
                format!("unified social credit code {e}"),
                None,
            );
        }
    }
    headcounts(p, sink);
    if let Some(pipo) = &p.pipo {
        if matches!(pipo.reported_on, Some(r) if r < pipo.designated_on) {
            sink.at(
                "/pipo/reported_on",
                "the PIPO was reported before being designated".into(),
                None,
            );
        }
    }
    if let Some(body) = p
        .platform
        .as_ref()
        .and_then(|pl| pl.independent_body.as_ref())
    {
        if body.outside_members > body.members {
            sink.at(
                "/platform/independent_body/outside_members",
                format!(
                    "{} outside members, but the body has {} members",
                    body.outside_members, body.members
                ),
                None,
            );
        }
    }
    incidents(p, sink);
    activities(p, sink);
}

fn headcounts(p: &Profile, sink: &mut Sink) {
    let h = &p.headcounts;
    let pairs = [
        ("sensitive", h.sensitive, "people", h.people),
        ("under_14", h.under_14, "under_18", h.under_18),
        ("under_18", h.under_18, "people", h.people),
        ("under_14", h.under_14, "people", h.people),
    ];
    for (part, pv, whole, wv) in pairs {
        if let (Some(a), Some(b)) = (pv, wv) {
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

fn incidents(p: &Profile, sink: &mut Sink) {
    for (i, inc) in p.incidents.iter().enumerate() {
        let base = format!("/incidents/{i}");
        if matches!(inc.sensitive_people_affected, Some(s) if s > inc.people_affected) {
            sink.at(
                &format!("{base}/sensitive_people_affected"),
                "more people with sensitive PI affected than people affected".into(),
                None,
            );
        }
        if let (Some(d), Some(r)) = (inc.discovered_at, inc.reported_at) {
            if r < d {
                sink.at(
                    &format!("{base}/reported_at"),
                    "reported before it was discovered".into(),
                    None,
                );
            }
        }
        if matches!(inc.discovered_at, Some(d) if d.date() < inc.occurred_on) {
            sink.at(
                &format!("{base}/discovered_at"),
                "discovered before it occurred".into(),
                None,
            );
        }
        if matches!(inc.handling_ended_on, Some(e) if e < inc.occurred_on) {
            sink.at(
                &format!("{base}/handling_ended_on"),
                "handling ended before the incident occurred".into(),
                None,
            );
        }
        categories(&inc.categories, &format!("{base}/categories"), sink);
    }
}

fn categories(ids: &[String], pointer: &str, sink: &mut Sink) {
    let tax = &Law::get().taxonomy;
    for (j, id) in ids.iter().enumerate() {
        if tax.resolve(id).is_none() {
            let help = match suggest(id, tax.ids()) {
                Some(s) => format!("did you mean `{s}`? `hegui catalog taxonomy` lists the ids"),
                None => "`hegui catalog taxonomy` lists the ids".into(),
            };
            sink.at(
                &format!("{pointer}/{j}"),
                format!("unknown PI category {id:?}"),
                Some(help),
            );
        }
    }
}

fn activities(p: &Profile, sink: &mut Sink) {
    use super::LegalBasis;
    let mut seen = HashSet::new();
    for (i, a) in p.activities.iter().enumerate() {
        let base = format!("/activities/{i}");
        if !seen.insert(a.id.as_str()) {
            sink.at(
                &format!("{base}/id"),
                format!("activity id {:?} is used twice", a.id),
                None,
            );
        }
        if a.categories.is_empty() {
            sink.at(
                &format!("{base}/categories"),
                "no PI categories listed".into(),
                None,
            );
        }
        categories(&a.categories, &format!("{base}/categories"), sink);
        if a.legal_basis.is_empty() {
            sink.at(
                &format!("{base}/legal_basis"),
                "no legal basis given".into(),
                Some("PIPL Art. 13 ¶1 (1)–(7)".into()),
            );
        }
        let consent = a.legal_basis.contains(&LegalBasis::Consent);
        if consent && a.consent.is_none() {
            sink.at(
                &format!("{base}/legal_basis"),
                "the basis is consent but the kind of consent is not given".into(),
                Some("add `consent: ordinary | separate | written | guardian`".into()),
            );
        }
        if !consent && a.consent.is_some() {
            sink.at(
                &format!("{base}/consent"),
                "a consent kind is given but consent is not a legal basis".into(),
                None,
            );
        }
        for (j, r) in a.recipients.iter().enumerate() {
            categories(
                &r.categories,
                &format!("{base}/recipients/{j}/categories"),
                sink,
            );
        }
        for (j, t) in a.cross_border.iter().enumerate() {
            transfer(t, &format!("{base}/cross_border/{j}"), sink);
        }
    }
    for (i, r) in p.pipia_records.iter().enumerate() {
        for (j, id) in r.scope.iter().enumerate() {
            if !seen.contains(id.as_str()) {
                let help =
                    suggest(id, seen.iter().copied()).map(|s| format!("did you mean `{s}`?"));
                sink.at(
                    &format!("/pipia_records/{i}/scope/{j}"),
                    format!("no activity has id {id:?}"),
                    help,
                );
            }
        }
    }
}

fn transfer(t: &super::Transfer, base: &str, sink: &mut Sink) {
    if !(2000..=2100).contains(&t.year) {
        sink.at(
            &format!("{base}/year"),
            format!("year {} is not plausible", t.year),
            None,
        );
    }
    if let Some(m) = &t.mechanism {
        if let (Some(e), Some(f)) = (m.effective_on, m.filed_on) {
            if f < e {
                sink.at(
                    &format!("{base}/mechanism/filed_on"),
                    "filed before the contract took effect".into(),
                    None,
                );
            }
        }
        if let (Some(i), Some(x)) = (m.issued_on, m.expires_on) {
            if x <= i {
                sink.at(
                    &format!("{base}/mechanism/expires_on"),
                    "expires before it was issued".into(),
                    None,
                );
            }
        }
    }
}
