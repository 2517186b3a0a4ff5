//! Trains the name model: `cargo run --release -p hegui-names --example train -- CORPUS OUT
//! [EPOCHS]`, where CORPUS is text with every name marked `⟦…⟧` (one sentence per line),
//! as `tools/names/make_corpus.py` writes it.

use std::process::ExitCode;

use hegui_names::{train, Example};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
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
    let (model, stats) = train(&examples, epochs, 0x5eed);
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
