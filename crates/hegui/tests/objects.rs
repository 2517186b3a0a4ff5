//! `hegui scan s3://…` and `oss://…` against an S3-compatible server this test starts on
//! 127.0.0.1 (s3s-fs, in process, with signature checking on): the store scanned whole
//! and in shards gives what a scan of the same files on disk gives.

#![cfg(feature = "objects")]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder as ConnBuilder;
use s3s::auth::SimpleAuth;
use s3s::host::SingleDomain;
use s3s::service::S3ServiceBuilder;

const KEY_ID: &str = "hegui-test-key";
const SECRET: &str = "hegui-test-secret-0123456789";
/// The OSS-style endpoint's host: never resolved, reached through the server acting as
/// the HTTP proxy, so that requests carry the bucket in the Host header.
const OSS_HOST: &str = "oss-cn-test.invalid";

/// An S3 server over `root` (each directory a bucket) on a free port of 127.0.0.1.
struct Server {
    port: u16,
    /// The Host header of every request, in order.
    hosts: Arc<Mutex<Vec<String>>>,
    _rt: tokio::runtime::Runtime,
}

fn start(root: &Path) -> Server {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let fs = s3s_fs::FileSystem::new(root).unwrap();
    let mut b = S3ServiceBuilder::new(fs);
    b.set_auth(SimpleAuth::from_single(KEY_ID, SECRET));
    b.set_host(SingleDomain::new(OSS_HOST).unwrap());
    let service = b.build();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let port = listener.local_addr().unwrap().port();
    let hosts = Arc::new(Mutex::new(Vec::new()));
    let seen = hosts.clone();
    rt.spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                continue;
            };
            let service = service.clone();
            let seen = seen.clone();
            let logged = hyper::service::service_fn(move |req: hyper::Request<_>| {
                let host = req.headers().get(hyper::header::HOST);
                let host = host.and_then(|h| h.to_str().ok()).unwrap_or("");
                seen.lock().unwrap().push(host.to_string());
                if req.method() == hyper::Method::GET && req.uri().path().ends_with("/stall.csv") {
                    return futures_util::FutureExt::boxed(async { Ok(stalled()) });
                }
                hyper::service::Service::call(&service, req)
            });
            tokio::spawn(async move {
                let _ = ConnBuilder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(socket), logged)
                    .await;
            });
        }
    });
    Server {
        port,
        hosts,
        _rt: rt,
    }
}

/// A download that sends its first bytes and then nothing, never ending.
fn stalled() -> s3s::HttpResponse {
    use futures_util::StreamExt;
    let first = bytes::Bytes::from_static(b"name,mobile\n");
    let frames = futures_util::stream::once(async move {
        Ok::<_, std::convert::Infallible>(hyper::body::Frame::data(first))
    })
    .chain(futures_util::stream::pending());
    let body = s3s::Body::http_body_unsync(http_body_util::StreamBody::new(frames));
    hyper::Response::builder()
        .header("content-length", "1000000")
        .header("last-modified", "Sun, 06 Dec 2026 08:00:00 GMT")
        .header("etag", "\"stall\"")
        .body(body)
        .unwrap()
}

fn hegui(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hegui"));
    c.args(args);
    // Only what the test sets: no AWS or OSS settings from the machine running it.
    for (k, _) in std::env::vars() {
        if k.starts_with("AWS_")
            || k.starts_with("OSS_")
            || k.starts_with("HADOOP_")
            || k.ends_with("_PROXY")
        {
            c.env_remove(k);
        }
    }
    c.envs(env.iter().copied());
    c.output().expect("run hegui")
}

fn ok(o: &Output) -> &Output {
    assert!(
        o.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

fn creds() -> Vec<(&'static str, &'static str)> {
    vec![
        ("AWS_ACCESS_KEY_ID", KEY_ID),
        ("AWS_SECRET_ACCESS_KEY", SECRET),
    ]
}

/// A generated store (CSV, GBK CSV, JSON Lines, a log, a SQLite file) plus a Parquet
/// file and a gzipped log, at `root/lake/ods`.
fn corpus(tag: &str) -> (PathBuf, PathBuf) {
    let root = std::env::temp_dir().join(format!("hegui-objects-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let dir = root.join("lake").join("ods");
    ok(&hegui(
        &[
            "gen",
            dir.to_str().unwrap(),
            "--people",
            "300",
            "--log-lines",
            "800",
            "--gbk-rows",
            "80",
            "--seed",
            "23",
        ],
        &[],
    ));
    std::fs::remove_file(dir.join("truth.jsonl")).unwrap();
    let nested = dir.join("2026").join("12");
    std::fs::create_dir_all(&nested).unwrap();
    hegui_scan::synth::csv_to_parquet(&dir.join("orders.csv"), &nested.join("orders.parquet"))
        .unwrap();
    let log = std::fs::read(dir.join("app.log")).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, &log[..log.len() / 2]).unwrap();
    std::fs::write(nested.join("app-old.log.gz"), gz.finish().unwrap()).unwrap();
    (root, dir)
}

fn report(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Every source's findings counts by kind, keyed by the source's name below `base`.
fn by_source(v: &serde_json::Value, base: &str) -> BTreeMap<String, serde_json::Value> {
    v["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let name = s["source"].as_str().unwrap();
            let rel = name
                .strip_prefix(base)
                .unwrap_or_else(|| panic!("{name} not under {base}"));
            let mut s = s.clone();
            s.as_object_mut().unwrap().remove("source");
            (rel.trim_start_matches('/').to_string(), s)
        })
        .collect()
}

#[test]
fn an_s3_store_scans_as_its_files_do_whole_and_in_shards() {
    let (root, dir) = corpus("s3");
    let server = start(&root);
    let endpoint = format!("http://127.0.0.1:{}", server.port);
    let out = root.with_extension("reports");
    std::fs::create_dir_all(&out).unwrap();
    let scan = |target: &str, extra: &[&str], name: &str| {
        let path = out.join(name);
        let mut args = vec![
            "scan",
            target,
            "--full",
            "--sketches",
            "--endpoint",
            &endpoint,
            "--report",
            path.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        ok(&hegui(&args, &creds()));
        (report(&path), path)
    };
    let (local, _) = scan(dir.to_str().unwrap(), &[], "local.json");
    let (whole, whole_path) = scan("s3://lake/ods", &[], "whole.json");
    let local_sources = by_source(&local, dir.to_str().unwrap());
    assert_eq!(
        local_sources
            .keys()
            .filter(|k| k.ends_with(".parquet"))
            .count(),
        1
    );
    assert_eq!(local_sources, by_source(&whole, "s3://lake/ods"));
    assert_eq!(local["kinds"], whole["kinds"]);
    assert_eq!(local["estimate"], whole["estimate"]);

    // Findings, one by one, are the same (the object URL in place of the path).
    let findings = |target: &str| -> Vec<String> {
        let o = hegui(
            &[
                "scan",
                target,
                "--full",
                "--format",
                "jsonl",
                "--endpoint",
                &endpoint,
            ],
            &creds(),
        );
        let mut lines: Vec<String> = String::from_utf8(ok(&o).stdout.clone())
            .unwrap()
            .lines()
            .map(|l| {
                l.replace(dir.to_str().unwrap(), "@")
                    .replace("s3://lake/ods", "@")
            })
            .collect();
        lines.sort();
        lines
    };
    let from_disk = findings(dir.to_str().unwrap());
    assert!(from_disk.len() > 1000, "{}", from_disk.len());
    assert_eq!(from_disk, findings("s3://lake/ods"));

    // Three shards: every object in exactly one, and their sketches merge into the whole.
    let mut shards = Vec::new();
    let mut names = Vec::new();
    for i in 1..=3 {
        let (v, path) = scan(
            "s3a://lake/ods/",
            &["--shard", &format!("{i}/3")],
            &format!("shard{i}.json"),
        );
        assert_eq!(v["shard"], format!("{i}/3"));
        names.extend(by_source(&v, "s3://lake/ods").into_keys());
        shards.push(path);
    }
    names.sort();
    names.dedup();
    let mut all: Vec<String> = local_sources.keys().cloned().collect();
    all.sort();
    assert_eq!(names, all);
    let merge = |inputs: &[PathBuf], name: &str| {
        let path = out.join(name);
        let mut args = vec!["scan-merge".to_string()];
        args.extend(inputs.iter().map(|p| p.display().to_string()));
        args.extend(["-o".into(), path.display().to_string()]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        ok(&hegui(&args, &[]));
        report(&path)
    };
    let merged = merge(&shards, "merged.json");
    let alone = merge(&[whole_path], "alone.json");
    assert_eq!(merged["kinds"], alone["kinds"]);
    assert_eq!(merged["estimate"], alone["estimate"]);

    // Globs match keys below the URL, as paths below a directory.
    let (only, _) = scan("s3://lake/ods", &["--include", "**/*.parquet"], "only.json");
    assert_eq!(
        by_source(&only, "s3://lake/ods")
            .into_keys()
            .collect::<Vec<_>>(),
        ["2026/12/orders.parquet"]
    );
    // One object by its URL.
    let (one, _) = scan("s3://lake/ods/orders.csv", &[], "one.json");
    assert_eq!(one["sources"][0]["source"], "s3://lake/ods/orders.csv");
    assert_eq!(one["sources"].as_array().unwrap().len(), 1);
    let _ = std::fs::remove_dir_all(&root);
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn oss_requests_are_virtual_hosted_and_signed() {
    let (root, _) = corpus("oss");
    let server = start(&root);
    let proxy = format!("http://127.0.0.1:{}", server.port);
    let endpoint = format!("http://{OSS_HOST}");
    let out = root.with_extension("oss.json");
    let env = [
        ("OSS_ACCESS_KEY_ID", KEY_ID),
        ("OSS_ACCESS_KEY_SECRET", SECRET),
        // Every request goes to the test server; the bucket is in the Host header only.
        ("AWS_PROXY_URL", proxy.as_str()),
    ];
    let o = hegui(
        &[
            "scan",
            "oss://lake/ods",
            "--endpoint",
            &endpoint,
            "--region",
            "cn-test",
            "--include",
            "*.csv",
            "--report",
            out.to_str().unwrap(),
        ],
        &env,
    );
    ok(&o);
    let v = report(&out);
    let names: Vec<&str> = v["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["source"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "oss://lake/ods/customers.csv",
            "oss://lake/ods/customers_gbk.csv",
            "oss://lake/ods/orders.csv"
        ]
    );
    assert_eq!(v["sources"][0]["records"], 300, "{v}");
    assert_eq!(v["sources"][0]["fields"][0]["classified_as"], "person_name");
    // Every request named the bucket in its host, none in its path.
    let hosts = std::mem::take(&mut *server.hosts.lock().unwrap());
    assert!(hosts.len() >= 4, "{hosts:?}");
    assert!(
        hosts.iter().all(|h| h == &format!("lake.{OSS_HOST}")),
        "{hosts:?}"
    );

    // Without keys, or with the wrong ones: refused with what to set, nothing scanned.
    let o = hegui(
        &[
            "scan",
            "oss://lake/ods",
            "--endpoint",
            &endpoint,
            "--region",
            "cn-test",
        ],
        &[("AWS_PROXY_URL", proxy.as_str())],
    );
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("OSS_ACCESS_KEY_ID"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = hegui(
        &[
            "scan",
            "oss://lake/ods",
            "--endpoint",
            &endpoint,
            "--region",
            "cn-test",
        ],
        &[
            ("OSS_ACCESS_KEY_ID", KEY_ID),
            ("OSS_ACCESS_KEY_SECRET", "not-the-secret"),
            ("AWS_PROXY_URL", proxy.as_str()),
        ],
    );
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("oss://lake/ods"), "{err}");
    assert!(!err.contains("not-the-secret"), "{err}");
    let _ = std::fs::remove_dir_all(&root);
    let _ = std::fs::remove_file(&out);
}

#[test]
fn missing_buckets_and_bad_urls_are_clear_errors() {
    let (root, _) = corpus("errors");
    let server = start(&root);
    let endpoint = format!("http://127.0.0.1:{}", server.port);
    for (target, says) in [
        ("s3://no-such-bucket/x", "s3://no-such-bucket/x"),
        ("s3://lake/no/such/prefix", "no object at or under this URL"),
        ("s3://Bad_Bucket/x", "bucket name"),
        ("gs://lake/ods", "not a URL hegui scans"),
    ] {
        let o = hegui(&["scan", target, "--endpoint", &endpoint], &creds());
        assert!(!o.status.success(), "{target}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(says), "{target}: {err}");
    }
    // A download that stalls fails that object after --io-timeout; the others are scanned.
    std::fs::write(root.join("lake/ods/stall.csv"), "name,mobile\n").unwrap();
    let report_path = root.with_extension("stall.json");
    let o = hegui(
        &[
            "scan",
            "s3://lake/ods",
            "--include",
            "*.csv",
            "--endpoint",
            &endpoint,
            "--io-timeout",
            "2",
            "--report",
            report_path.to_str().unwrap(),
        ],
        &creds(),
    );
    ok(&o);
    let v = report(&report_path);
    let sources = v["sources"].as_array().unwrap();
    assert_eq!(sources.len(), 4, "{v}");
    for s in sources {
        let stalled = s["source"] == "s3://lake/ods/stall.csv";
        let error = s["error"].as_str().unwrap_or("");
        assert_eq!(error.contains("stalled: no bytes for 2 s"), stalled, "{s}");
    }
    let _ = std::fs::remove_file(&report_path);
    // No keys for a store that is not AWS: what to set, at once.
    let o = hegui(&["scan", "s3://lake/ods", "--endpoint", &endpoint], &[]);
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("AWS_ACCESS_KEY_ID"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // A wrong secret: refused by the server, the secret never printed.
    let o = hegui(
        &["scan", "s3://lake/ods", "--endpoint", &endpoint],
        &[
            ("AWS_ACCESS_KEY_ID", KEY_ID),
            ("AWS_SECRET_ACCESS_KEY", "wrong-secret-value"),
        ],
    );
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("s3://lake/ods") && !err.contains("wrong-secret"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&root);
}

/// No HDFS cluster can be started here (no NameNode in any package this machine reaches),
/// so the HDFS tests stop at what needs none: the Hadoop configuration is read, and a
/// NameNode that does not answer ends the scan after --io-timeout with a clear error.
#[test]
fn hdfs_reads_the_hadoop_configuration_and_never_hangs() {
    let conf = std::env::temp_dir().join(format!("hegui-hadoop-conf-{}", std::process::id()));
    std::fs::create_dir_all(&conf).unwrap();
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    std::fs::write(
        conf.join("core-site.xml"),
        format!(
            "<configuration><property><name>fs.defaultFS</name>\
             <value>hdfs://127.0.0.1:{port}</value></property></configuration>"
        ),
    )
    .unwrap();
    std::fs::write(
        conf.join("hdfs-site.xml"),
        "<configuration></configuration>",
    )
    .unwrap();
    let conf_env = conf.to_str().unwrap();
    let started = std::time::Instant::now();
    for (target, env) in [
        (format!("hdfs://127.0.0.1:{port}/warehouse"), vec![]),
        // The default file system, from core-site.xml.
        (
            "hdfs:///warehouse".to_string(),
            vec![("HADOOP_CONF_DIR", conf_env)],
        ),
    ] {
        let o = hegui(&["scan", &target, "--io-timeout", "2"], &env);
        assert!(!o.status.success());
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(&target) && err.contains("no answer"), "{err}");
    }
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
    // No configuration: says where it is looked for.
    let empty = conf.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let o = hegui(
        &["scan", "hdfs:///warehouse", "--io-timeout", "2"],
        &[("HADOOP_CONF_DIR", empty.to_str().unwrap())],
    );
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("HADOOP_CONF_DIR"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let _ = std::fs::remove_dir_all(&conf);
}
