-- Pinned comments and badges (issue 20).
-- `pinned_at`: when a moderator pinned the comment (NULL: not pinned). Only an approved comment
-- that begins a thread is pinned, at most a few per article (`store::pins`); the public list
-- shows the article's pinned threads first on its first page, and leaves them out of the
-- pages by keyset, so no thread is on two pages.
-- `badges`: what the service knew of the writer when it stored the comment, as words
-- separated by spaces ("moderator", "author"; NULL: none), decided from the publisher's
-- signed token, never from the comment's body, and kept as it was when the comment was written.
ALTER TABLE comments ADD COLUMN pinned_at BIGINT;
ALTER TABLE comments ADD COLUMN badges TEXT;
-- The article's pinned threads, read with every first page: few rows, indexed apart.
CREATE INDEX IF NOT EXISTS comments_pinned ON comments (article_id, pinned_at) WHERE pinned_at IS NOT NULL;
