//! Serving HTTPS with a certificate (`--tls-cert/--tls-key`): the sign-in page over TLS
//! with HSTS; a bad key file is a clear error. And `--trusted-proxy`: only a named proxy's
//! X-Forwarded-For decides whose sign-in attempts are counted.

mod common;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, HeaderMap, Request, StatusCode};
use common::*;
use hegui_web::throttle::client_ip;
use hegui_web::{AppState, Listen};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn https_with_a_certificate() {
    let dir = std::env::temp_dir().join(format!("hegui-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let (cert_pem, key_pem) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert_pem, cert.cert.pem()).unwrap();
    std::fs::write(&key_pem, cert.signing_key.serialize_pem()).unwrap();

    // A key that is not one: a clear error naming the files, not a panic.
    let bad = dir.join("bad.pem");
    std::fs::write(&bad, "not a key").unwrap();
    let state = AppState::new(Arc::new(sqlite("tls-bad")), true);
    let listen = Listen {
        addr: format!("127.0.0.1:{}", free_port()),
        tls: Some((cert_pem.clone(), bad.clone())),
        store_threads: None,
        mail: None,
    };
    let e = hegui_web::serve(state, &listen).unwrap_err().to_string();
    assert!(e.contains("--tls-key") && e.contains("bad.pem"), "{e}");

    let port = free_port();
    let state = AppState::new(Arc::new(sqlite("tls")), true);
    let listen = Listen {
        addr: format!("127.0.0.1:{port}"),
        tls: Some((cert_pem, key_pem)),
        store_threads: None,
        mail: None,
    };
    std::thread::spawn(move || hegui_web::serve(state, &listen));

    let mut roots = tokio_rustls::rustls::RootCertStore::empty();
    roots.add(cert.cert.der().clone()).unwrap();
    #[allow(deprecated)] // ring: see hegui_web::serve
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = tokio_rustls::rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let response = rt().block_on(async move {
        let mut tcp = None;
        for _ in 0..100 {
            if let Ok(s) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await {
                tcp = Some(s);
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let name = "localhost".try_into().unwrap();
        let mut tls = connector
            .connect(name, tcp.expect("server up"))
            .await
            .unwrap();
        let req = "GET /signin HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
        tls.write_all(req.as_bytes()).await.unwrap();
        // Read the head and the start of the page (the server may keep the connection).
        let mut out = Vec::new();
        let mut buf = [0u8; 4096];
        while !String::from_utf8_lossy(&out).contains("</html>") {
            let read = tokio::time::timeout(Duration::from_secs(5), tls.read(&mut buf)).await;
            match read {
                Ok(Ok(n)) if n > 0 => out.extend_from_slice(&buf[..n]),
                _ => break,
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    });
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    let lower = response.to_ascii_lowercase();
    assert!(lower.contains("strict-transport-security: max-age=31536000"));
    assert!(response.contains("__Host-hegui_session") || response.contains("登录"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn plain_http_sends_no_hsts() {
    let app = App::new(sqlite("no-hsts"));
    let r = app.get("/signin", None);
    assert!(r.headers().get(header::STRICT_TRANSPORT_SECURITY).is_none());
}

#[test]
fn only_a_trusted_proxy_names_the_client() {
    let proxy: IpAddr = "10.0.0.5".parse().unwrap();
    let trusted: Vec<ipnet::IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
    let mut h = HeaderMap::new();
    h.insert(
        "x-forwarded-for",
        "198.51.100.7, 203.0.113.9".parse().unwrap(),
    );
    // Through the proxy: the last address the proxy saw (what the client wrote is first).
    assert_eq!(
        client_ip(proxy, &h, &trusted),
        "203.0.113.9".parse::<IpAddr>().unwrap()
    );
    // From anyone else the header is ignored.
    let stranger: IpAddr = "192.0.2.1".parse().unwrap();
    assert_eq!(client_ip(stranger, &h, &trusted), stranger);
    assert_eq!(client_ip(proxy, &h, &[]), proxy);
    // A chain of trusted proxies is skipped; no header: the proxy itself.
    h.insert("x-forwarded-for", "203.0.113.9, 10.0.0.9".parse().unwrap());
    assert_eq!(
        client_ip(proxy, &h, &trusted),
        "203.0.113.9".parse::<IpAddr>().unwrap()
    );
    assert_eq!(client_ip(proxy, &HeaderMap::new(), &trusted), proxy);

    // Through the router: clients behind the proxy are counted apart.
    let mut app = App::new(sqlite("proxy"));
    app.state.trusted_proxies = Arc::new(trusted);
    let attempt = |client: &str| {
        let mut req = Request::post("/signin")
            .header(header::HOST, "127.0.0.1")
            .header("sec-fetch-site", "same-origin")
            .header("x-forwarded-for", client)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from("name=x&password=y"))
            .unwrap();
        req.extensions_mut()
            .insert(ConnectInfo(SocketAddr::new(proxy, 40000)));
        app.send(req).status()
    };
    let limit = hegui_web::throttle::PER_MINUTE as usize;
    for _ in 0..limit {
        assert_ne!(attempt("203.0.113.9"), StatusCode::TOO_MANY_REQUESTS);
    }
    assert_eq!(attempt("203.0.113.9"), StatusCode::TOO_MANY_REQUESTS);
    assert_ne!(attempt("203.0.113.10"), StatusCode::TOO_MANY_REQUESTS);
}
