//! Trains the name model: `cargo run --release -p hegui-names --example train -- CORPUS OUT
//! [EPOCHS] [--dev DIR]`, where CORPUS is text with every name marked `⟦…⟧` (one sentence
//! per line), as `tools/names/make_corpus.py` writes it. With `--dev`, the decision
//! threshold is the one with the best F1 on the marked `*.txt` files of DIR (a development
//! set: never the held-out set).

use std::process::ExitCode;

use hegui_names::{choose_threshold, train, Example};

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let dev = args.iter().position(|a| a == "--dev").map(|p| {
        let d = args.get(p + 1).cloned().unwrap_or_default();
        args.drain(p..(p + 2).min(args.len()));
        d
    });
    let (Some(corpus), Some(out)) = (args.first(), args.get(1)) else {
        eprintln!("usage: train CORPUS OUT [EPOCHS]");
        return ExitCode::from(2);
    };
    let epochs = args.get(2).and_then(|e| e.parse().ok()).unwrap_or(8);
    let text = match std::fs::read_to_string(corpus) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{corpus}: {e}");
            return ExitCode::from(2);
        }
    };
    let examples: Vec<Example> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(Example::from_marked)
        .collect();
    let (mut model, stats) = train(&examples, epochs, 0x5eed);
    if let Some(dir) = dev {
        let mut lines = Vec::new();
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        files.sort();
        for f in files
            .iter()
            .filter(|f| f.extension().is_some_and(|x| x == "txt"))
        {
            let text = std::fs::read_to_string(f).unwrap_or_default();
            lines.extend(text.lines().map(str::to_string));
        }
        let (t, f1) = choose_threshold(&mut model, &lines);
        eprintln!(
            "threshold {t} (F1 {f1:.3} on {} lines of {dir})",
            lines.len()
        );
    }
    eprintln!(
        "{} lines, {} names, {} reachable as candidates ({:.1} %); mistakes per epoch: {:?}",
        examples.len(),
        stats.names,
        stats.reachable,
        100.0 * stats.reachable as f64 / stats.names.max(1) as f64,
        stats.mistakes
    );
    eprintln!("not candidates, for example: {:?}", stats.unreachable);
    if let Err(e) = std::fs::write(out, model.to_bytes()) {
        eprintln!("{out}: {e}");
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}
