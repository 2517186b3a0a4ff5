//! Text in both of hegui's languages. Reports, `hegui scope` and `hegui obligations` say
//! why something applies in Chinese first and in English; both come from data files
//! (`law/facts.toml`, `locale/messages.toml`), never from ids.

use serde::Serialize;

/// One sentence (or phrase) in Chinese and in English.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Text {
    pub zh: String,
    pub en: String,
}

impl Text {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Text {
        Text {
            zh: zh.into(),
            en: en.into(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.zh.is_empty() && self.en.is_empty()
    }

    /// The parts joined with each language's separator (`；` and `; `), empty parts left out.
    pub fn join(parts: &[Text]) -> Text {
        let pick = |f: fn(&Text) -> &str, sep: &str| {
            parts
                .iter()
                .map(f)
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(sep)
        };
        Text {
            zh: pick(|t| &t.zh, "；"),
            en: pick(|t| &t.en, "; "),
        }
    }

    /// Appends a sentence: `。` after Chinese, `. ` after English.
    pub fn then(&mut self, next: Text) {
        fn add(s: &mut String, next: &str, sep: &str) {
            if next.is_empty() {
                return;
            }
            if !s.is_empty() {
                s.push_str(sep);
            }
            s.push_str(next);
        }
        add(&mut self.zh, &next.zh, "。");
        add(&mut self.en, &next.en, ". ");
    }

    /// The text in one language.
    pub fn get(&self, zh: bool) -> &str {
        if zh {
            &self.zh
        } else {
            &self.en
        }
    }
}
