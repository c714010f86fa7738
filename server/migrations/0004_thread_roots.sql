-- Threads are paged by their top-level comment ("root"), replies kept with it, as WordPress
-- pages them. Each comment records its thread's root: a top-level comment itself, a reply its
-- parent's root. A reply whose parent is unknown (or part of a reply cycle in hostile data)
-- is a root of its own, so it is on a page like any top-level comment.
ALTER TABLE comments ADD COLUMN root_id TEXT;
WITH RECURSIVE chain (id, root) AS (
    SELECT id, id FROM comments WHERE parent_id IS NULL
    UNION ALL
    SELECT c.id, chain.root FROM comments c JOIN chain ON c.parent_id = chain.id
)
UPDATE comments SET root_id = (SELECT root FROM chain WHERE chain.id = comments.id);
UPDATE comments SET root_id = id WHERE root_id IS NULL;
-- A page of roots, oldest or newest first (keyset: created_at, id); and a page's replies.
CREATE INDEX IF NOT EXISTS comments_roots ON comments (article_id, created_at, id) WHERE root_id = id;
CREATE INDEX IF NOT EXISTS comments_by_root ON comments (root_id, created_at);
