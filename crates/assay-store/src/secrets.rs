//! Generated credentials. Every secret Assay hands out is random, shown once, and stored only as its SHA-256
//! (the lookup key), except AB partner signing keys, which HMAC verification needs in the clear.

use base64::Engine;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// A random secret: `prefix` followed by 32 random bytes in URL-safe base64.
pub fn generate(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes);
    format!("{prefix}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// A short random identifier (for public key prefixes): `len` characters of `[a-z0-9]`.
pub fn short_id(len: usize) -> String {
    use rand::RngExt;
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    (0..len).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect()
}

/// The lookup hash of a secret (hex SHA-256).
pub fn hash(secret: &str) -> String {
    Sha256::digest(secret.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares a presented secret with a stored hash in constant time.
pub fn matches(secret: &str, stored_hash: &str) -> bool {
    hash(secret).as_bytes().ct_eq(stored_hash.as_bytes()).into()
}

/// The last four characters, shown so people can tell their credentials apart.
pub fn hint(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    chars[chars.len().saturating_sub(4)..].iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_random_hashed_and_compared() {
        let a = generate("assay_");
        let b = generate("assay_");
        assert!(a.starts_with("assay_") && a != b && a.len() > 40);
        assert!(matches(&a, &hash(&a)));
        assert!(!matches(&b, &hash(&a)));
        assert_eq!(hint("abcdefgh"), "efgh");
        assert_eq!(short_id(8).len(), 8);
    }
}
