-- When each article's public thread last changed (a comment published, approved, unpublished
-- or deleted), in ms since the epoch, never going back: the thread's and the prerendered
-- page's Last-Modified. A comment held for moderation changes nothing public, and no row.
CREATE TABLE IF NOT EXISTS article_activity (
    article_id TEXT PRIMARY KEY,
    changed_at BIGINT NOT NULL
);
