//! The clock, read in one place: handlers and workers read it and pass the time to the store,
//! which never reads it itself (so its rules can be tested at any time).

/// Milliseconds since the Unix epoch (0 if the system clock is before it).
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}
