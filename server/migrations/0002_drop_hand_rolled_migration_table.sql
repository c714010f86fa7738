-- Migrations are recorded by sqlx in _sqlx_migrations now; the table the service kept by hand
-- before is no longer read.
DROP TABLE IF EXISTS schema_migrations;
