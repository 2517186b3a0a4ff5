//! The interface's words, from `locale/zh.toml` and `locale/en.toml` (Chinese by default).

use std::collections::HashMap;
use std::sync::OnceLock;

/// The interface language.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "zh" | "zh-CN" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
}

/// The locale files, embedded (the test checks they hold the same keys).
pub const FILES: [(&str, &str); 2] = [
    ("zh", include_str!("../locale/zh.toml")),
    ("en", include_str!("../locale/en.toml")),
];

/// One language's texts.
#[derive(Debug)]
pub struct Texts {
    lang: Lang,
    map: HashMap<String, String>,
}

impl Texts {
    /// The text of `key`; a key missing from the file (a test rules that out) shows as
    /// itself rather than failing the page.
    pub fn get<K: AsRef<str>>(&self, key: K) -> &str {
        self.map
            .get(key.as_ref())
            .map(String::as_str)
            .unwrap_or("·")
    }

    /// The `lang` attribute of the page.
    pub fn lang_tag(&self) -> &'static str {
        match self.lang {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// The language the switch in the header goes to.
    pub fn other_lang(&self) -> &'static str {
        match self.lang {
            Lang::Zh => "en",
            Lang::En => "zh",
        }
    }

    /// Every key (for the test).
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.map.keys().map(String::as_str)
    }
}

fn parse(lang: Lang, text: &str) -> Texts {
    let map: HashMap<String, String> =
        toml::from_str(text).unwrap_or_else(|e| panic!("embedded locale file: {e}"));
    Texts { lang, map }
}

/// The texts of a language.
pub fn texts(lang: Lang) -> &'static Texts {
    static ZH: OnceLock<Texts> = OnceLock::new();
    static EN: OnceLock<Texts> = OnceLock::new();
    match lang {
        Lang::Zh => ZH.get_or_init(|| parse(Lang::Zh, FILES[0].1)),
        Lang::En => EN.get_or_init(|| parse(Lang::En, FILES[1].1)),
    }
}
