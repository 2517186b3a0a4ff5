//! Notifications by e-mail, against an SMTP sink this test runs on 127.0.0.1: each goes out
//! once, the overdue digest is one message per person, a sensitive request's title never
//! leaves, and every kind the store writes has words in both languages.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use hegui_audit::engagement::{self, NewEngagement};
use hegui_audit::independence::RotationReading;
use hegui_audit::members::{self, Role};
use hegui_audit::requests::{files, flow, reminders, NewRequest, SendOptions, Upload};
use hegui_audit::store::Store;
use hegui_core::calendar::Calendar;
use hegui_core::inventory::AuditKind;
use hegui_mail::{deliver, render, Lang, MailConfig, Security};
use jiff::civil::date;

/// One message as the sink received it: the envelope's recipients and the data.
#[derive(Debug, Clone)]
struct Received {
    to: Vec<String>,
    data: String,
}

/// A minimal SMTP server (no TLS, no auth) that keeps what it receives.
fn sink() -> (u16, Arc<Mutex<Vec<Received>>>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let got = Arc::new(Mutex::new(Vec::new()));
    let keep = got.clone();
    std::thread::spawn(move || {
        for conn in l.incoming() {
            let Ok(mut w) = conn else { break };
            let mut r = BufReader::new(w.try_clone().unwrap());
            let _ = w.write_all(b"220 sink ESMTP\r\n");
            let mut to = Vec::new();
            let mut line = String::new();
            loop {
                line.clear();
                if r.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                let cmd = line.trim_end().to_ascii_uppercase();
                let reply: &[u8] = if cmd.starts_with("EHLO") {
                    b"250-sink\r\n250 8BITMIME\r\n"
                } else if cmd.starts_with("RCPT TO:") {
                    to.push(
                        line.trim_end()[8..]
                            .trim_matches(['<', '>', ' '])
                            .to_string(),
                    );
                    b"250 OK\r\n"
                } else if cmd == "DATA" {
                    let _ = w.write_all(b"354 go on\r\n");
                    let mut data = String::new();
                    loop {
                        let mut l = String::new();
                        if r.read_line(&mut l).unwrap_or(0) == 0 || l == ".\r\n" {
                            break;
                        }
                        data.push_str(&l);
                    }
                    keep.lock().unwrap().push(Received {
                        to: std::mem::take(&mut to),
                        data: decoded(&data),
                    });
                    b"250 kept\r\n"
                } else if cmd == "QUIT" {
                    let _ = w.write_all(b"221 bye\r\n");
                    break;
                } else {
                    b"250 OK\r\n"
                };
                let _ = w.write_all(reply);
            }
        }
    });
    (port, got)
}

/// The headers, and the body decoded from base64 (how lettre sends Chinese text).
fn decoded(data: &str) -> String {
    use base64::Engine;
    let (head, body) = data.split_once("\r\n\r\n").unwrap_or((data, ""));
    let compact: String = body.split_whitespace().collect();
    let text = base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_else(|_| body.to_string());
    format!("{head}\r\n\r\n{text}")
}

fn store(tag: &str) -> Store {
    let dir = std::env::temp_dir().join(format!("hegui-mail-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    Store::open(dir.join("hegui.db").to_str().unwrap()).unwrap()
}

fn engagement(store: &Store) -> String {
    let n = NewEngagement {
        profile_text: std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/fintech.yaml"
        ))
        .unwrap(),
        profile_name: "fintech.yaml".into(),
        kind: AuditKind::Commissioned,
        trigger: None,
        body: Some("甲所".into()),
        affiliates: vec![],
        lead: Some("lead1".into()),
        team: vec![],
        period_start: date(2025, 1, 1),
        period_end: date(2025, 12, 31),
        start: date(2026, 11, 23),
        deadline: None,
        attests_no_subdelegation: true,
        reading: RotationReading::Inclusive,
        override_reason: None,
        actor: "lead1".into(),
    };
    let code = engagement::create(store, &n).unwrap().code;
    for (name, role) in [
        ("lead1", Role::Lead),
        ("aud1", Role::Auditor),
        ("cli1", Role::Client),
        ("cli2", Role::Client),
    ] {
        hegui_audit::accounts::add(store, name, name, "a long enough password 2026", false)
            .unwrap();
        members::set(store, &code, name, role, None, "lead1").unwrap();
    }
    code
}

#[test]
fn notifications_go_out_once_and_the_digest_is_one_message_per_person() {
    let (port, got) = sink();
    let store = store("once");
    let e = engagement(&store);
    for (who, addr) in [
        ("cli1", "cli1@client.example"),
        ("aud1", "aud1@firm.example"),
    ] {
        hegui_audit::accounts::set_email(&store, who, Some(addr)).unwrap();
    }
    let cal = Calendar::with_builtin();
    let mut codes = Vec::new();
    for (title, sensitive) in [
        ("隐私政策", false),
        ("员工身份证复印件台账", true),
        ("日志", false),
    ] {
        let n = NewRequest {
            title: title.into(),
            checkpoints: vec!["G3.1".into()],
            assignees: vec!["cli1".into(), "cli2".into()],
            sensitive,
            ..Default::default()
        };
        codes.push(flow::create(&store, &e, n, "aud1").unwrap().code);
    }
    let o = SendOptions {
        days: 3,
        review_days: 0,
        today: date(2026, 12, 1),
    };
    flow::send(&store, &e, &codes, o, &cal, "aud1").unwrap();
    let cfg = MailConfig {
        host: "127.0.0.1".into(),
        port,
        security: Security::None,
        from: "hegui <hegui@firm.example>".into(),
        user: None,
        password_env: None,
        base_url: Some("https://hegui.firm.example".into()),
        english: false,
    };
    // Three requests sent to cli1 (with an address) and cli2 (without).
    assert_eq!(deliver(&store, &cfg).unwrap().sent, 3);
    assert_eq!(deliver(&store, &cfg).unwrap().sent, 0, "once only");
    {
        let got = got.lock().unwrap();
        assert!(got.iter().all(|m| m.to == ["cli1@client.example"]));
        let all: String = got.iter().map(|m| m.data.clone()).collect();
        assert!(
            !all.contains("员工身份证"),
            "a sensitive title never goes out by mail"
        );
        assert!(
            all.contains(&format!(
                "https://hegui.firm.example/e/{e}/requests/PBC-001"
            )),
            "{all}"
        );
    }
    // A client answers one; the other two become overdue: one digest each for cli1 and
    // aud1 (the requester), however many requests.
    files::upload(
        &store,
        &e,
        &codes[0],
        vec![Upload {
            name: "p.pdf".into(),
            content: b"%PDF".to_vec().into(),
            effective_date: None,
        }],
        "cli1",
    )
    .unwrap();
    flow::submit(&store, &e, &codes[0], "cli1").unwrap();
    let run = reminders::run(&store, date(2026, 12, 8), &cal).unwrap();
    assert_eq!(run.digests, 3, "cli1, cli2 and aud1");
    got.lock().unwrap().clear();
    let d = deliver(&store, &cfg).unwrap();
    let got = got.lock().unwrap();
    let digests: Vec<_> = got.iter().filter(|m| m.data.contains("已逾期")).collect();
    assert_eq!(digests.len(), 2, "one per person with an address: {got:#?}");
    assert!(digests
        .iter()
        .all(|m| m.data.contains("PBC-002") && m.data.contains("PBC-003")));
    assert_eq!(d.sent, got.len());
}

#[test]
fn an_unreachable_server_is_a_clear_error() {
    let store = store("unreachable");
    let e = engagement(&store);
    hegui_audit::accounts::set_email(&store, "cli1", Some("cli1@client.example")).unwrap();
    let n = NewRequest {
        title: "x".into(),
        assignees: vec!["cli1".into()],
        ..Default::default()
    };
    let code = flow::create(&store, &e, n, "aud1").unwrap().code;
    let o = SendOptions {
        days: 3,
        review_days: 0,
        today: date(2026, 12, 1),
    };
    flow::send(&store, &e, &[code], o, &Calendar::with_builtin(), "aud1").unwrap();
    // A port nothing listens on.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let cfg = MailConfig {
        host: "127.0.0.1".into(),
        port,
        security: Security::None,
        from: "h@firm.example".into(),
        user: None,
        password_env: None,
        base_url: None,
        english: true,
    };
    let err = deliver(&store, &cfg).unwrap_err().to_string();
    assert!(err.contains(&format!("127.0.0.1:{port}")), "{err}");
    assert_eq!(
        hegui_audit::notify::pending_mail(&store, 10).unwrap().len(),
        1,
        "left for the next run"
    );
}

#[test]
fn every_kind_has_words_in_both_languages() {
    let kinds = hegui_mail::kinds();
    for k in [
        "request.sent",
        "request.edited",
        "request.submitted",
        "request.accepted",
        "request.returned",
        "request.reopened",
        "request.cancelled",
        "request.due_soon",
        "request.overdue_digest",
        "comment.added",
        "comment.mention",
        "note.raised",
        "note.answered",
        "note.cleared",
        "note.reopened",
    ] {
        assert!(kinds.contains(&k), "{k} has no words");
        let n = hegui_audit::notify::Notification {
            seq: 1,
            engagement: "ENG-1".into(),
            at: String::new(),
            kind: k.into(),
            subject: "PBC-001".into(),
            actor: "aud1".into(),
            detail: serde_json::json!({"title": "T", "due": "2026-12-11", "checkpoint": "G3.1"}),
            read: false,
            mailed: false,
        };
        for lang in [Lang::Zh, Lang::En] {
            let (line, _) = render(&n, lang);
            assert!(!line.contains('{'), "{k}: a placeholder left: {line}");
        }
    }
}
