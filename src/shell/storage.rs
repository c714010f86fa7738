//! The browser's localStorage, with its two failures as values: not there (disabled, blocked
//! third-party storage, private modes) and full.

use crate::domain::errors::StorageError;

#[cfg(target_arch = "wasm32")]
fn storage() -> Result<web_sys::Storage, StorageError> {
    web_sys::window()
        .ok_or(StorageError::Unavailable)?
        .local_storage()
        .ok()
        .flatten()
        .ok_or(StorageError::Unavailable)
}

pub fn read(key: &str) -> Result<Option<String>, StorageError> {
    #[cfg(target_arch = "wasm32")]
    {
        storage()?
            .get_item(key)
            .map_err(|_| StorageError::Unavailable)
    }
    // Rendering on the server: nothing is stored for a reader there, which is no problem to
    // report (the browser's storage is read again when the widget runs).
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = key;
        Ok(None)
    }
}

pub fn write(key: &str, value: &str) -> Result<(), StorageError> {
    #[cfg(target_arch = "wasm32")]
    {
        storage()?.set_item(key, value).map_err(|error| {
            let name = js_sys::Reflect::get(&error, &"name".into())
                .ok()
                .and_then(|n| n.as_string());
            match name.as_deref() {
                Some("QuotaExceededError") | Some("NS_ERROR_DOM_QUOTA_REACHED") => {
                    StorageError::Full
                }
                _ => StorageError::Unavailable,
            }
        })
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = (key, value);
        Err(StorageError::Unavailable)
    }
}

pub fn remove(key: &str) -> Result<(), StorageError> {
    #[cfg(target_arch = "wasm32")]
    {
        storage()?
            .remove_item(key)
            .map_err(|_| StorageError::Unavailable)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = key;
        Err(StorageError::Unavailable)
    }
}
