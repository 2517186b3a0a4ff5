//! What the web tests share: a store per test, the application behind its router, requests
//! with and without a session, and the helpers to read responses.
#![allow(dead_code)]

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Request, Response};
use hegui_audit::accounts::{self, Stage};
use hegui_audit::engagement::NewEngagement;
use hegui_audit::store::Store;
use hegui_web::AppState;
use http_body_util::BodyExt;
use tower::ServiceExt;

pub const PASSWORD: &str = "审计工作底稿2026!";

pub fn sqlite(name: &str) -> Store {
    let dir = std::env::temp_dir().join(format!("hegui-web-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    Store::open(dir.join("hegui.db").to_str().unwrap()).unwrap()
}

pub fn new_engagement(lead: &str) -> NewEngagement {
    hegui_audit::testing::engagement(lead)
}

pub struct App {
    pub state: AppState,
}

impl App {
    pub fn new(store: Store) -> App {
        App {
            state: AppState::new(Arc::new(store), true),
        }
    }

    pub fn store(&self) -> &Store {
        &self.state.store
    }

    pub fn send(&self, req: Request<Body>) -> Response<Body> {
        let router = hegui_web::router(self.state.clone());
        rt().block_on(router.oneshot(req)).unwrap()
    }

    pub fn get(&self, path: &str, cookie: Option<&str>) -> Response<Body> {
        let mut b = Request::get(path).header(header::HOST, "127.0.0.1");
        if let Some(c) = cookie {
            b = b.header(header::COOKIE, format!("__Host-hegui_session={c}"));
        }
        self.send(b.body(Body::empty()).unwrap())
    }

    pub fn post(&self, path: &str, form: &str, cookie: Option<&str>) -> Response<Body> {
        let mut b = Request::post(path)
            .header(header::HOST, "127.0.0.1")
            .header("sec-fetch-site", "same-origin")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(c) = cookie {
            b = b.header(header::COOKIE, format!("__Host-hegui_session={c}"));
        }
        self.send(b.body(Body::from(form.to_string())).unwrap())
    }

    /// A signed-in session for an account (made directly: the flow has its own test).
    pub fn session(&self, name: &str) -> String {
        accounts::start_session(self.store(), name, Stage::Full, None).unwrap()
    }
}

pub fn rt() -> &'static tokio::runtime::Runtime {
    static RT: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
    })
}

pub fn body(r: Response<Body>) -> String {
    let bytes = rt().block_on(r.into_body().collect()).unwrap().to_bytes();
    String::from_utf8_lossy(&bytes).into_owned()
}

pub fn cookie_of(r: &Response<Body>) -> Option<String> {
    let v = r.headers().get(header::SET_COOKIE)?.to_str().ok()?;
    let token = v.strip_prefix("__Host-hegui_session=")?.split(';').next()?;
    (!token.is_empty()).then(|| token.to_string())
}

pub fn location(r: &Response<Body>) -> &str {
    r.headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

pub fn now() -> u64 {
    jiff::Timestamp::now().as_second() as u64
}

pub fn form(password: &str) -> String {
    format!(
        "name=alice&password={}",
        password
            .bytes()
            .map(|b| format!("%{b:02X}"))
            .collect::<String>()
    )
}

pub fn pdf_evidence(name: &str) -> hegui_audit::vault::NewEvidence {
    hegui_audit::vault::NewEvidence {
        name: name.into(),
        content: b"%PDF-1.4 privacy policy".to_vec().into(),
        kind: hegui_audit::vault::EvidenceKind::File,
        collector: "auditor".into(),
        effective_date: Some("2025-06-30".into()),
        source: "官网".into(),
        description: String::new(),
        checkpoints: vec!["G3.1".into()],
    }
}

/// A multipart body with one file (field `file`) and the form's fields.
pub fn multipart(file: &str, content: &[u8], fields: &[(&str, &str)]) -> (String, Vec<u8>) {
    multipart_field("file", file, content, fields)
}

/// A multipart body with one file in field `field` and the form's fields.
pub fn multipart_field(
    field: &str,
    file: &str,
    content: &[u8],
    fields: &[(&str, &str)],
) -> (String, Vec<u8>) {
    let boundary = "hegui-test-boundary-7d3a";
    let mut b = Vec::new();
    for (k, v) in fields {
        b.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .bytes(),
        );
    }
    b.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{file}\"\r\nContent-Type: application/octet-stream\r\n\r\n").bytes());
    b.extend_from_slice(content);
    b.extend(format!("\r\n--{boundary}--\r\n").bytes());
    (format!("multipart/form-data; boundary={boundary}"), b)
}

pub fn upload(app: &App, path: &str, cookie: &str, file: &str, content: &[u8]) -> Response<Body> {
    let (kind, body) = multipart(
        file,
        content,
        &[
            ("source", "隐私政策官网"),
            ("effective_date", "2025-06-30"),
            ("checkpoint", "G3.1"),
        ],
    );
    app.send(
        Request::post(path)
            .header(header::HOST, "127.0.0.1")
            .header("sec-fetch-site", "same-origin")
            .header(header::CONTENT_TYPE, kind)
            .header(header::COOKIE, format!("__Host-hegui_session={cookie}"))
            .body(Body::from(body))
            .unwrap(),
    )
}

/// Posts a multipart body made by [`multipart_field`].
pub fn post_multipart(
    app: &App,
    path: &str,
    cookie: &str,
    form: (String, Vec<u8>),
) -> Response<Body> {
    app.send(
        Request::post(path)
            .header(header::HOST, "127.0.0.1")
            .header("sec-fetch-site", "same-origin")
            .header(header::CONTENT_TYPE, form.0)
            .header(header::COOKIE, format!("__Host-hegui_session={cookie}"))
            .body(Body::from(form.1))
            .unwrap(),
    )
}

pub fn bytes(r: Response<Body>) -> Vec<u8> {
    rt().block_on(r.into_body().collect())
        .unwrap()
        .to_bytes()
        .to_vec()
}
