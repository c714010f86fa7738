-- How many approved comments each article has, kept with its last change (so a count, and a
-- page's total, is one row read); and the threads whose first comment is not public (held or
-- rejected), few, found through an index of their own: their visible replies come with the
-- first page.
ALTER TABLE article_activity ADD COLUMN approved BIGINT NOT NULL DEFAULT 0;
INSERT INTO article_activity (article_id, changed_at, approved)
    SELECT article_id, MAX(created_at), COUNT(*) FROM comments
    WHERE status = 'approved' GROUP BY article_id
    ON CONFLICT (article_id) DO UPDATE SET approved = excluded.approved;
CREATE INDEX IF NOT EXISTS comments_hidden_roots ON comments (article_id)
    WHERE root_id = id AND status <> 'approved';
