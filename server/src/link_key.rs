//! The key that signs the links the service mails (unsubscribe, confirmation, readers' data),
//! shared by every instance through the database. A shared layer, so that any area that
//! mails or checks a link reads the one key (moved here from `mail::links`, which re-exports it).

use crate::http::error::{ApiError, HtmlError};
use crate::store::Store;
use crate::tokens::random_hex;

/// Why there is no signing key.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// No secure random source to make one: no key rather than a guessable one.
    #[error("the system's random source failed: {0}")]
    NoRandomness(getrandom::Error),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}

impl From<KeyError> for HtmlError {
    fn from(error: KeyError) -> HtmlError {
        match error {
            KeyError::NoRandomness(_) => ApiError::NoRandomness,
            KeyError::Database(error) => ApiError::Database(error),
        }
        .page()
    }
}

/// The key, kept in the database under the name `unsubscribe`. Read once per process (made by
/// the first instance that asks, from the system's random source: when that fails there is no
/// key, and no link); an error is not kept, so the next call tries again rather than signing
/// with a key no other instance knows.
pub async fn signing_key(store: &Store) -> Result<&'static [u8], KeyError> {
    static KEY: tokio::sync::OnceCell<Vec<u8>> = tokio::sync::OnceCell::const_new();
    KEY.get_or_try_init(|| async {
        if let Some(key) = store.existing_secret("unsubscribe").await? {
            return Ok(key.into_bytes());
        }
        let fresh = random_hex(32).map_err(|error| {
            tracing::error!(%error, "the system's random source failed: no key to sign links");
            KeyError::NoRandomness(error)
        })?;
        Ok(store.secret("unsubscribe", &fresh).await?.into_bytes())
    })
    .await
    .map(Vec::as_slice)
}
