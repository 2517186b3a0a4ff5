//! Reading a profile file into a JSON value while remembering where every value and key
//! came from, so that later errors can say "file:line:column".
//!
//! YAML is read with yaml-rust2's event parser (YAML 1.2 core schema: `yes` is a string,
//! `2025-01-01` is a string). JSON is checked with serde_json first (for its exact syntax
//! errors) and then read through the same YAML path, since JSON is YAML 1.2.
//!
//! A profile may come from anyone, so reading it is bounded: the file's size, the nesting
//! depth, the items of one list or mapping, and the values the whole document expands to —
//! aliases included, so a "billion laughs" file (aliases of aliases) is refused at the
//! alias that crosses the limit instead of growing without end.

use std::collections::HashMap;

use serde_json::{Map, Number, Value};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// The largest profile read, in bytes (the largest real profiles are a few hundred KB).
pub const MAX_BYTES: usize = 8 << 20;
/// The deepest nesting of lists and mappings.
pub const MAX_DEPTH: usize = 64;
/// The most items in one list or mapping.
pub const MAX_ITEMS: usize = 100_000;
/// The most values the document may expand to, aliases included.
pub const MAX_VALUES: usize = 1_000_000;

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

/// Positions of values and of mapping keys, by JSON pointer (`/activities/0/legal_basis`).
#[derive(Debug, Default, Clone)]
pub struct Positions {
    values: HashMap<String, Pos>,
    keys: HashMap<String, Pos>,
}

impl Positions {
    /// Where the value at `pointer` starts; falls back to the nearest ancestor.
    pub fn value(&self, pointer: &str) -> Option<Pos> {
        let mut p = pointer;
        loop {
            if let Some(pos) = self.values.get(p) {
                return Some(*pos);
            }
            p = &p[..p.rfind('/')?];
        }
    }

    /// Where the key naming the value at `pointer` is (or the value, if not a key).
    pub fn key(&self, pointer: &str) -> Option<Pos> {
        self.keys
            .get(pointer)
            .copied()
            .or_else(|| self.value(pointer))
    }
}

/// A syntax error in the file.
#[derive(Debug, Clone)]
pub struct SyntaxError {
    pub pos: Option<Pos>,
    pub message: String,
}

/// Escapes one JSON pointer segment (RFC 6901).
pub fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Parses YAML or JSON text. `json` selects strict JSON syntax checking first.
pub fn parse(text: &str, json: bool) -> Result<(Value, Positions), SyntaxError> {
    if text.len() > MAX_BYTES {
        return Err(SyntaxError {
            pos: None,
            message: format!(
                "the file has {} bytes; a profile is at most {} MiB",
                text.len(),
                MAX_BYTES >> 20
            ),
        });
    }
    if json {
        if let Err(e) = serde_json::from_str::<Value>(text) {
            return Err(SyntaxError {
                pos: Some(Pos {
                    line: e.line(),
                    column: e.column(),
                }),
                message: e.to_string(),
            });
        }
    }
    let mut b = Builder::default();
    let mut parser = Parser::new_from_str(text);
    parser.load(&mut b, true).map_err(|e| SyntaxError {
        pos: Some(Pos {
            line: e.marker().line(),
            column: e.marker().col() + 1,
        }),
        message: e.info().to_string(),
    })?;
    if let Some(err) = b.error {
        return Err(err);
    }
    let root = b.stack.pop().map(|f| f.into_value()).or(b.root);
    match root {
        Some(v) => Ok((v, b.positions)),
        None => Err(SyntaxError {
            pos: None,
            message: "the file is empty".into(),
        }),
    }
}

/// A container being built.
enum Frame {
    Seq {
        items: Vec<Value>,
        pointer: String,
        anchor: usize,
        /// Values built before this one started (its size is the difference at its end).
        start: usize,
    },
    Map {
        map: Map<String, Value>,
        pointer: String,
        anchor: usize,
        /// The pending key, between a key and its value.
        key: Option<String>,
        start: usize,
    },
}

impl Frame {
    fn len(&self) -> usize {
        match self {
            Frame::Seq { items, .. } => items.len(),
            Frame::Map { map, .. } => map.len(),
        }
    }

    fn into_value(self) -> Value {
        match self {
            Frame::Seq { items, .. } => Value::Array(items),
            Frame::Map { map, .. } => Value::Object(map),
        }
    }
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    root: Option<Value>,
    /// Anchored values with the number of values each expands to.
    anchors: HashMap<usize, (Value, usize)>,
    positions: Positions,
    error: Option<SyntaxError>,
    docs: usize,
    /// Values built so far, each alias counting as what it expands to.
    values: usize,
}

impl Builder {
    /// The pointer the next value will have.
    fn next_pointer(&self) -> String {
        match self.stack.last() {
            None => String::new(),
            Some(Frame::Seq { items, pointer, .. }) => format!("{pointer}/{}", items.len()),
            Some(Frame::Map { key, pointer, .. }) => match key {
                Some(k) => format!("{pointer}/{}", escape(k)),
                None => pointer.clone(),
            },
        }
    }

    /// Whether the next scalar is a mapping key.
    fn expecting_key(&self) -> bool {
        matches!(self.stack.last(), Some(Frame::Map { key: None, .. }))
    }

    fn fail(&mut self, pos: Pos, message: String) {
        if self.error.is_none() {
            self.error = Some(SyntaxError {
                pos: Some(pos),
                message,
            });
        }
    }

    /// Counts `n` more values; false (with the error recorded) past a limit.
    fn count(&mut self, pos: Pos, n: usize) -> bool {
        self.values = self.values.saturating_add(n);
        if self.values > MAX_VALUES {
            self.fail(
                pos,
                format!(
                    "the document expands to more than {MAX_VALUES} values (aliases of aliases?); a profile is far smaller"
                ),
            );
            return false;
        }
        if self.stack.last().is_some_and(|f| f.len() >= MAX_ITEMS) {
            self.fail(
                pos,
                format!("a list or mapping with more than {MAX_ITEMS} items"),
            );
            return false;
        }
        true
    }

    /// Places a finished value (that expands to `size` values) into its parent.
    fn push_value(&mut self, v: Value, anchor: usize, size: usize) {
        if anchor > 0 {
            self.anchors.insert(anchor, (v.clone(), size));
        }
        match self.stack.last_mut() {
            None => self.root = Some(v),
            Some(Frame::Seq { items, .. }) => items.push(v),
            Some(Frame::Map { map, key, .. }) => {
                if let Some(k) = key.take() {
                    map.insert(k, v);
                }
            }
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.error.is_some() {
            return;
        }
        let pos = Pos {
            line: mark.line(),
            column: mark.col() + 1,
        };
        match ev {
            Event::DocumentStart => {
                self.docs += 1;
                if self.docs > 1 {
                    self.fail(
                        pos,
                        "a profile file holds one YAML document, found a second".into(),
                    );
                }
            }
            Event::Scalar(s, style, anchor, _) => {
                if self.expecting_key() {
                    let map_pointer = self.next_pointer();
                    let dup = matches!(self.stack.last(), Some(Frame::Map { map, .. }) if map.contains_key(&s));
                    if dup {
                        self.fail(pos, format!("duplicate key {s:?}"));
                        return;
                    }
                    let key_pointer = format!("{map_pointer}/{}", escape(&s));
                    self.positions.keys.insert(key_pointer, pos);
                    if let Some(Frame::Map { key, .. }) = self.stack.last_mut() {
                        *key = Some(s);
                    }
                    return;
                }
                if !self.count(pos, 1) {
                    return;
                }
                let pointer = self.next_pointer();
                self.positions.values.insert(pointer, pos);
                self.push_value(resolve_scalar(s, style), anchor, 1);
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if self.expecting_key() {
                    self.fail(
                        pos,
                        "a mapping key must be a plain value, not a list or mapping".into(),
                    );
                    return;
                }
                if self.stack.len() >= MAX_DEPTH {
                    self.fail(
                        pos,
                        format!("lists and mappings nested more than {MAX_DEPTH} deep"),
                    );
                    return;
                }
                if !self.count(pos, 1) {
                    return;
                }
                let pointer = self.next_pointer();
                self.positions.values.insert(pointer.clone(), pos);
                let start = self.values;
                let frame = if matches!(ev, Event::SequenceStart(..)) {
                    Frame::Seq {
                        items: Vec::new(),
                        pointer,
                        anchor,
                        start,
                    }
                } else {
                    Frame::Map {
                        map: Map::new(),
                        pointer,
                        anchor,
                        key: None,
                        start,
                    }
                };
                self.stack.push(frame);
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some(frame) = self.stack.pop() {
                    let (anchor, start) = match &frame {
                        Frame::Seq { anchor, start, .. } | Frame::Map { anchor, start, .. } => {
                            (*anchor, *start)
                        }
                    };
                    let size = self.values - start + 1;
                    self.push_value(frame.into_value(), anchor, size);
                }
            }
            Event::Alias(id) => {
                if self.expecting_key() {
                    self.fail(pos, "an alias cannot be a mapping key".into());
                    return;
                }
                let (v, size) = self.anchors.get(&id).cloned().unwrap_or((Value::Null, 1));
                // Counted before it is copied: a billion laughs stops here.
                if !self.count(pos, size) {
                    return;
                }
                let pointer = self.next_pointer();
                self.positions.values.insert(pointer, pos);
                self.push_value(v, 0, size);
            }
            _ => {}
        }
    }
}

/// YAML 1.2 core schema resolution of a plain scalar; quoted scalars stay strings.
/// Underscores in integers (`1_000_000`) are accepted, as people write head-counts that way.
fn resolve_scalar(s: String, style: TScalarStyle) -> Value {
    if style != TScalarStyle::Plain {
        return Value::String(s);
    }
    match s.as_str() {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    let digits = s.replace('_', "");
    let looks_int = !digits.is_empty()
        && digits
            .strip_prefix(['-', '+'])
            .unwrap_or(&digits)
            .bytes()
            .all(|b| b.is_ascii_digit())
        && !digits.trim_start_matches(['-', '+']).is_empty();
    if looks_int && !s.starts_with('_') {
        if let Ok(n) = digits.parse::<i64>() {
            return Value::Number(n.into());
        }
        if let Ok(n) = digits.parse::<u64>() {
            return Value::Number(n.into());
        }
    }
    if s.contains(['.', 'e', 'E']) && s.bytes().any(|b| b.is_ascii_digit()) {
        if let Ok(f) = s.parse::<f64>() {
            if let Some(n) = Number::from_f64(f) {
                return Value::Number(n);
            }
        }
    }
    Value::String(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_of_values_and_keys() {
        let text = "a: 1\nlist:\n  - x: yes\n    y: 2025-01-01\n  - 1_000_000\n";
        let (v, pos) = parse(text, false).unwrap();
        assert_eq!(v["list"][0]["x"], Value::String("yes".into()));
        assert_eq!(v["list"][0]["y"], Value::String("2025-01-01".into()));
        assert_eq!(v["list"][1], serde_json::json!(1_000_000));
        assert_eq!(pos.value("/list/0/y"), Some(Pos { line: 4, column: 8 }));
        assert_eq!(pos.key("/list/0/y"), Some(Pos { line: 4, column: 5 }));
        assert_eq!(
            pos.value("/list/0/y/deeper"),
            Some(Pos { line: 4, column: 8 })
        );
    }

    #[test]
    fn quoted_numbers_stay_strings() {
        let (v, _) = parse("a: \"123\"\nb: '0012'\nc: 0012\n", false).unwrap();
        assert_eq!(v["a"], Value::String("123".into()));
        assert_eq!(v["c"], serde_json::json!(12));
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let e = parse("a: 1\nb: 2\na: 3\n", false).unwrap_err();
        assert_eq!(e.pos, Some(Pos { line: 3, column: 1 }));
        assert!(e.message.contains("duplicate key \"a\""));
    }

    #[test]
    fn json_syntax_errors_have_positions() {
        let e = parse("{\n  \"a\": 1,\n  \"b\": }\n", true).unwrap_err();
        assert_eq!(e.pos.map(|p| p.line), Some(3));
        let (v, pos) = parse("{\n  \"a\": {\"b\": [1, 2]}\n}\n", true).unwrap();
        assert_eq!(v["a"]["b"][1], serde_json::json!(2));
        assert_eq!(pos.value("/a/b/1").map(|p| p.line), Some(2));
    }

    #[test]
    fn yaml_syntax_error_and_empty_file() {
        let e = parse("a: [1, 2\nb: 3\n", false).unwrap_err();
        assert!(e.pos.is_some());
        assert!(parse("", false).is_err());
        assert!(parse("a: 1\n---\nb: 2\n", false).is_err());
    }

    #[test]
    fn a_billion_laughs_is_refused_at_once() {
        let mut text = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for i in 1..10 {
            let refs = vec![format!("*a{}", i - 1); 10].join(", ");
            text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        let e = parse(&text, false).unwrap_err();
        assert!(e.message.contains("expands to more than"), "{}", e.message);
        // The line of the alias that crossed the limit.
        assert!(e.pos.is_some_and(|p| p.line >= 6), "{:?}", e.pos);
    }

    #[test]
    fn depth_items_and_size_are_bounded() {
        let deep = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
        let e = parse(&deep, false).unwrap_err();
        assert!(e.message.contains("nested more than"), "{}", e.message);
        let ok = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert!(parse(&ok, false).is_ok());
        let wide = format!("[{}]", vec!["1"; MAX_ITEMS + 1].join(","));
        let e = parse(&wide, false).unwrap_err();
        assert!(
            e.message.contains("more than 100000 items"),
            "{}",
            e.message
        );
        let big = "#".repeat(MAX_BYTES + 1);
        assert!(parse(&big, false)
            .unwrap_err()
            .message
            .contains("at most 8 MiB"));
    }

    #[test]
    fn anchors_and_aliases_are_expanded() {
        let (v, _) = parse("a: &x {k: 1}\nb: *x\n", false).unwrap();
        assert_eq!(v["b"]["k"], serde_json::json!(1));
    }
}
