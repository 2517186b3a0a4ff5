//! hegui-web: `hegui serve`, the audit team's web application over the engagement store.
//!
//! - [`routes`]: every route with who may use it; the router is built from that table, so
//!   a route cannot exist without its access rule (the route × role test reads it).
//! - [`signin`]: password, then a TOTP code (enrolled at first sign-in with a QR code),
//!   then a session; lockout after failed sign-ins.
//! - [`pages`]: my work, the engagement dashboard; [`checkpoint`]: a checkpoint with its
//!   working paper, editor and sign-offs. [`access`]: the one check of every engagement
//!   route.
//! - [`evidence`]: the vault in the browser (upload typed by content by [`upload`],
//!   download logged).
//! - [`ledger`]: findings and the rectification ledger (Art. 11 clock); the activity log
//!   with its verification. [`findings`]: raising findings, communicating them with
//!   rectification items, progress and closing.
//! - [`requests`]: evidence requests (PBC) — the board ("my requests" for a client) and a
//!   request's page; [`request_actions`]: their forms (draft, generate, send, upload,
//!   submit, accept, return …). [`discuss`]: comments, review notes, the inbox.
//! - [`profile`]: the processor's profile, its obligations and scope, new versions.
//! - [`reports`]: reports rendered, kept, downloaded and signed in the browser.
//! - [`clock`]: reminders, overdue digests and e-mail, every few minutes.
//! - [`cache`]: what pages read of an engagement, kept while its log's head stays.
//! - [`session`]: the `__Host-` session cookie; [`locale`]: the interface's words.
//! - [`team`]: the engagement's members and invitations; [`admin`]: user administration;
//!   [`account`]: a person's own password.
//! - [`api`]: the JSON API `/api/v1/…` (personal access tokens, OpenAPI description);
//!   [`tokens`]: a person's own tokens in the browser.
//!
//! Security baseline (WEB.md): CSRF by `Sec-Fetch-Site`/`Origin` (tower-http's
//! `CsrfLayer`), a CSP without inline script, `nosniff`, no framing, same-origin referrers,
//! small request bodies, and a 404 for anything outside the user's engagements.

pub mod access;
pub mod account;
pub mod admin;
pub mod api;
pub mod cache;
pub mod checkpoint;
pub mod clock;
pub mod discuss;
pub mod evidence;
pub mod findings;
pub mod ledger;
pub mod locale;
pub mod pages;
pub mod profile;
pub mod reports;
pub mod request_actions;
pub mod requests;
pub mod routes;
pub mod session;
pub mod signin;
pub mod team;
pub mod throttle;
pub mod tokens;
pub mod upload;

use std::sync::Arc;

use askama::Template;
use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Router;
use hegui_audit::store::Store;
use tower_http::csrf::CsrfLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;

/// What every request shares.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<Store>,
    /// Whether the second factor is required. Only a demo store turns it off, and then
    /// every page says so.
    pub mfa_required: bool,
    /// Sign-in attempts per address.
    pub throttle: Arc<throttle::Throttle>,
    /// Refusals recently logged (one entry a minute per account and target).
    pub denials: Arc<throttle::Denials>,
    /// Proxies whose `X-Forwarded-For` names the client (`--trusted-proxy`); nobody else's
    /// is believed.
    pub trusted_proxies: Arc<Vec<ipnet::IpNet>>,
    /// Served over TLS: pages carry `Strict-Transport-Security`.
    pub tls: bool,
}

impl AppState {
    pub fn new(store: Arc<Store>, mfa_required: bool) -> AppState {
        AppState {
            store,
            mfa_required,
            throttle: Arc::default(),
            denials: Arc::default(),
            trusted_proxies: Arc::default(),
            tls: false,
        }
    }
}

/// Refuses sign-in submissions past [`throttle::PER_MINUTE`] a minute from one address.
async fn limit_signins(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    if req.method() == axum::http::Method::POST && req.uri().path().starts_with("/signin") {
        let peer = req
            .extensions()
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip())
            .unwrap_or(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST));
        let ip = throttle::client_ip(peer, req.headers(), &state.trusted_proxies);
        if !state.throttle.allow(ip) {
            return (
                StatusCode::TOO_MANY_REQUESTS,
                [(header::RETRY_AFTER, "60")],
                "too many sign-in attempts from this address: wait a minute",
            )
                .into_response();
        }
    }
    next.run(req).await
}

/// The largest form body (sign-in and page forms; evidence uploads will have their own).
pub const FORM_LIMIT: usize = 64 * 1024;

const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'";

/// The application: every route of [`routes::table`], behind the security layers.
pub fn router(state: AppState) -> Router {
    let mut app = Router::new();
    for (def, method_router) in routes::table() {
        // The largest body any method of the path takes (an upload's, or a form's).
        let limit = routes::ROUTES
            .iter()
            .filter(|r| r.path == def.path)
            .map(|r| r.limit)
            .max()
            .unwrap_or(FORM_LIMIT);
        let method_router: axum::routing::MethodRouter<AppState> = method_router
            .layer::<_, std::convert::Infallible>(DefaultBodyLimit::max(limit))
            .layer::<_, std::convert::Infallible>(RequestBodyLimitLayer::new(limit));
        app = app.route(def.path, method_router);
    }
    let header = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value))
    };
    // HSTS only over TLS (WEB.md): over plain http a browser ignores it anyway.
    let hsts = state.tls.then_some("max-age=31536000");
    app.fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            limit_signins,
        ))
        .with_state(state)
        .layer(CsrfLayer::new())
        .layer(header(header::CONTENT_SECURITY_POLICY, CSP))
        .layer(header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(header(header::REFERRER_POLICY, "same-origin"))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            hsts.map(HeaderValue::from_static),
        ))
}

/// Threads that run store calls at once: two per core the process may use. Each store
/// call hands work to the database's own threads and waits; more threads than this only
/// wait by turns, and the switching between them cost more than the work (measured with
/// `hegui bench serve` on one core: 8 threads 757 page views/s, 4 853, 2 1,008).
fn blocking_threads() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    (2 * cores).max(2)
}

/// How the server listens.
#[derive(Debug, Clone, Default)]
pub struct Listen {
    /// Address and port.
    pub addr: String,
    /// Store calls run at once (`None`: two per core).
    pub store_threads: Option<usize>,
    /// A PEM certificate chain and its private key: serve HTTPS.
    pub tls: Option<(std::path::PathBuf, std::path::PathBuf)>,
    /// E-mail for notifications (none: the in-app inbox only).
    pub mail: Option<hegui_mail::MailConfig>,
}

/// Serves the application until the process ends: HTTPS with `listen.tls`, else HTTP
/// (for loopback, or behind a TLS proxy).
pub fn serve(mut state: AppState, listen: &Listen) -> std::io::Result<()> {
    // The store has a pool of a few connections: more blocking threads than that would
    // only wait on it, parked and woken by turns (measured: fewer threads, fewer switches).
    let rt = tokio::runtime::Builder::new_multi_thread()
        .max_blocking_threads(listen.store_threads.unwrap_or_else(blocking_threads).max(1))
        .enable_all()
        .build()?;
    state.tls = listen.tls.is_some();
    rt.block_on(async {
        tokio::spawn(clock::run(state.store.clone(), listen.mail.clone()));
        let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
        let Some((cert, key)) = &listen.tls else {
            let listener = tokio::net::TcpListener::bind(&listen.addr).await?;
            eprintln!("hegui: serving on http://{}", listener.local_addr()?);
            return axum::serve(listener, app).await;
        };
        // rustls with ring: one provider for the process (a second install is a no-op).
        // ring has no post-quantum key exchange (hence the deprecation); aws-lc-rs would,
        // at the price of a C build with cmake in every build of hegui.
        #[allow(deprecated)]
        let _ = rustls::crypto::ring::default_provider().install_default();
        let config = axum_server::tls_rustls::RustlsConfig::from_pem_file(cert, key)
            .await
            .map_err(|e| {
                std::io::Error::new(
                    e.kind(),
                    format!(
                        "--tls-cert {} / --tls-key {}: {e}",
                        cert.display(),
                        key.display()
                    ),
                )
            })?;
        let addr: std::net::SocketAddr = listen.addr.parse().map_err(|e| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("--listen {}: {e}", listen.addr),
            )
        })?;
        eprintln!("hegui: serving on https://{addr}");
        axum_server::bind_rustls(addr, config).serve(app).await
    })
}

/// Renders a template, or the generic error page if rendering fails.
pub(crate) fn render(t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "error").into_response(),
    }
}
