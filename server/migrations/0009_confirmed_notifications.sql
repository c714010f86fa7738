-- Reply notifications are double opt-in. Ticking "Notify me" mails the address a signed,
-- expiring confirmation link (an outbox row of kind 'confirm', written in the comment's
-- transaction); replies are mailed only to addresses that confirmed, once per address, not
-- per thread. Addresses are keyed as the service compares them (lower case), so a change
-- of case is the same address: it cannot be confirmed apart, nor escape the rate limit.
-- Subscriptions made before this migration were never confirmed: they lapse until their
-- address confirms.
CREATE TABLE IF NOT EXISTS confirmed_addresses (
    email TEXT PRIMARY KEY,
    confirmed_at BIGINT NOT NULL
);
-- The confirmation mails each address was sent, for the rate limit (at most one an hour, a
-- few a day): one row per address, changed by one conditional statement, so concurrent
-- posts cannot both pass.
CREATE TABLE IF NOT EXISTS confirmation_mails (
    email TEXT PRIMARY KEY,
    last_at BIGINT NOT NULL,
    day_started_at BIGINT NOT NULL,
    in_day BIGINT NOT NULL
);
