-- Readers signed in by the publisher (issue 20): the account a comment was written under, as
-- `iss|sub` from the publisher's token (NULL for an anonymous comment). The name shown is the
-- token's, stored in `author` as any name is.
ALTER TABLE comments ADD COLUMN account TEXT;
