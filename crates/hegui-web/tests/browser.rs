//! The application in a real browser (Debian's chromium and chromedriver; `.ci/run`
//! installs them, and elsewhere the test says it was skipped): an auditor signs in with a
//! TOTP code it enrols, edits and prepares a working paper, uploads evidence; the reviewer
//! signs in, reviews, renders the PDF report and downloads it; the auditee sees its
//! findings and not the papers. Then the evidence-request loop: the lead drafts the list
//! from the scope and sends one; the client uploads and submits; the auditor returns it;
//! the client resubmits; the auditor accepts, and the file is on the working paper. A
//! screenshot of each page goes to `target/browser-screenshots/`.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use hegui_audit::accounts;
use hegui_audit::engagement::{self};
use hegui_audit::findings::{self, Severity};
use hegui_audit::members::{self, Role};
use hegui_audit::store::Store;
use jiff::civil::date;

const PASSWORD: &str = "审计工作底稿2026!";

fn tools() -> Option<(PathBuf, PathBuf)> {
    let driver = PathBuf::from("/usr/bin/chromedriver");
    let browser = ["/usr/lib/chromium/chromium", "/usr/bin/chromium"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists());
    match (driver.exists(), browser) {
        (true, Some(b)) => Some((driver, b)),
        _ => {
            let msg = "chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)";
            assert!(
                std::env::var_os("CI").is_none(),
                "{msg} (.ci/run installs them)"
            );
            eprintln!("SKIPPED: {msg}");
            None
        }
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn setup(dir: &Path) -> (Arc<Store>, String) {
    let store = Store::open(dir.join("hegui.db").to_str().unwrap()).unwrap();
    let n = hegui_audit::testing::engagement("lead");
    let e = engagement::create(&store, &n).unwrap();
    for (name, display, role) in [
        ("lead", "王五", Role::Lead),
        ("auditor", "审计员甲", Role::Auditor),
        ("reviewer", "复核员乙", Role::Reviewer),
        ("client", "被审计单位", Role::Client),
    ] {
        accounts::add(&store, name, display, PASSWORD, false).unwrap();
        members::set(&store, &e.code, name, role, None, "lead").unwrap();
    }
    let f = findings::add(
        &store,
        &e.code,
        "G13.4",
        Severity::High,
        "未事前开展影响评估",
        "",
        "auditor",
    )
    .unwrap();
    findings::add_item(
        &store,
        &e.code,
        &f,
        "合规部",
        "补做影响评估",
        date(2030, 12, 31),
        "auditor",
    )
    .unwrap();
    findings::add(
        &store,
        &e.code,
        "G3.1",
        Severity::Low,
        "内部草稿问题",
        "",
        "auditor",
    )
    .unwrap();
    (Arc::new(store), e.code)
}

/// Enrols a second factor for an account directly; returns its secret.
fn enrolled(store: &Store, name: &str) -> String {
    let secret = accounts::new_totp_secret().unwrap();
    let code = accounts::totp_code(&secret, now()).unwrap();
    accounts::enrol_totp(store, name, &secret, &code).unwrap();
    secret
}

fn now() -> u64 {
    jiff::Timestamp::now().as_second() as u64
}

struct Run {
    c: Client,
    base: String,
    shots: PathBuf,
    n: usize,
}

impl Run {
    async fn shot(&mut self, name: &str) {
        self.n += 1;
        let png = self.c.screenshot().await.unwrap();
        std::fs::write(self.shots.join(format!("{:02}-{name}.png", self.n)), png).unwrap();
    }
    async fn go(&self, path: &str) {
        self.c.goto(&format!("{}{path}", self.base)).await.unwrap();
    }
    async fn fill(&self, css: &str, text: &str) {
        let e = self.c.find(Locator::Css(css)).await.unwrap();
        e.clear().await.unwrap();
        e.send_keys(text).await.unwrap();
    }
    async fn click(&self, css: &str) {
        self.c
            .find(Locator::Css(css))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }
    /// Clicks a button that submits a form and waits for the next page to load: the old
    /// page's body goes stale, then the new document is complete.
    async fn submit(&self, css: &str) {
        let old = self.c.find(Locator::Css("body")).await.unwrap();
        self.click(css).await;
        for _ in 0..200 {
            if old.tag_name().await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        for _ in 0..200 {
            let state = self
                .c
                .execute("return document.readyState", vec![])
                .await
                .unwrap();
            if state == "complete" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
    async fn page(&self) -> String {
        self.c.source().await.unwrap()
    }
    async fn sign_in(&self, name: &str) {
        self.go("/signin").await;
        self.fill("input[name=name]", name).await;
        self.fill("input[name=password]", PASSWORD).await;
        self.submit("form.stack button").await;
    }
    async fn sign_out(&self) {
        self.submit("header form button").await;
    }
    /// Becomes `name` with a fresh session cookie (the sign-in flow itself is driven
    /// above; a TOTP code cannot be used twice in one 30-second step).
    async fn become_(&self, store: &Arc<Store>, name: &str) {
        let (st, n) = (store.clone(), name.to_string());
        let token = tokio::task::spawn_blocking(move || {
            accounts::start_session(&st, &n, accounts::Stage::Full, None)
        })
        .await
        .unwrap()
        .unwrap();
        self.go("/signin").await;
        self.c.delete_all_cookies().await.unwrap();
        // WebDriver's add-cookie insists on a domain, which a `__Host-` cookie may not have:
        // the page sets it as the server would (Secure, Path=/).
        let set = format!(
            "document.cookie = '__Host-hegui_session={token}; Path=/; Secure; SameSite=Lax'"
        );
        self.c.execute(&set, vec![]).await.unwrap();
    }
    /// Opens the `<details>` around `css` so its form can be filled.
    async fn open_details(&self, summary_text: &str) {
        for s in self
            .c
            .find_all(Locator::Css("details > summary"))
            .await
            .unwrap()
        {
            if s.text().await.unwrap().contains(summary_text) {
                s.click().await.unwrap();
                return;
            }
        }
        panic!("no <details> summary {summary_text:?}");
    }
}

#[test]
fn the_audit_team_in_a_real_browser() {
    let Some((driver, browser)) = tools() else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("hegui-browser-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/browser-screenshots");
    let _ = std::fs::remove_dir_all(&shots);
    std::fs::create_dir_all(&shots).unwrap();
    eprintln!("screenshots: {}", shots.display());
    let (store, code) = setup(&dir);
    let reviewer_secret = enrolled(&store, "reviewer");
    let _client_secret = enrolled(&store, "client");
    let downloads = dir.join("downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    let files = dir.join("files");
    std::fs::create_dir_all(&files).unwrap();
    let pdf = dir.join("隐私政策.pdf");
    std::fs::write(&pdf, b"%PDF-1.7\n% privacy policy as published\n").unwrap();

    let dport = free_port();
    let _driver = Driver(
        Command::new(&driver)
            .arg(format!("--port={dport}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
        let state = hegui_web::AppState::new(store.clone(), true);
        tokio::spawn(async move { axum::serve(listener, hegui_web::router(state)).await.unwrap() });
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": browser,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,1000", "--lang=zh-CN"],
                "prefs": {
                    "download.default_directory": downloads.to_str().unwrap(),
                    "download.prompt_for_download": false
                }
            }),
        );
        let mut c = None;
        for _ in 0..50 {
            match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{dport}"))
                .await
            {
                Ok(client) => {
                    c = Some(client);
                    break;
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
        let mut r = Run { c: c.expect("chromedriver did not start"), base, shots, n: 0 };

        // The auditor: password, then enrolment of a TOTP second factor from the QR code.
        r.sign_in("auditor").await;
        assert!(r.c.current_url().await.unwrap().path().ends_with("/signin/enrol"));
        assert!(r.page().await.contains("<svg"));
        r.shot("enrol").await;
        let token = r.c.get_named_cookie("__Host-hegui_session").await.unwrap().value().to_string();
        let st = store.clone();
        let secret = tokio::task::spawn_blocking(move || accounts::session(&st, &token))
            .await
            .unwrap()
            .unwrap()
            .unwrap()
            .pending_totp
            .unwrap();
        r.fill("input[name=code]", &accounts::totp_code(&secret, now()).unwrap()).await;
        r.submit("form.stack button").await;
        assert!(r.page().await.contains("我的工作"));
        r.shot("my-work").await;
        // The engagement, then a working paper: edit, prepare.
        r.go(&format!("/e/{code}")).await;
        assert!(r.page().await.contains("审计范围"));
        r.shot("dashboard").await;
        r.go(&format!("/e/{code}/c/G13.4")).await;
        r.fill("input[name=procedure]", "抽查授信业务的影响评估报告").await;
        r.c.find(Locator::Css("select[name=result] option[value=non_compliant]")).await.unwrap().click().await.unwrap();
        r.fill("textarea[name=observations]", "两项授信产品未事前评估").await;
        r.submit("form.stack button").await;
        r.submit(&format!("form[action='/e/{code}/c/G13.4/prepare'] button")).await;
        assert!(r.page().await.contains("已编制"));
        r.shot("checkpoint-prepared").await;
        // Evidence.
        r.go(&format!("/e/{code}/evidence")).await;
        r.c.find(Locator::Css("input[type=file]")).await.unwrap().send_keys(pdf.to_str().unwrap()).await.unwrap();
        r.fill("input[name=source]", "官网").await;
        r.fill("input[name=checkpoint]", "G3.1").await;
        r.submit("form.stack button").await;
        let page = r.page().await;
        assert!(page.contains("EV-001") && page.contains("隐私政策.pdf"), "{page}");
        r.shot("evidence").await;
        r.sign_out().await;

        // The reviewer: password and a code, then the review.
        r.sign_in("reviewer").await;
        r.fill("input[name=code]", &accounts::totp_code(&reviewer_secret, now() + 30).unwrap()).await;
        r.submit("form.stack button").await;
        r.go(&format!("/e/{code}/c/G13.4")).await;
        r.submit(&format!("form[action='/e/{code}/c/G13.4/review'] button")).await;
        assert!(r.page().await.contains("已复核"));
        r.shot("checkpoint-reviewed").await;
        // The report: rendered as a PDF (DOCX in a build without the pdf feature), then
        // downloaded by the browser into its download folder.
        r.go(&format!("/e/{code}/reports")).await;
        let format = if r.page().await.contains("value=\"pdf\"") { "pdf" } else { "docx" };
        r.c.find(Locator::Css(&format!("select[name=format] option[value={format}]"))).await.unwrap().click().await.unwrap();
        r.submit(&format!("form[action='/e/{code}/reports'] button")).await;
        let page = r.page().await;
        assert!(page.contains("R-001") && page.contains(&format!("R-001-audit.{format}")), "{page}");
        r.shot("reports").await;
        r.c.find(Locator::Css("a[href$='/reports/R-001']")).await.unwrap().click().await.unwrap();
        let mut got = None;
        for _ in 0..100 {
            got = std::fs::read_dir(&downloads).unwrap().flatten().map(|e| e.path()).find(|p| {
                p.extension().is_some_and(|x| x == format)
            });
            if got.is_some() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let file = got.expect("the report was downloaded");
        let head = std::fs::read(&file).unwrap();
        assert!(head.starts_with(if format == "pdf" { b"%PDF" } else { b"PK\x03\x04" }));
        r.go(&format!("/e/{code}/log")).await;
        assert!(r.page().await.contains("日志完整"));
        r.shot("log").await;
        r.sign_out().await;

        // The auditee: its findings, not the papers.
        r.sign_in("client").await;
        r.fill("input[name=code]", &accounts::totp_code(&_client_secret, now() + 30).unwrap()).await;
        r.submit("form.stack button").await;
        r.go(&format!("/e/{code}/findings")).await;
        let page = r.page().await;
        assert!(page.contains("未事前开展影响评估") && !page.contains("内部草稿问题"));
        r.shot("client-findings").await;
        r.go(&format!("/e/{code}/c/G13.4")).await;
        assert!(r.page().await.contains("页面不存在"));

        // Evidence requests. The lead drafts the list from the scope and sends PBC-001.
        r.become_(&store, "lead").await;
        r.go(&format!("/e/{code}/requests")).await;
        r.submit(&format!("form[action='/e/{code}/requests/generate'] button")).await;
        assert!(r.page().await.contains("PBC-002"));
        r.go(&format!("/e/{code}/requests/PBC-001")).await;
        r.open_details("修改请求").await;
        r.fill("input[name=assignees]", "client").await;
        r.submit(&format!("form[action='/e/{code}/requests/PBC-001'] button")).await;
        r.go(&format!("/e/{code}/requests")).await;
        r.click("input[name=pbc][value=PBC-001]").await;
        r.submit(&format!("form[action='/e/{code}/requests/send'] button")).await;
        assert!(r.page().await.contains("待提供"));
        r.shot("requests-board").await;
        // The client sees it (and no draft), uploads and submits.
        let policy = files.join("同意记录.pdf");
        std::fs::write(&policy, b"%PDF-1.7\n% consent records, first half\n").unwrap();
        let (st, c2) = (store.clone(), code.clone());
        tokio::task::spawn_blocking(move || {
            let on = hegui_audit::comments::On::Request("PBC-001".into());
            let internal = hegui_audit::comments::Visibility::Internal;
            hegui_audit::comments::add(&st, &c2, &on, internal, "INTERNAL-NOTE-4e1", "auditor").unwrap();
            hegui_audit::review_notes::raise(&st, &c2, "G13.4", "REVIEW-NOTE-8b2", "reviewer").unwrap();
        })
        .await
        .unwrap();
        r.become_(&store, "client").await;
        r.go(&format!("/e/{code}/requests")).await;
        let page = r.page().await;
        assert!(page.contains("PBC-001") && !page.contains("PBC-002"), "{page}");
        r.go(&format!("/e/{code}/requests/PBC-001")).await;
        assert!(!r.page().await.contains("INTERNAL-NOTE-4e1"), "an internal comment reached the client");
        r.go(&format!("/e/{code}/findings")).await;
        assert!(!r.page().await.contains("REVIEW-NOTE-8b2"));
        r.go(&format!("/e/{code}/requests/PBC-001")).await;
        r.c.find(Locator::Css("input[type=file]")).await.unwrap().send_keys(policy.to_str().unwrap()).await.unwrap();
        r.submit(&format!("form[action='/e/{code}/requests/PBC-001/files'] button")).await;
        r.submit(&format!("form[action='/e/{code}/requests/PBC-001/submit'] button")).await;
        assert!(r.page().await.contains("已提交"));
        r.shot("request-client-submitted").await;
        // The auditor returns it: the file does not serve.
        r.become_(&store, "auditor").await;
        r.go(&format!("/e/{code}/requests/PBC-001")).await;
        r.click("input[name=reject][value='1']").await;
        r.fill(&format!("form[action='/e/{code}/requests/PBC-001/return'] textarea"), "只有上半年的记录，请补充全年").await;
        r.submit(&format!("form[action='/e/{code}/requests/PBC-001/return'] button")).await;
        assert!(r.page().await.contains("已退回"));
        // The client reads why and resubmits with the whole year.
        let whole = files.join("同意记录-全年.pdf");
        std::fs::write(&whole, b"%PDF-1.7\n% consent records, whole year\n").unwrap();
        r.become_(&store, "client").await;
        r.go(&format!("/e/{code}/requests/PBC-001")).await;
        assert!(r.page().await.contains("只有上半年的记录"));
        r.c.find(Locator::Css("input[type=file]")).await.unwrap().send_keys(whole.to_str().unwrap()).await.unwrap();
        r.submit(&format!("form[action='/e/{code}/requests/PBC-001/files'] button")).await;
        r.submit(&format!("form[action='/e/{code}/requests/PBC-001/submit'] button")).await;
        // The auditor accepts: the file is evidence on the working paper.
        r.become_(&store, "auditor").await;
        r.go(&format!("/e/{code}/requests/PBC-001")).await;
        r.submit(&format!("form[action='/e/{code}/requests/PBC-001/accept'] button")).await;
        let page = r.page().await;
        assert!(page.contains("已接受") && page.contains("EV-002"), "{page}");
        r.shot("request-accepted").await;
        let st = store.clone();
        let c2 = code.clone();
        let cp = tokio::task::spawn_blocking(move || {
            let id = engagement::resolve(&st, &c2).unwrap();
            hegui_audit::requests::get(&st, &id, "PBC-001", "lead", Role::Lead).unwrap().unwrap().checkpoints[0].clone()
        })
        .await
        .unwrap();
        r.go(&format!("/e/{code}/c/{cp}")).await;
        let page = r.page().await;
        assert!(page.contains("EV-002") && page.contains("PBC-001"), "{page}");
        r.shot("checkpoint-with-accepted-file").await;
        r.c.close().await.unwrap();
    });
    assert!(hegui_audit::verify::engagement(
        &Store::open(dir.join("hegui.db").to_str().unwrap()).unwrap(),
        "ENG-2026-001"
    )
    .unwrap()
    .ok());
    let _ = std::fs::remove_dir_all(&dir);
}
