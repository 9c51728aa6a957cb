/** Where the probe's source is written in the project (the image has the built probe at COMPILED_PROBE.path). */
export const HEALTH_PROBE_SOURCE = '.stagecraft/healthprobe.rs';

/**
 * stagecraft's own health probe for a Rust service on distroless (no shell,
 * no curl): one file of the standard library alone, compiled by `rustc` in
 * the builder before the app's sources arrive, so an app edit never rebuilds
 * it and the app need not implement a probe flag. It speaks just enough
 * HTTP/1.0 and exits 0 for a 2xx answer within 4 seconds.
 *
 * A generated file in a dot folder: cargo never builds it as part of the crate.
 */
export const HEALTH_PROBE = `//! healthprobe URL: exits 0 when an HTTP GET of URL (http://host:port/path) answers 2xx within
//! 4 seconds, 1 otherwise, with one line on stderr.
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

fn probe(url: &str) -> Result<(), String> {
    let rest = url.strip_prefix("http://").ok_or("usage: healthprobe http://host:port/path")?;
    let (host, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let timeout = Duration::from_secs(4);
    let addr = host.to_socket_addrs().map_err(|e| e.to_string())?.next().ok_or("no address")?;
    let mut conn = TcpStream::connect_timeout(&addr, timeout).map_err(|e| e.to_string())?;
    conn.set_read_timeout(Some(timeout)).map_err(|e| e.to_string())?;
    conn.set_write_timeout(Some(timeout)).map_err(|e| e.to_string())?;
    write!(conn, "GET {path} HTTP/1.0\\r\\nHost: {host}\\r\\nUser-Agent: stagecraft-healthprobe\\r\\n\\r\\n").map_err(|e| e.to_string())?;
    let mut status = String::new();
    BufReader::new(conn).read_line(&mut status).map_err(|e| e.to_string())?;
    let fields: Vec<&str> = status.split_whitespace().collect();
    if fields.len() >= 2 && fields[0].starts_with("HTTP/") && fields[1].len() == 3 && fields[1].starts_with('2') {
        Ok(())
    } else {
        Err(format!("unhealthy: {}", status.trim()))
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 2 {
        eprintln!("usage: healthprobe http://host:port/path");
        std::process::exit(2);
    }
    if let Err(e) = probe(&args[1]) {
        eprintln!("{e}");
        std::process::exit(1);
    }
}`.split('\n');
