//! Reading a profile file into a JSON value while remembering where every value and key
//! came from, so that later errors can say "file:line:column".
//!
//! YAML is read with yaml-rust2's event parser (YAML 1.2 core schema: `yes` is a string,
//! `2025-01-01` is a string). JSON is checked with serde_json first (for its exact syntax
//! errors) and then read through the same YAML path, since JSON is YAML 1.2.

use std::collections::HashMap;

use serde_json::{Map, Number, Value};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

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
    },
    Map {
        map: Map<String, Value>,
        pointer: String,
        anchor: usize,
        /// The pending key, between a key and its value.
        key: Option<String>,
    },
}

impl Frame {
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
    anchors: HashMap<usize, Value>,
    positions: Positions,
    error: Option<SyntaxError>,
    docs: usize,
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

    /// Places a finished value into its parent.
    fn push_value(&mut self, v: Value, anchor: usize) {
        if anchor > 0 {
            self.anchors.insert(anchor, v.clone());
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
                let pointer = self.next_pointer();
                self.positions.values.insert(pointer, pos);
                self.push_value(resolve_scalar(s, style), anchor);
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if self.expecting_key() {
                    self.fail(
                        pos,
                        "a mapping key must be a plain value, not a list or mapping".into(),
                    );
                    return;
                }
                let pointer = self.next_pointer();
                self.positions.values.insert(pointer.clone(), pos);
                let frame = if matches!(ev, Event::SequenceStart(..)) {
                    Frame::Seq {
                        items: Vec::new(),
                        pointer,
                        anchor,
                    }
                } else {
                    Frame::Map {
                        map: Map::new(),
                        pointer,
                        anchor,
                        key: None,
                    }
                };
                self.stack.push(frame);
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some(frame) = self.stack.pop() {
                    let anchor = match &frame {
                        Frame::Seq { anchor, .. } | Frame::Map { anchor, .. } => *anchor,
                    };
                    self.push_value(frame.into_value(), anchor);
                }
            }
            Event::Alias(id) => {
                if self.expecting_key() {
                    self.fail(pos, "an alias cannot be a mapping key".into());
                    return;
                }
                let pointer = self.next_pointer();
                self.positions.values.insert(pointer, pos);
                let v = self.anchors.get(&id).cloned().unwrap_or(Value::Null);
                self.push_value(v, 0);
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
    fn anchors_and_aliases_are_expanded() {
        let (v, _) = parse("a: &x {k: 1}\nb: *x\n", false).unwrap();
        assert_eq!(v["b"]["k"], serde_json::json!(1));
    }
}
