-- Webhooks (issue 21). A comment held, approved, marked spam or deleted is told to each
-- receiver the serving instances name (`--webhook`) by a POST: one outbox row per event and
-- receiver (kind 'webhook', id 'webhook:EVENT:COMMENT:POSITION'), written in the event's own
-- transaction, claimed and retried like the mail. Its body is a snapshot taken then
-- (`payload`): a deleted comment is gone by the time the worker sends.
ALTER TABLE outbox ADD COLUMN payload TEXT;
-- Which receivers exist (their positions in `--webhook`'s list; the URLs stay in the flags):
-- written by `serve` as it starts, read by every event's transaction, including those of the
-- `moderate` command, so that no row is written when no receiver is set.
CREATE TABLE IF NOT EXISTS webhook_receivers (
    position BIGINT PRIMARY KEY
);
