//! The store's schema, as the migrations that build it. A store records the ones applied
//! in `hegui_schema`; `Store::migrate` applies the rest in order, each in a transaction.
//! `{blob}` is the binary column type of the backend (BLOB, BYTEA).

/// Schema migrations, in order. Never edit one that has shipped: add a new one.
pub(crate) const MIGRATIONS: &[&str] = &[
    // 1: engagements, profile snapshots, extensions, scope, activity log.
    "CREATE TABLE engagements (
        id TEXT PRIMARY KEY,
        code TEXT NOT NULL UNIQUE,
        processor TEXT NOT NULL,
        kind TEXT NOT NULL,
        ordered_trigger TEXT,
        body TEXT,
        affiliates TEXT NOT NULL,
        lead_auditor TEXT,
        team TEXT NOT NULL,
        period_start TEXT NOT NULL,
        period_end TEXT NOT NULL,
        start_date TEXT NOT NULL,
        deadline TEXT,
        catalog TEXT NOT NULL,
        status TEXT NOT NULL,
        independence TEXT NOT NULL,
        override_reason TEXT,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL,
        log_len BIGINT NOT NULL,
        log_head TEXT NOT NULL
    );
    CREATE TABLE profile_snapshots (
        engagement_id TEXT NOT NULL,
        version BIGINT NOT NULL,
        taken_at TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        profile TEXT NOT NULL,
        PRIMARY KEY (engagement_id, version)
    );
    CREATE TABLE extensions (
        engagement_id TEXT NOT NULL,
        seq BIGINT NOT NULL,
        until_date TEXT NOT NULL,
        approval TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        PRIMARY KEY (engagement_id, seq)
    );
    CREATE TABLE scope (
        engagement_id TEXT NOT NULL,
        checkpoint TEXT NOT NULL,
        computed TEXT NOT NULL,
        reason TEXT NOT NULL,
        decision TEXT NOT NULL,
        decision_reason TEXT,
        decided_by TEXT,
        PRIMARY KEY (engagement_id, checkpoint)
    );
    CREATE TABLE activity (
        engagement_id TEXT NOT NULL,
        seq BIGINT NOT NULL,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        detail TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL,
        PRIMARY KEY (engagement_id, seq)
    )",
    // 2: working papers, findings, the rectification ledger.
    "CREATE TABLE working_papers (
        engagement_id TEXT NOT NULL,
        checkpoint TEXT NOT NULL,
        procedures TEXT NOT NULL,
        population TEXT,
        sample TEXT,
        evidence TEXT NOT NULL,
        result TEXT NOT NULL,
        observations TEXT NOT NULL,
        status TEXT NOT NULL,
        prepared_by TEXT,
        prepared_at TEXT,
        reviewed_by TEXT,
        reviewed_at TEXT,
        revision BIGINT NOT NULL,
        PRIMARY KEY (engagement_id, checkpoint)
    );
    CREATE TABLE findings (
        engagement_id TEXT NOT NULL,
        code TEXT NOT NULL,
        checkpoint TEXT NOT NULL,
        severity TEXT NOT NULL,
        title TEXT NOT NULL,
        description TEXT NOT NULL,
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (engagement_id, code)
    );
    CREATE TABLE rectifications (
        engagement_id TEXT NOT NULL,
        finding TEXT NOT NULL,
        seq BIGINT NOT NULL,
        owner TEXT NOT NULL,
        measure TEXT NOT NULL,
        due TEXT NOT NULL,
        status TEXT NOT NULL,
        verification TEXT,
        closed_on TEXT,
        PRIMARY KEY (engagement_id, finding, seq)
    );
    ALTER TABLE engagements ADD COLUMN rectification_done TEXT;
    ALTER TABLE engagements ADD COLUMN rectification_report_due TEXT",
    // 3: the evidence vault: per-engagement keys, encrypted content-addressed blobs, and
    // evidence records. {blob} is BLOB (SQLite) or BYTEA (PostgreSQL).
    "CREATE TABLE engagement_keys (
        engagement_id TEXT PRIMARY KEY,
        key_bytes {blob} NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE evidence_blobs (
        engagement_id TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        nonce {blob} NOT NULL,
        ciphertext {blob} NOT NULL,
        PRIMARY KEY (engagement_id, sha256)
    );
    CREATE TABLE evidence (
        engagement_id TEXT NOT NULL,
        code TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        name TEXT NOT NULL,
        size BIGINT NOT NULL,
        kind TEXT NOT NULL,
        collector TEXT NOT NULL,
        collected_at TEXT NOT NULL,
        effective_date TEXT,
        source TEXT NOT NULL,
        description TEXT NOT NULL,
        checkpoints TEXT NOT NULL,
        PRIMARY KEY (engagement_id, code)
    )",
    // 4: closing and deletion records (what remains of a purged engagement).
    "ALTER TABLE engagements ADD COLUMN closed_at TEXT;
    CREATE TABLE deletion_records (
        code TEXT PRIMARY KEY,
        purged_at TEXT NOT NULL,
        record TEXT NOT NULL,
        public_key TEXT NOT NULL,
        signature TEXT NOT NULL
    )",
    // 5: the log binds the state: each entry carries the digests of the rows it wrote
    // (`crate::state`). Existing engagements get a logged baseline of their rows in the
    // same transaction (see `Store::migrate`).
    "ALTER TABLE activity ADD COLUMN state TEXT",
    // 6: the people of `hegui serve`: accounts (argon2id, TOTP), sessions (only the token's
    // SHA-256), each engagement's members with their roles (logged like its other rows),
    // the instance's settings (a demo store's relaxed second factor), and the instance's
    // own hash-chained log (sign-ins, account changes).
    "CREATE TABLE users (
        name TEXT PRIMARY KEY,
        display_name TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        totp_secret TEXT,
        totp_last_step BIGINT,
        is_admin BIGINT NOT NULL,
        disabled BIGINT NOT NULL,
        failed_signins BIGINT NOT NULL,
        locked_until TEXT,
        created_at TEXT NOT NULL
    );
    CREATE TABLE sessions (
        token_sha256 TEXT PRIMARY KEY,
        user_name TEXT NOT NULL,
        stage TEXT NOT NULL,
        pending_totp TEXT,
        created_at TEXT NOT NULL,
        last_seen TEXT NOT NULL
    );
    CREATE INDEX sessions_user ON sessions (user_name);
    CREATE TABLE memberships (
        engagement_id TEXT NOT NULL,
        user_name TEXT NOT NULL,
        role TEXT NOT NULL,
        added_by TEXT NOT NULL,
        added_at TEXT NOT NULL,
        expires_on TEXT,
        PRIMARY KEY (engagement_id, user_name)
    );
    CREATE INDEX memberships_user ON memberships (user_name);
    CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE instance_log (
        seq BIGINT PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        detail TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    );",
    // 7: what `hegui serve` adds to an engagement and an account: reports rendered in the
    // browser (encrypted under the engagement's key like evidence, with the signature
    // file their signatories made), working papers assigned to auditors (both logged like
    // the engagement's other rows), and personal access tokens for the API (only the
    // token's SHA-256, scoped to engagements, expiring).
    "CREATE TABLE reports (
        engagement_id TEXT NOT NULL,
        code TEXT NOT NULL,
        kind TEXT NOT NULL,
        format TEXT NOT NULL,
        lang TEXT NOT NULL,
        name TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        size BIGINT NOT NULL,
        nonce {blob} NOT NULL,
        ciphertext {blob} NOT NULL,
        rendered_by TEXT NOT NULL,
        rendered_at TEXT NOT NULL,
        unverified BIGINT NOT NULL,
        signatures TEXT,
        PRIMARY KEY (engagement_id, code)
    );
    CREATE TABLE assignments (
        engagement_id TEXT NOT NULL,
        checkpoint TEXT NOT NULL,
        user_name TEXT NOT NULL,
        assigned_by TEXT NOT NULL,
        assigned_at TEXT NOT NULL,
        PRIMARY KEY (engagement_id, checkpoint)
    );
    CREATE TABLE access_tokens (
        token_sha256 TEXT PRIMARY KEY,
        user_name TEXT NOT NULL,
        label TEXT NOT NULL,
        engagements TEXT NOT NULL,
        read_only BIGINT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        last_used TEXT,
        revoked BIGINT NOT NULL
    );
    CREATE INDEX access_tokens_user ON access_tokens (user_name)",
    // 8: working with the auditee (WEB.md "Evidence requests"): requests for evidence with
    // their append-only events and the files the client uploaded (content in the vault's
    // blobs), comments on requests, papers and findings, review notes on working papers
    // (all logged like the engagement's other rows); the in-app inbox and the marks that
    // keep a reminder or digest from going out twice (per person, not logged); an e-mail
    // address for a user.
    "CREATE TABLE requests (
        engagement_id TEXT NOT NULL,
        code TEXT NOT NULL,
        title TEXT NOT NULL,
        description TEXT NOT NULL,
        checkpoints TEXT NOT NULL,
        format TEXT NOT NULL,
        period_from TEXT,
        period_to TEXT,
        assignees TEXT NOT NULL,
        requested_by TEXT NOT NULL,
        due TEXT,
        priority TEXT NOT NULL,
        sensitive BIGINT NOT NULL,
        state TEXT NOT NULL,
        na_reason TEXT,
        revision BIGINT NOT NULL,
        created_at TEXT NOT NULL,
        sent_at TEXT,
        PRIMARY KEY (engagement_id, code)
    );
    CREATE TABLE request_events (
        engagement_id TEXT NOT NULL,
        code TEXT NOT NULL,
        seq BIGINT NOT NULL,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        kind TEXT NOT NULL,
        state TEXT NOT NULL,
        reason TEXT,
        PRIMARY KEY (engagement_id, code, seq)
    );
    CREATE TABLE request_files (
        engagement_id TEXT NOT NULL,
        code TEXT NOT NULL,
        seq BIGINT NOT NULL,
        name TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        size BIGINT NOT NULL,
        uploaded_by TEXT NOT NULL,
        received_at TEXT NOT NULL,
        effective_date TEXT,
        revision BIGINT NOT NULL,
        frozen BIGINT NOT NULL,
        rejected BIGINT NOT NULL,
        evidence TEXT,
        PRIMARY KEY (engagement_id, code, seq)
    );
    CREATE TABLE comments (
        engagement_id TEXT NOT NULL,
        seq BIGINT NOT NULL,
        on_kind TEXT NOT NULL,
        on_ref TEXT NOT NULL,
        visibility TEXT NOT NULL,
        author TEXT NOT NULL,
        body TEXT NOT NULL,
        mentions TEXT NOT NULL,
        created_at TEXT NOT NULL,
        edited_at TEXT,
        history TEXT NOT NULL,
        PRIMARY KEY (engagement_id, seq)
    );
    CREATE TABLE review_notes (
        engagement_id TEXT NOT NULL,
        code TEXT NOT NULL,
        checkpoint TEXT NOT NULL,
        body TEXT NOT NULL,
        state TEXT NOT NULL,
        raised_by TEXT NOT NULL,
        raised_at TEXT NOT NULL,
        history TEXT NOT NULL,
        PRIMARY KEY (engagement_id, code)
    );
    CREATE TABLE notifications (
        user_name TEXT NOT NULL,
        seq BIGINT NOT NULL,
        engagement_id TEXT NOT NULL,
        at TEXT NOT NULL,
        kind TEXT NOT NULL,
        subject TEXT NOT NULL,
        actor TEXT NOT NULL,
        detail TEXT NOT NULL,
        read_at TEXT,
        mailed_at TEXT,
        PRIMARY KEY (user_name, seq)
    );
    CREATE INDEX notifications_engagement ON notifications (engagement_id);
    CREATE TABLE notice_marks (
        mark TEXT PRIMARY KEY,
        at TEXT NOT NULL
    );
    ALTER TABLE users ADD COLUMN email TEXT",
    // 9: content larger than one chunk (1 MiB) is stored in chunks, each encrypted on its
    // own (`vault::chunks`), so an upload is never held whole in memory; its row in
    // evidence_blobs then has an empty nonce and ciphertext. Logged like the blobs.
    "CREATE TABLE evidence_chunks (
        engagement_id TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        seq BIGINT NOT NULL,
        nonce {blob} NOT NULL,
        ciphertext {blob} NOT NULL,
        PRIMARY KEY (engagement_id, sha256, seq)
    )",
];
