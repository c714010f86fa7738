-- Webhook receivers by name instead of by position (issue 21). A receiver's name is a digest
-- of its URL (`webhooks::receiver_name`), so an outbox row (`webhook:EVENT:COMMENT:NAME`)
-- names the receiver it is for whatever the order of `--webhook` on the instance that sends
-- it, and an instance claims only the rows of receivers it knows. Each instance with
-- webhooks writes its receivers' names with the time (`seen_at`) as it starts and every ten
-- minutes; events write rows for the receivers seen in the last hour, so an instance started
-- without `--webhook` changes nothing, and a receiver no instance names any more stops
-- getting rows within the hour. Rows written before this migration end in a position and
-- are sent to that position of the sending instance's list.
CREATE TABLE IF NOT EXISTS webhook_receiver_names (
    receiver TEXT PRIMARY KEY,
    seen_at BIGINT NOT NULL
);
DROP TABLE webhook_receivers;
