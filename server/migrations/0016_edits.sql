-- Edit and delete your own comment (issue 20): when its author last changed its text
-- (NULL: never), and when its author deleted it while it had replies (NULL: not deleted).
-- A deleted comment with replies stays as a tombstone (no author, no text, no address) so
-- its replies keep their place; one without replies is removed. The previous text of an
-- edit or a deletion goes to `audit_log` (moderators read it there).
ALTER TABLE comments ADD COLUMN edited_at BIGINT;
ALTER TABLE comments ADD COLUMN deleted_at BIGINT;
