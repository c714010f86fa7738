//! The moderation area's records: moderators, their sessions, sign-in failures, the audit
//! log and blocks.

use super::{Result, Store};

/// One sign-in attempt counted in advance (see [`Store::reserve_signin_attempt`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SigninReservation {
    account: String,
    address: String,
    /// When the address's window began, so that giving the attempt back never touches a
    /// later window's count.
    address_window: i64,
}

impl Store {
    /// Adds a moderator, or gives one a new password and ends their sessions (whoever signed
    /// in with the old password is signed out). True when the name was new.
    pub async fn set_moderator(&self, name: &str, password_hash: &str, now: i64) -> Result<bool> {
        let mut transaction = self.pool.begin().await?;
        let ended = sqlx::query(&self.sql("DELETE FROM moderator_sessions WHERE moderator = ?"))
            .bind(name)
            .execute(&mut *transaction)
            .await?;
        let existed: Option<i64> =
            sqlx::query_scalar(&self.sql("SELECT 1 FROM moderators WHERE name = ?"))
                .bind(name)
                .fetch_optional(&mut *transaction)
                .await?;
        sqlx::query(&self.sql(
            "INSERT INTO moderators (name, password_hash, created_at) VALUES (?, ?, ?)
             ON CONFLICT (name) DO UPDATE SET password_hash = excluded.password_hash",
        ))
        .bind(name)
        .bind(password_hash)
        .bind(now)
        .execute(&mut *transaction)
        .await?;
        transaction.commit().await?;
        if ended.rows_affected() > 0 {
            tracing::info!(
                moderator = name,
                sessions = ended.rows_affected(),
                "sessions ended by a new password"
            );
        }
        Ok(existed.is_none())
    }

    /// Removes a moderator and ends their sessions; false when there is none of that name.
    pub async fn remove_moderator(&self, name: &str) -> Result<bool> {
        let mut transaction = self.pool.begin().await?;
        let done = sqlx::query(&self.sql("DELETE FROM moderators WHERE name = ?"))
            .bind(name)
            .execute(&mut *transaction)
            .await?;
        sqlx::query(&self.sql("DELETE FROM moderator_sessions WHERE moderator = ?"))
            .bind(name)
            .execute(&mut *transaction)
            .await?;
        transaction.commit().await?;
        Ok(done.rows_affected() > 0)
    }

    pub async fn moderators(&self) -> Result<Vec<String>> {
        sqlx::query_scalar("SELECT name FROM moderators ORDER BY name")
            .fetch_all(&self.pool)
            .await
    }

    pub async fn moderator_password(&self, name: &str) -> Result<Option<String>> {
        sqlx::query_scalar(&self.sql("SELECT password_hash FROM moderators WHERE name = ?"))
            .bind(name)
            .fetch_optional(&self.pool)
            .await
    }

    pub async fn create_session(
        &self,
        token_hash: &str,
        moderator: &str,
        csrf: &str,
        expires_at: i64,
    ) -> Result<()> {
        sqlx::query(&self.sql(
            "INSERT INTO moderator_sessions (token_hash, moderator, csrf, expires_at) VALUES (?, ?, ?, ?)",
        ))
        .bind(token_hash)
        .bind(moderator)
        .bind(csrf)
        .bind(expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The moderator and CSRF token of a session that has not expired.
    pub async fn session(&self, token_hash: &str, now: i64) -> Result<Option<(String, String)>> {
        sqlx::query_as(&self.sql(
            "SELECT moderator, csrf FROM moderator_sessions WHERE token_hash = ? AND expires_at > ?",
        ))
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await
    }

    /// Ends a session (sign-out), and forgets every expired one.
    pub async fn end_session(&self, token_hash: &str, now: i64) -> Result<()> {
        sqlx::query(
            &self.sql("DELETE FROM moderator_sessions WHERE token_hash = ? OR expires_at <= ?"),
        )
        .bind(token_hash)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Failed sign-ins for this subject ("account:NAME", "address:IP") within the window
    /// that ends now.
    pub async fn signin_failures(&self, subject: &str, now: i64, window_ms: i64) -> Result<i64> {
        let row: Option<(i64, i64)> = sqlx::query_as(
            &self.sql("SELECT failures, first_at FROM signin_failures WHERE subject = ?"),
        )
        .bind(subject)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map_or(0, |(failures, first_at)| {
            if now - first_at < window_ms {
                failures
            } else {
                0
            }
        }))
    }

    /// Reserves one sign-in attempt for an account and a client address before the password
    /// is checked: each subject's count goes up by one in the same transaction, unless it has
    /// reached its limit within the window (then nothing is counted and `None` is the answer).
    /// The reservation stands as a failure unless [`Store::signin_succeeded`] gives it back,
    /// so concurrent attempts (on any number of instances) can never check more passwords
    /// than the limits allow: the count is taken and raised in one statement under the row's
    /// lock. The account is always reserved first, so two attempts never wait on each other
    /// in opposite orders. A subject already at its limit is found by a read first, so a
    /// flood of attempts on a locked account or address takes no write lock.
    pub async fn reserve_signin_attempt(
        &self,
        account: (&str, i64),
        address: (&str, i64),
        now: i64,
        window_ms: i64,
    ) -> Result<Option<SigninReservation>> {
        let sql = self.sql(
            "INSERT INTO signin_failures (subject, failures, first_at) VALUES (?, 1, ?)
             ON CONFLICT (subject) DO UPDATE SET
                 failures = CASE WHEN ? - signin_failures.first_at < ? THEN signin_failures.failures + 1 ELSE 1 END,
                 first_at = CASE WHEN ? - signin_failures.first_at < ? THEN signin_failures.first_at ELSE ? END
             WHERE signin_failures.failures < ? OR ? - signin_failures.first_at >= ?
             RETURNING first_at",
        );
        for (subject, limit) in [account, address] {
            if self.signin_failures(subject, now, window_ms).await? >= limit {
                return Ok(None);
            }
        }
        let mut transaction = self.pool.begin().await?;
        let mut windows = Vec::with_capacity(2);
        for (subject, limit) in [account, address] {
            let window: Option<i64> = sqlx::query_scalar(&sql)
                .bind(subject)
                .bind(now)
                .bind(now)
                .bind(window_ms)
                .bind(now)
                .bind(window_ms)
                .bind(now)
                .bind(limit)
                .bind(now)
                .bind(window_ms)
                .fetch_optional(&mut *transaction)
                .await?;
            match window {
                Some(first_at) => windows.push(first_at),
                None => {
                    transaction.rollback().await?;
                    return Ok(None);
                }
            }
        }
        transaction.commit().await?;
        Ok(Some(SigninReservation {
            account: account.0.to_owned(),
            address: address.0.to_owned(),
            address_window: windows[1],
        }))
    }

    /// A reserved attempt signed in: the account's failures are forgotten, and the address's
    /// reservation is given back (a success never counts against an address).
    pub async fn signin_succeeded(&self, reservation: &SigninReservation) -> Result<()> {
        let mut transaction = self.pool.begin().await?;
        sqlx::query(&self.sql("DELETE FROM signin_failures WHERE subject = ?"))
            .bind(&reservation.account)
            .execute(&mut *transaction)
            .await?;
        sqlx::query(&self.sql(
            "UPDATE signin_failures SET failures = failures - 1
             WHERE subject = ? AND first_at = ? AND failures > 0",
        ))
        .bind(&reservation.address)
        .bind(reservation.address_window)
        .execute(&mut *transaction)
        .await?;
        transaction.commit().await
    }

    pub async fn audit(
        &self,
        moderator: &str,
        action: &str,
        target: &str,
        detail: &str,
        now: i64,
    ) -> Result<()> {
        sqlx::query(&self.sql(
            "INSERT INTO audit_log (at, moderator, action, target, detail) VALUES (?, ?, ?, ?, ?)",
        ))
        .bind(now)
        .bind(moderator)
        .bind(action)
        .bind(target)
        .bind(detail)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The audit log, newest first: (time, moderator, action, target, detail).
    pub async fn audit_log(
        &self,
        limit: i64,
    ) -> Result<Vec<(i64, String, String, String, String)>> {
        sqlx::query_as(&self.sql(
            "SELECT at, moderator, action, target, detail FROM audit_log ORDER BY at DESC LIMIT ?",
        ))
        .bind(limit)
        .fetch_all(&self.pool)
        .await
    }

    /// Blocks an email or client address (`kind`: "email" or "address"); true when new.
    pub async fn block(&self, kind: &str, value: &str, moderator: &str, now: i64) -> Result<bool> {
        let done = sqlx::query(&self.sql(
            "INSERT INTO blocks (kind, value, created_at, moderator) VALUES (?, ?, ?, ?)
             ON CONFLICT (kind, value) DO NOTHING",
        ))
        .bind(kind)
        .bind(value)
        .bind(now)
        .bind(moderator)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    pub async fn unblock(&self, kind: &str, value: &str) -> Result<bool> {
        let done = sqlx::query(&self.sql("DELETE FROM blocks WHERE kind = ? AND value = ?"))
            .bind(kind)
            .bind(value)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Every block: (kind, value, when, by whom), newest first.
    pub async fn blocks(&self) -> Result<Vec<(String, String, i64, String)>> {
        sqlx::query_as(
            "SELECT kind, value, created_at, moderator FROM blocks ORDER BY created_at DESC",
        )
        .fetch_all(&self.pool)
        .await
    }

    /// True when this email or this client address is blocked.
    pub async fn is_blocked(&self, email: &str, address: &str) -> Result<bool> {
        let found: Option<i64> = sqlx::query_scalar(&self.sql(
            "SELECT 1 FROM blocks WHERE (kind = 'email' AND value = ?) OR (kind = 'address' AND value = ?)",
        ))
        .bind(email)
        .bind(address)
        .fetch_optional(&self.pool)
        .await?;
        Ok(found.is_some())
    }
}
