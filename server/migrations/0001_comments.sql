-- The comments, the idempotency keys and flood control. The same SQL runs on SQLite and
-- PostgreSQL. IF NOT EXISTS: databases created before migrations moved to sqlx already
-- have these tables, and keep their rows.
CREATE TABLE IF NOT EXISTS comments (
    id TEXT PRIMARY KEY,
    article_id TEXT NOT NULL,
    parent_id TEXT,
    author TEXT NOT NULL,
    email TEXT NOT NULL,
    website TEXT,
    content TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    client_address TEXT NOT NULL,
    author_token TEXT
);
CREATE INDEX IF NOT EXISTS comments_by_article ON comments (article_id, created_at);
CREATE INDEX IF NOT EXISTS comments_by_email ON comments (email, status);
CREATE TABLE IF NOT EXISTS idempotency (
    idempotency_key TEXT PRIMARY KEY,
    article_id TEXT NOT NULL,
    status_code BIGINT,
    body TEXT,
    created_at BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS flood (
    subject TEXT PRIMARY KEY,
    last_at BIGINT NOT NULL
);
