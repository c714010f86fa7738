//! Backups: `comment-service export FILE` and `restore FILE`, and the daily export of
//! `serve --backup-dir DIR --backup-keep N`.
//!
//! The file is JSON Lines: a header
//! `{"format":"comment-service-export","version":1,"schema":10,"exported_at":"…Z"}`, one line
//! per row (`{"table":"comments","row":{…}}`, tables in `store::backup::TABLES`' order, rows
//! by key), and a last line with the rows per table
//! (`{"end":"comment-service-export","counts":{"comments":3,…}}`), so a cut file is refused.
//! What is in it and what is not: `store::backup`.
//!
//! A restore is one transaction: a damaged or foreign file is refused, naming its line and
//! the reason, and the database is left as it was (empty). One transaction rather than one
//! per batch, because a refusal found on the last line (a count that differs) must undo
//! every row before it, and a clean-up after committed batches could itself fail halfway.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Map, Value as Json};
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::store::backup::{
    schema_version, table, ColumnKind, ExportedRow, Table, Value, RESTORE_BATCH, TABLES,
};
use crate::store::Store;

pub const FORMAT: &str = "comment-service-export";
pub const VERSION: i64 = 1;
/// A line longer than this is refused before it is parsed (a comment is at most a few
/// kilobytes; a hostile file could hold one line of gigabytes).
const LINE_LIMIT: u64 = 16 * 1024 * 1024;
/// Progress on stderr every this many rows.
const PROGRESS_EVERY: u64 = 10_000;

/// Why an export or a restore stopped.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{path}: {error}")]
    File { path: String, error: std::io::Error },
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// The file is refused: nothing was written.
    #[error("line {line}: {reason}; nothing was restored")]
    Refused { line: u64, reason: String },
    #[error("the database is not empty (rows in {0}); a restore goes into an empty database only")]
    NotEmpty(String),
}

/// Rows written or read, per table, in `TABLES`' order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts(pub Vec<u64>);

impl Counts {
    fn new() -> Counts {
        Counts(vec![0; TABLES.len()])
    }

    pub fn total(&self) -> u64 {
        self.0.iter().sum()
    }

    /// `comments 3, outbox 1, …` (tables with rows only).
    pub fn summary(&self) -> String {
        let parts: Vec<String> = TABLES
            .iter()
            .zip(&self.0)
            .filter(|(_, n)| **n > 0)
            .map(|(table, n)| format!("{} {n}", table.name))
            .collect();
        if parts.is_empty() {
            "no rows".to_owned()
        } else {
            parts.join(", ")
        }
    }
}

/// Writes the whole database to `out` as JSON Lines; `progress` hears of every
/// `PROGRESS_EVERY` rows.
pub async fn export<W: AsyncWrite + Unpin>(
    store: &Store,
    out: &mut W,
    now_ms: i64,
    mut progress: impl FnMut(u64),
) -> Result<Counts, ExportFailure> {
    let header = serde_json::json!({
        "format": FORMAT,
        "version": VERSION,
        "schema": schema_version(),
        "exported_at": rfc3339(now_ms),
    });
    let mut line = header.to_string().into_bytes();
    line.push(b'\n');
    out.write_all(&line).await.map_err(ExportFailure::Write)?;
    // The database streams into a small channel; this side writes: memory stays bounded by
    // the channel, whatever the database holds.
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<ExportedRow>(256);
    let reading = store.export_rows(sender);
    let writing = async {
        let mut counts = Counts::new();
        while let Some(row) = receiver.recv().await {
            line.clear();
            row_line(&TABLES[row.table], &row.values, &mut line);
            out.write_all(&line).await?;
            counts.0[row.table] += 1;
            if counts.total().is_multiple_of(PROGRESS_EVERY) {
                progress(counts.total());
            }
        }
        Ok::<_, std::io::Error>(counts)
    };
    let (read, written) = tokio::join!(reading, writing);
    // A write failure drops the receiver, which stops the reading quietly: report the write.
    let counts = written.map_err(ExportFailure::Write)?;
    read.map_err(ExportFailure::Database)?;
    let mut trailer = Map::new();
    for (table, n) in TABLES.iter().zip(&counts.0) {
        trailer.insert(table.name.to_owned(), Json::from(*n));
    }
    let mut last = serde_json::json!({"end": FORMAT, "counts": trailer})
        .to_string()
        .into_bytes();
    last.push(b'\n');
    out.write_all(&last).await.map_err(ExportFailure::Write)?;
    out.flush().await.map_err(ExportFailure::Write)?;
    Ok(counts)
}

#[derive(Debug, thiserror::Error)]
pub enum ExportFailure {
    #[error("{0}")]
    Write(std::io::Error),
    #[error("database: {0}")]
    Database(sqlx::Error),
}

/// `{"table":"…","row":{…}}` and a newline, columns in the table's order.
fn row_line(table: &Table, values: &[Value], line: &mut Vec<u8>) {
    line.extend_from_slice(b"{\"table\":\"");
    line.extend_from_slice(table.name.as_bytes());
    line.extend_from_slice(b"\",\"row\":{");
    for (index, (column, value)) in table.columns.iter().zip(values).enumerate() {
        if index > 0 {
            line.push(b',');
        }
        line.push(b'"');
        line.extend_from_slice(column.name.as_bytes());
        line.extend_from_slice(b"\":");
        match value {
            Value::Text(text) => {
                line.extend_from_slice(Json::from(text.as_str()).to_string().as_bytes())
            }
            Value::Integer(number) => line.extend_from_slice(number.to_string().as_bytes()),
            Value::Null => line.extend_from_slice(b"null"),
        }
    }
    line.extend_from_slice(b"}}\n");
}

/// Exports to `path` (`-`: stdout): written under a temporary name beside it, flushed to
/// disk, then renamed, so `path` is never a half file. Readable by its owner only: it holds
/// password hashes, readers' addresses and the link-signing key.
pub async fn export_to_path(
    store: &Store,
    path: &Path,
    now_ms: i64,
    progress: impl FnMut(u64),
) -> Result<Counts, BackupError> {
    let file_error = |error| BackupError::File {
        path: path.display().to_string(),
        error,
    };
    let failure = |failure: ExportFailure| match failure {
        ExportFailure::Write(error) => file_error(error),
        ExportFailure::Database(error) => BackupError::Database(error),
    };
    if path == Path::new("-") {
        let mut out = tokio::io::BufWriter::new(tokio::io::stdout());
        return export(store, &mut out, now_ms, progress)
            .await
            .map_err(failure);
    }
    let temporary = temporary_name(path);
    // A leftover of a crash goes first: `mode` applies only to a file this call creates.
    let _ = tokio::fs::remove_file(&temporary).await;
    let result = async {
        let file = tokio::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&temporary)
            .await
            .map_err(file_error)?;
        let mut out = tokio::io::BufWriter::with_capacity(256 * 1024, file);
        let counts = export(store, &mut out, now_ms, progress)
            .await
            .map_err(failure)?;
        let file = out.into_inner();
        file.sync_all().await.map_err(file_error)?;
        tokio::fs::rename(&temporary, path)
            .await
            .map_err(file_error)?;
        Ok(counts)
    }
    .await;
    if result.is_err() {
        let _ = tokio::fs::remove_file(&temporary).await;
    }
    result
}

/// `DIR/.NAME.partial`: beside the final name (so the rename stays on one file system), and
/// never matched as a backup by the rotation.
fn temporary_name(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "export".to_owned());
    path.with_file_name(format!(".{name}.partial"))
}

/// Reads an export from `input` into `store`, which must be empty: all of it in one
/// transaction, or nothing.
pub async fn restore<R: AsyncBufRead + Unpin>(
    store: &Store,
    input: &mut R,
    mut progress: impl FnMut(u64),
) -> Result<Counts, BackupError> {
    let mut restoring = store.begin_restore().await?;
    let full = restoring.tables_with_rows().await?;
    if !full.is_empty() {
        return Err(BackupError::NotEmpty(full.join(", ")));
    }
    let mut lines = Lines {
        input,
        number: 0,
        buffer: Vec::new(),
    };
    let refused = |line: u64, reason: String| BackupError::Refused { line, reason };
    // The header.
    let header = match lines.next().await? {
        Some(json) => json,
        None => return Err(refused(1, "the file is empty".to_owned())),
    };
    check_header(&header).map_err(|reason| refused(1, reason))?;
    let mut counts = Counts::new();
    // One table's rows waiting to be inserted, with the line each came from.
    let mut batch: Vec<Vec<Value>> = Vec::with_capacity(RESTORE_BATCH);
    let mut batch_lines: Vec<u64> = Vec::with_capacity(RESTORE_BATCH);
    let mut batch_table: Option<usize> = None;
    let trailer = loop {
        let Some(json) = lines.next().await? else {
            return Err(refused(
                lines.number + 1,
                "the file ends without its last line (the counts): it was cut short".to_owned(),
            ));
        };
        let line = lines.number;
        if json.get("end").is_some() {
            break json;
        }
        let (index, values) = parse_row(&json).map_err(|reason| refused(line, reason))?;
        if batch_table.is_some_and(|t| t != index) || batch.len() == RESTORE_BATCH {
            flush(&mut restoring, batch_table, &mut batch, &mut batch_lines).await?;
        }
        batch_table = Some(index);
        batch.push(values);
        batch_lines.push(line);
        counts.0[index] += 1;
        if counts.total().is_multiple_of(PROGRESS_EVERY) {
            progress(counts.total());
        }
    };
    let trailer_line = lines.number;
    flush(&mut restoring, batch_table, &mut batch, &mut batch_lines).await?;
    check_trailer(&trailer, &counts).map_err(|reason| refused(trailer_line, reason))?;
    if lines.next().await?.is_some() {
        return Err(refused(
            lines.number,
            "a line after the last line (the counts)".to_owned(),
        ));
    }
    let orphans = restoring.comments_without_root(5).await?;
    if !orphans.is_empty() {
        return Err(refused(
            trailer_line,
            format!(
                "comments whose thread root is not in the file: {}",
                orphans.join(", ")
            ),
        ));
    }
    restoring.finish().await?;
    Ok(counts)
}

async fn flush(
    restoring: &mut crate::store::backup::Restoring,
    table: Option<usize>,
    batch: &mut Vec<Vec<Value>>,
    lines: &mut Vec<u64>,
) -> Result<(), BackupError> {
    let Some(index) = table else {
        return Ok(());
    };
    if let Err((at, error)) = restoring.insert(&TABLES[index], batch).await {
        return Err(BackupError::Refused {
            line: lines.get(at).copied().unwrap_or(0),
            reason: format!("the database refused the row: {error}"),
        });
    }
    batch.clear();
    lines.clear();
    Ok(())
}

/// The file's lines as JSON, numbered from 1, each at most `LINE_LIMIT` bytes.
struct Lines<'r, R> {
    input: &'r mut R,
    number: u64,
    buffer: Vec<u8>,
}

impl<R: AsyncBufRead + Unpin> Lines<'_, R> {
    async fn next(&mut self) -> Result<Option<Json>, BackupError> {
        self.buffer.clear();
        let read = (&mut *self.input)
            .take(LINE_LIMIT + 1)
            .read_until(b'\n', &mut self.buffer)
            .await
            .map_err(|error| BackupError::File {
                path: "input".to_owned(),
                error,
            })?;
        if read == 0 {
            return Ok(None);
        }
        self.number += 1;
        let refused = |reason: String| BackupError::Refused {
            line: self.number,
            reason,
        };
        if self.buffer.last() != Some(&b'\n') {
            return Err(refused(if read as u64 > LINE_LIMIT {
                format!("a line longer than {LINE_LIMIT} bytes")
            } else {
                "the last line is cut short (no newline): the file was truncated".to_owned()
            }));
        }
        serde_json::from_slice(&self.buffer)
            .map(Some)
            .map_err(|error| refused(format!("not JSON: {error}")))
    }
}

fn check_header(header: &Json) -> Result<(), String> {
    if header.get("format").and_then(Json::as_str) != Some(FORMAT) {
        return Err(format!(
            "not a comment-service export (the first line's \"format\" is not {FORMAT:?})"
        ));
    }
    match header.get("version").and_then(Json::as_i64) {
        Some(VERSION) => {}
        other => {
            return Err(format!(
                "format version {other:?}: this build reads version {VERSION}"
            ))
        }
    }
    match header.get("schema").and_then(Json::as_i64) {
        Some(schema) if (1..=schema_version()).contains(&schema) => Ok(()),
        Some(schema) => Err(format!(
            "written under schema {schema}, newer than this build's {}: restore it with a newer build",
            schema_version()
        )),
        None => Err("the header has no schema number".to_owned()),
    }
}

/// A row line's table and its values in the table's column order, each checked.
fn parse_row(json: &Json) -> Result<(usize, Vec<Value>), String> {
    let object = json
        .as_object()
        .ok_or_else(|| "a line that is not an object".to_owned())?;
    if let Some(key) = object.keys().find(|key| *key != "table" && *key != "row") {
        return Err(format!(
            "an unknown key {key:?} (a row line has \"table\" and \"row\")"
        ));
    }
    let name = object
        .get("table")
        .and_then(Json::as_str)
        .ok_or_else(|| "a line without \"table\"".to_owned())?;
    let table = table(name).ok_or_else(|| format!("an unknown table {name:?}"))?;
    let index = TABLES
        .iter()
        .position(|t| t.name == table.name)
        .unwrap_or_default();
    let row = object
        .get("row")
        .and_then(Json::as_object)
        .ok_or_else(|| format!("a {name} line without a \"row\" object"))?;
    if let Some(key) = row.keys().find(|key| table.column(key).is_none()) {
        return Err(format!("an unknown column {name}.{key}"));
    }
    let mut values = Vec::with_capacity(table.columns.len());
    for column in table.columns {
        let value = match (row.get(column.name), column.kind) {
            (None | Some(Json::Null), kind) if kind.is_optional() => Value::Null,
            (None, _) => return Err(format!("{name}.{} is missing", column.name)),
            (Some(Json::String(text)), ColumnKind::Text | ColumnKind::OptionalText) => {
                Value::Text(text.clone())
            }
            (Some(number), ColumnKind::Integer | ColumnKind::OptionalInteger) => Value::Integer(
                number
                    .as_i64()
                    .ok_or_else(|| format!("{name}.{} is not a whole number", column.name))?,
            ),
            (Some(_), _) => return Err(format!("{name}.{} is not text", column.name)),
        };
        values.push(value);
    }
    check_rules(table, &values)?;
    Ok((index, values))
}

/// The rules a row keeps in the service, beyond its columns' types.
fn check_rules(table: &Table, values: &[Value]) -> Result<(), String> {
    let get = |name: &str| {
        table
            .columns
            .iter()
            .position(|column| column.name == name)
            .and_then(|at| values.get(at))
    };
    let text_of = |name: &str| match get(name) {
        Some(Value::Text(text)) => Some(text.as_str()),
        _ => None,
    };
    if let Some(column) = table.columns.first() {
        if let Some(Value::Text(key)) = values.first() {
            if key.is_empty() {
                return Err(format!("{}.{} is empty", table.name, column.name));
            }
        }
    }
    match table.name {
        "comments" => {
            let status = text_of("status").unwrap_or_default();
            crate::store::ModerationStatus::try_from(status.to_owned())?;
            if !matches!(get("notify"), Some(Value::Integer(0 | 1))) {
                return Err("comments.notify is neither 0 nor 1".to_owned());
            }
            if text_of("root_id").is_some_and(str::is_empty) {
                return Err("comments.root_id is empty".to_owned());
            }
        }
        "blocks" => {
            let kind = text_of("kind").unwrap_or_default();
            if kind != "email" && kind != "address" {
                return Err(format!("an unknown kind of block {kind:?}"));
            }
        }
        _ => {}
    }
    Ok(())
}

fn check_trailer(trailer: &Json, counts: &Counts) -> Result<(), String> {
    if trailer.get("end").and_then(Json::as_str) != Some(FORMAT) {
        return Err("a last line that is not this format's".to_owned());
    }
    let said = trailer
        .get("counts")
        .and_then(Json::as_object)
        .ok_or_else(|| "the last line has no counts".to_owned())?;
    if let Some(name) = said.keys().find(|name| table(name).is_none()) {
        return Err(format!("the counts name an unknown table {name:?}"));
    }
    for (table, read) in TABLES.iter().zip(&counts.0) {
        let expected = match said.get(table.name) {
            None => 0,
            Some(n) => n
                .as_u64()
                .ok_or_else(|| format!("the count of {} is not a number", table.name))?,
        };
        if expected != *read {
            return Err(format!(
                "the file says {expected} rows of {} and holds {read}",
                table.name
            ));
        }
    }
    Ok(())
}

/// `comment-service export FILE`: 0, or 1 with the reason on stderr.
pub async fn export_command(store: &Store, file: &Path) -> i32 {
    let started = std::time::Instant::now();
    let result = export_to_path(store, file, crate::clock::now_ms(), |rows| {
        eprintln!("exported {rows} rows…")
    })
    .await;
    match result {
        Ok(counts) => {
            report_done("Exported", &counts, started);
            0
        }
        Err(error) => {
            eprintln!("The export failed: {error}");
            1
        }
    }
}

/// The line that ends an export or a restore: rows per table, time, peak memory.
fn report_done(done: &str, counts: &Counts, started: std::time::Instant) {
    eprintln!(
        "{done} {} rows ({}) in {:.1} s{}.",
        counts.total(),
        counts.summary(),
        started.elapsed().as_secs_f64(),
        peak_memory()
            .map(|kib| format!(", peak memory {} MiB", kib / 1024))
            .unwrap_or_default()
    );
}

/// `comment-service restore FILE`: 0; 2 when the file or the database is refused; 1 on an
/// error of the disk or the database.
pub async fn restore_command(store: &Store, file: &Path) -> i32 {
    let started = std::time::Instant::now();
    let progress = |rows| eprintln!("read {rows} rows…");
    let result = if file == Path::new("-") {
        let mut input = tokio::io::BufReader::new(tokio::io::stdin());
        restore(store, &mut input, progress).await
    } else {
        match tokio::fs::File::open(file).await {
            Ok(opened) => {
                let mut input = tokio::io::BufReader::with_capacity(256 * 1024, opened);
                restore(store, &mut input, progress).await
            }
            Err(error) => Err(BackupError::File {
                path: file.display().to_string(),
                error,
            }),
        }
    };
    match result {
        Ok(counts) => {
            report_done("Restored", &counts, started);
            0
        }
        Err(error @ (BackupError::Refused { .. } | BackupError::NotEmpty(_))) => {
            eprintln!("{}: refused: {error}", file.display());
            2
        }
        Err(error) => {
            eprintln!("The restore failed: {error}; nothing was restored");
            1
        }
    }
}

/// The process's peak resident memory in KiB (Linux's VmHWM), for the closing line.
fn peak_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

// ---- The daily backup of `serve --backup-dir DIR --backup-keep N`.

/// How often the task looks whether today's backup is there: a day's file is written at the
/// first look of the day, and a failed one is tried again an hour later.
pub const LOOK_EVERY: Duration = Duration::from_secs(60 * 60);

/// `comments-YYYY-MM-DD.jsonl` for the UTC day of `now_ms`.
pub fn daily_name(now_ms: i64) -> String {
    format!("comments-{}.jsonl", &rfc3339(now_ms)[..10])
}

/// True for a name `daily_name` makes.
fn is_daily_name(name: &str) -> bool {
    let Some(date) = name
        .strip_prefix("comments-")
        .and_then(|rest| rest.strip_suffix(".jsonl"))
    else {
        return false;
    };
    date.len() == 10
        && date.bytes().enumerate().all(|(at, byte)| match at {
            4 | 7 => byte == b'-',
            _ => byte.is_ascii_digit(),
        })
}

/// Of these file names, the daily backups beyond the newest `keep`, oldest first (names sort
/// by date). Other files are never touched.
pub fn beyond_keep(names: &[String], keep: usize) -> Vec<String> {
    let mut daily: Vec<&String> = names.iter().filter(|name| is_daily_name(name)).collect();
    daily.sort();
    let surplus = daily.len().saturating_sub(keep);
    daily.into_iter().take(surplus).cloned().collect()
}

/// Writes today's backup into `dir` unless it is there, then removes the oldest beyond
/// `keep`. Returns the file written, if one was.
pub async fn daily_backup(
    store: &Store,
    dir: &Path,
    keep: usize,
    now_ms: i64,
) -> Result<Option<PathBuf>, BackupError> {
    let dir_error = |error| BackupError::File {
        path: dir.display().to_string(),
        error,
    };
    tokio::fs::create_dir_all(dir).await.map_err(dir_error)?;
    let path = dir.join(daily_name(now_ms));
    let written = if tokio::fs::try_exists(&path).await.map_err(dir_error)? {
        None
    } else {
        let counts = export_to_path(store, &path, now_ms, |_| {}).await?;
        tracing::info!(file = %path.display(), rows = counts.total(), "backup written");
        Some(path)
    };
    let mut names = Vec::new();
    let mut entries = tokio::fs::read_dir(dir).await.map_err(dir_error)?;
    while let Some(entry) = entries.next_entry().await.map_err(dir_error)? {
        names.push(entry.file_name().to_string_lossy().into_owned());
    }
    for old in beyond_keep(&names, keep) {
        let old = dir.join(old);
        match tokio::fs::remove_file(&old).await {
            Ok(()) => tracing::info!(file = %old.display(), "old backup removed"),
            Err(error) => tracing::warn!(file = %old.display(), %error, "old backup not removed"),
        }
    }
    Ok(written)
}

/// The daily backup's task: a look at start, then every `LOOK_EVERY`; failures are logged
/// and tried again at the next look. Runs beside the server on its own task, reading through
/// the store's pool like any reader.
pub fn start_daily(store: Store, dir: PathBuf, keep: usize) -> tokio::task::JoinHandle<()> {
    // Never none: the file just written is always kept.
    let keep = keep.max(1);
    tokio::spawn(async move {
        loop {
            if let Err(error) = daily_backup(&store, &dir, keep, crate::clock::now_ms()).await {
                tracing::error!(%error, dir = %dir.display(), "the daily backup failed; trying again in an hour");
            }
            tokio::time::sleep(LOOK_EVERY).await;
        }
    })
}

/// `2026-12-07T23:05:09Z` for a time in ms since the epoch (UTC; the days-to-civil algorithm
/// of Howard Hinnant's `chrono`-compatible date library).
pub fn rfc3339(now_ms: i64) -> String {
    let seconds = now_ms.div_euclid(1000);
    let days = seconds.div_euclid(86_400);
    let in_day = seconds.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        in_day / 3600,
        in_day % 3600 / 60,
        in_day % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_utc_days() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400_000), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_796_684_709_000), "2026-12-07T23:05:09Z");
        assert_eq!(daily_name(1_796_684_709_000), "comments-2026-12-07.jsonl");
    }

    #[test]
    fn rotation_removes_the_oldest_daily_files_beyond_keep_and_nothing_else() {
        let names: Vec<String> = [
            "comments-2026-12-07.jsonl",
            "comments-2026-12-05.jsonl",
            ".comments-2026-12-08.jsonl.partial",
            "notes.txt",
            "comments-2026-12-06.jsonl",
            "comments-2026-1-04.jsonl",
            "comments-2026-12-04.jsonl",
        ]
        .map(str::to_owned)
        .to_vec();
        assert_eq!(
            beyond_keep(&names, 2),
            vec!["comments-2026-12-04.jsonl", "comments-2026-12-05.jsonl"]
        );
        assert_eq!(beyond_keep(&names, 4), Vec::<String>::new());
        assert_eq!(beyond_keep(&names, 0).len(), 4);
    }

    #[test]
    fn a_row_is_checked_against_its_table() {
        let ok = serde_json::json!({"table": "blocks", "row": {"kind": "email", "value": "a@b",
            "created_at": 1, "moderator": "m"}});
        assert!(parse_row(&ok).is_ok());
        let cases = [
            (
                serde_json::json!({"table": "nope", "row": {}}),
                "unknown table",
            ),
            (
                serde_json::json!({"table": "blocks", "row": {"kind": "email", "value": "a",
                "created_at": 1, "moderator": "m", "extra": 1}}),
                "unknown column",
            ),
            (
                serde_json::json!({"table": "blocks", "row": {"kind": "email", "value": "a",
                "created_at": "1", "moderator": "m"}}),
                "whole number",
            ),
            (
                serde_json::json!({"table": "blocks", "row": {"kind": "email", "value": "a",
                "created_at": 1}}),
                "missing",
            ),
            (
                serde_json::json!({"table": "blocks", "row": {"kind": "ip", "value": "a",
                "created_at": 1, "moderator": "m"}}),
                "kind of block",
            ),
        ];
        for (json, expected) in cases {
            let error = parse_row(&json).unwrap_err();
            assert!(error.contains(expected), "{error}");
        }
    }
}
