-- Likes (issue 20): one row per reader and comment, the reader known by the digest of the
-- widget's author token (the hash `comments.author_token` also holds, so a reader's own
-- comment is recognised); each comment's count kept with it, changed in the transaction that
-- adds or removes the row, so a list reads counts without counting and "Best first" pages by
-- an index. The rows go with their comment.
ALTER TABLE comments ADD COLUMN likes BIGINT NOT NULL DEFAULT 0;
CREATE TABLE IF NOT EXISTS comment_likes (
    comment_id TEXT NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    reader TEXT NOT NULL,
    liked_at BIGINT NOT NULL,
    PRIMARY KEY (comment_id, reader)
);
-- "Best first": the public roots by likes, then oldest (keyset on likes, created_at, id).
CREATE INDEX IF NOT EXISTS comments_best_roots ON comments (article_id, likes DESC, created_at, id)
    WHERE root_id = id;
-- Likes per client address in a fixed window: the window's start and the turns taken in it.
CREATE TABLE IF NOT EXISTS like_turns (
    subject TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    turns BIGINT NOT NULL
);
-- A reader's likes on an article's page, found from the reader.
CREATE INDEX IF NOT EXISTS comment_likes_by_reader ON comment_likes (reader, comment_id);
