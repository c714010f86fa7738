-- Readers' data rights (issue 21; GDPR articles 15 and 17). A reader asks at /my-data for a
-- link to what is held under their address; the link is mailed (an outbox row of kind
-- 'data-link' whose comment_id names the link's nonce), signed, carrying the address, its
-- issue time and the nonce, and works once: the first POST that marks `used_at` wins, on any
-- instance. Rows older than the link's validity are dropped by later requests.
CREATE TABLE IF NOT EXISTS data_links (
    nonce TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    issued_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX IF NOT EXISTS data_links_by_email ON data_links (email);
-- The rate limit on requests, per address and per client address: one row per subject,
-- changed by one conditional statement, so concurrent requests cannot both pass.
CREATE TABLE IF NOT EXISTS data_link_turns (
    subject TEXT PRIMARY KEY,
    last_at BIGINT NOT NULL,
    window_started_at BIGINT NOT NULL,
    in_window BIGINT NOT NULL
);
-- A reader's short session after opening a link (a hash of the cookie's token, as the
-- moderators' sessions are), with the CSRF token of its forms.
CREATE TABLE IF NOT EXISTS reader_sessions (
    token_hash TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    csrf TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
-- Comments are found by address whatever its case (as the service compares addresses).
CREATE INDEX IF NOT EXISTS comments_by_lower_email ON comments (lower(email));
