//! Scores a model on marked text: `cargo run --release -p hegui-names --example check --
//! MODEL FILE… [--errors N]`. Precision, recall and F1 of name spans (IoU ≥ 0.5 in bytes),
//! and with `--errors` the first N lines the model got wrong (for development sets only:
//! never on the held-out set).

use hegui_names::{iou, unmark, Finder, Model, NameSpan};

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut errors = 0usize;
    if let Some(p) = args.iter().position(|a| a == "--errors") {
        errors = args.get(p + 1).and_then(|n| n.parse().ok()).unwrap_or(50);
        args.drain(p..(p + 2).min(args.len()));
    }
    let mut model =
        Model::from_bytes(&std::fs::read(&args[0]).expect("model file")).expect("model");
    if let Ok(t) = std::env::var("THRESHOLD") {
        model.threshold = t.parse().expect("a number");
    }
    if args.get(1).map(String::as_str) == Some("--explain") {
        for text in &args[2..] {
            for s in hegui_names::explain(&model, text).iter().take(12) {
                println!(
                    "{:>8.2} {} {} {}",
                    s.score,
                    if s.taken { "*" } else { " " },
                    s.text,
                    s.shape
                );
            }
        }
        return;
    }
    let (mut gold_n, mut found_n, mut tp) = (0usize, 0usize, 0usize);
    let mut finder = Finder::default();
    for file in &args[1..] {
        let text = std::fs::read_to_string(file).expect("marked file");
        for line in text.lines() {
            let (plain, gold) = unmark(line);
            let mut found: Vec<NameSpan> = Vec::new();
            finder.find_with(&model, &plain, &mut found);
            let hits = found
                .iter()
                .filter(|f| gold.iter().any(|&g| iou(g, (f.start, f.end)) >= 0.5))
                .count();
            gold_n += gold.len();
            found_n += found.len();
            tp += hits;
            if errors > 0 && (hits != gold.len() || hits != found.len()) {
                errors -= 1;
                let shown: Vec<&str> = found.iter().map(|f| &plain[f.start..f.end]).collect();
                println!("{line}\n    found: {shown:?}");
            }
        }
    }
    // Speed: the unmarked lines again, 20 times, on this thread.
    let plain: Vec<String> = args[1..]
        .iter()
        .flat_map(|f| {
            let text = std::fs::read_to_string(f).expect("marked file");
            text.lines().map(|l| unmark(l).0).collect::<Vec<_>>()
        })
        .collect();
    let bytes: usize = plain.iter().map(|l| l.len() + 1).sum::<usize>() * 20;
    let t = std::time::Instant::now();
    let mut n = 0;
    for _ in 0..20 {
        for l in &plain {
            let mut found = Vec::new();
            finder.find_with(&model, l, &mut found);
            n += found.len();
        }
    }
    let secs = t.elapsed().as_secs_f64();
    println!("speed: {:.1} MB/s ({n} spans)", bytes as f64 / secs / 1e6);
    // The shipped model as the scanner calls it: in pieces, a fresh cache each pass.
    let t = std::time::Instant::now();
    for _ in 0..20 {
        let mut fresh = Finder::default();
        for l in &plain {
            let mut found = Vec::new();
            fresh.find(l, &mut found);
        }
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "speed of the shipped model in pieces: {:.1} MB/s",
        bytes as f64 / secs / 1e6
    );
    let p = tp as f64 / found_n.max(1) as f64;
    let r = tp as f64 / gold_n.max(1) as f64;
    println!(
        "names {gold_n} found {found_n} correct {tp}: P {p:.3} R {r:.3} F1 {:.3}",
        2.0 * p * r / (p + r).max(1e-9)
    );
}
