//! What the benchmarks share: the real service binary, started on 127.0.0.1.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

pub const BINARY: &str = env!("CARGO_BIN_EXE_comment-service");

/// The service binary to load: `BENCH_BINARY` (to compare two builds with one bench), or
/// the one cargo built with the bench.
pub fn binary() -> String {
    std::env::var("BENCH_BINARY").unwrap_or_else(|_| BINARY.to_owned())
}

/// A setting from the environment, or its default.
pub fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Starts `comment-service --database DATABASE serve --address 127.0.0.1:0 ARGS…` from the
/// repository's root; returns it and its base URL. The service logs a line per request at its
/// default level, as deployed: the cost of writing them is measured, the lines are dropped.
pub fn start_service(database: &str, args: &[&str]) -> (Child, String) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap();
    let mut child = Command::new(binary())
        .current_dir(root)
        .args(["--database", database, "serve", "--address", "127.0.0.1:0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line[line.find("http://").unwrap()..]
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    (child, base)
}
