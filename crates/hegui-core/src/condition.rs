//! Applicability conditions: a small expression language over named facts of the inventory,
//! used by the law data (`applies = "cross_border and not cii_operator"`).
//!
//! ```text
//! expr  := or
//! or    := and ("or" and)*
//! and   := unary ("and" unary)*
//! unary := "not" unary | "(" expr ")" | "true" | "false" | fact [cmp value]
//! cmp   := ">=" | ">" | "<=" | "<" | "==" | "!="
//! value := integer (underscores allowed) | "$" threshold-id
//! ```
//!
//! Evaluation is three-valued (Kleene): a fact the inventory does not give is *unknown*,
//! `false and unknown` is false, `true or unknown` is true. When the result is unknown the
//! evaluation names the facts that were missing, so a user learns what to add to the profile.

use std::fmt;

/// A three-valued truth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Truth {
    True,
    False,
    Unknown,
}

impl From<bool> for Truth {
    fn from(b: bool) -> Truth {
        if b {
            Truth::True
        } else {
            Truth::False
        }
    }
}

impl From<Option<bool>> for Truth {
    fn from(b: Option<bool>) -> Truth {
        b.map(Truth::from).unwrap_or(Truth::Unknown)
    }
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Ge,
    Gt,
    Le,
    Lt,
    Eq,
    Ne,
}

impl Cmp {
    fn apply(self, a: u64, b: u64) -> bool {
        match self {
            Cmp::Ge => a >= b,
            Cmp::Gt => a > b,
            Cmp::Le => a <= b,
            Cmp::Lt => a < b,
            Cmp::Eq => a == b,
            Cmp::Ne => a != b,
        }
    }

    /// The operator as printed in words for people: `≥`, `<`, `=`.
    pub fn symbol_math(self) -> &'static str {
        match self {
            Cmp::Ge => "≥",
            Cmp::Gt => ">",
            Cmp::Le => "≤",
            Cmp::Lt => "<",
            Cmp::Eq => "=",
            Cmp::Ne => "≠",
        }
    }

    fn symbol(self) -> &'static str {
        match self {
            Cmp::Ge => ">=",
            Cmp::Gt => ">",
            Cmp::Le => "<=",
            Cmp::Lt => "<",
            Cmp::Eq => "==",
            Cmp::Ne => "!=",
        }
    }
}

/// The right-hand side of a comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Number(u64),
    /// A threshold of `law/thresholds.toml`, by id.
    Threshold(String),
}

/// A parsed condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    Const(bool),
    Flag(String),
    Compare(String, Cmp, Value),
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
}

/// What a condition is evaluated against.
pub trait Facts {
    /// A boolean fact.
    fn flag(&self, name: &str) -> Truth;
    /// A numeric fact (a head-count); `None` when unknown.
    fn number(&self, name: &str) -> Option<u64>;
    /// A threshold's value; `None` if there is no such threshold.
    fn threshold(&self, id: &str) -> Option<u64>;
}

/// The result of an evaluation: the truth, and the facts whose absence left it unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub truth: Truth,
    pub missing: Vec<String>,
}

/// A parse error, with the byte offset in the condition text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("condition {text:?}, at byte {offset}: {message}")]
pub struct ParseError {
    pub text: String,
    pub offset: usize,
    pub message: String,
}

impl Expr {
    /// Parses a condition.
    pub fn parse(text: &str) -> Result<Expr, ParseError> {
        let mut p = Parser {
            text,
            toks: tokenize(text)?,
            pos: 0,
        };
        let e = p.or()?;
        if let Some(t) = p.toks.get(p.pos) {
            return Err(p.error(t.1, format!("unexpected {:?}", t.0)));
        }
        Ok(e)
    }

    /// The fact names the condition mentions (flags and numeric facts).
    pub fn facts(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.walk(&mut |e| match e {
            Expr::Flag(n) | Expr::Compare(n, _, _) => out.push(n.as_str()),
            _ => {}
        });
        out
    }

    /// The threshold ids the condition refers to.
    pub fn thresholds(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.walk(&mut |e| {
            if let Expr::Compare(_, _, Value::Threshold(t)) = e {
                out.push(t.as_str());
            }
        });
        out
    }

    fn walk<'a>(&'a self, f: &mut impl FnMut(&'a Expr)) {
        f(self);
        match self {
            Expr::Not(a) => a.walk(f),
            Expr::And(a, b) | Expr::Or(a, b) => {
                a.walk(f);
                b.walk(f);
            }
            _ => {}
        }
    }

    /// Evaluates three-valued; `missing` lists unknown facts when the result is unknown.
    pub fn eval(&self, facts: &dyn Facts) -> Outcome {
        let mut missing = Vec::new();
        let truth = self.eval_into(facts, &mut missing);
        if truth != Truth::Unknown {
            missing.clear();
        }
        missing.dedup();
        Outcome { truth, missing }
    }

    fn eval_into(&self, facts: &dyn Facts, missing: &mut Vec<String>) -> Truth {
        match self {
            Expr::Const(b) => Truth::from(*b),
            Expr::Flag(n) => {
                let t = facts.flag(n);
                if t == Truth::Unknown {
                    missing.push(n.clone());
                }
                t
            }
            Expr::Compare(n, cmp, v) => {
                let rhs = match v {
                    Value::Number(x) => Some(*x),
                    Value::Threshold(t) => facts.threshold(t),
                };
                match (facts.number(n), rhs) {
                    (Some(a), Some(b)) => Truth::from(cmp.apply(a, b)),
                    (None, _) => {
                        missing.push(n.clone());
                        Truth::Unknown
                    }
                    (_, None) => Truth::Unknown,
                }
            }
            Expr::Not(a) => match a.eval_into(facts, missing) {
                Truth::True => Truth::False,
                Truth::False => Truth::True,
                Truth::Unknown => Truth::Unknown,
            },
            Expr::And(a, b) => match (a.eval_into(facts, missing), b.eval_into(facts, missing)) {
                (Truth::False, _) | (_, Truth::False) => Truth::False,
                (Truth::True, Truth::True) => Truth::True,
                _ => Truth::Unknown,
            },
            Expr::Or(a, b) => match (a.eval_into(facts, missing), b.eval_into(facts, missing)) {
                (Truth::True, _) | (_, Truth::True) => Truth::True,
                (Truth::False, Truth::False) => Truth::False,
                _ => Truth::Unknown,
            },
        }
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Const(b) => write!(f, "{b}"),
            Expr::Flag(n) => f.write_str(n),
            Expr::Compare(n, c, Value::Number(x)) => write!(f, "{n} {} {x}", c.symbol()),
            Expr::Compare(n, c, Value::Threshold(t)) => write!(f, "{n} {} ${t}", c.symbol()),
            Expr::Not(a) => write!(f, "not {a}"),
            Expr::And(a, b) => write!(f, "({a} and {b})"),
            Expr::Or(a, b) => write!(f, "({a} or {b})"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Num(u64),
    Dollar(String),
    Cmp(Cmp),
    LParen,
    RParen,
}

fn tokenize(text: &str) -> Result<Vec<(Tok, usize)>, ParseError> {
    let err = |offset: usize, message: String| ParseError {
        text: text.to_string(),
        offset,
        message,
    };
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let start = i;
        let word = |i: &mut usize| {
            let s = *i;
            while *i < b.len() && (b[*i].is_ascii_alphanumeric() || b[*i] == b'_') {
                *i += 1;
            }
            text[s..*i].to_string()
        };
        match c {
            b' ' | b'\t' | b'\n' => i += 1,
            b'(' => {
                out.push((Tok::LParen, i));
                i += 1;
            }
            b')' => {
                out.push((Tok::RParen, i));
                i += 1;
            }
            b'$' => {
                i += 1;
                let w = word(&mut i);
                if w.is_empty() {
                    return Err(err(start, "expected a threshold id after $".into()));
                }
                out.push((Tok::Dollar(w), start));
            }
            b'>' | b'<' | b'=' | b'!' => {
                let two = b.get(i + 1) == Some(&b'=');
                let cmp = match (c, two) {
                    (b'>', true) => Cmp::Ge,
                    (b'>', false) => Cmp::Gt,
                    (b'<', true) => Cmp::Le,
                    (b'<', false) => Cmp::Lt,
                    (b'=', true) => Cmp::Eq,
                    (b'!', true) => Cmp::Ne,
                    _ => {
                        return Err(err(
                            i,
                            "expected a comparison (>=, >, <=, <, ==, !=)".into(),
                        ))
                    }
                };
                i += if two { 2 } else { 1 };
                out.push((Tok::Cmp(cmp), start));
            }
            b'0'..=b'9' => {
                let w = word(&mut i);
                let n: u64 = w
                    .replace('_', "")
                    .parse()
                    .map_err(|_| err(start, format!("bad number {w:?}")))?;
                out.push((Tok::Num(n), start));
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let w = word(&mut i);
                out.push((Tok::Ident(w), start));
            }
            _ => {
                return Err(err(
                    i,
                    format!(
                        "unexpected character {:?}",
                        text[i..].chars().next().unwrap_or('?')
                    ),
                ))
            }
        }
    }
    Ok(out)
}

struct Parser<'a> {
    text: &'a str,
    toks: Vec<(Tok, usize)>,
    pos: usize,
}

impl Parser<'_> {
    fn error(&self, offset: usize, message: String) -> ParseError {
        ParseError {
            text: self.text.to_string(),
            offset,
            message,
        }
    }

    fn peek_word(&self, w: &str) -> bool {
        matches!(self.toks.get(self.pos), Some((Tok::Ident(x), _)) if x == w)
    }

    fn or(&mut self) -> Result<Expr, ParseError> {
        let mut e = self.and()?;
        while self.peek_word("or") {
            self.pos += 1;
            e = Expr::Or(Box::new(e), Box::new(self.and()?));
        }
        Ok(e)
    }

    fn and(&mut self) -> Result<Expr, ParseError> {
        let mut e = self.unary()?;
        while self.peek_word("and") {
            self.pos += 1;
            e = Expr::And(Box::new(e), Box::new(self.unary()?));
        }
        Ok(e)
    }

    fn unary(&mut self) -> Result<Expr, ParseError> {
        let end = self.text.len();
        let Some((tok, at)) = self.toks.get(self.pos).cloned() else {
            return Err(self.error(end, "unexpected end of condition".into()));
        };
        self.pos += 1;
        match tok {
            Tok::LParen => {
                let e = self.or()?;
                match self.toks.get(self.pos) {
                    Some((Tok::RParen, _)) => {
                        self.pos += 1;
                        Ok(e)
                    }
                    _ => Err(self.error(at, "unclosed parenthesis".into())),
                }
            }
            Tok::Ident(w) if w == "not" => Ok(Expr::Not(Box::new(self.unary()?))),
            Tok::Ident(w) if w == "true" => Ok(Expr::Const(true)),
            Tok::Ident(w) if w == "false" => Ok(Expr::Const(false)),
            Tok::Ident(w) if w == "and" || w == "or" => {
                Err(self.error(at, format!("expected a fact before {w:?}")))
            }
            Tok::Ident(w) => {
                if let Some((Tok::Cmp(c), _)) = self.toks.get(self.pos).cloned() {
                    self.pos += 1;
                    let v = match self.toks.get(self.pos).cloned() {
                        Some((Tok::Num(n), _)) => Value::Number(n),
                        Some((Tok::Dollar(t), _)) => Value::Threshold(t),
                        _ => {
                            return Err(self.error(
                                at,
                                "expected a number or $threshold after the comparison".into(),
                            ))
                        }
                    };
                    self.pos += 1;
                    Ok(Expr::Compare(w, c, v))
                } else {
                    Ok(Expr::Flag(w))
                }
            }
            other => Err(self.error(at, format!("unexpected {other:?}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct F(HashMap<&'static str, Truth>, HashMap<&'static str, u64>);
    impl Facts for F {
        fn flag(&self, n: &str) -> Truth {
            self.0.get(n).copied().unwrap_or(Truth::Unknown)
        }
        fn number(&self, n: &str) -> Option<u64> {
            self.1.get(n).copied()
        }
        fn threshold(&self, id: &str) -> Option<u64> {
            (id == "ten_million").then_some(10_000_000)
        }
    }

    fn facts() -> F {
        F(
            HashMap::from([
                ("cross_border", Truth::True),
                ("cii_operator", Truth::False),
            ]),
            HashMap::from([("people", 10_000_000)]),
        )
    }

    fn eval(s: &str) -> Outcome {
        Expr::parse(s).unwrap().eval(&facts())
    }

    #[test]
    fn precedence_and_not() {
        assert_eq!(eval("cross_border and not cii_operator").truth, Truth::True);
        assert_eq!(
            eval("cii_operator or cross_border and true").truth,
            Truth::True
        );
        assert_eq!(
            eval("not (cross_border or cii_operator)").truth,
            Truth::False
        );
    }

    #[test]
    fn kleene_logic_names_missing_facts() {
        let o = eval("cross_border and minors");
        assert_eq!(o.truth, Truth::Unknown);
        assert_eq!(o.missing, vec!["minors".to_string()]);
        // A known false decides an "and" even when the other side is unknown.
        let o = eval("cii_operator and minors");
        assert_eq!(o.truth, Truth::False);
        assert!(o.missing.is_empty());
        assert_eq!(eval("cross_border or minors").truth, Truth::True);
    }

    #[test]
    fn comparisons_with_numbers_and_thresholds() {
        assert_eq!(eval("people >= $ten_million").truth, Truth::True);
        assert_eq!(eval("people > 10_000_000").truth, Truth::False);
        assert_eq!(eval("people < 1").truth, Truth::False);
        let o = eval("visitors >= 5");
        assert_eq!(
            (o.truth, o.missing),
            (Truth::Unknown, vec!["visitors".to_string()])
        );
    }

    #[test]
    fn parse_errors_say_where() {
        let e = Expr::parse("cross_border and").unwrap_err();
        assert!(e.message.contains("end"), "{e}");
        let e = Expr::parse("a and (b or c").unwrap_err();
        assert_eq!(e.offset, 6);
        let e = Expr::parse("a & b").unwrap_err();
        assert_eq!(e.offset, 2);
        assert!(Expr::parse("people >= x").is_err());
    }

    #[test]
    fn lists_facts_and_thresholds() {
        let e = Expr::parse("a and (b >= $t or not c)").unwrap();
        assert_eq!(e.facts(), vec!["a", "b", "c"]);
        assert_eq!(e.thresholds(), vec!["t"]);
    }
}
