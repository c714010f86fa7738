-- The moderation area: moderators (Argon2id password hashes), their sessions (a hash of the
-- cookie's token, and the session's CSRF token), failed sign-ins (per account and per client
-- address, for the lockout), the audit log, and blocked email and client addresses.
-- Comments marked as spam keep the status 'spam' (hidden, as rejected ones are).
CREATE TABLE IF NOT EXISTS moderators (
    name TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS moderator_sessions (
    token_hash TEXT PRIMARY KEY,
    moderator TEXT NOT NULL,
    csrf TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS signin_failures (
    subject TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    first_at BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit_log (
    at BIGINT NOT NULL,
    moderator TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_log_by_time ON audit_log (at);
CREATE TABLE IF NOT EXISTS blocks (
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    moderator TEXT NOT NULL,
    PRIMARY KEY (kind, value)
);
