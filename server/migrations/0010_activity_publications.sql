-- Comments published (stored approved) that `article_activity` does not count yet. Each post
-- adds a row of its own here instead of updating its article's one row, which made every post
-- to a busy article wait for the one before it to commit. Readers add these rows to the
-- article's row (exact at every read); every few posts, and with every moderation of the
-- article, they are folded into it. The key serves both the per-article reads and MAX.
CREATE TABLE IF NOT EXISTS activity_publications (
    article_id TEXT NOT NULL,
    published_at BIGINT NOT NULL,
    comment_id TEXT NOT NULL,
    PRIMARY KEY (article_id, published_at, comment_id)
);
