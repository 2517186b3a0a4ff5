//! The sentences obligations are explained with, from `locale/messages.toml`: each message
//! has a Chinese and an English template with `{name}` placeholders.

use std::collections::BTreeMap;
use std::fmt::Display;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::text::Text;

/// The message file, embedded.
pub const FILE: &str = include_str!("../locale/messages.toml");

/// One message's templates.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    pub zh: String,
    pub en: String,
}

/// Every message, by id (`pipo.reported`).
pub fn all() -> &'static BTreeMap<String, Template> {
    static ALL: OnceLock<BTreeMap<String, Template>> = OnceLock::new();
    ALL.get_or_init(|| {
        let groups: BTreeMap<String, BTreeMap<String, Template>> =
            toml::from_str(FILE).unwrap_or_else(|e| panic!("embedded locale/messages.toml: {e}"));
        groups
            .into_iter()
            .flat_map(|(g, ms)| ms.into_iter().map(move |(k, t)| (format!("{g}.{k}"), t)))
            .collect()
    })
}

/// The message `id` with its placeholders filled in. An id missing from the file (a test
/// rules this out) comes back as the id itself rather than failing a user's command.
pub fn msg(id: &str, args: &[(&str, &dyn Display)]) -> Text {
    let Some(t) = all().get(id) else {
        return Text::new(id, id);
    };
    Text::new(fill(&t.zh, args), fill(&t.en, args))
}

/// Like [`msg`], with placeholders that are themselves bilingual (`texts`): each language
/// gets its own.
pub fn msg_t(id: &str, args: &[(&str, &dyn Display)], texts: &[(&str, &Text)]) -> Text {
    let Some(t) = all().get(id) else {
        return Text::new(id, id);
    };
    let zh: Vec<(&str, &dyn Display)> = texts
        .iter()
        .map(|(n, t)| (*n, &t.zh as &dyn Display))
        .collect();
    let en: Vec<(&str, &dyn Display)> = texts
        .iter()
        .map(|(n, t)| (*n, &t.en as &dyn Display))
        .collect();
    Text::new(fill(&fill(&t.zh, &zh), args), fill(&fill(&t.en, &en), args))
}

fn fill(template: &str, args: &[(&str, &dyn Display)]) -> String {
    let mut out = template.to_string();
    for (name, value) in args {
        out = out.replace(&format!("{{{name}}}"), &value.to_string());
    }
    out
}

/// The placeholders of a template, in order (for the test that checks the file).
pub fn placeholders(template: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        out.push(&rest[open + 1..open + close]);
        rest = &rest[open + close + 1..];
    }
    out.sort_unstable();
    out.dedup();
    out
}
