//! Moderators' passwords: Argon2id hashes, checked off the request workers.
//!
//! Passwords are checked a few at a time (`PASSWORD_WORK`), each on a thread of its own at
//! the lowest scheduling priority, holding no database connection: a burst of sign-ins
//! queues here and never stalls the readers' requests.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use std::sync::Arc;
use tokio::sync::Semaphore;

use crate::tokens::random_hex;

/// The longest moderator's name, in characters (the command line refuses longer ones, and a
/// sign-in with a longer one is refused before anything is looked up or stored).
pub const NAME_LIMIT: usize = 64;
/// The longest password, in characters: long enough for any passphrase, short enough that
/// hashing it costs nothing extra.
pub const PASSWORD_LIMIT: usize = 1024;

/// An Argon2id hash of the password, with a random salt (PHC string).
pub fn hash_password(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| error.to_string())
}

/// For the command line: reads a password (without echo on a terminal; a line of standard
/// input otherwise, for scripts).
pub fn read_password(prompt: &str) -> std::io::Result<String> {
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() {
        rpassword::prompt_password(prompt)
    } else {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        Ok(line.trim_end_matches(['\n', '\r']).to_owned())
    }
}

/// Password checks running at once: Argon2id takes ~19 MiB and tens of milliseconds of a core
/// each, so a burst of sign-ins waits here, on no database connection, instead of taking
/// every core from the requests readers make: half the cores (at least one, at most four).
static PASSWORD_WORK: std::sync::LazyLock<Arc<Semaphore>> = std::sync::LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    Arc::new(Semaphore::new((cores / 2).clamp(1, 4)))
});

/// A hash to verify against when the name is unknown (of a random password, made once).
static DUMMY_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let password: String = random_hex(32).unwrap_or_default();
    hash_password(&password).unwrap_or_default()
});

/// Whether the password matches the stored hash (`None`: no such moderator; a hash of a
/// random password is checked instead, so the answer takes as long). Each check runs on a
/// thread of its own at the lowest scheduling priority, behind `PASSWORD_WORK`: a core that
/// readers' requests need goes to them first, and a sign-in waits instead (a thread costs
/// microseconds; the check, milliseconds). Anything going wrong there refuses the sign-in.
pub async fn verify_password(password: &str, stored: Option<String>) -> bool {
    let Ok(permit) = PASSWORD_WORK.clone().acquire_owned().await else {
        return false;
    };
    let password = password.to_owned();
    let (answer, checked) = tokio::sync::oneshot::channel();
    // The permit goes with the work: a client that hangs up does not free it before the
    // check is done, so no number of abandoned sign-ins runs more checks at once.
    let started = std::thread::Builder::new()
        .name("password-check".to_owned())
        .spawn(move || {
            let _permit = permit;
            lowest_priority();
            let matches = match stored {
                Some(hash) => password_matches(&password, &hash),
                None => {
                    let _ = password_matches(&password, &DUMMY_HASH);
                    false
                }
            };
            let _ = answer.send(matches);
        });
    if let Err(error) = started {
        tracing::error!(%error, "a password check could not start");
        return false;
    }
    checked.await.unwrap_or_else(|_| {
        tracing::error!("a password check ended without an answer");
        false
    })
}

/// Gives the calling thread the lowest priority (nice 19). On Linux `setpriority` with
/// `PRIO_PROCESS` and 0 applies to the calling thread only; elsewhere this does nothing, and
/// the semaphore alone bounds the checks.
fn lowest_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority takes plain integers and touches no memory of ours.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, 19);
    }
}

fn password_matches(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|hash| {
        Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_argon2id_and_verified() {
        let hash = hash_password("correct horse battery staple").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(password_matches("correct horse battery staple", &hash));
        assert!(!password_matches("wrong", &hash));
        assert!(DUMMY_HASH.starts_with("$argon2id$"));
        assert!(!password_matches("anything", &DUMMY_HASH));
    }
}
