//! `hegui bench serve`: the web application under load. A `hegui serve` child process
//! (pinned to one core when `taskset` is there) serves an example engagement; 32 signed-in
//! clients on the other cores mix page views, working-paper edits and evidence uploads for
//! a fixed time over keep-alive connections on loopback. Reported: page views per second,
//! latency percentiles per kind of request, errors, the largest page, and the server's
//! peak resident memory.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::Args;
use hegui_audit::accounts::{self, Stage};
use hegui_audit::members::{self, Role};
use hegui_audit::store::Store;

#[derive(Args)]
pub struct BenchServeArgs {
    /// The store (default: a new SQLite file in a temporary directory); a postgres:// URL
    /// measures PostgreSQL — give it a scratch database: the bench writes an engagement
    /// and accounts into it.
    #[arg(long)]
    db: Option<String>,
    /// Concurrent signed-in clients.
    #[arg(long, default_value_t = 32)]
    clients: usize,
    /// How long to run.
    #[arg(long, default_value_t = 30)]
    seconds: u64,
    /// The core the server is pinned to (with `taskset`); the clients run elsewhere.
    #[arg(long, default_value_t = 0)]
    server_cpu: usize,
    /// Passed to `hegui serve --store-threads` (default: the server's own).
    #[arg(long)]
    store_threads: Option<u16>,
}

/// What a client does, by share of its requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Page,
    Edit,
    Upload,
}

struct Sample {
    op: Op,
    micros: u64,
    ok: bool,
    bytes: usize,
}

pub fn run(a: BenchServeArgs) -> Result<ExitCode> {
    let tmp = std::env::temp_dir().join(format!("hegui-bench-serve-{}", std::process::id()));
    std::fs::create_dir_all(&tmp)?;
    let db =
        a.db.clone()
            .unwrap_or_else(|| tmp.join("hegui.db").to_string_lossy().into_owned());
    let store = Store::open(&db)?;
    let code = super::bench_report::example_engagement(&store)?;
    let tag = std::process::id();
    let mut cookies = Vec::new();
    for i in 0..a.clients {
        let name = format!("bench{tag}-{i}");
        accounts::add(&store, &name, &name, &accounts::random_password()?, false)?;
        members::set(&store, &code, &name, Role::Auditor, None, "bench")?;
        cookies.push(accounts::start_session(&store, &name, Stage::Full, None)?);
    }
    drop(store);
    let port = free_port()?;
    let mut server = start_server(&db, port, a.server_cpu, a.store_threads)?;
    keep_clients_off(a.server_cpu);
    let result = drive(&a, port, &code, &cookies);
    let rss = peak_rss_kib(server.id());
    let _ = server.kill();
    let _ = server.wait();
    let _ = std::fs::remove_dir_all(&tmp);
    report(&a, &db, result?, rss);
    Ok(ExitCode::SUCCESS)
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

fn start_server(db: &str, port: u16, cpu: usize, threads: Option<u16>) -> Result<Child> {
    let exe = std::env::current_exe()?;
    let listen = format!("127.0.0.1:{port}");
    let mut cmd = if Command::new("taskset").arg("-V").output().is_ok() {
        let mut c = Command::new("taskset");
        c.arg("-c").arg(cpu.to_string()).arg(&exe);
        c
    } else {
        Command::new(&exe)
    };
    cmd.args(["serve", "--listen", &listen, "--db", db]);
    if let Some(n) = threads {
        cmd.args(["--store-threads", &n.to_string()]);
    }
    let child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("starting hegui serve")?;
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(&listen).is_err() {
        if Instant::now() > deadline {
            bail!("hegui serve did not start on {listen}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(child)
}

/// Keeps the clients off the server's core: this thread, and so the client threads it
/// starts next, run on the other cores (`taskset -p`). Without `taskset`, or with one core,
/// they share it, and the figures say less about the server.
fn keep_clients_off(server_cpu: usize) {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let others: Vec<String> = (0..cores)
        .filter(|&c| c != server_cpu)
        .map(|c| c.to_string())
        .collect();
    if others.is_empty() {
        return;
    }
    let pinned = Command::new("taskset")
        .args(["-p", "-c", &others.join(",")])
        .arg(std::process::id().to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if !pinned.is_ok_and(|s| s.success()) {
        eprintln!("note: the clients could not be kept off cpu {server_cpu} (taskset)");
    }
}

/// The server's peak resident set (VmHWM), in KiB.
fn peak_rss_kib(pid: u32) -> Option<u64> {
    // taskset execs the server in place, so the child's pid is the server's.
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn drive(a: &BenchServeArgs, port: u16, code: &str, cookies: &[String]) -> Result<Vec<Sample>> {
    let until = Instant::now() + Duration::from_secs(a.seconds);
    let handles: Vec<_> = cookies
        .iter()
        .enumerate()
        .map(|(i, cookie)| {
            let (cookie, code) = (cookie.clone(), code.to_string());
            std::thread::spawn(move || client(i, port, &code, &cookie, until))
        })
        .collect();
    let mut all = Vec::new();
    for h in handles {
        all.extend(
            h.join()
                .map_err(|_| anyhow::anyhow!("a client panicked"))??,
        );
    }
    Ok(all)
}

/// One client: a keep-alive connection, requests in a fixed mix until the time is up.
fn client(i: usize, port: u16, code: &str, cookie: &str, until: Instant) -> Result<Vec<Sample>> {
    let mut conn = Conn::open(port)?;
    let checkpoints: Vec<String> = hegui_core::law::Law::get()
        .guideline
        .checkpoints()
        .map(|(_, c)| c.id.clone())
        .collect();
    let pages = [
        "/".to_string(),
        format!("/e/{code}"),
        format!("/e/{code}/evidence"),
        format!("/e/{code}/findings"),
    ];
    let mut out = Vec::new();
    let mut n = 0usize;
    while Instant::now() < until {
        n += 1;
        let cp = &checkpoints[(i * 7 + n) % checkpoints.len()];
        // 80 % pages (a quarter of them checkpoint pages), 15 % edits, 5 % uploads.
        let (op, started, res) = match n % 20 {
            0 => {
                let body = format!(
                    "--b\r\nContent-Disposition: form-data; name=\"source\"\r\n\r\nbench\r\n--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"note-{i}-{n}.txt\"\r\n\r\n访谈记录 {i} {n}\r\n--b--\r\n"
                );
                let t = Instant::now();
                let r = conn.send(
                    "POST",
                    &format!("/e/{code}/evidence"),
                    cookie,
                    Some(("multipart/form-data; boundary=b", body.as_bytes())),
                );
                (Op::Upload, t, r)
            }
            1..=3 => {
                let body = format!("procedure=bench+{i}+{n}&result=compliant&observations=");
                let t = Instant::now();
                let r = conn.send(
                    "POST",
                    &format!("/e/{code}/c/{cp}"),
                    cookie,
                    Some(("application/x-www-form-urlencoded", body.as_bytes())),
                );
                (Op::Edit, t, r)
            }
            k => {
                let path = if k % 4 == 0 {
                    format!("/e/{code}/c/{cp}")
                } else {
                    pages[k % pages.len()].clone()
                };
                let t = Instant::now();
                let r = conn.send("GET", &path, cookie, None);
                (Op::Page, t, r)
            }
        };
        let micros = started.elapsed().as_micros() as u64;
        match res {
            Ok((status, bytes)) => out.push(Sample {
                op,
                micros,
                ok: match op {
                    Op::Page => status == 200,
                    _ => status == 303,
                },
                bytes,
            }),
            Err(_) => {
                out.push(Sample {
                    op,
                    micros,
                    ok: false,
                    bytes: 0,
                });
                conn = Conn::open(port)?;
            }
        }
    }
    Ok(out)
}

/// A keep-alive HTTP/1.1 connection (the server always sends a Content-Length).
struct Conn {
    port: u16,
    r: BufReader<TcpStream>,
    w: TcpStream,
}

impl Conn {
    fn open(port: u16) -> Result<Conn> {
        let s = TcpStream::connect(("127.0.0.1", port))?;
        s.set_nodelay(true)?;
        s.set_read_timeout(Some(Duration::from_secs(10)))?;
        Ok(Conn {
            port,
            r: BufReader::new(s.try_clone()?),
            w: s,
        })
    }

    /// Sends a request; returns the status and the body's length.
    fn send(
        &mut self,
        method: &str,
        path: &str,
        cookie: &str,
        body: Option<(&str, &[u8])>,
    ) -> Result<(u16, usize)> {
        let mut req = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nCookie: __Host-hegui_session={cookie}\r\nSec-Fetch-Site: same-origin\r\n",
            self.port
        );
        if let Some((kind, b)) = body {
            req.push_str(&format!(
                "Content-Type: {kind}\r\nContent-Length: {}\r\n",
                b.len()
            ));
        }
        req.push_str("\r\n");
        self.w.write_all(req.as_bytes())?;
        if let Some((_, b)) = body {
            self.w.write_all(b)?;
        }
        let mut line = String::new();
        self.r.read_line(&mut line)?;
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .context("no status line")?;
        let mut len = None;
        loop {
            line.clear();
            self.r.read_line(&mut line)?;
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    len = v.trim().parse::<usize>().ok();
                }
            }
        }
        let len = len.context("no Content-Length")?;
        let mut buf = vec![0u8; len];
        self.r.read_exact(&mut buf)?;
        Ok((status, len))
    }
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i] as f64 / 1000.0
}

fn report(a: &BenchServeArgs, db: &str, samples: Vec<Sample>, rss: Option<u64>) {
    let backend = if db.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    println!(
        "hegui serve under load: {} clients for {} s, {backend}, server on cpu {}",
        a.clients, a.seconds, a.server_cpu
    );
    println!(
        "{:<8} {:>9} {:>8} {:>9} {:>9} {:>9} {:>7}",
        "kind", "requests", "per s", "p50 ms", "p95 ms", "p99 ms", "errors"
    );
    for (op, name) in [
        (Op::Page, "pages"),
        (Op::Edit, "edits"),
        (Op::Upload, "uploads"),
    ] {
        let mut lat: Vec<u64> = samples
            .iter()
            .filter(|s| s.op == op)
            .map(|s| s.micros)
            .collect();
        lat.sort_unstable();
        let errors = samples.iter().filter(|s| s.op == op && !s.ok).count();
        println!(
            "{name:<8} {:>9} {:>8.0} {:>9.1} {:>9.1} {:>9.1} {:>7}",
            lat.len(),
            lat.len() as f64 / a.seconds as f64,
            percentile(&lat, 0.50),
            percentile(&lat, 0.95),
            percentile(&lat, 0.99),
            errors
        );
    }
    let largest = samples
        .iter()
        .filter(|s| s.op == Op::Page)
        .map(|s| s.bytes)
        .max()
        .unwrap_or(0);
    println!("largest page: {:.1} KB", largest as f64 / 1024.0);
    match rss {
        Some(k) => println!("server peak RSS: {:.1} MB", k as f64 / 1024.0),
        None => println!("server peak RSS: not available (no /proc)"),
    }
}
