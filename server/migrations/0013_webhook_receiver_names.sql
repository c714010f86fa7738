-- Webhook receivers by name instead of by position (issue 21). A receiver's name is a digest
-- of its URL (`webhooks::receiver_name`), so an outbox row (`webhook:EVENT:COMMENT:NAME`)
-- names the receiver it is for whatever the order of `--webhook` on the instance that sends
-- it, and an instance claims only the rows of receivers it knows. Rows written before this
-- migration end in a position and are sent to that position of the sending instance's list.
-- The names are set by `serve` as it starts (the last instance started decides), as the
-- positions were.
CREATE TABLE IF NOT EXISTS webhook_receiver_names (
    receiver TEXT PRIMARY KEY
);
INSERT INTO webhook_receiver_names (receiver)
    SELECT CAST(position AS TEXT) FROM webhook_receivers;
DROP TABLE webhook_receivers;
