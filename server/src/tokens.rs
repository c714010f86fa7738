//! Hex, random tokens and tokens' hashes, written once: comment ids, session and CSRF tokens,
//! signing keys.
//! Randomness comes from the system's cryptographic source or not at all (fail closed: every
//! caller turns a failure into a refusal, never into a guessable value).

/// Bytes as lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut out, byte| {
            let _ = write!(out, "{byte:02x}");
            out
        })
}

/// Hex back to bytes; `None` for anything that is not whole pairs of hex digits.
pub fn hex_decode(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

/// A token's SHA-256 as hex: how tokens are stored (a leaked table gives no usable token).
pub fn sha256_hex(token: &str) -> String {
    use sha2::{Digest, Sha256};
    hex(&Sha256::digest(token.as_bytes()))
}

/// `bytes` random bytes from the system's cryptographic source, as hex.
pub fn random_hex(bytes: usize) -> Result<String, getrandom::Error> {
    let mut buffer = vec![0u8; bytes];
    getrandom::fill(&mut buffer)?;
    Ok(hex(&buffer))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_goes_both_ways() {
        assert_eq!(hex(&[0, 1, 0xab, 0xff]), "0001abff");
        assert_eq!(hex_decode("0001abff"), Some(vec![0, 1, 0xab, 0xff]));
        assert_eq!(hex_decode("0001ABFF"), Some(vec![0, 1, 0xab, 0xff]));
        for bad in ["0", "zz", "0g", "é0"] {
            assert_eq!(hex_decode(bad), None, "{bad}");
        }
        assert_eq!(random_hex(16).unwrap().len(), 32);
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
