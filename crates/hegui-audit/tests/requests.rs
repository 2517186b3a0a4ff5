//! Evidence requests, comments, review notes and the inbox: the state machine cell by cell
//! against WEB.md's table (written out here, not read from the code), the working-day
//! clock across the Spring Festival block, what a client never sees, and the whole loop on
//! SQLite and PostgreSQL with the engagement verifying after it.

mod common;

use common::{all_verify, new, postgres, sqlite};
use hegui_audit::comments::{self, On, Visibility};
use hegui_audit::engagement;
use hegui_audit::members::{self, Role};
use hegui_audit::requests::{
    self, files, flow, reminders, timing, Action, NewRequest, SendOptions, State, Upload,
};
use hegui_audit::store::Store;
use hegui_audit::{notify, review_notes, workpaper, AuditError};
use hegui_core::calendar::Calendar;
use hegui_core::inventory::AuditKind;
use jiff::civil::{date, Date};

const PEOPLE: &[(&str, Role)] = &[
    ("lead1", Role::Lead),
    ("aud1", Role::Auditor),
    ("rev1", Role::Reviewer),
    ("cli1", Role::Client),
    ("cli2", Role::Client),
    ("view1", Role::Viewer),
];

/// An engagement with one member of each role (two clients: `cli1` is the assignee).
fn setup(store: &Store) -> String {
    let e = engagement::create(store, &new(AuditKind::Commissioned, "甲所", "lead1")).unwrap();
    for (name, role) in PEOPLE {
        hegui_audit::accounts::add(store, name, name, "a long enough password 2026", false)
            .unwrap();
        members::set(store, &e.code, name, *role, None, "lead1").unwrap();
    }
    hegui_audit::accounts::add(store, "stranger", "x", "a long enough password 2026", false)
        .unwrap();
    e.code
}

fn cal() -> Calendar {
    Calendar::with_builtin()
}

fn opts(today: Date) -> SendOptions {
    SendOptions {
        days: 10,
        review_days: 5,
        today,
    }
}

fn file(name: &str) -> Upload {
    Upload {
        name: name.into(),
        content: format!("%PDF-1.7 {name}").into_bytes().into(),
        effective_date: None,
    }
}

fn draft(store: &Store, code: &str) -> String {
    let n = NewRequest {
        title: "数据处理活动记录".into(),
        checkpoints: vec!["G13.1".into()],
        assignees: vec!["cli1".into()],
        ..Default::default()
    };
    flow::create(store, code, n, "aud1").unwrap().code
}

/// A request brought to `s` through the real flow.
fn request_in(store: &Store, eng: &str, s: State) -> String {
    let r = draft(store, eng);
    let one = std::slice::from_ref(&r);
    let cal = cal();
    if s == State::Draft {
        return r;
    }
    if s == State::Cancelled {
        flow::cancel(store, eng, &r, "不再需要", "aud1").unwrap();
        return r;
    }
    flow::send(store, eng, one, opts(date(2026, 12, 1)), &cal, "aud1").unwrap();
    if s == State::Open {
        return r;
    }
    files::upload(store, eng, &r, vec![file("a.pdf")], "cli1").unwrap();
    if s == State::InProgress {
        return r;
    }
    flow::submit(store, eng, &r, "cli1").unwrap();
    match s {
        State::Submitted => {}
        State::Returned => {
            flow::return_submission(store, eng, &r, "缺少签字页", &[], "aud1").unwrap();
        }
        State::Accepted => {
            flow::accept(store, eng, &r, "aud1").unwrap();
        }
        _ => unreachable!(),
    }
    r
}

fn state_of(store: &Store, eng: &str, code: &str) -> State {
    let id = engagement::resolve(store, eng).unwrap();
    requests::get(store, &id, code, "lead1", Role::Lead)
        .unwrap()
        .unwrap()
        .state
}

fn attempt(store: &Store, eng: &str, code: &str, a: Action, who: &str) -> Result<(), AuditError> {
    let cal = cal();
    let one = [code.to_string()];
    match a {
        Action::Edit => flow::edit(
            store,
            eng,
            code,
            flow::EditRequest {
                format: Some("PDF".into()),
                ..Default::default()
            },
            who,
        )
        .map(drop),
        Action::Merge => {
            let other = draft(store, eng);
            flow::merge(store, eng, code, &[other], who).map(drop)
        }
        Action::Send => flow::send(store, eng, &one, opts(date(2026, 12, 1)), &cal, who).map(drop),
        Action::Upload => files::upload(store, eng, code, vec![file("b.pdf")], who).map(drop),
        Action::NotApplicable => {
            files::not_applicable(store, eng, code, "本期无此业务", who).map(drop)
        }
        Action::Submit => flow::submit(store, eng, code, who).map(drop),
        Action::Accept => flow::accept(store, eng, code, who).map(drop),
        Action::Return => flow::return_submission(store, eng, code, "不清晰", &[], who).map(drop),
        Action::Reopen => flow::reopen(store, eng, code, "页码缺失", who).map(drop),
        Action::Cancel => flow::cancel(store, eng, code, "重复", who).map(drop),
    }
}

/// WEB.md, written out: (action, states it is taken from, who takes it, the state after —
/// `None` for unchanged, except that a client's upload or note starts an open request).
fn expected(a: Action, s: State, who: &str) -> Option<State> {
    use State::*;
    let team = matches!(who, "lead1" | "aud1");
    let assignee = who == "cli1";
    let owed = matches!(s, Open | InProgress | Returned);
    let started = if s == Open { InProgress } else { s };
    match a {
        Action::Edit if team && matches!(s, Draft | Open | InProgress | Returned) => Some(s),
        Action::Merge if team && s == Draft => Some(Draft),
        Action::Send if team && s == Draft => Some(Open),
        Action::Upload | Action::NotApplicable if assignee && owed => Some(started),
        // An open request has nothing yet: submitting it is refused for that reason.
        Action::Submit if assignee && matches!(s, InProgress | Returned) => Some(Submitted),
        Action::Accept if team && s == Submitted => Some(Accepted),
        Action::Return if team && s == Submitted => Some(Returned),
        Action::Reopen if who == "lead1" && s == Accepted => Some(Returned),
        Action::Cancel if team && matches!(s, Draft | Open | InProgress | Returned) => {
            Some(Cancelled)
        }
        _ => None,
    }
}

#[test]
fn every_action_from_every_state_by_every_role() {
    let store = sqlite("requests-matrix");
    let eng = setup(&store);
    let mut checked = 0;
    for s in State::ALL {
        for a in Action::ALL {
            for who in PEOPLE.iter().map(|p| p.0).chain(["stranger"]) {
                let code = request_in(&store, &eng, s);
                let got = attempt(&store, &eng, &code, a, who);
                let after = state_of(&store, &eng, &code);
                match expected(a, s, who) {
                    Some(to) => {
                        assert!(got.is_ok(), "{a:?} on {s:?} by {who}: {got:?}");
                        assert_eq!(after, to, "{a:?} on {s:?} by {who}");
                    }
                    None => {
                        assert!(got.is_err(), "{a:?} on {s:?} by {who} was allowed");
                        assert_eq!(after, s, "{a:?} on {s:?} by {who} refused but moved it");
                    }
                }
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 7 * 10 * 7);
    all_verify(&store);
}

#[test]
fn refusals_say_why() {
    let store = sqlite("requests-refusals");
    let eng = setup(&store);
    let r = request_in(&store, &eng, State::Draft);
    // A client asking about a draft is told it does not exist.
    let e = files::upload(&store, &eng, &r, vec![file("x.pdf")], "cli1").unwrap_err();
    assert!(e.to_string().contains("no request"), "{e}");
    let e = flow::send(
        &store,
        &eng,
        std::slice::from_ref(&r),
        opts(date(2026, 12, 1)),
        &cal(),
        "rev1",
    )
    .unwrap_err();
    assert!(matches!(e, AuditError::Denied(_)), "{e}");
    assert!(e.to_string().contains("lead or auditor"), "{e}");
    let e = flow::cancel(&store, &eng, &r, "  ", "aud1").unwrap_err();
    assert!(e.to_string().contains("needs a reason"), "{e}");
    // A request with nobody to answer it is not sent, and neither is anything with it.
    let lonely = flow::create(
        &store,
        &eng,
        NewRequest {
            title: "无人".into(),
            ..Default::default()
        },
        "aud1",
    )
    .unwrap();
    let both = [r.clone(), lonely.code.clone()];
    let e = flow::send(&store, &eng, &both, opts(date(2026, 12, 1)), &cal(), "aud1").unwrap_err();
    assert!(e.to_string().contains("no assignee"), "{e}");
    assert_eq!(state_of(&store, &eng, &r), State::Draft);
    // Assignees are the auditee's people.
    let e = flow::edit(
        &store,
        &eng,
        &r,
        flow::EditRequest {
            assignees: Some(vec!["aud1".into()]),
            ..Default::default()
        },
        "aud1",
    )
    .unwrap_err();
    assert!(e.to_string().contains("not a client"), "{e}");
    // The other client is not an assignee.
    let sent = request_in(&store, &eng, State::Open);
    let e = files::upload(&store, &eng, &sent, vec![file("x.pdf")], "cli2").unwrap_err();
    assert!(e.to_string().contains("no request"), "{e}");
}

#[test]
fn submitted_files_are_frozen_and_returns_keep_rejected_files_out() {
    let store = sqlite("requests-files");
    let eng = setup(&store);
    let id = engagement::resolve(&store, &eng).unwrap();
    let r = request_in(&store, &eng, State::Open);
    files::upload(
        &store,
        &eng,
        &r,
        vec![file("wrong.pdf"), file("right.pdf")],
        "cli1",
    )
    .unwrap();
    // Before submitting a file can be taken back.
    files::upload(&store, &eng, &r, vec![file("typo.pdf")], "cli1").unwrap();
    files::remove(&store, &eng, &r, 3, "cli1").unwrap();
    flow::submit(&store, &eng, &r, "cli1").unwrap();
    let e = files::remove(&store, &eng, &r, 1, "cli1").unwrap_err();
    assert!(
        e.to_string().contains("no request") || e.to_string().contains("cannot"),
        "{e}"
    );
    flow::return_submission(&store, &eng, &r, "wrong.pdf 不是本期的", &[1], "aud1").unwrap();
    // Returned: the client sees why; frozen files stay frozen.
    let ev = requests::events(&store, &id, &r, Role::Client).unwrap();
    let last = ev.last().unwrap();
    assert_eq!(
        (last.kind.as_str(), last.reason.as_deref()),
        ("returned", Some("wrong.pdf 不是本期的"))
    );
    let e = files::remove(&store, &eng, &r, 2, "cli1").unwrap_err();
    assert!(e.to_string().contains("frozen"), "{e}");
    files::upload(&store, &eng, &r, vec![file("right-2025.pdf")], "cli1").unwrap();
    flow::submit(&store, &eng, &r, "cli1").unwrap();
    let evidence = flow::accept(&store, &eng, &r, "aud1").unwrap();
    assert_eq!(
        evidence.len(),
        2,
        "right.pdf and right-2025.pdf, not the rejected one"
    );
    let fs = files::list(&store, &id, &r).unwrap();
    let names: Vec<_> = fs
        .iter()
        .map(|f| (f.name.as_str(), f.revision, f.evidence.is_some()))
        .collect();
    assert_eq!(
        names,
        [
            ("wrong.pdf", 1, false),
            ("right.pdf", 1, true),
            ("right-2025.pdf", 2, true)
        ]
    );
    // The files are on the checkpoint's working paper, and the vault gives them back.
    let paper = workpaper::get(&store, &eng, "G13.1").unwrap();
    assert_eq!(paper.evidence, evidence);
    let (item, bytes) = hegui_audit::vault::get(&store, &eng, &evidence[1]).unwrap();
    assert_eq!(item.name, "right-2025.pdf");
    assert_eq!(bytes, b"%PDF-1.7 right-2025.pdf");
    all_verify(&store);
}

#[test]
fn overdue_is_counted_on_the_official_calendar_across_the_spring_festival() {
    let store = sqlite("requests-overdue");
    let eng = setup(&store);
    let id = engagement::resolve(&store, &eng).unwrap();
    let cal = cal();
    // Sent on Wed 2026-02-11 with 5 working days: Thu 12, Fri 13, Sat 14 (make-up working
    // day), then the block 15–23, then Tue 24 and Wed 25.
    let r = draft(&store, &eng);
    let sent = flow::send(
        &store,
        &eng,
        std::slice::from_ref(&r),
        SendOptions {
            days: 5,
            review_days: 5,
            today: date(2026, 2, 11),
        },
        &cal,
        "aud1",
    )
    .unwrap();
    assert_eq!(sent.sent, [(r.clone(), "2026-02-25".to_string())]);
    let req = requests::get(&store, &id, &r, "aud1", Role::Auditor)
        .unwrap()
        .unwrap();
    let t = |d| timing::of(&req, d, &cal);
    assert!(!t(date(2026, 2, 25)).overdue, "due that day");
    assert!(t(date(2026, 2, 26)).overdue);
    // At risk three working days out: the Saturday make-up day counts, the holidays do not.
    assert_eq!(t(date(2026, 2, 14)).working_days_left, Some(2));
    assert!(t(date(2026, 2, 14)).at_risk);
    assert_eq!(t(date(2026, 2, 12)).working_days_left, Some(4));
    assert!(!t(date(2026, 2, 12)).at_risk);
    assert_eq!(timing::reminder_day(&req, &cal), Some(date(2026, 2, 13)));
    // A due date inside the block moves to the first working day after it.
    flow::edit(
        &store,
        &eng,
        &r,
        flow::EditRequest {
            due: Some(Some("2026-02-17".into())),
            ..Default::default()
        },
        "aud1",
    )
    .unwrap();
    let req = requests::get(&store, &id, &r, "aud1", Role::Auditor)
        .unwrap()
        .unwrap();
    assert!(
        !timing::of(&req, date(2026, 2, 24), &cal).overdue,
        "the 17th is a holiday: the 24th is the last day"
    );
    assert!(timing::of(&req, date(2026, 2, 25), &cal).overdue);
    // Submitted requests are never overdue: the client has answered.
    files::upload(&store, &eng, &r, vec![file("a.pdf")], "cli1").unwrap();
    flow::submit(&store, &eng, &r, "cli1").unwrap();
    let req = requests::get(&store, &id, &r, "aud1", Role::Auditor)
        .unwrap()
        .unwrap();
    assert!(!timing::of(&req, date(2026, 3, 30), &cal).overdue);
    // A year the calendar does not hold is compared as plain dates, and says so.
    let mut later = req.clone();
    later.state = State::Open;
    later.due = Some("2027-03-01".into());
    let t = timing::of(&later, date(2027, 3, 2), &cal);
    assert!(t.overdue && t.approximate);
}

#[test]
fn due_dates_stay_clear_of_the_deadline_less_review_time() {
    let store = sqlite("requests-deadline");
    let mut n = new(AuditKind::Ordered, "甲所", "lead1");
    n.trigger = Some(engagement::Trigger::MajorRisk);
    n.deadline = Some(date(2026, 12, 18));
    let eng = engagement::create(&store, &n).unwrap().code;
    for (name, role) in PEOPLE {
        hegui_audit::accounts::add(&store, name, name, "a long enough password 2026", false)
            .unwrap();
        members::set(&store, &eng, name, *role, None, "lead1").unwrap();
    }
    let r = draft(&store, &eng);
    let out = flow::send(
        &store,
        &eng,
        std::slice::from_ref(&r),
        opts(date(2026, 12, 7)),
        &cal(),
        "lead1",
    )
    .unwrap();
    // 10 working days from Mon 7 December is the 21st; the deadline (Fri 18th) less 5
    // working days is Fri 11th.
    assert_eq!(out.sent, [(r.clone(), "2026-12-11".to_string())]);
    assert_eq!(out.warnings.len(), 1);
    assert!(
        out.warnings[0].contains("2026-12-21") && out.warnings[0].contains("2026-12-18"),
        "{:?}",
        out.warnings
    );
}

#[test]
fn the_list_is_drawn_from_the_scope_once() {
    let store = sqlite("requests-generate");
    let eng = setup(&store);
    let made = requests::generate::from_scope(&store, &eng, "lead1").unwrap();
    let law = hegui_core::law::Law::get();
    let mut items: Vec<&String> = Vec::new();
    for s in engagement::scope(&store, &eng)
        .unwrap()
        .iter()
        .filter(|s| s.decision == "yes")
    {
        for e in &law
            .guideline
            .checkpoint(&s.checkpoint)
            .unwrap()
            .1
            .evidence_zh
        {
            if !items.contains(&e) {
                items.push(e);
            }
        }
    }
    assert_eq!(made.len(), items.len());
    assert!(made
        .iter()
        .all(|r| r.state == State::Draft && !r.checkpoints.is_empty()));
    // An item several checkpoints name is one request serving them all.
    assert!(made.iter().any(|r| r.checkpoints.len() > 1));
    assert!(requests::generate::from_scope(&store, &eng, "lead1")
        .unwrap()
        .is_empty());
    // Merging folds checkpoints together and cancels the merged draft.
    let (a, b) = (&made[0], &made[1]);
    let m = flow::merge(
        &store,
        &eng,
        &a.code,
        std::slice::from_ref(&b.code),
        "lead1",
    )
    .unwrap();
    assert!(b.checkpoints.iter().all(|c| m.checkpoints.contains(c)));
    assert_eq!(state_of(&store, &eng, &b.code), State::Cancelled);
    // Clients see none of the drafts.
    let id = engagement::resolve(&store, &eng).unwrap();
    assert!(requests::list(&store, &id, "cli1", Role::Client)
        .unwrap()
        .is_empty());
    let e = requests::generate::from_scope(&store, &eng, "rev1").unwrap_err();
    assert!(matches!(e, AuditError::Denied(_)));
}

#[test]
fn clients_never_see_drafts_internal_comments_or_drafting_events() {
    let store = sqlite("requests-client-view");
    let eng = setup(&store);
    let id = engagement::resolve(&store, &eng).unwrap();
    let hidden = request_in(&store, &eng, State::Draft);
    let shown = request_in(&store, &eng, State::Open);
    let seen: Vec<_> = requests::list(&store, &id, "cli1", Role::Client)
        .unwrap()
        .into_iter()
        .map(|r| r.code)
        .collect();
    assert_eq!(seen, std::slice::from_ref(&shown));
    assert!(
        requests::list(&store, &id, "cli2", Role::Client)
            .unwrap()
            .is_empty(),
        "not its request"
    );
    assert!(requests::get(&store, &id, &hidden, "cli1", Role::Client)
        .unwrap()
        .is_none());
    let on = On::Request(shown.clone());
    comments::add(
        &store,
        &eng,
        &on,
        Visibility::Internal,
        "客户回复慢，@lead1 跟进",
        "aud1",
    )
    .unwrap();
    comments::add(
        &store,
        &eng,
        &on,
        Visibility::Shared,
        "请 @cli1 提供 2025 年版本",
        "aud1",
    )
    .unwrap();
    let e = comments::add(&store, &eng, &on, Visibility::Internal, "内部", "cli1").unwrap_err();
    assert!(matches!(e, AuditError::Denied(_)));
    let e = comments::add(
        &store,
        &eng,
        &On::Request(hidden.clone()),
        Visibility::Shared,
        "?",
        "cli1",
    )
    .unwrap_err();
    assert!(e.to_string().contains("no request"), "{e}");
    let client_reads: Vec<_> = comments::on(&store, &id, &on, Role::Client)
        .unwrap()
        .into_iter()
        .map(|c| c.body)
        .collect();
    assert_eq!(client_reads, ["请 @cli1 提供 2025 年版本"]);
    assert_eq!(
        comments::on(&store, &id, &on, Role::Auditor).unwrap().len(),
        2
    );
    // The client's first comment starts the request.
    comments::add(
        &store,
        &eng,
        &on,
        Visibility::Shared,
        "收到，本周内提供",
        "cli1",
    )
    .unwrap();
    assert_eq!(state_of(&store, &eng, &shown), State::InProgress);
    let kinds: Vec<_> = requests::events(&store, &id, &shown, Role::Client)
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, ["sent", "started"]);
    // Mentions notify; an internal comment's mention of a client does not reach it.
    let cli = notify::inbox(&store, "cli1", false, 50).unwrap();
    assert!(cli.iter().any(|n| n.kind == "comment.mention"));
    assert!(cli
        .iter()
        .all(|n| n.kind != "comment.added" || n.subject == shown));
    assert!(notify::inbox(&store, "lead1", false, 50)
        .unwrap()
        .iter()
        .any(|n| n.kind == "comment.mention"));
    // Editing keeps what it said.
    let c = comments::on(&store, &id, &on, Role::Auditor).unwrap()[1].clone();
    let e = comments::edit(&store, &eng, c.seq, "改过", "lead1").unwrap_err();
    assert!(matches!(e, AuditError::Denied(_)));
    let edited = comments::edit(
        &store,
        &eng,
        c.seq,
        "请 @cli1 提供 2024 与 2025 年版本",
        "aud1",
    )
    .unwrap();
    assert_eq!(edited.history[0].body, "请 @cli1 提供 2025 年版本");
    all_verify(&store);
}

#[test]
fn an_open_review_note_holds_the_sign_off() {
    let store = sqlite("requests-notes");
    let eng = setup(&store);
    let edit = workpaper::Edit {
        add_procedures: vec!["审阅".into()],
        result: Some(workpaper::Conclusion::Compliant),
        ..Default::default()
    };
    workpaper::edit(&store, &eng, "G7", edit, "aud1").unwrap();
    workpaper::prepare(&store, &eng, "G7", "aud1").unwrap();
    let e = review_notes::raise(&store, &eng, "G7", "样本量依据？", "aud1").unwrap_err();
    assert!(
        matches!(e, AuditError::Denied(_)),
        "auditors answer notes, they do not raise them"
    );
    let rn = review_notes::raise(&store, &eng, "G7", "样本量依据？", "rev1").unwrap();
    let e = workpaper::review(&store, &eng, "G7", "rev1").unwrap_err();
    assert!(e.to_string().contains(&rn), "{e}");
    assert!(
        review_notes::step(&store, &eng, &rn, "cleared", None, "aud1").is_err(),
        "the preparer cannot clear"
    );
    review_notes::step(
        &store,
        &eng,
        &rn,
        "answered",
        Some("按 95% 置信度计算"),
        "aud1",
    )
    .unwrap();
    // Addressed is not cleared: still held.
    assert!(workpaper::review(&store, &eng, "G7", "rev1").is_err());
    review_notes::step(&store, &eng, &rn, "reopened", Some("请附计算表"), "rev1").unwrap();
    review_notes::step(&store, &eng, &rn, "answered", Some("已附"), "aud1").unwrap();
    review_notes::step(&store, &eng, &rn, "cleared", None, "rev1").unwrap();
    workpaper::review(&store, &eng, "G7", "rev1").unwrap();
    let note = &review_notes::list(&store, &eng, Some("G7")).unwrap()[0];
    let steps: Vec<_> = note.history.iter().map(|s| s.action.as_str()).collect();
    assert_eq!(
        steps,
        ["raised", "answered", "reopened", "answered", "cleared"]
    );
    assert!(notify::inbox(&store, "aud1", false, 10)
        .unwrap()
        .iter()
        .any(|n| n.kind == "note.raised"));
    all_verify(&store);
}

#[test]
fn reminders_and_one_digest_per_person_per_day() {
    let store = sqlite("requests-reminders");
    let eng = setup(&store);
    let cal = cal();
    let a = draft(&store, &eng);
    let b = draft(&store, &eng);
    // Both due Fri 2026-12-11 (5 working days after Fri 4th).
    let o = SendOptions {
        days: 5,
        review_days: 0,
        today: date(2026, 12, 4),
    };
    flow::send(&store, &eng, &[a.clone(), b.clone()], o, &cal, "aud1").unwrap();
    assert_eq!(
        reminders::run(&store, date(2026, 12, 7), &cal).unwrap(),
        reminders::Run::default()
    );
    // Tue 8th is three working days before: one reminder per request to its assignee, once.
    assert_eq!(
        reminders::run(&store, date(2026, 12, 8), &cal)
            .unwrap()
            .reminders,
        2
    );
    assert_eq!(
        reminders::run(&store, date(2026, 12, 9), &cal)
            .unwrap()
            .reminders,
        0
    );
    // Overdue from Mon 14th: the client and the requester each get one digest naming both.
    let run = reminders::run(&store, date(2026, 12, 14), &cal).unwrap();
    assert_eq!(run.digests, 2);
    assert_eq!(
        reminders::run(&store, date(2026, 12, 14), &cal)
            .unwrap()
            .digests,
        0,
        "once a day"
    );
    assert_eq!(
        reminders::run(&store, date(2026, 12, 15), &cal)
            .unwrap()
            .digests,
        2,
        "and again the next"
    );
    let digests: Vec<_> = notify::inbox(&store, "cli1", false, 100)
        .unwrap()
        .into_iter()
        .filter(|n| n.kind == "request.overdue_digest")
        .collect();
    assert_eq!(digests.len(), 2);
    assert_eq!(digests[0].detail["overdue"].as_array().unwrap().len(), 2);
    assert_eq!(notify::unread(&store, "cli1").unwrap(), 2 + 2 + 2);
    notify::mark_read(&store, "cli1", None).unwrap();
    assert_eq!(notify::unread(&store, "cli1").unwrap(), 0);
}

fn whole_loop(store: &Store, tag: &str) {
    let eng = setup(store);
    let id = engagement::resolve(store, &eng).unwrap();
    let made = requests::generate::from_scope(store, &eng, "lead1").unwrap();
    let codes: Vec<String> = made.iter().take(3).map(|r| r.code.clone()).collect();
    for c in &codes {
        flow::edit(
            store,
            &eng,
            c,
            flow::EditRequest {
                assignees: Some(vec!["cli1".into()]),
                ..Default::default()
            },
            "lead1",
        )
        .unwrap();
    }
    flow::send(
        store,
        &eng,
        &codes,
        opts(date(2026, 12, 1)),
        &cal(),
        "lead1",
    )
    .unwrap();
    let r = &codes[0];
    files::upload(store, &eng, r, vec![file("v1.pdf")], "cli1").unwrap();
    flow::submit(store, &eng, r, "cli1").unwrap();
    flow::return_submission(store, &eng, r, "缺少盖章", &[1], "aud1").unwrap();
    files::upload(store, &eng, r, vec![file("v2.pdf")], "cli1").unwrap();
    flow::submit(store, &eng, r, "cli1").unwrap();
    let ev = flow::accept(store, &eng, r, "aud1").unwrap();
    let cp = &made[0].checkpoints[0];
    assert_eq!(workpaper::get(store, &eng, cp).unwrap().evidence, ev);
    files::not_applicable(store, &eng, &codes[1], "本期未开展此类处理", "cli1").unwrap();
    flow::submit(store, &eng, &codes[1], "cli1").unwrap();
    flow::accept(store, &eng, &codes[1], "aud1").unwrap();
    assert_eq!(
        requests::list(store, &id, "cli1", Role::Client)
            .unwrap()
            .len(),
        3
    );
    all_verify(store);
    // An export carries the requests and imports whole elsewhere.
    let dump = hegui_audit::transfer::export(store, &eng, "lead1", "2026-12-06T08:00:00Z").unwrap();
    let other = sqlite(&format!("requests-import-{tag}"));
    hegui_audit::transfer::import(&other, &dump, "lead1", None).unwrap();
    all_verify(&other);
}

#[test]
fn the_whole_loop_on_sqlite() {
    whole_loop(&sqlite("requests-loop"), "sqlite");
}

#[test]
fn the_whole_loop_on_postgres() {
    if let Some((store, _db)) = postgres("requests") {
        whole_loop(&store, "postgres");
    }
}
