//! Databases as sources: every table (or the listed ones) of a SQLite file, PostgreSQL or
//! MySQL/MariaDB database, one source each, sampled by the server where it can be.

use std::sync::Arc;

use crate::options::{Output, Sample, ScanError, ScanOptions};
use crate::pipeline::Ctx;
use crate::report::{source_report, SourceAcc, SourceMeta, Totals};
use crate::source::db::{Backend, Db, Table};
use crate::source::error::SourceError;
use crate::source::sampling::Sampler;

/// Every table of a database (or the listed ones), one source each. A database that cannot
/// be opened, or a table that cannot be read, is reported and the scan goes on.
pub(crate) fn scan_database(
    url: &str,
    name: &str,
    opts: &ScanOptions,
    totals: &mut Totals,
    out: &mut dyn Output,
) -> Result<Vec<crate::report::SourceReport>, ScanError> {
    let failed = |error: String| {
        let meta = SourceMeta {
            source: name.to_string(),
            format: "database",
            encoding: None,
            compression: None,
            sampled: false,
            error: Some(error),
        };
        vec![source_report(meta, &SourceAcc::default(), opts.framework)]
    };
    let db = match crate::source::db::connect(url) {
        Ok(db) => db,
        Err(e) => return Ok(failed(e)),
    };
    let tables = match db.tables(opts.schema.as_deref(), &opts.tables) {
        Ok(t) => t,
        Err(e) => return Ok(failed(e)),
    };
    let mut reports = Vec::new();
    for t in &tables {
        reports.push(scan_table(&db, t, name, opts, totals, out)?);
    }
    Ok(reports)
}

pub(crate) fn scan_table(
    db: &Db,
    t: &Table,
    name: &str,
    opts: &ScanOptions,
    totals: &mut Totals,
    out: &mut dyn Output,
) -> Result<crate::report::SourceReport, ScanError> {
    let mut meta = SourceMeta {
        source: format!("{name}#{}", t.qualified()),
        format: match db.backend {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgresql",
            Backend::Mysql => "mysql",
        },
        encoding: None,
        compression: None,
        sampled: opts.sample != Sample::Full,
        error: None,
    };
    let read = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let mut ctx = Ctx::new(meta.source.clone(), opts, totals, out, read);
    let ids: Vec<u32> = t.columns.iter().map(|c| ctx.field_id(c)).collect();
    // A random sample is drawn by the server in a seeded order (`Db::select`), or, where
    // SQL has no hash (SQLite files, local), from the rows as they are read, as a file's.
    let seeded = |seed| (db.backend != Backend::Sqlite).then_some(seed);
    let (limit, seed, plan) = match opts.sample {
        Sample::Full => (None, None, Sample::Full),
        Sample::FirstRows(n) => (Some(n), None, Sample::Full),
        Sample::RandomRows { rows, seed } => match seeded(seed) {
            Some(seed) => (Some(rows), Some(seed), Sample::Full),
            None => (None, None, opts.sample),
        },
        Sample::Percent { percent, seed } => match seeded(seed) {
            Some(seed) => {
                let count = db.count(t).unwrap_or(0);
                let rows = ((count as f64) * percent / 100.0).ceil() as u64;
                (Some(rows), Some(seed), Sample::Full)
            }
            None => (None, None, opts.sample),
        },
    };
    let sql = db.select(t, limit, seed);
    let result: Result<(), SourceError> = db.rt.block_on(async {
        use futures_util::TryStreamExt;
        use sqlx::Row;
        let q = sqlx::query(sqlx::AssertSqlSafe(sql));
        let mut rows = q.fetch(&db.pool);
        let mut sampler = Sampler::new(plan);
        let mut n = 0u64;
        let mut scan_row = |n: u64, values: Vec<Option<String>>| {
            ctx.acc.records += 1;
            for (v, id) in values.iter().zip(&ids) {
                if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                    ctx.push(n, *id, v)?;
                }
            }
            Ok::<(), SourceError>(())
        };
        while let Some(row) = rows
            .try_next()
            .await
            .map_err(|e| SourceError::Read(format!("reading {}: {e}", t.qualified())))?
        {
            n += 1;
            let values = (0..ids.len())
                .map(|i| row.try_get::<Option<String>, _>(i).ok().flatten())
                .collect();
            if let Some((n, values)) = sampler.offer((n, values)).unwrap_or(None) {
                scan_row(n, values)?;
            }
        }
        let mut rest = sampler.finish();
        rest.sort_by_key(|(n, _)| *n);
        for (n, values) in rest {
            scan_row(n, values)?;
        }
        Ok(())
    });
    if let Err(e) = result {
        match e {
            SourceError::Output(e) => return Err(ScanError::Output(e)),
            other => meta.error = Some(other.to_string()),
        }
    }
    if !t.skipped.is_empty() && meta.error.is_none() {
        meta.error = Some(format!(
            "binary columns not scanned: {}",
            t.skipped.join(", ")
        ));
    }
    match ctx.flush() {
        Ok(()) => {}
        Err(ScanError::Output(e)) => return Err(ScanError::Output(e)),
        Err(e) => {
            meta.error.get_or_insert(e.to_string());
        }
    }
    let acc = std::mem::take(&mut ctx.acc);
    Ok(source_report(meta, &acc, opts.framework))
}
