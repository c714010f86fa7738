-- Notifications. A commenter may ask to hear of replies (comments.notify). Every message to
-- send is a row of the outbox, written in the transaction of the event itself (a comment
-- held, a reply approved), and sent by a worker that claims rows atomically, retries with
-- back-off and marks them sent: nothing is lost when the mail server is down or the service
-- restarts, and several instances send each message once. Addresses that unsubscribed are
-- never written to again. The key that signs unsubscribe links is made once and shared by
-- every instance through the database.
ALTER TABLE comments ADD COLUMN notify BIGINT NOT NULL DEFAULT 0;
CREATE TABLE IF NOT EXISTS outbox (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    comment_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    claimed_by TEXT,
    claimed_until BIGINT,
    sent_at BIGINT,
    last_error TEXT
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (next_attempt_at) WHERE sent_at IS NULL;
CREATE TABLE IF NOT EXISTS unsubscribed (
    email TEXT PRIMARY KEY,
    at BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS service_secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
