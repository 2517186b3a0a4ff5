//! JSON and JSON Lines: every leaf value with its field path as context.

use std::io::{BufRead, BufReader, Read};

use crate::pipeline::Ctx;
use crate::source::decode::Encoding;
use crate::source::error::SourceError;
use crate::source::sampling::{sampled, Sampler};
use crate::source::text::lines;

/// Leaves of a JSON value with their paths (`user.phones[].number`).
pub(crate) fn leaves(v: &serde_json::Value, path: &mut String, each: &mut dyn FnMut(&str, String)) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
                leaves(x, path, each);
                path.truncate(len);
            }
        }
        serde_json::Value::Array(a) => {
            let len = path.len();
            path.push_str("[]");
            for x in a {
                leaves(x, path, each);
            }
            path.truncate(len);
        }
        serde_json::Value::String(s) => each(path, s.clone()),
        serde_json::Value::Number(n) => each(path, n.to_string()),
        _ => {}
    }
}

pub(crate) fn json_record(n: u64, v: &serde_json::Value, ctx: &mut Ctx) -> Result<(), SourceError> {
    ctx.acc.records += 1;
    let mut units = Vec::new();
    leaves(v, &mut String::new(), &mut |p, s| {
        if !s.is_empty() {
            units.push((
                if p.is_empty() {
                    "$".to_string()
                } else {
                    p.to_string()
                },
                s,
            ));
        }
    });
    for (p, s) in units {
        let field = ctx.field_id(&p);
        ctx.push(n, field, &s)?;
    }
    Ok(())
}

pub(crate) fn jsonl<R: BufRead>(
    r: &mut R,
    enc: Encoding,
    ctx: &mut Ctx,
) -> Result<(), SourceError> {
    let mut sampler: Sampler<(u64, serde_json::Value)> = Sampler::new(ctx.opts.sample);
    let mut first_error: Option<String> = None;
    let mut errors = 0u64;
    let mut row = 0u64;
    lines(r, |n, line| {
        if line.iter().all(u8::is_ascii_whitespace) {
            return Ok(true);
        }
        row += 1;
        let (s, _) = enc.decode(line);
        let v: serde_json::Value = match serde_json::from_str(&s) {
            Ok(v) => v,
            Err(e) => {
                errors += 1;
                first_error.get_or_insert_with(|| format!("line {n}: {e}"));
                return Ok(true);
            }
        };
        match sampler.offer((row, v)) {
            Ok(Some((k, v))) => json_record(k, &v, ctx)?,
            Ok(None) => {}
            Err(()) => return Ok(false),
        }
        Ok(true)
    })?;
    let mut rest = sampler.finish();
    rest.sort_by_key(|(n, _)| *n);
    for (k, v) in rest {
        json_record(k, &v, ctx)?;
    }
    match first_error {
        Some(e) => Err(SourceError::Parse(format!(
            "{errors} line(s) are not valid JSON, first at {e}; the other lines were scanned"
        ))),
        None => Ok(()),
    }
}

pub(crate) fn json<R: Read>(r: BufReader<R>, ctx: &mut Ctx) -> Result<(), SourceError> {
    let v: serde_json::Value = serde_json::from_reader(r).map_err(|e| {
        if e.is_eof() {
            SourceError::Parse(format!("the JSON ends early (truncated?): {e}"))
        } else {
            SourceError::Parse(format!("not valid JSON: {e}"))
        }
    })?;
    match v {
        serde_json::Value::Array(items) => {
            let plan = ctx.opts.sample;
            sampled(plan, items.into_iter().map(Ok), |n, x| {
                json_record(n, &x, ctx)
            })
        }
        other => json_record(1, &other, ctx),
    }
}
