//! The model file and the trainer: a damaged file is refused with a reason, a trained
//! model round-trips through its bytes, and training learns what its corpus marks.

use hegui_names::{choose_threshold, train, Example, Finder, Model};

#[test]
fn the_shipped_model_reads_and_damaged_files_are_refused() {
    let bytes = include_bytes!("../data/model.bin");
    let m = Model::from_bytes(bytes).expect("shipped model");
    assert!(m.threshold.is_finite());
    let err = |b: &[u8]| Model::from_bytes(b).err().map(|e| e.to_string());
    assert_eq!(
        err(b"PK\x03\x04"),
        Some("name model: not a hegui name model".into())
    );
    assert_eq!(
        err(&bytes[..bytes.len() - 3]),
        Some("name model: truncated".into())
    );
    let mut other = bytes.to_vec();
    other[4] = 99;
    assert_eq!(
        err(&other),
        Some("name model: made for another version of hegui".into())
    );
    let mut wild = bytes[..14].to_vec();
    wild[10..14].copy_from_slice(&1u32.to_le_bytes());
    wild.extend_from_slice(&u32::MAX.to_le_bytes());
    wild.extend_from_slice(&1.0f32.to_le_bytes());
    assert_eq!(err(&wild), Some("name model: index out of range".into()));
}

fn corpus() -> Vec<String> {
    let names = [
        "张伟", "王芳", "李静", "刘洋", "陈磊", "杨帆", "赵敏", "黄丽",
    ];
    let words = [
        "张开", "王国", "李子", "刘海", "陈列", "杨树", "赵州", "黄金",
    ];
    let mut lines = Vec::new();
    for (i, n) in names.iter().enumerate() {
        lines.push(format!("请⟦{n}⟧到前台"));
        lines.push(format!("客户⟦{n}⟧已签收"));
        lines.push(format!("{}的价格上涨了", words[i]));
        lines.push(format!("我们看到了{}", words[(i + 3) % words.len()]));
    }
    lines
}

#[test]
fn training_learns_the_corpus_and_the_model_round_trips() {
    let lines = corpus();
    let examples: Vec<Example> = lines.iter().map(|l| Example::from_marked(l)).collect();
    let (mut model, stats) = train(&examples, 10, 7);
    assert_eq!(stats.names, 16);
    assert_eq!(stats.reachable, 16);
    assert_eq!(stats.mistakes.last(), Some(&0), "{stats:?}");
    let (_, f1) = choose_threshold(&mut model, &lines);
    assert_eq!(f1, 1.0);
    let again = Model::from_bytes(&model.to_bytes()).expect("round trip");
    let mut finder = Finder::default();
    for m in [&model, &again] {
        let mut out = Vec::new();
        finder.find_with(m, "请李静到前台", &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!((out[0].start, out[0].end), (3, 9));
        out.clear();
        finder.find_with(m, "黄金的价格上涨了", &mut out);
        assert!(out.is_empty());
    }
}

#[test]
fn an_untrained_model_finds_nothing() {
    let lines = corpus();
    let examples: Vec<Example> = lines.iter().map(|l| Example::from_marked(l)).collect();
    let (model, _) = train(&examples, 0, 7);
    let mut out = Vec::new();
    Finder::default().find_with(&model, "请李静到前台", &mut out);
    assert!(out.is_empty());
}
