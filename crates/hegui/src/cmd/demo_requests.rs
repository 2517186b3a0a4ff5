//! Step 8 of `hegui demo`: working with the auditee. The lead drafts the evidence requests
//! from the scope and sends some to the processor's PIPO; the client answers; the auditor
//! returns one and accepts another — so the demo store has a request in every state (one of
//! them overdue), a comment, and an open review note.

use anyhow::Result;

use super::demo::Runner;

/// Files the client "uploads" (short stand-ins for the real documents).
const FILES: &[(&str, &[u8])] = &[
    (
        "同意记录导出.csv",
        "时间,账号,规则版本,操作\n2025-06-01 09:00,u***1,v3,同意\n".as_bytes(),
    ),
    (
        "处理规则变更记录.pdf",
        b"%PDF-1.4\n% demo: change log of the processing rules\n",
    ),
    (
        "重新同意通知-2025上半年.pdf",
        b"%PDF-1.4\n% demo: re-consent notices, first half of 2025\n",
    ),
    (
        "单独同意清单-盖章版.pdf",
        b"%PDF-1.4\n% demo: separate-consent list, sealed\n",
    ),
];

pub(super) fn requests(r: &Runner, code: &str) -> Result<()> {
    println!("\n# 8. Evidence requests to the auditee (PBC): one in every state");
    let act = |who: &str, args: &[&str]| -> Result<String> {
        let mut all = vec!["engagement", "--actor", who];
        all.extend_from_slice(args);
        r.run(&all)
    };
    for (name, bytes) in FILES {
        std::fs::write(r.dir().join(name), bytes)?;
    }
    act("lead", &["request", "generate", code])?;
    for pbc in [
        "PBC-001", "PBC-002", "PBC-003", "PBC-004", "PBC-005", "PBC-006",
    ] {
        act(
            "lead",
            &["request", "edit", code, pbc, "--assignee", "client"],
        )?;
    }
    act(
        "lead",
        &[
            "request", "send", code, "PBC-001", "PBC-002", "PBC-003", "PBC-004", "PBC-005",
            "PBC-006",
        ],
    )?;
    // PBC-001 stays open, and was due before today: overdue.
    act(
        "lead",
        &["request", "edit", code, "PBC-001", "--due", "2026-11-20"],
    )?;
    // PBC-002: the client has begun.
    act(
        "client",
        &[
            "request",
            "upload",
            code,
            "PBC-002",
            FILES[0].0,
            "--effective",
            "2025-12-31",
        ],
    )?;
    act(
        "client",
        &[
            "comment",
            "add",
            code,
            "PBC-002",
            "已导出上半年记录，下半年仍在准备。@lead",
        ],
    )?;
    // PBC-003: submitted, waiting for the team.
    act(
        "client",
        &["request", "upload", code, "PBC-003", FILES[1].0],
    )?;
    act("client", &["request", "submit", code, "PBC-003"])?;
    // PBC-004: returned with a reason.
    act(
        "client",
        &["request", "upload", code, "PBC-004", FILES[2].0],
    )?;
    act("client", &["request", "submit", code, "PBC-004"])?;
    act(
        "auditor",
        &[
            "request",
            "return",
            code,
            "PBC-004",
            "--reason",
            "缺少 2025 年下半年的通知记录",
        ],
    )?;
    // PBC-005: accepted; its file is now evidence on the checkpoint's working paper.
    act(
        "client",
        &["request", "upload", code, "PBC-005", FILES[3].0],
    )?;
    act("client", &["request", "submit", code, "PBC-005"])?;
    act("auditor", &["request", "accept", code, "PBC-005"])?;
    // PBC-006: cancelled.
    act(
        "lead",
        &[
            "request",
            "cancel",
            code,
            "PBC-006",
            "--reason",
            "本期不涉及",
        ],
    )?;
    // A review note the preparer still has to answer.
    act(
        "reviewer",
        &[
            "note",
            "raise",
            code,
            "G13.4",
            "抽样总体是否包含已注销账户？",
        ],
    )?;
    println!("(PBC-001 open and overdue, PBC-002 in progress, PBC-003 submitted, PBC-004 returned, PBC-005 accepted, PBC-006 cancelled, the rest drafts)");
    Ok(())
}
